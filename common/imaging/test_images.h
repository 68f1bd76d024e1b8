// Test support: synthetic skin images whose properties are known by
// construction, encoders, and access to the copied sample images in
// tests/data/images/. Not part of the library.
#ifndef TELEDERM_COMMON_IMAGING_TEST_IMAGES_H_
#define TELEDERM_COMMON_IMAGING_TEST_IMAGES_H_

#include <string>
#include <vector>

#include "opencv2/core.hpp"

namespace telederm::imaging::testing {

// Light skin with fine texture (so a sharp image has high-frequency detail),
// 8-bit BGR.
cv::Mat Skin(cv::Size size, unsigned seed = 1);

// A round, even, single-colour (light brown) lesion whose edge fades
// gradually into the skin, centred. `mask` (optional) receives the lesion.
cv::Mat RoundEvenLesion(cv::Size size = {1024, 768}, cv::Mat* mask = nullptr);

// An irregular, asymmetric lesion with abrupt edges and many colours (light
// and dark brown, black, blue-grey veil, white and red areas) and scattered
// black dots, centred.
cv::Mat IrregularLesion(cv::Size size = {1024, 768}, cv::Mat* mask = nullptr);

// The same image with a dermatoscope's black vignette outside a centred
// circle of radius `radius_fraction` * half the diagonal.
cv::Mat WithVignette(const cv::Mat& bgr, double radius_fraction = 0.85);

std::string EncodeJpeg(const cv::Mat& bgr, int quality = 92);
std::string EncodePng(const cv::Mat& bgr);

// Contents of tests/data/images/<relative_path>; empty if missing.
std::string ReadTestImage(const std::string& relative_path);
// Files (relative paths, sorted) in tests/data/images/<relative_dir>.
std::vector<std::string> ListTestImages(const std::string& relative_dir);

// Builds the tiny ONNX test model (testdata/make_test_model.py, run with
// Debian's /usr/bin/python3) into a fresh temporary directory and returns
// that directory, which holds redness.onnx and redness.sidecar; an empty
// string if the build failed (`error` says why).
std::string MakeRednessModel(std::string* error);

}  // namespace telederm::imaging::testing

#endif  // TELEDERM_COMMON_IMAGING_TEST_IMAGES_H_
