// Lesion segmentation for dermoscopy and clinical close-up images.
//
// The lesion is taken to be the darkest coherent region near the centre of the
// field of view: thin dark hairs are removed by a morphological closing, the
// image is blurred, split by Otsu's threshold computed over the field of view
// only (the black vignette of a dermatoscope is excluded), the largest central
// component is kept and its holes are filled. Pure functions, safe to call
// concurrently.
#ifndef TELEDERM_COMMON_IMAGING_SEGMENTATION_H_
#define TELEDERM_COMMON_IMAGING_SEGMENTATION_H_

#include "common/imaging/modality.h"
#include "opencv2/core.hpp"

namespace telederm::imaging {

struct SegmentationOptions {
  // A component smaller than this fraction of the field of view is not a
  // lesion (dust, a hair crossing, a pore).
  double min_area_fraction = 0.004;
  // The mean of the segmentation channel must differ between skin and lesion
  // by at least this many grey levels (0..255), or no lesion is reported.
  double min_contrast = 12.0;
};

struct LesionSegmentation {
  bool found = false;
  // 8-bit, 255 inside the lesion, the size of the analysed image. Empty when
  // !found.
  cv::Mat mask;
  // 8-bit, 255 where the image shows skin: the dark vignette corners of a
  // dermoscopy image are 0. Always set.
  cv::Mat field_of_view;
  double area_fraction = 0.0;  // Lesion area / field-of-view area.
  // Fraction of the lesion's outline lying on the edge of the field of view:
  // above ~0.1 the lesion is cut off by the frame.
  double edge_contact = 0.0;
  // Mean of the segmentation channel outside minus inside the lesion, and
  // the minimum it had to reach (SegmentationOptions::min_contrast).
  double contrast = 0.0;
  double min_contrast = 0.0;
  cv::Point2d centroid;
};

// The field of view of `bgr` (8-bit, 3 channels): for dermoscopy, everything
// but near-black regions connected to the image border when they cover less
// than half of the image; for other modalities the whole image.
cv::Mat FieldOfView(const cv::Mat& bgr, Modality modality);

// Segments the lesion in `bgr` (8-bit, 3 channels, any size; about 512 pixels
// on the longer side is what the defaults are tuned for).
LesionSegmentation SegmentLesion(const cv::Mat& bgr, Modality modality,
                                 const SegmentationOptions& options = {});

// Dice coefficient 2|A∩B| / (|A|+|B|) of two same-size 8-bit masks (non-zero
// is inside). 1 when both are empty.
double DiceCoefficient(const cv::Mat& a, const cv::Mat& b);

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_SEGMENTATION_H_
