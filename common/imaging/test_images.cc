#include "common/imaging/test_images.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include <unistd.h>

#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

#ifndef TELEDERM_IMAGING_TEST_IMAGES
#define TELEDERM_IMAGING_TEST_IMAGES "tests/data/images"
#endif
#ifndef TELEDERM_IMAGING_TESTDATA
#define TELEDERM_IMAGING_TESTDATA "common/imaging/testdata"
#endif
#ifndef TELEDERM_IMAGING_PYTHON
#define TELEDERM_IMAGING_PYTHON "/usr/bin/python3"
#endif

namespace telederm::imaging::testing {
namespace {

// BGR colours of the synthetic lesions.
const cv::Scalar kSkin(170, 185, 225);
const cv::Scalar kLightBrown(70, 110, 165);
const cv::Scalar kDarkBrown(40, 65, 110);
const cv::Scalar kBlack(12, 12, 14);
const cv::Scalar kBlueGrey(150, 120, 95);
const cv::Scalar kWhite(235, 238, 242);
const cv::Scalar kRed(70, 60, 215);

}  // namespace

cv::Mat Skin(cv::Size size, unsigned seed) {
  cv::Mat noise(size, CV_16SC3);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(9));
  cv::GaussianBlur(noise, noise, cv::Size(), 0.8);
  cv::Mat skin(size, CV_16SC3, kSkin);
  skin += noise;
  cv::Mat out;
  skin.convertTo(out, CV_8UC3);
  return out;
}

cv::Mat RoundEvenLesion(cv::Size size, cv::Mat* mask) {
  cv::Mat image = Skin(size, 1);
  const cv::Point centre(size.width / 2, size.height / 2);
  const int radius = size.height / 5;
  cv::Mat alpha = cv::Mat::zeros(size, CV_32F);
  cv::circle(alpha, centre, radius, cv::Scalar(1.0), cv::FILLED, cv::LINE_AA);
  // A soft edge: the pigment fades out over about a tenth of the radius.
  cv::GaussianBlur(alpha, alpha, cv::Size(), radius / 10.0);
  cv::Mat colour(size, CV_8UC3, kLightBrown);
  cv::Mat texture = Skin(size, 2);
  cv::addWeighted(colour, 1.0, texture, 0.15, -0.15 * 185, colour);
  cv::Mat image_f, colour_f, alpha3;
  image.convertTo(image_f, CV_32FC3);
  colour.convertTo(colour_f, CV_32FC3);
  cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);
  image_f = image_f.mul(cv::Scalar::all(1.0) - alpha3) + colour_f.mul(alpha3);
  image_f.convertTo(image, CV_8UC3);
  if (mask != nullptr) {
    *mask = cv::Mat::zeros(size, CV_8U);
    cv::circle(*mask, centre, radius, cv::Scalar(255), cv::FILLED);
  }
  return image;
}

