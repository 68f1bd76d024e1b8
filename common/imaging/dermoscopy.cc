#include "common/imaging/dermoscopy.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/imaging/lesion_features.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace internal {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Median of the float values of `image` where `mask` is set, by a histogram
// with `bins` bins over [low, high), sampling every other row and column
// (skin is smooth; a quarter of it gives the same median, 4 times faster).
double MaskedMedian(const cv::Mat& image, const cv::Mat& mask, float low,
                    float high, int bins = 400) {
  std::vector<int> histogram(bins, 0);
  int total = 0;
  for (int y = 0; y < image.rows; y += 2) {
    const float* v = image.ptr<float>(y);
    const uchar* m = mask.ptr<uchar>(y);
    for (int x = 0; x < image.cols; x += 2) {
      if (!m[x]) continue;
      const int bin = std::clamp(
          static_cast<int>((v[x] - low) / (high - low) * bins), 0, bins - 1);
      ++histogram[bin];
      ++total;
    }
  }
  if (total == 0) return (low + high) / 2;
  int seen = 0;
  for (int i = 0; i < bins; ++i) {
    seen += histogram[i];
    if (2 * seen >= total) return low + (i + 0.5) * (high - low) / bins;
  }
  return high;
}

double DeltaE(const cv::Scalar& p, const cv::Scalar& q) {
  return std::sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) +
                   (p[2] - q[2]) * (p[2] - q[2]));
}

}  // namespace

LesionImage PrepareLesion(const cv::Mat& bgr,
                          const LesionSegmentation& segmentation) {
  LesionImage lesion;
  // The 8-bit conversion is table-driven and several times faster than the
  // float one; its quantisation (0.4 L*, 1 a*/b*) is far below what matters.
  cv::Mat lab8;
  cv::cvtColor(bgr, lab8, cv::COLOR_BGR2Lab);
  lab8.convertTo(lesion.lab, CV_32FC3);
  lesion.lab = lesion.lab.mul(cv::Scalar(100.0 / 255.0, 1.0, 1.0)) -
               cv::Scalar(0.0, 128.0, 128.0);
  lesion.mask = segmentation.mask;
  lesion.field_of_view = segmentation.field_of_view;
  const cv::Moments moments = cv::moments(lesion.mask, true);
  lesion.area = moments.m00;
  lesion.centroid = segmentation.centroid;
  lesion.equivalent_radius = std::sqrt(lesion.area / kPi);

  // Skin: the field of view outside a margin around the lesion.
  cv::Mat around;
  const int margin = std::max(3, static_cast<int>(0.15 * lesion.equivalent_radius));
  cv::dilate(lesion.mask, around,
             cv::getStructuringElement(cv::MORPH_RECT,
                                       cv::Size(2 * margin + 1, 2 * margin + 1)));
  cv::Mat skin = lesion.field_of_view & ~around;
  if (cv::countNonZero(skin) < 100) skin = lesion.field_of_view & ~lesion.mask;
  std::vector<cv::Mat> channels;
  cv::split(lesion.lab, channels);
  lesion.skin_lightness = std::max(20.0, MaskedMedian(channels[0], skin, 0, 100));
  lesion.skin_a = MaskedMedian(channels[1], skin, -100, 100);
  lesion.lightness = channels[0] * (75.0 / lesion.skin_lightness);
  // Colours matter only inside the lesion: classify its bounding box.
  lesion.colours = cv::Mat(bgr.size(), CV_8S, cv::Scalar(-1));
  const cv::Rect box = cv::boundingRect(lesion.mask);
  ClassifyStolzColours(lesion.lab(box), lesion.skin_lightness, lesion.skin_a)
      .copyTo(lesion.colours(box));
  return lesion;
}

