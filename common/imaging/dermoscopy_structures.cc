// Differential structures (the D of the ABCD rule) and the structure-based
// items of the 7-point checklist. Each detector is a coarse image-processing
// approximation; docs/IMAGING.md lists what each one really measures.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "common/imaging/lesion_features.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging::internal {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Black-hat depth, in normalised L* units (skin at 75), of a network line and
// of a dot or globule.
constexpr size_t kMinElements = 5;
// Streaks are pigmented lines, darker than network lines.
constexpr float kLineContrast = 2.0f;
constexpr float kStreakContrast = 6.0f;
constexpr float kDotContrast = 12.0f;

// A dark element found by the black-hat transform inside the lesion.
struct DarkElement {
  double area = 0;
  cv::Point2d centre;
  double elongation = 1;   // Major / minor axis of its second moments.
  double orientation = 0;  // Radians, of the major axis.
};

int SegmentOf(const cv::Point2d& p, const cv::Point2d& centre) {
  double angle = std::atan2(p.y - centre.y, p.x - centre.x);
  if (angle < 0) angle += 2 * kPi;
  return std::min(7, static_cast<int>(angle / (kPi / 4)));
}

int OccupiedSegments(const std::vector<cv::Point2d>& points,
                     const cv::Point2d& centre) {
  std::array<bool, 8> occupied{};
  for (const cv::Point2d& p : points) occupied[SegmentOf(p, centre)] = true;
  return static_cast<int>(std::count(occupied.begin(), occupied.end(), true));
}

// Offset of the mean of `points` from `centre`, over `radius`.
double CentreOffset(const std::vector<cv::Point2d>& points,
                    const cv::Point2d& centre, double radius) {
  if (points.empty() || radius <= 0) return 0;
  cv::Point2d mean(0, 0);
  for (const cv::Point2d& p : points) mean += p;
  mean *= 1.0 / points.size();
  return std::hypot(mean.x - centre.x, mean.y - centre.y) / radius;
}

}  // namespace

