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

// The lesion's bounding box (padded for the morphology kernels) cut out of
// `whole`: everything measured here lies inside the lesion.
LesionImage CropToLesion(const LesionImage& whole) {
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
  return lesion;
}

// The dark structure masks every detector reads, inside the lesion.
struct DarkMasks {
  cv::Mat interior;         // the lesion less a thin rim, so its edge is no dark line
  cv::Mat dark;             // faint dark lines and spots (network)
  cv::Mat strong;           // clearly dark spots (dots, globules)
  cv::Mat pigmented_lines;  // darker lines (streak candidates)
  double interior_area = 1;
};

// Dark lines, dots and globules: black-hat (closing minus image) with a kernel
// a little wider than a globule at the working size, computed in 8 bits
// (0.4 L* per level), where morphology is fast.
DarkMasks FindDarkMasks(const LesionImage& lesion) {
  DarkMasks masks;
  cv::erode(lesion.mask, masks.interior, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  constexpr double kLevelsPerUnit = 2.5;
  cv::Mat smoothed, black_hat8, black_hat;
  cv::GaussianBlur(lesion.lightness, smoothed, cv::Size(3, 3), 0.8);
  smoothed.convertTo(smoothed, CV_8U, kLevelsPerUnit);
  cv::morphologyEx(smoothed, black_hat8, cv::MORPH_BLACKHAT,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
  black_hat8.convertTo(black_hat, CV_32F, 1.0 / kLevelsPerUnit);
  masks.dark = (black_hat > kLineContrast) & masks.interior;
  // Dots and globules must stand out clearly; lines of a network are fainter.
  masks.strong = (black_hat > kDotContrast) & masks.interior;
  masks.pigmented_lines = (black_hat > kStreakContrast) & masks.interior;
  masks.interior_area = std::max(1, cv::countNonZero(masks.interior));
  return masks;
}

// The connected elements of `mask` with their second moments, in one pass
// (index 0, the background, is left empty).
std::vector<DarkElement> Elements(const cv::Mat& mask) {
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  std::vector<DarkElement> elements(count);
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
    const double xx = moments[i][0] / e.area, xy = moments[i][1] / e.area, yy = moments[i][2] / e.area;
    const double root = std::sqrt((xx - yy) * (xx - yy) + 4 * xy * xy);
    const double major = (xx + yy + root) / 2, minor = (xx + yy - root) / 2;
    e.elongation = std::sqrt(major / std::max(minor, 0.05));
    e.orientation = 0.5 * std::atan2(2 * xy, xx - yy);
  }
  return elements;
}

// Dots (small, isolated) and globules (larger, round), from the strong mask.
void FindDotsAndGlobules(const cv::Mat& strong, std::vector<cv::Point2d>& dots, std::vector<cv::Point2d>& globules) {
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(strong, labels, stats, centroids, 8, CV_32S);
  for (int i = 1; i < count; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH);
    const int h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const bool round = std::max(w, h) <= 2 * std::min(w, h) && area >= 0.5 * w * h;
    const cv::Point2d centre(centroids.at<double>(i, 0), centroids.at<double>(i, 1));
    if (area <= 6 && round) {
      dots.push_back(centre);
    } else if (area <= 80 && round) {
      globules.push_back(centre);
    }
  }
}

// Streaks: elongated pigmented lines in the outer third of the lesion,
// pointing away from its centre.
std::vector<cv::Point2d> FindStreaks(const cv::Mat& pigmented_lines, const cv::Point2d& centroid, double radius) {
  std::vector<cv::Point2d> streaks;
  const std::vector<DarkElement> elements = Elements(pigmented_lines);
  for (size_t i = 1; i < elements.size(); ++i) {
    const DarkElement& e = elements[i];
    if (e.elongation < 3.0 || e.area < 8) continue;
    const double distance = std::hypot(e.centre.x - centroid.x, e.centre.y - centroid.y);
    const double radial = std::atan2(e.centre.y - centroid.y, e.centre.x - centroid.x);
    double difference = std::fmod(std::abs(radial - e.orientation), kPi);
    difference = std::min(difference, kPi - difference);
    if (distance > 0.66 * radius && difference < kPi / 8 && e.area <= 400) streaks.push_back(e.centre);
  }
  return streaks;
}

// Pigment network: a mesh of dark lines (the larger connected parts of the
// faint-line mask) enclosing many small lighter holes.
bool HasPigmentNetwork(const DarkMasks& masks) {
  int line_pixels = 0;
  {
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(masks.dark, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < count; ++i) {
      const int area = stats.at<int>(i, cv::CC_STAT_AREA);
      if (area > 80) line_pixels += area;
    }
  }
  cv::Mat holes = masks.interior & ~masks.dark;
  cv::Mat labels, stats, centroids;
  const int hole_count = cv::connectedComponentsWithStats(holes, labels, stats, centroids, 4, CV_32S);
  int small_holes = 0;
  for (int i = 1; i < hole_count; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (area >= 3 && area <= 120) ++small_holes;
  }
  const double dark_fraction = cv::countNonZero(masks.dark) / masks.interior_area;
  const double hole_density = small_holes / (masks.interior_area / 1000.0);
  return dark_fraction >= 0.12 && dark_fraction <= 0.5 && hole_density >= 1.0 &&
         line_pixels >= 0.06 * masks.interior_area;
}