Asymmetry MeasureAsymmetry(const LesionImage& lesion) {
  Asymmetry result;
  const cv::Moments m = cv::moments(lesion.mask, true);
  if (m.m00 <= 0) return result;
  const double angle = 0.5 * std::atan2(2 * m.mu11, m.mu20 - m.mu02);
  // Radius of the canvas: the farthest lesion pixel from the centroid.
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(lesion.mask.clone(), contours, cv::RETR_EXTERNAL,
                   cv::CHAIN_APPROX_SIMPLE);
  double radius = 0;
  for (const auto& contour : contours) {
    for (const cv::Point& p : contour) {
      radius = std::max(radius, std::hypot(p.x - lesion.centroid.x,
                                           p.y - lesion.centroid.y));
    }
  }
  // The comparison is made on a canvas of at most kCanvasRadius pixels
  // around the centroid: finer detail does not change the halves' balance.
  constexpr double kCanvasRadius = 100;
  const double step = std::max(1.0, (radius + 2) / kCanvasRadius);
  const int r = static_cast<int>(std::ceil((radius + 2) / step));
  const cv::Size canvas(2 * r + 1, 2 * r + 1);
  // Destination (x, y) samples the source at
  // centroid + step * R(angle) (x - r, y - r): the major axis becomes
  // horizontal through the canvas centre.
  const double c = std::cos(angle) * step, s = std::sin(angle) * step;
  const cv::Matx23d to_source(c, -s, lesion.centroid.x - c * r + s * r,  //
                              s, c, lesion.centroid.y - s * r - c * r);
  cv::Mat mask, lab;
  cv::warpAffine(lesion.mask, mask, to_source, canvas,
                 cv::INTER_NEAREST | cv::WARP_INVERSE_MAP);
  cv::warpAffine(lesion.lab, lab, to_source, canvas,
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP);
  const double area = std::max(1, cv::countNonZero(mask));
  for (int axis = 0; axis < 2; ++axis) {
    // Axis 0 (major, horizontal) mirrors top to bottom; axis 1 left to right.
    cv::Mat mirrored;
    cv::flip(mask, mirrored, axis == 0 ? 0 : 1);
    result.shape[axis] = cv::countNonZero(mask ^ mirrored) / area;
    cv::Mat first_half = cv::Mat::zeros(canvas, CV_8U);
    cv::Mat second_half = cv::Mat::zeros(canvas, CV_8U);
    if (axis == 0) {
      mask.rowRange(0, r).copyTo(first_half.rowRange(0, r));
      mask.rowRange(r + 1, canvas.height).copyTo(second_half.rowRange(r + 1, canvas.height));
    } else {
      mask.colRange(0, r).copyTo(first_half.colRange(0, r));
      mask.colRange(r + 1, canvas.width).copyTo(second_half.colRange(r + 1, canvas.width));
    }
    if (cv::countNonZero(first_half) == 0 || cv::countNonZero(second_half) == 0) {
      continue;
    }
    result.colour[axis] =
        DeltaE(cv::mean(lab, first_half), cv::mean(lab, second_half));
  }
  return result;
}

std::array<double, 8> MeasureBorderSharpness(const LesionImage& lesion,
                                             double min_contrast) {
  std::array<double, 8> sharpness{};
  cv::Mat lightness;
  cv::GaussianBlur(lesion.lightness, lightness, cv::Size(), 1.0);
  const int rows = lightness.rows, cols = lightness.cols;
  auto sample = [&](double x, double y, float* value) {
    const int xi = cvRound(x), yi = cvRound(y);
    if (xi < 0 || yi < 0 || xi >= cols || yi >= rows) return false;
    if (!lesion.field_of_view.at<uchar>(yi, xi)) return false;
    *value = lightness.at<float>(yi, xi);
    return true;
  };
  constexpr int kRaysPerSegment = 8;
  const double max_radius = std::hypot(cols, rows);
  for (int segment = 0; segment < 8; ++segment) {
    std::vector<double> ray_sharpness;
    for (int k = 0; k < kRaysPerSegment; ++k) {
      const double theta = (segment + (k + 0.5) / kRaysPerSegment) * kPi / 4;
      const double dx = std::cos(theta), dy = std::sin(theta);
      // The outermost lesion pixel along the ray.
      double boundary = -1;
      for (double t = 0; t < max_radius; t += 0.5) {
        const int x = cvRound(lesion.centroid.x + t * dx);
        const int y = cvRound(lesion.centroid.y + t * dy);
        if (x < 0 || y < 0 || x >= cols || y >= rows) break;
        if (lesion.mask.at<uchar>(y, x)) boundary = t;
      }
      if (boundary < 0) continue;
      const double window = std::max(6.0, 0.25 * boundary);
      // Edge contrast: mean outside minus mean inside, over the window.
      double inside = 0, outside = 0;
      int n_inside = 0, n_outside = 0;
      float value;
      for (double t = 2; t <= window; t += 1) {
        if (sample(lesion.centroid.x + (boundary - t) * dx,
                   lesion.centroid.y + (boundary - t) * dy, &value)) {
          inside += value;
          ++n_inside;
        }
        if (sample(lesion.centroid.x + (boundary + t) * dx,
                   lesion.centroid.y + (boundary + t) * dy, &value)) {
          outside += value;
          ++n_outside;
        }
      }
      if (n_inside == 0 || n_outside == 0) continue;  // Cut off by the frame.
      const double contrast = outside / n_outside - inside / n_inside;
      if (contrast < min_contrast) {
        ray_sharpness.push_back(0.0);
        continue;
      }
      // Steepest 4-pixel rise near the boundary.
      double steepest = 0;
      for (double t = -window / 2; t <= window / 2; t += 1) {
        float before, after;
        if (sample(lesion.centroid.x + (boundary + t - 2) * dx,
                   lesion.centroid.y + (boundary + t - 2) * dy, &before) &&
            sample(lesion.centroid.x + (boundary + t + 2) * dx,
                   lesion.centroid.y + (boundary + t + 2) * dy, &after)) {
          steepest = std::max(steepest, static_cast<double>(after - before));
        }
      }
      ray_sharpness.push_back(std::clamp(steepest / contrast, 0.0, 1.0));
    }
    if (ray_sharpness.empty()) continue;
    std::nth_element(ray_sharpness.begin(),
                     ray_sharpness.begin() + ray_sharpness.size() / 2,
                     ray_sharpness.end());
    sharpness[segment] = ray_sharpness[ray_sharpness.size() / 2];
  }
  return sharpness;
}