DifferentialStructures DetectStructures(const LesionImage& whole,
                                        SevenPointChecklist& seven_point) {
  DifferentialStructures found;
  if (whole.area < 50) return found;
  // Work on the lesion's bounding box (padded for the morphology kernels):
  // everything measured here lies inside the lesion.
  cv::Rect box = cv::boundingRect(whole.mask);
  box.x -= 6;
  box.y -= 6;
  box.width += 12;
  box.height += 12;
  box &= cv::Rect(0, 0, whole.mask.cols, whole.mask.rows);
  LesionImage lesion = whole;
  lesion.lightness = whole.lightness(box);
  lesion.mask = whole.mask(box);
  lesion.colours = whole.colours(box);
  lesion.centroid = whole.centroid - cv::Point2d(box.x, box.y);
  const cv::Mat& lightness = lesion.lightness;
  const double radius = lesion.equivalent_radius;

  // Interior: the lesion less a thin rim, so the lesion edge itself does not
  // count as a dark line.
  cv::Mat interior;
  cv::erode(lesion.mask, interior,
            cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));

  // Dark lines, dots and globules: black-hat (closing minus image) with a
  // kernel a little wider than a globule at the working size.
  // Computed in 8 bits (0.4 L* per level), where morphology is fast.
  constexpr double kLevelsPerUnit = 2.5;
  cv::Mat smoothed, black_hat8, black_hat;
  cv::GaussianBlur(lightness, smoothed, cv::Size(3, 3), 0.8);
  smoothed.convertTo(smoothed, CV_8U, kLevelsPerUnit);
  cv::morphologyEx(smoothed, black_hat8, cv::MORPH_BLACKHAT,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
  black_hat8.convertTo(black_hat, CV_32F, 1.0 / kLevelsPerUnit);
  cv::Mat dark = (black_hat > kLineContrast) & interior;
  // Dots and globules must stand out clearly; lines of a network are fainter.
  cv::Mat strong = (black_hat > kDotContrast) & interior;
  const double interior_area = std::max(1, cv::countNonZero(interior));
  const double dark_fraction = cv::countNonZero(dark) / interior_area;

  // Elongated elements (streak candidates) come from the streak mask.
  const cv::Mat pigmented_lines = (black_hat > kStreakContrast) & interior;
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(pigmented_lines, labels,
                                                     stats, centroids, 8, CV_32S);
  std::vector<DarkElement> elements(count);
  {
    // Second moments per component, in one pass.
    std::vector<std::array<double, 3>> moments(count, {0, 0, 0});
    for (int y = 0; y < labels.rows; ++y) {
      const int* l = labels.ptr<int>(y);
      for (int x = 0; x < labels.cols; ++x) {
        if (l[x] == 0) continue;
        const double dx = x - centroids.at<double>(l[x], 0);
        const double dy = y - centroids.at<double>(l[x], 1);
        moments[l[x]][0] += dx * dx;
        moments[l[x]][1] += dx * dy;
        moments[l[x]][2] += dy * dy;
      }
    }
    for (int i = 1; i < count; ++i) {
      DarkElement& e = elements[i];
      e.area = stats.at<int>(i, cv::CC_STAT_AREA);
      e.centre = cv::Point2d(centroids.at<double>(i, 0), centroids.at<double>(i, 1));
      const double xx = moments[i][0] / e.area, xy = moments[i][1] / e.area,
                   yy = moments[i][2] / e.area;
      const double root = std::sqrt((xx - yy) * (xx - yy) + 4 * xy * xy);
      const double major = (xx + yy + root) / 2, minor = (xx + yy - root) / 2;
      e.elongation = std::sqrt(major / std::max(minor, 0.05));
      e.orientation = 0.5 * std::atan2(2 * xy, xx - yy);
    }
  }

  // Dots (small, isolated) and globules (larger, round), from the strong mask.
  std::vector<cv::Point2d> dots, globules, streaks;
  {
    cv::Mat strong_labels, strong_stats, strong_centroids;
    const int strong_count = cv::connectedComponentsWithStats(
        strong, strong_labels, strong_stats, strong_centroids, 8, CV_32S);
    for (int i = 1; i < strong_count; ++i) {
      const int area = strong_stats.at<int>(i, cv::CC_STAT_AREA);
      const int w = strong_stats.at<int>(i, cv::CC_STAT_WIDTH);
      const int h = strong_stats.at<int>(i, cv::CC_STAT_HEIGHT);
      const bool round = std::max(w, h) <= 2 * std::min(w, h) &&
                         area >= 0.5 * w * h;
      const cv::Point2d centre(strong_centroids.at<double>(i, 0),
                               strong_centroids.at<double>(i, 1));
      if (area <= 6 && round) {
        dots.push_back(centre);
      } else if (area <= 80 && round) {
        globules.push_back(centre);
      }
    }
  }
  int line_pixels = 0;
  for (int i = 1; i < count; ++i) {
    const DarkElement& e = elements[i];
    if (e.elongation >= 3.0 && e.area >= 8) {
      // Streak: an elongated element in the outer third of the lesion,
      // pointing away from the centre.
      const double distance = std::hypot(e.centre.x - lesion.centroid.x,
                                         e.centre.y - lesion.centroid.y);
      const double radial = std::atan2(e.centre.y - lesion.centroid.y,
                                       e.centre.x - lesion.centroid.x);
      double difference = std::fmod(std::abs(radial - e.orientation), kPi);
      difference = std::min(difference, kPi - difference);
      if (distance > 0.66 * radius && difference < kPi / 8 && e.area <= 400) {
        streaks.push_back(e.centre);
      }
    }
  }
  {
    // Network lines: the larger connected parts of the faint-line mask.
    cv::Mat line_labels, line_stats, line_centroids;
    const int line_count = cv::connectedComponentsWithStats(
        dark, line_labels, line_stats, line_centroids, 8, CV_32S);
    for (int i = 1; i < line_count; ++i) {
      const int area = line_stats.at<int>(i, cv::CC_STAT_AREA);
      if (area > 80) line_pixels += area;
    }
  }
  found.dots = dots.size() >= kMinElements;
  found.globules = globules.size() >= kMinElements;
  found.branched_streaks = streaks.size() >= 3;

  // Pigment network: a mesh of dark lines enclosing many small lighter holes.
  cv::Mat holes = interior & ~dark;
  cv::Mat hole_labels, hole_stats, hole_centroids;
  const int hole_count = cv::connectedComponentsWithStats(
      holes, hole_labels, hole_stats, hole_centroids, 4, CV_32S);
  int small_holes = 0;
  for (int i = 1; i < hole_count; ++i) {
    const int area = hole_stats.at<int>(i, cv::CC_STAT_AREA);
    if (area >= 3 && area <= 120) ++small_holes;
  }
  const double hole_density = small_holes / (interior_area / 1000.0);
  found.pigment_network = dark_fraction >= 0.12 && dark_fraction <= 0.5 &&
                          hole_density >= 1.0 &&
                          line_pixels >= 0.06 * interior_area;

  // Structureless areas: low local texture over at least 10% of the lesion.
  cv::Mat mean, mean_of_square;
  cv::blur(lightness, mean, cv::Size(9, 9));
  cv::blur(lightness.mul(lightness), mean_of_square, cv::Size(9, 9));
  cv::Mat variance = mean_of_square - mean.mul(mean);
  cv::Mat flat = (variance < 2.0f * 2.0f) & interior & ~dark;
  found.structureless_areas = cv::countNonZero(flat) >= 0.10 * interior_area;

  // 7-point items that come from structures.
  if (found.pigment_network) {
    // Atypical network: line density varies strongly around the lesion.
    std::array<double, 8> dark_in{}, all_in{};
    for (int y = 0; y < interior.rows; ++y) {
      const uchar* in = interior.ptr<uchar>(y);
      const uchar* d = dark.ptr<uchar>(y);
      for (int x = 0; x < interior.cols; ++x) {
        if (!in[x]) continue;
        const int s = SegmentOf(cv::Point2d(x, y), lesion.centroid);
        all_in[s] += 1;
        if (d[x]) dark_in[s] += 1;
      }
    }
    std::vector<double> density;
    for (int s = 0; s < 8; ++s) {
      if (all_in[s] > 20) density.push_back(dark_in[s] / all_in[s]);
    }
    double sum = 0, sum_of_squares = 0;
    for (double d : density) {
      sum += d;
      sum_of_squares += d * d;
    }
    if (!density.empty() && sum > 0) {
      const double m = sum / density.size();
      const double deviation =
          std::sqrt(std::max(0.0, sum_of_squares / density.size() - m * m));
      seven_point.atypical_pigment_network = deviation / m > 0.45;
    }
  }
  seven_point.irregular_streaks =
      found.branched_streaks && OccupiedSegments(streaks, lesion.centroid) < 6;
  std::vector<cv::Point2d> dots_and_globules = dots;
  dots_and_globules.insert(dots_and_globules.end(), globules.begin(), globules.end());
  seven_point.irregular_dots_globules =
      (found.dots || found.globules) &&
      (CentreOffset(dots_and_globules, lesion.centroid, radius) > 0.3 ||
       OccupiedSegments(dots_and_globules, lesion.centroid) <= 4);

  // Blotches (irregular pigmentation): a confluent black / dark-brown area
  // of at least 10% of the lesion lying off-centre.
  cv::Mat very_dark = ((lesion.colours == static_cast<int>(StolzColour::kBlack)) |
                       (lesion.colours == static_cast<int>(StolzColour::kDarkBrown))) &
                      lesion.mask;
  cv::morphologyEx(very_dark, very_dark, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(7, 7)));
  const cv::Moments blotch = cv::moments(very_dark, true);
  if (blotch.m00 >= 0.10 * lesion.area) {
    const cv::Point2d centre(blotch.m10 / blotch.m00, blotch.m01 / blotch.m00);
    seven_point.irregular_pigmentation =
        std::hypot(centre.x - lesion.centroid.x, centre.y - lesion.centroid.y) >
        0.25 * radius;
  }

  // Blue-whitish veil: a confluent blue-grey area, lighter than the darkest
  // pigment, over at least 10% of the lesion.
  cv::Mat veil = (lesion.colours == static_cast<int>(StolzColour::kBlueGrey)) &
                 (lightness >= 35.0f) & lesion.mask;
  cv::morphologyEx(veil, veil, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  seven_point.blue_whitish_veil = cv::countNonZero(veil) >= 0.10 * lesion.area;
  return found;
}

}  // namespace telederm::imaging::internal