// Structureless areas: low local texture over at least 10% of the lesion.
bool HasStructurelessAreas(const cv::Mat& lightness, const DarkMasks& masks) {
  cv::Mat mean, mean_of_square;
  cv::blur(lightness, mean, cv::Size(9, 9));
  cv::blur(lightness.mul(lightness), mean_of_square, cv::Size(9, 9));
  cv::Mat variance = mean_of_square - mean.mul(mean);
  cv::Mat flat = (variance < 2.0f * 2.0f) & masks.interior & ~masks.dark;
  return cv::countNonZero(flat) >= 0.10 * masks.interior_area;
}

// Atypical network (7-point): line density varies strongly around the lesion.
bool IsAtypicalNetwork(const DarkMasks& masks, const cv::Point2d& centroid) {
  std::array<double, 8> dark_in{}, all_in{};
  for (int y = 0; y < masks.interior.rows; ++y) {
    const uchar* in = masks.interior.ptr<uchar>(y);
    const uchar* d = masks.dark.ptr<uchar>(y);
    for (int x = 0; x < masks.interior.cols; ++x) {
      if (!in[x]) continue;
      const int s = SegmentOf(cv::Point2d(x, y), centroid);
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
  if (density.empty() || sum <= 0) return false;
  const double m = sum / density.size();
  const double deviation = std::sqrt(std::max(0.0, sum_of_squares / density.size() - m * m));
  return deviation / m > 0.45;
}

// Blotches (irregular pigmentation, 7-point): a confluent black / dark-brown
// area of at least 10% of the lesion lying off-centre.
bool HasIrregularPigmentation(const LesionImage& lesion) {
  cv::Mat very_dark = ((lesion.colours == static_cast<int>(StolzColour::kBlack)) |
                       (lesion.colours == static_cast<int>(StolzColour::kDarkBrown))) &
                      lesion.mask;
  cv::morphologyEx(very_dark, very_dark, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(7, 7)));
  const cv::Moments blotch = cv::moments(very_dark, true);
  if (blotch.m00 < 0.10 * lesion.area) return false;
  const cv::Point2d centre(blotch.m10 / blotch.m00, blotch.m01 / blotch.m00);
  return std::hypot(centre.x - lesion.centroid.x, centre.y - lesion.centroid.y) > 0.25 * lesion.equivalent_radius;
}

// Blue-whitish veil (7-point): a confluent blue-grey area, lighter than the
// darkest pigment, over at least 10% of the lesion.
bool HasBlueWhitishVeil(const LesionImage& lesion) {
  cv::Mat veil = (lesion.colours == static_cast<int>(StolzColour::kBlueGrey)) & (lesion.lightness >= 35.0f) &
                 lesion.mask;
  cv::morphologyEx(veil, veil, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  return cv::countNonZero(veil) >= 0.10 * lesion.area;
}

}  // namespace

DifferentialStructures DetectStructures(const LesionImage& whole, SevenPointChecklist& seven_point) {
  DifferentialStructures found;
  if (whole.area < 50) return found;
  const LesionImage lesion = CropToLesion(whole);
  const DarkMasks masks = FindDarkMasks(lesion);
  std::vector<cv::Point2d> dots, globules;
  FindDotsAndGlobules(masks.strong, dots, globules);
  const std::vector<cv::Point2d> streaks = FindStreaks(masks.pigmented_lines, lesion.centroid, lesion.equivalent_radius);

  found.dots = dots.size() >= kMinElements;
  found.globules = globules.size() >= kMinElements;
  found.branched_streaks = streaks.size() >= 3;
  found.pigment_network = HasPigmentNetwork(masks);
  found.structureless_areas = HasStructurelessAreas(lesion.lightness, masks);

  // 7-point items that come from structures.
  if (found.pigment_network) seven_point.atypical_pigment_network = IsAtypicalNetwork(masks, lesion.centroid);
  seven_point.irregular_streaks = found.branched_streaks && OccupiedSegments(streaks, lesion.centroid) < 6;
  std::vector<cv::Point2d> dots_and_globules = dots;
  dots_and_globules.insert(dots_and_globules.end(), globules.begin(), globules.end());
  seven_point.irregular_dots_globules =
      (found.dots || found.globules) &&
      (CentreOffset(dots_and_globules, lesion.centroid, lesion.equivalent_radius) > 0.3 ||
       OccupiedSegments(dots_and_globules, lesion.centroid) <= 4);
  seven_point.irregular_pigmentation = HasIrregularPigmentation(lesion);
  seven_point.blue_whitish_veil = HasBlueWhitishVeil(lesion);
  return found;
}

}  // namespace telederm::imaging::internal