std::array<double, kStolzColourCount> ColourFractions(const LesionImage& lesion) {
  std::array<double, kStolzColourCount> fractions{};
  if (lesion.area <= 0) return fractions;
  std::array<int, kStolzColourCount> counts{};
  for (int y = 0; y < lesion.colours.rows; ++y) {
    const schar* c = lesion.colours.ptr<schar>(y);
    const uchar* m = lesion.mask.ptr<uchar>(y);
    for (int x = 0; x < lesion.colours.cols; ++x) {
      if (m[x] && c[x] >= 0) ++counts[c[x]];
    }
  }
  for (int i = 0; i < kStolzColourCount; ++i) fractions[i] = counts[i] / lesion.area;
  return fractions;
}

double Compactness(const cv::Mat& mask) {
  // Pixel-level jaggedness of a thresholded outline is not border
  // irregularity: the outline is simplified to a polygon that stays within
  // 3% of the lesion's radius of it first.
  const double radius = std::sqrt(cv::countNonZero(mask) / kPi);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask.clone(), contours, cv::RETR_EXTERNAL,
                   cv::CHAIN_APPROX_NONE);
  double perimeter = 0, area = 0;
  for (const auto& contour : contours) {
    std::vector<cv::Point> simplified;
    cv::approxPolyDP(contour, simplified, std::max(1.0, 0.03 * radius), true);
    perimeter += cv::arcLength(simplified, true);
    area += cv::contourArea(simplified);
  }
  if (area <= 0) return 1.0;
  return perimeter * perimeter / (4 * kPi * area);
}

double MaximumDiameter(const cv::Mat& mask) {
  std::vector<cv::Point> points;
  cv::findNonZero(mask, points);
  if (points.size() < 2) return static_cast<double>(points.size());
  std::vector<cv::Point> hull;
  cv::convexHull(points, hull);
  double diameter = 0;
  for (size_t i = 0; i < hull.size(); ++i) {
    for (size_t j = i + 1; j < hull.size(); ++j) {
      diameter = std::max(diameter, cv::norm(hull[i] - hull[j]));
    }
  }
  return diameter;
}

}  // namespace internal

std::string_view StolzColourName(StolzColour colour) {
  switch (colour) {
    case StolzColour::kWhite:
      return "white";
    case StolzColour::kRed:
      return "red";
    case StolzColour::kLightBrown:
      return "light brown";
    case StolzColour::kDarkBrown:
      return "dark brown";
    case StolzColour::kBlueGrey:
      return "blue-grey";
    case StolzColour::kBlack:
      return "black";
  }
  return "unknown";
}

