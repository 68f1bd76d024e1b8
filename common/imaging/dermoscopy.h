// The ABCD rule of dermoscopy (Stolz et al. 1994; Nachbar et al. 1994) and the
// parts of the 7-point checklist (Argenziano et al. 1998) that can be detected
// in an image, computed from a segmented lesion.
//
// Every criterion is an image-processing approximation of what a
// dermatologist scores by eye; docs/IMAGING.md says how each is measured and
// what is approximated. Pure functions, safe to call concurrently.
#ifndef TELEDERM_COMMON_IMAGING_DERMOSCOPY_H_
#define TELEDERM_COMMON_IMAGING_DERMOSCOPY_H_

#include <array>
#include <string_view>
#include <vector>

#include "common/imaging/segmentation.h"
#include "opencv2/core.hpp"

namespace telederm::imaging {

// The six colours of the ABCD rule.
enum class StolzColour {
  kWhite,
  kRed,
  kLightBrown,
  kDarkBrown,
  kBlueGrey,
  kBlack,
};
inline constexpr int kStolzColourCount = 6;
std::string_view StolzColourName(StolzColour colour);  // e.g. "blue-grey"

// The differential structures of the ABCD rule.
struct DifferentialStructures {
  bool pigment_network = false;
  bool structureless_areas = false;
  bool dots = false;
  bool globules = false;
  bool branched_streaks = false;
  int Count() const;  // Number present, 0..5.
};

// Argenziano's 7-point checklist. Major criteria score 2, minor 1; a total of
// 3 or more suggests melanoma. The atypical vascular pattern cannot be told
// from benign vessels by these image rules and is never reported.
struct SevenPointChecklist {
  bool atypical_pigment_network = false;  // Major.
  bool blue_whitish_veil = false;         // Major.
  bool atypical_vascular_pattern = false; // Major; not assessed (always false).
  bool irregular_streaks = false;         // Minor.
  bool irregular_pigmentation = false;    // Minor (irregular blotches).
  bool irregular_dots_globules = false;   // Minor.
  bool regression_structures = false;     // Minor.
  int Score() const;
};

struct DermoscopyFindings {
  // A: number of principal axes (0..2) across which the lesion is asymmetric
  // in shape or colour.
  int asymmetry = 0;
  // Per axis (major, minor): non-overlapping area of the lesion and its
  // mirror image / lesion area, and CIE76 colour difference between halves.
  std::array<double, 2> shape_asymmetry{};
  std::array<double, 2> colour_asymmetry{};
  // B: number of the eight 45-degree border segments with an abrupt cut-off
  // of pigment (0..8), and the sharpness measured in each (0..1).
  int border_abrupt_segments = 0;
  std::array<double, 8> border_sharpness{};
  // C: colours covering at least DermoscopyOptions::min_colour_fraction of
  // the lesion (1..6; at least 1 is scored even if none qualifies).
  std::vector<StolzColour> colours;
  std::array<double, kStolzColourCount> colour_fractions{};
  // D: structures present (scored 1..5).
  DifferentialStructures structures;
  SevenPointChecklist seven_point;
  // Outline irregularity: perimeter^2 / (4 pi area), 1 for a circle.
  double compactness = 1.0;
  double lesion_area_fraction = 0.0;

  int ColourScore() const;     // C, 1..6
  int StructureScore() const;  // D, 1..5
  // TDS = 1.3 A + 0.1 B + 0.5 C + 0.5 D (Stolz et al. 1994).
  double TotalDermoscopyScore() const;
};

// Thresholds of the approximations; defaults and rationale in
// docs/IMAGING.md.
struct DermoscopyOptions {
  double asymmetric_shape_above = 0.30;   // Mirrored non-overlap / area.
  double asymmetric_colour_above = 6.0;   // CIE76 delta E between halves.
  double abrupt_border_above = 0.55;      // Share of the edge contrast
                                          // reached within 2 px.
  double min_border_contrast = 4.0;       // L* units across the border.
  double min_colour_fraction = 0.03;      // Of the lesion area.
};

// Colour classes of each pixel of `bgr`: the index of the StolzColour, or -1
// for none (e.g. skin-coloured). `lab` is CV_32FC3 CIE L*a*b*;
// `skin_lightness` and `skin_a` are the median L* and a* of the surrounding
// skin, used to normalise illumination and the skin's own redness.
cv::Mat ClassifyStolzColours(const cv::Mat& lab, double skin_lightness,
                             double skin_a);

// Computes the findings for the lesion `segmentation` found in `bgr` (8-bit,
// 3 channels, the working image the segmentation was made on).
// segmentation.found must be true.
DermoscopyFindings AnalyzeDermoscopy(const cv::Mat& bgr,
                                     const LesionSegmentation& segmentation,
                                     const DermoscopyOptions& options = {});

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_DERMOSCOPY_H_
