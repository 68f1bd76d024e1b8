#include "common/imaging/quality.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

QualityFinding MakeFinding(std::string_view code, Severity severity,
                           double measured, double threshold,
                           std::string message) {
  QualityFinding finding;
  finding.code = std::string(code);
  finding.severity = severity;
  finding.measured = measured;
  finding.threshold = threshold;
  finding.message = std::move(message);
  return finding;
}

void CheckResolution(const QualityThresholds& t, QualityReport& report) {
  const int long_side =
      std::max(report.measurements.width, report.measurements.height);
  const int short_side =
      std::min(report.measurements.width, report.measurements.height);
  const double megapixels = long_side * static_cast<double>(short_side) / 1e6;
  const std::string size = absl::StrFormat("%dx%d", long_side, short_side);
  if (long_side < t.refuse_long_side || short_side < t.refuse_short_side) {
    report.findings.push_back(MakeFinding(
        kLowResolution, Severity::kRefusal, megapixels,
        t.refuse_long_side * static_cast<double>(t.refuse_short_side) / 1e6,
        absl::StrFormat("image is too small to read (%s pixels): send the "
                        "original photo at the camera's full resolution, at "
                        "least %dx%d",
                        size, t.min_long_side, t.min_short_side)));
  } else if (long_side < t.min_long_side || short_side < t.min_short_side) {
    report.findings.push_back(MakeFinding(
        kLowResolution, Severity::kWarning, megapixels,
        t.min_long_side * static_cast<double>(t.min_short_side) / 1e6,
        absl::StrFormat("image resolution is low (%s pixels, the guideline "
                        "asks for at least %dx%d): send the original photo at "
                        "the camera's full resolution",
                        size, t.min_long_side, t.min_short_side)));
  } else if (long_side < t.preferred_long_side ||
             short_side < t.preferred_short_side) {
    report.findings.push_back(MakeFinding(
        kBelowPreferredResolution, Severity::kWarning, megapixels,
        t.preferred_long_side * static_cast<double>(t.preferred_short_side) /
            1e6,
        absl::StrFormat("image resolution (%s) is usable but below the "
                        "preferred %dx%d: use the camera's full resolution "
                        "next time",
                        size, t.preferred_long_side, t.preferred_short_side)));
  }
}

double VarianceOfLaplacian(const cv::Mat& grey) {
  cv::Mat laplacian;
  cv::Laplacian(grey, laplacian, CV_32F);
  cv::Scalar mean, deviation;
  cv::meanStdDev(laplacian, mean, deviation);
  return deviation[0] * deviation[0];
}

void CheckFocus(const QualityThresholds& t, QualityReport& report) {
  const double focus = report.measurements.focus;
  if (focus >= t.blur_warning_below) return;
  const bool refuse = focus < t.blur_refusal_below;
  report.findings.push_back(MakeFinding(
      kBlurred, refuse ? Severity::kRefusal : Severity::kWarning, focus,
      refuse ? t.blur_refusal_below : t.blur_warning_below,
      refuse ? "image is blurred and cannot be read: hold the camera still, "
               "tap the screen on the lesion to focus, and take it again"
             : "image is slightly blurred: hold the camera still and tap to "
               "focus on the lesion"));
}

void CheckExposure(const QualityThresholds& t, QualityReport& report) {
  const double highlights = report.measurements.highlight_clipped_fraction;
  if (highlights > t.overexposed_warning_above) {
    const bool refuse = highlights > t.overexposed_refusal_above;
    report.findings.push_back(MakeFinding(
        kOverexposed, refuse ? Severity::kRefusal : Severity::kWarning,
        highlights,
        refuse ? t.overexposed_refusal_above : t.overexposed_warning_above,
        absl::StrFormat("image is overexposed (%.0f%% of the skin is pure "
                        "white): switch off the flash or move out of direct "
                        "sunlight, avoid reflections, and take it again",
                        100 * highlights)));
  }
  const double shadows = report.measurements.shadow_clipped_fraction;
  const double mean = report.measurements.mean_grey;
  if (shadows > t.underexposed_warning_above) {
    const bool refuse = shadows > t.underexposed_refusal_above;
    report.findings.push_back(MakeFinding(
        kUnderexposed, refuse ? Severity::kRefusal : Severity::kWarning,
        shadows,
        refuse ? t.underexposed_refusal_above : t.underexposed_warning_above,
        absl::StrFormat("image is too dark (%.0f%% of the skin is black): "
                        "add light (daylight or the dermatoscope's light) "
                        "and take it again",
                        100 * shadows)));
  } else if (mean < t.dark_warning_below) {
    const bool refuse = mean < t.dark_refusal_below;
    report.findings.push_back(MakeFinding(
        kUnderexposed, refuse ? Severity::kRefusal : Severity::kWarning, mean,
        refuse ? t.dark_refusal_below : t.dark_warning_below,
        "image is too dark: add light (daylight or the dermatoscope's light) "
        "and take it again"));
  }
}

