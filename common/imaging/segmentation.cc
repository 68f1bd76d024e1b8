#include "common/imaging/segmentation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

// Grey level below which a border-connected region counts as vignette.
constexpr int kVignetteLevel = 35;

// Otsu's threshold over the pixels of `channel` where `mask` is set.
int OtsuThreshold(const cv::Mat& channel, const cv::Mat& mask) {
  std::array<double, 256> histogram{};
  double total = 0;
  for (int y = 0; y < channel.rows; ++y) {
    const uchar* c = channel.ptr<uchar>(y);
    const uchar* m = mask.ptr<uchar>(y);
    for (int x = 0; x < channel.cols; ++x) {
      if (m[x]) {
        histogram[c[x]] += 1;
        total += 1;
      }
    }
  }
  if (total == 0) return 128;
  double sum_all = 0;
  for (int i = 0; i < 256; ++i) sum_all += i * histogram[i];
  double weight_low = 0, sum_low = 0, best_variance = -1;
  int best = 128;
  for (int t = 0; t < 256; ++t) {
    weight_low += histogram[t];
    if (weight_low == 0) continue;
    const double weight_high = total - weight_low;
    if (weight_high == 0) break;
    sum_low += t * histogram[t];
    const double mean_low = sum_low / weight_low;
    const double mean_high = (sum_all - sum_low) / weight_high;
    const double variance =
        weight_low * weight_high * (mean_low - mean_high) * (mean_low - mean_high);
    if (variance > best_variance) {
      best_variance = variance;
      best = t;
    }
  }
  return best;
}

// The channel in which pigment stands out most from skin. Melanin and
// haemoglobin absorb blue and green far more than red, so the darker of the
// blue and green channels separates lesion from skin better than grey does.
cv::Mat SegmentationChannel(const cv::Mat& bgr) {
  std::vector<cv::Mat> planes;
  cv::split(bgr, planes);
  cv::Mat channel;
  cv::min(planes[0], planes[1], channel);
  return channel;
}

// Divides out uneven lighting (a phone photo lit from one side): the skin's
// brightness is estimated by a closing far wider than a lesion, computed on a
// small copy, and the channel is expressed relative to it (skin at 200).
cv::Mat FlattenIllumination(const cv::Mat& channel) {
  const double factor = 64.0 / std::max(channel.cols, channel.rows);
  cv::Mat small, background;
  cv::resize(channel, small, cv::Size(), factor, factor, cv::INTER_AREA);
  cv::morphologyEx(small, background, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(25, 25)));
  cv::GaussianBlur(background, background, cv::Size(), 4.0);
  cv::resize(background, background, channel.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat flat;
  cv::divide(channel, cv::max(background, 1), flat, 200.0, CV_8U);
  return flat;
}

void FillHoles(cv::Mat& mask) {
  cv::Mat outside = mask.clone();
  cv::copyMakeBorder(outside, outside, 1, 1, 1, 1, cv::BORDER_CONSTANT, 0);
  cv::floodFill(outside, cv::Point(0, 0), 255);
  cv::Mat holes = outside(cv::Rect(1, 1, mask.cols, mask.rows)) == 0;
  mask |= holes;
}

}  // namespace