int DifferentialStructures::Count() const {
  return pigment_network + structureless_areas + dots + globules +
         branched_streaks;
}

int SevenPointChecklist::Score() const {
  return 2 * (atypical_pigment_network + blue_whitish_veil +
              atypical_vascular_pattern) +
         irregular_streaks + irregular_pigmentation + irregular_dots_globules +
         regression_structures;
}

int DermoscopyFindings::ColourScore() const {
  return std::max(1, static_cast<int>(colours.size()));
}

int DermoscopyFindings::StructureScore() const {
  return std::max(1, structures.Count());
}

double DermoscopyFindings::TotalDermoscopyScore() const {
  return 1.3 * asymmetry + 0.1 * border_abrupt_segments + 0.5 * ColourScore() +
         0.5 * StructureScore();
}

cv::Mat ClassifyStolzColours(const cv::Mat& lab, double skin_lightness,
                             double skin_a) {
  cv::Mat classes(lab.size(), CV_8S, cv::Scalar(-1));
  const float scale = static_cast<float>(75.0 / std::max(20.0, skin_lightness));
  const float red_a = static_cast<float>(std::max(30.0, skin_a + 15.0));
  for (int y = 0; y < lab.rows; ++y) {
    const cv::Vec3f* p = lab.ptr<cv::Vec3f>(y);
    schar* out = classes.ptr<schar>(y);
    for (int x = 0; x < lab.cols; ++x) {
      const float l = p[x][0] * scale, a = p[x][1], b = p[x][2];
      const float chroma = std::sqrt(a * a + b * b);
      StolzColour colour;
      if (l < 25) {
        colour = StolzColour::kBlack;
      } else if (l >= 82 && chroma < 22) {
        colour = StolzColour::kWhite;
      } else if (a >= red_a && b < a) {  // Hue below 45 degrees.
        colour = StolzColour::kRed;
      } else if ((b < 2 && l < 80) || (chroma < 8 && l < 65)) {
        colour = StolzColour::kBlueGrey;
      } else if (l < 48) {
        colour = StolzColour::kDarkBrown;
      } else if (l < 70 && chroma >= 10) {
        colour = StolzColour::kLightBrown;
      } else {
        continue;  // Skin-like: no Stolz colour.
      }
      out[x] = static_cast<schar>(colour);
    }
  }
  return classes;
}

DermoscopyFindings AnalyzeDermoscopy(const cv::Mat& bgr,
                                     const LesionSegmentation& segmentation,
                                     const DermoscopyOptions& options) {
  DermoscopyFindings findings;
  if (!segmentation.found) return findings;
  const internal::LesionImage lesion = internal::PrepareLesion(bgr, segmentation);
  findings.lesion_area_fraction = segmentation.area_fraction;

  const internal::Asymmetry asymmetry = internal::MeasureAsymmetry(lesion);
  findings.shape_asymmetry = asymmetry.shape;
  findings.colour_asymmetry = asymmetry.colour;
  for (int axis = 0; axis < 2; ++axis) {
    if (asymmetry.shape[axis] > options.asymmetric_shape_above ||
        asymmetry.colour[axis] > options.asymmetric_colour_above) {
      ++findings.asymmetry;
    }
  }

  findings.border_sharpness =
      internal::MeasureBorderSharpness(lesion, options.min_border_contrast);
  for (double sharpness : findings.border_sharpness) {
    if (sharpness > options.abrupt_border_above) ++findings.border_abrupt_segments;
  }

  findings.colour_fractions = internal::ColourFractions(lesion);
  for (int i = 0; i < kStolzColourCount; ++i) {
    if (findings.colour_fractions[i] >= options.min_colour_fraction) {
      findings.colours.push_back(static_cast<StolzColour>(i));
    }
  }

  findings.structures = internal::DetectStructures(lesion, findings.seven_point);
  // Colour-based 7-point criteria.
  const auto fraction = [&](StolzColour c) {
    return findings.colour_fractions[static_cast<int>(c)];
  };
  findings.seven_point.regression_structures =
      fraction(StolzColour::kWhite) >= 0.05 ||
      (fraction(StolzColour::kWhite) >= 0.02 &&
       fraction(StolzColour::kBlueGrey) >= 0.02);
  findings.compactness = internal::Compactness(lesion.mask);
  return findings;
}

}  // namespace telederm::imaging
