// Internal: measurements shared by the dermoscopy and clinical analyses.
// Not part of the library's public interface.
#ifndef TELEDERM_COMMON_IMAGING_LESION_FEATURES_H_
#define TELEDERM_COMMON_IMAGING_LESION_FEATURES_H_

#include <array>

#include "common/imaging/dermoscopy.h"
#include "common/imaging/segmentation.h"
#include "opencv2/core.hpp"

namespace telederm::imaging::internal {

// A segmented lesion ready for measurement.
struct LesionImage {
  cv::Mat lab;        // CV_32FC3, CIE L*a*b* (L* 0..100).
  cv::Mat lightness;  // CV_32F, L* normalised so the skin is at 75.
  cv::Mat mask;       // CV_8U, 255 inside the lesion.
  cv::Mat field_of_view;
  cv::Mat colours;    // CV_8S, StolzColour index or -1 (ClassifyStolzColours);
                      // classified inside the lesion's bounding box only.
  cv::Point2d centroid;
  double area = 0.0;              // Pixels.
  double equivalent_radius = 0.0; // sqrt(area / pi).
  double skin_lightness = 0.0;    // Median L* of the surrounding skin.
  double skin_a = 0.0;            // Median a* of the surrounding skin.
};

LesionImage PrepareLesion(const cv::Mat& bgr,
                          const LesionSegmentation& segmentation);

struct Asymmetry {
  std::array<double, 2> shape{};   // Major axis, minor axis.
  std::array<double, 2> colour{};  // CIE76 delta E between the halves.
};
Asymmetry MeasureAsymmetry(const LesionImage& lesion);

// Sharpness (0..1) of the border in each 45-degree segment.
std::array<double, 8> MeasureBorderSharpness(const LesionImage& lesion,
                                             double min_contrast);

std::array<double, kStolzColourCount> ColourFractions(const LesionImage& lesion);

// perimeter^2 / (4 pi area) of the lesion outline simplified to within 3%
// of its radius; about 1 for a circle.
double Compactness(const cv::Mat& mask);

// Largest distance between two outline points, in pixels.
double MaximumDiameter(const cv::Mat& mask);

// The ABCD rule's D and the structure-based 7-point criteria
// (dermoscopy_structures.cc). `seven_point` receives those items only.
DifferentialStructures DetectStructures(const LesionImage& lesion,
                                        SevenPointChecklist& seven_point);

}  // namespace telederm::imaging::internal

#endif  // TELEDERM_COMMON_IMAGING_LESION_FEATURES_H_