void CheckLesionInFrame(const QualityThresholds& t,
                        const LesionSegmentation& segmentation,
                        QualityReport& report) {
  QualityMeasurements& m = report.measurements;
  m.lesion_found = segmentation.found;
  m.lesion_area_fraction = segmentation.area_fraction;
  m.lesion_edge_contact = segmentation.edge_contact;
  if (!segmentation.found) {
    report.findings.push_back(MakeFinding(
        kNoLesionInFrame, Severity::kRefusal, segmentation.contrast,
        segmentation.min_contrast,
        "no lesion found in the image: centre the dermatoscope on the lesion "
        "and make sure it is in contact with the skin"));
    return;
  }
  if (segmentation.edge_contact > t.lesion_cut_off_above) {
    report.findings.push_back(MakeFinding(
        kLesionCutOff, Severity::kWarning, segmentation.edge_contact,
        t.lesion_cut_off_above,
        "the lesion runs off the edge of the image: centre it so the whole "
        "lesion and a rim of normal skin are visible (take several images of "
        "a large lesion)"));
  }
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kRefusal ? "refusal" : "warning";
}

bool QualityReport::Acceptable() const {
  return std::none_of(findings.begin(), findings.end(),
                      [](const QualityFinding& f) {
                        return f.severity == Severity::kRefusal;
                      });
}

const QualityFinding* QualityReport::Find(std::string_view code) const {
  for (const QualityFinding& finding : findings) {
    if (finding.code == code) return &finding;
  }
  return nullptr;
}

cv::Mat ToWorkingSize(const cv::Mat& bgr, int long_side) {
  const int current = std::max(bgr.cols, bgr.rows);
  if (current == long_side || current == 0) return bgr;
  const double factor = static_cast<double>(long_side) / current;
  const cv::Size size(std::max(1, cvRound(bgr.cols * factor)),
                      std::max(1, cvRound(bgr.rows * factor)));
  cv::Mat resized;
  cv::resize(bgr, resized, size, 0, 0,
             factor < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return resized;
}

QualityReport AssessQuality(const cv::Mat& bgr, int original_width,
                            int original_height, Modality modality,
                            const QualityThresholds& thresholds,
                            const LesionSegmentation* segmentation) {
  QualityReport report;
  QualityMeasurements& m = report.measurements;
  m.width = original_width;
  m.height = original_height;
  const cv::Mat working = ToWorkingSize(bgr, thresholds.working_long_side);

  cv::Mat grey;
  cv::cvtColor(working, grey, cv::COLOR_BGR2GRAY);
  cv::Mat grey_float;
  grey.convertTo(grey_float, CV_32F);
  m.focus = VarianceOfLaplacian(grey_float);

  LesionSegmentation own_segmentation;
  if (segmentation == nullptr && modality == Modality::kDermoscopy) {
    own_segmentation = SegmentLesion(working, modality);
    segmentation = &own_segmentation;
  }
  const cv::Mat field = segmentation != nullptr
                            ? segmentation->field_of_view
                            : FieldOfView(working, modality);
  const double field_pixels = std::max(1, cv::countNonZero(field));
  // Clipped highlights are white: all three channels saturated. (A single
  // saturated channel is common in vivid pink skin and is not lost detail.)
  cv::Mat dimmest;
  {
    std::vector<cv::Mat> planes;
    cv::split(working, planes);
    cv::min(planes[0], planes[1], dimmest);
    cv::min(dimmest, planes[2], dimmest);
  }
  m.highlight_clipped_fraction =
      cv::countNonZero((dimmest >= 245) & field) / field_pixels;
  // Shadows are counted over the whole image: a dark photo has no
  // distinguishable field of view, and the vignette is excluded by `field`
  // only when it is a plausible dermatoscope rim.
  m.shadow_clipped_fraction =
      cv::countNonZero((grey <= 10) & field) / field_pixels;
  m.mean_grey = cv::mean(grey, field)[0];

  CheckResolution(thresholds, report);
  CheckFocus(thresholds, report);
  CheckExposure(thresholds, report);
  if (modality == Modality::kDermoscopy && segmentation != nullptr) {
    CheckLesionInFrame(thresholds, *segmentation, report);
  }
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const QualityFinding& a, const QualityFinding& b) {
                     return a.severity == Severity::kRefusal &&
                            b.severity != Severity::kRefusal;
                   });
  return report;
}

absl::StatusOr<WorkingImage> DecodeWorkingImage(
    std::string_view encoded, const QualityThresholds& thresholds,
    const DecodeOptions& decode_options) {
  absl::StatusOr<ImageHeader> header = ReadImageHeader(encoded);
  if (!header.ok()) return header.status();
  DecodeOptions options = decode_options;
  options.reduction = ChooseReduction(*header, thresholds.working_long_side);
  absl::StatusOr<cv::Mat> image = DecodeImage(encoded, options);
  if (!image.ok()) return image.status();
  return WorkingImage{*std::move(image), *header};
}

absl::StatusOr<QualityReport> CheckImageQuality(
    std::string_view encoded, Modality modality,
    const QualityThresholds& thresholds, const DecodeOptions& decode_options) {
  absl::StatusOr<WorkingImage> image =
      DecodeWorkingImage(encoded, thresholds, decode_options);
  if (!image.ok()) return image.status();
  return AssessQuality(image->bgr, image->header.width, image->header.height,
                       modality, thresholds);
}

}  // namespace telederm::imaging