cv::Mat FieldOfView(const cv::Mat& bgr, Modality modality) {
  cv::Mat field(bgr.size(), CV_8U, cv::Scalar(255));
  if (modality != Modality::kDermoscopy) return field;
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::Mat dark = grey < kVignetteLevel;
  cv::Mat labels;
  const int count = cv::connectedComponents(dark, labels, 4, CV_32S);
  std::vector<char> on_border(count, 0);
  for (int x = 0; x < labels.cols; ++x) {
    on_border[labels.at<int>(0, x)] = 1;
    on_border[labels.at<int>(labels.rows - 1, x)] = 1;
  }
  for (int y = 0; y < labels.rows; ++y) {
    on_border[labels.at<int>(y, 0)] = 1;
    on_border[labels.at<int>(y, labels.cols - 1)] = 1;
  }
  on_border[0] = 0;  // Label 0 is the non-dark background.
  cv::Mat vignette(bgr.size(), CV_8U, cv::Scalar(0));
  for (int y = 0; y < labels.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    uchar* v = vignette.ptr<uchar>(y);
    for (int x = 0; x < labels.cols; ++x) v[x] = on_border[l[x]] ? 255 : 0;
  }
  if (2.0 * cv::countNonZero(vignette) >= static_cast<double>(vignette.total())) {
    return field;
  }
  // The vignette's soft inner rim is dark too; widen it a little.
  cv::dilate(vignette, vignette,
             cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
  field.setTo(0, vignette);
  return field;
}

LesionSegmentation SegmentLesion(const cv::Mat& bgr, Modality modality,
                                 const SegmentationOptions& options) {
  LesionSegmentation result;
  result.min_contrast = options.min_contrast;
  result.field_of_view = FieldOfView(bgr, modality);
  const double field_area = cv::countNonZero(result.field_of_view);
  if (field_area == 0) return result;

  const int scale = std::max(1, std::max(bgr.cols, bgr.rows) / 256);
  cv::Mat channel = SegmentationChannel(bgr);
  // Closing removes hairs and other dark lines thinner than the kernel.
  const int hair = 2 * scale + 1;
  cv::morphologyEx(channel, channel, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE,
                                             cv::Size(2 * hair + 1, 2 * hair + 1)));
  if (modality != Modality::kDermoscopy) channel = FlattenIllumination(channel);
  cv::GaussianBlur(channel, channel, cv::Size(), 1.5 * scale);
  // Outside the field of view the channel takes the skin's median level, so
  // the vignette cannot join the lesion.
  const int threshold = OtsuThreshold(channel, result.field_of_view);
  cv::Mat candidate = (channel <= threshold) & result.field_of_view;
  const cv::Mat kernel = cv::getStructuringElement(
      cv::MORPH_ELLIPSE, cv::Size(2 * scale + 1, 2 * scale + 1));
  cv::morphologyEx(candidate, candidate, cv::MORPH_OPEN, kernel);

  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(candidate, labels, stats,
                                                     centroids, 8, CV_32S);
  const cv::Point2d centre(bgr.cols / 2.0, bgr.rows / 2.0);
  const double half_diagonal = std::hypot(centre.x, centre.y);
  int best = 0;
  double best_score = 0;
  for (int i = 1; i < count; ++i) {
    const double area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (area < options.min_area_fraction * field_area) continue;
    const double distance =
        std::hypot(centroids.at<double>(i, 0) - centre.x,
                   centroids.at<double>(i, 1) - centre.y) / half_diagonal;
    // Prefer large components near the centre: the photographer centres the
    // lesion; shadows and vignette remnants sit at the edges.
    double score = area * std::max(0.05, 1.0 - distance);
    // A photo's shadows and hair run off the frame; a lesion rarely does.
    const int left = stats.at<int>(i, cv::CC_STAT_LEFT);
    const int top = stats.at<int>(i, cv::CC_STAT_TOP);
    if (modality != Modality::kDermoscopy &&
        (left == 0 || top == 0 ||
         left + stats.at<int>(i, cv::CC_STAT_WIDTH) == bgr.cols ||
         top + stats.at<int>(i, cv::CC_STAT_HEIGHT) == bgr.rows)) {
      score *= 0.2;
    }
    if (score > best_score) {
      best_score = score;
      best = i;
    }
  }
  if (best == 0) return result;

  cv::Mat mask = labels == best;
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel);
  FillHoles(mask);
  mask &= result.field_of_view;

  const cv::Scalar inside = cv::mean(channel, mask);
  const cv::Scalar outside = cv::mean(channel, result.field_of_view & ~mask);
  result.contrast = outside[0] - inside[0];
  if (result.contrast < options.min_contrast) return result;

  const cv::Moments moments = cv::moments(mask, true);
  if (moments.m00 <= 0) return result;
  result.found = true;
  result.mask = mask;
  result.area_fraction = moments.m00 / field_area;
  result.centroid = cv::Point2d(moments.m10 / moments.m00, moments.m01 / moments.m00);

  // Outline pixels that touch the image border or the vignette.
  // Eroding with a zero border makes pixels on the image edge part of the
  // outline.
  cv::Mat eroded;
  cv::erode(mask, eroded, cv::Mat(), cv::Point(-1, -1), 1, cv::BORDER_CONSTANT,
            cv::Scalar(0));
  const cv::Mat outline = mask & ~eroded;
  cv::Mat frame_edge;
  cv::erode(result.field_of_view, frame_edge, cv::Mat(), cv::Point(-1, -1), 2,
            cv::BORDER_CONSTANT, cv::Scalar(0));
  frame_edge = ~frame_edge;
  const double outline_pixels = cv::countNonZero(outline);
  result.edge_contact =
      outline_pixels > 0 ? cv::countNonZero(outline & frame_edge) / outline_pixels
                         : 0.0;
  return result;
}

double DiceCoefficient(const cv::Mat& a, const cv::Mat& b) {
  const double size_a = cv::countNonZero(a);
  const double size_b = cv::countNonZero(b);
  if (size_a + size_b == 0) return 1.0;
  cv::Mat both;
  cv::bitwise_and(a != 0, b != 0, both);
  return 2.0 * cv::countNonZero(both) / (size_a + size_b);
}

}  // namespace telederm::imaging
