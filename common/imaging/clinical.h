// What can be read from a clinical close-up photo (no dermatoscope): the
// clinical ABCD(E) signs of Friedman et al. 1985 as far as one photo shows
// them. Pure functions, safe to call concurrently.
#ifndef TELEDERM_COMMON_IMAGING_CLINICAL_H_
#define TELEDERM_COMMON_IMAGING_CLINICAL_H_

#include <optional>
#include <vector>

#include "common/imaging/dermoscopy.h"
#include "common/imaging/segmentation.h"
#include "opencv2/core.hpp"

namespace telederm::imaging {

struct ClinicalOptions {
  double asymmetric_shape_above = 0.14;
  double asymmetric_colour_above = 7.0;
  // perimeter^2 / (4 pi area) of the smoothed outline; a smooth oval
  // measures about 1.1, a segmented benign naevus on a phone photo often 1.5.
  double irregular_border_above = 2.0;
  double min_colour_fraction = 0.03;
  int variegated_colours_from = 3;
  // The clinical "D": diameter above 6 mm.
  double large_diameter_above_mm = 6.0;
};

struct ClinicalFindings {
  int asymmetry = 0;  // Axes, 0..2, as in dermoscopy.
  std::array<double, 2> shape_asymmetry{};
  std::array<double, 2> colour_asymmetry{};
  double compactness = 1.0;
  bool irregular_border = false;
  std::vector<StolzColour> colours;
  bool colour_variegation = false;
  // Largest diameter; in millimetres only when the pixel size was given.
  double diameter_pixels = 0.0;
  std::optional<double> diameter_mm;
  bool large_diameter = false;

  // Signs present among asymmetry, border, colour and (when measurable)
  // diameter, and how many of those could be assessed (3 or 4).
  int SignsPresent() const;
  int SignsAssessed() const;
};

// `bgr` is the working image the segmentation was made on;
// `pixel_size_mm` is the size of one of its pixels, if known.
ClinicalFindings AnalyzeClinical(const cv::Mat& bgr,
                                 const LesionSegmentation& segmentation,
                                 std::optional<double> pixel_size_mm,
                                 const ClinicalOptions& options = {});

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_CLINICAL_H_
