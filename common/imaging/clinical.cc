#include "common/imaging/clinical.h"

#include "common/imaging/lesion_features.h"

namespace telederm::imaging {

int ClinicalFindings::SignsPresent() const {
  return (asymmetry > 0) + irregular_border + colour_variegation +
         large_diameter;
}

int ClinicalFindings::SignsAssessed() const {
  return diameter_mm.has_value() ? 4 : 3;
}

ClinicalFindings AnalyzeClinical(const cv::Mat& bgr,
                                 const LesionSegmentation& segmentation,
                                 std::optional<double> pixel_size_mm,
                                 const ClinicalOptions& options) {
  ClinicalFindings findings;
  if (!segmentation.found) return findings;
  const internal::LesionImage lesion = internal::PrepareLesion(bgr, segmentation);
  const internal::Asymmetry asymmetry = internal::MeasureAsymmetry(lesion);
  findings.shape_asymmetry = asymmetry.shape;
  findings.colour_asymmetry = asymmetry.colour;
  for (int axis = 0; axis < 2; ++axis) {
    if (asymmetry.shape[axis] > options.asymmetric_shape_above ||
        asymmetry.colour[axis] > options.asymmetric_colour_above) {
      ++findings.asymmetry;
    }
  }
  findings.compactness = internal::Compactness(lesion.mask);
  findings.irregular_border = findings.compactness > options.irregular_border_above;
  const auto fractions = internal::ColourFractions(lesion);
  for (int i = 0; i < kStolzColourCount; ++i) {
    if (fractions[i] >= options.min_colour_fraction) {
      findings.colours.push_back(static_cast<StolzColour>(i));
    }
  }
  findings.colour_variegation =
      static_cast<int>(findings.colours.size()) >= options.variegated_colours_from;
  findings.diameter_pixels = internal::MaximumDiameter(lesion.mask);
  if (pixel_size_mm.has_value() && *pixel_size_mm > 0) {
    findings.diameter_mm = findings.diameter_pixels * *pixel_size_mm;
    findings.large_diameter =
        *findings.diameter_mm > options.large_diameter_above_mm;
  }
  return findings;
}

}  // namespace telederm::imaging
