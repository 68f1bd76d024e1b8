// The image quality gate: tells a clinic at once whether a photo can be read
// and, if not, what to do about it.
//
// Every check yields a finding with a machine code, a severity, the measured
// value, the threshold it was compared with and a message for the clinic
// worker. A warning means the image is usable but should be retaken if the
// patient is still there; a refusal means nobody could read it.
//
// Measurements are made on a working copy whose longer side is
// QualityThresholds::working_long_side pixels, so figures do not depend on the
// camera's resolution; only the resolution check uses the original size.
// Pure functions, safe to call concurrently.
#ifndef TELEDERM_COMMON_IMAGING_QUALITY_H_
#define TELEDERM_COMMON_IMAGING_QUALITY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/imaging/decode.h"
#include "common/imaging/modality.h"
#include "common/imaging/segmentation.h"
#include "opencv2/core.hpp"

namespace telederm::imaging {

enum class Severity { kWarning, kRefusal };

std::string_view SeverityName(Severity severity);  // "warning" / "refusal"

// Machine codes of findings.
inline constexpr std::string_view kLowResolution = "low_resolution";
inline constexpr std::string_view kBelowPreferredResolution =
    "below_preferred_resolution";
inline constexpr std::string_view kBlurred = "blurred";
inline constexpr std::string_view kOverexposed = "overexposed";
inline constexpr std::string_view kUnderexposed = "underexposed";
inline constexpr std::string_view kNoLesionInFrame = "no_lesion_in_frame";
inline constexpr std::string_view kLesionCutOff = "lesion_cut_off";

struct QualityFinding {
  std::string code;  // One of the k* codes above.
  Severity severity = Severity::kWarning;
  double measured = 0.0;
  double threshold = 0.0;
  std::string message;  // What is wrong and what to do, for the clinic.
};

// Defaults and their rationale are in docs/IMAGING.md.
struct QualityThresholds {
  // Resolution, compared orientation-free (long side with long side). Below
  // refuse_*: refusal; below min_*: warning (under the telemedicine guideline's
  // 800x600); below preferred_*: warning (the guideline prefers 1024x768).
  int refuse_long_side = 480;
  int refuse_short_side = 360;
  int min_long_side = 800;
  int min_short_side = 600;
  int preferred_long_side = 1024;
  int preferred_short_side = 768;
  // Focus: variance of the Laplacian of the grey working image (0..255 grey
  // levels, longer side working_long_side). Sharp dermoscopy and close-up
  // photos of the sample sets measure 6 and above.
  double blur_warning_below = 4.0;
  double blur_refusal_below = 1.5;
  // Exposure over the field of view: fraction of pixels with all three
  // channels >= 245 (highlights clipped to white) or a grey level <= 10
  // (shadows clipped to black).
  double overexposed_warning_above = 0.05;
  double overexposed_refusal_above = 0.30;
  double underexposed_warning_above = 0.10;
  double underexposed_refusal_above = 0.40;
  // A dim photo need not clip: mean grey level of the field of view (0..255).
  double dark_warning_below = 60.0;
  double dark_refusal_below = 35.0;
  // Dermoscopy only: a lesion must be found; if more than this fraction of its
  // outline touches the edge of the frame it is probably cut off (warning;
  // centred lesions in the sample sets measure below 0.03).
  double lesion_cut_off_above = 0.10;
  int working_long_side = 512;
};

// What the gate measured, whatever it concluded.
struct QualityMeasurements {
  int width = 0;   // Of the original image.
  int height = 0;
  double focus = 0.0;
  double highlight_clipped_fraction = 0.0;
  double shadow_clipped_fraction = 0.0;
  double mean_grey = 0.0;
  bool lesion_found = false;
  double lesion_area_fraction = 0.0;
  double lesion_edge_contact = 0.0;
};

struct QualityReport {
  QualityMeasurements measurements;
  std::vector<QualityFinding> findings;  // Refusals first.

  // True when no finding is a refusal.
  bool Acceptable() const;
  // The finding with `code`, or nullptr.
  const QualityFinding* Find(std::string_view code) const;
};

// Assesses `bgr` (8-bit, 3 channels), which may be a reduced-scale decode of
// an original of original_width x original_height pixels. `segmentation`, if
// not null, is the lesion segmentation of the working image (saves doing it
// twice); otherwise the gate segments dermoscopy images itself.
QualityReport AssessQuality(const cv::Mat& bgr, int original_width,
                            int original_height, Modality modality,
                            const QualityThresholds& thresholds = {},
                            const LesionSegmentation* segmentation = nullptr);

// Resizes `bgr` (INTER_AREA) so its longer side is `long_side`; returns it
// unchanged when it is already that size.
cv::Mat ToWorkingSize(const cv::Mat& bgr, int long_side);

// The image the gate measures: `encoded` decoded at the smallest scale that
// still gives thresholds.working_long_side (ChooseReduction: a JPEG decoded
// directly at that scale, a PNG in full and resized), with its header.
// INVALID_ARGUMENT as DecodeImage.
struct WorkingImage {
  cv::Mat bgr;
  ImageHeader header;
};
absl::StatusOr<WorkingImage> DecodeWorkingImage(
    std::string_view encoded, const QualityThresholds& thresholds = {},
    const DecodeOptions& decode_options = {});

// DecodeWorkingImage, then the gate. INVALID_ARGUMENT as DecodeImage.
absl::StatusOr<QualityReport> CheckImageQuality(
    std::string_view encoded, Modality modality,
    const QualityThresholds& thresholds = {},
    const DecodeOptions& decode_options = {});

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_QUALITY_H_