cv::Mat IrregularLesion(cv::Size size, cv::Mat* mask) {
  cv::Mat image = Skin(size, 3);
  const double s = size.height / 768.0;
  const cv::Point2d c(size.width / 2.0, size.height / 2.0);
  // An asymmetric outline: a blob with a lobe towards the upper right and a
  // notch at the lower left.
  std::vector<cv::Point> outline;
  for (int i = 0; i < 72; ++i) {
    const double t = i * 2 * M_PI / 72;
    double r = 150 + 20 * std::sin(3 * t) + 15 * std::cos(5 * t + 1);
    r += 110 * std::exp(-std::pow(std::remainder(t - (-0.8), 2 * M_PI), 2) / 0.15);
    r -= 45 * std::exp(-std::pow(std::remainder(t - 2.4, 2 * M_PI), 2) / 0.08);
    outline.emplace_back(cvRound(c.x + s * r * std::cos(t)),
                         cvRound(c.y + s * r * std::sin(t)));
  }
  cv::Mat lesion = cv::Mat::zeros(size, CV_8U);
  cv::fillPoly(lesion, std::vector<std::vector<cv::Point>>{outline}, cv::Scalar(255));
  // Colours, painted in regions clipped to the lesion (abrupt edges).
  cv::Mat paint = image.clone();
  paint.setTo(kLightBrown, lesion);
  auto blob = [&](cv::Point2d at, double rx, double ry, const cv::Scalar& colour) {
    cv::Mat region = cv::Mat::zeros(size, CV_8U);
    cv::ellipse(region, cv::Point(cvRound(c.x + s * at.x), cvRound(c.y + s * at.y)),
                cv::Size(cvRound(s * rx), cvRound(s * ry)), 20, 0, 360,
                cv::Scalar(255), cv::FILLED);
    paint.setTo(colour, region & lesion);
  };
  blob({120, -110}, 110, 80, kDarkBrown);
  blob({170, -150}, 45, 35, kBlack);
  blob({-60, 40}, 90, 60, kBlueGrey);
  blob({-120, -40}, 40, 35, kWhite);
  blob({20, 110}, 60, 35, kRed);
  // Scattered black dots in the upper-right part.
  cv::RNG rng(7);
  for (int i = 0; i < 25; ++i) {
    const cv::Point2d at(rng.uniform(0.0, 200.0), rng.uniform(-180.0, 0.0));
    const cv::Point p(cvRound(c.x + s * at.x), cvRound(c.y + s * at.y));
    if (lesion.at<uchar>(p)) cv::circle(paint, p, std::max(2, cvRound(3 * s)), kBlack, cv::FILLED);
  }
  // Keep the skin's fine texture on the lesion too.
  cv::Mat texture = Skin(size, 4);
  cv::Mat textured;
  cv::addWeighted(paint, 1.0, texture, 0.15, -0.15 * 185, textured);
  textured.copyTo(image, lesion);
  if (mask != nullptr) *mask = lesion;
  return image;
}

cv::Mat WithVignette(const cv::Mat& bgr, double radius_fraction) {
  cv::Mat out = bgr.clone();
  cv::Mat inside = cv::Mat::zeros(bgr.size(), CV_8U);
  const double half_diagonal = std::hypot(bgr.cols, bgr.rows) / 2;
  cv::circle(inside, cv::Point(bgr.cols / 2, bgr.rows / 2),
             cvRound(radius_fraction * half_diagonal), cv::Scalar(255), cv::FILLED);
  out.setTo(cv::Scalar(8, 8, 8), ~inside);
  return out;
}

std::string EncodeJpeg(const cv::Mat& bgr, int quality) {
  std::vector<uchar> bytes;
  cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
  return std::string(bytes.begin(), bytes.end());
}

std::string EncodePng(const cv::Mat& bgr) {
  std::vector<uchar> bytes;
  cv::imencode(".png", bgr, bytes, {cv::IMWRITE_PNG_COMPRESSION, 1});
  return std::string(bytes.begin(), bytes.end());
}

std::string ReadTestImage(const std::string& relative_path) {
  std::ifstream file(std::filesystem::path(TELEDERM_IMAGING_TEST_IMAGES) / relative_path,
                     std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::vector<std::string> ListTestImages(const std::string& relative_dir) {
  std::vector<std::string> files;
  const std::filesystem::path dir =
      std::filesystem::path(TELEDERM_IMAGING_TEST_IMAGES) / relative_dir;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jpg") {
      files.push_back((std::filesystem::path(relative_dir) / entry.path().filename()).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string MakeRednessModel(std::string* error) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("telederm_imaging_model_XXXXXX")).string();
  if (mkdtemp(dir.data()) == nullptr) {
    *error = "cannot create a temporary directory";
    return "";
  }
  const std::string command = std::string(TELEDERM_IMAGING_PYTHON) + " " +
                              TELEDERM_IMAGING_TESTDATA + "/make_test_model.py " + dir;
  if (std::system(command.c_str()) != 0) {
    *error = "failed: " + command +
             " (needs Debian's python3-onnx and python3-numpy)";
    return "";
  }
  return dir;
}

}  // namespace telederm::imaging::testing
