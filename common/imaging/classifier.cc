#include "common/imaging/classifier.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

std::vector<std::string> SplitList(absl::string_view value) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

absl::Status BadLine(int line, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("model sidecar line ", line, ": ", why));
}

absl::Status ParseTriple(int line, absl::string_view key,
                         absl::string_view value, std::array<double, 3>& out) {
  const std::vector<std::string> items = SplitList(value);
  if (items.size() != 3) {
    return BadLine(line, absl::StrCat(key, " needs 3 comma-separated numbers"));
  }
  for (int i = 0; i < 3; ++i) {
    if (!absl::SimpleAtod(items[i], &out[i])) {
      return BadLine(line, absl::StrCat(key, " has a non-number: ", items[i]));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

}  // namespace

absl::StatusOr<ClassifierSidecar> ParseClassifierSidecar(std::string_view text) {
  ClassifierSidecar sidecar;
  std::vector<std::string> malignant;
  bool have_classes = false, have_malignant = false;
  std::optional<std::vector<double>> combine;
  std::optional<double> soon_from, urgent_from;
  int line_number = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const size_t equals = line.find('=');
    if (equals == absl::string_view::npos) {
      return BadLine(line_number, "expected key = value");
    }
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, equals));
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(equals + 1));
    if (key == "classes") {
      sidecar.class_names = SplitList(value);
      have_classes = true;
    } else if (key == "malignant") {
      malignant = SplitList(value);
      have_malignant = true;
    } else if (key == "input_width" || key == "input_height") {
      int size = 0;
      if (!absl::SimpleAtoi(value, &size) || size <= 0 || size > 4096) {
        return BadLine(line_number, absl::StrCat(key, " must be 1..4096"));
      }
      (key == "input_width" ? sidecar.input_width : sidecar.input_height) = size;
    } else if (key == "channel_order") {
      if (value != "RGB" && value != "BGR") {
        return BadLine(line_number, "channel_order must be RGB or BGR");
      }
      sidecar.rgb = value == "RGB";
    } else if (key == "scale") {
      if (!absl::SimpleAtod(value, &sidecar.scale)) {
        return BadLine(line_number, "scale must be a number");
      }
    } else if (key == "mean") {
      if (absl::Status s = ParseTriple(line_number, key, value, sidecar.mean);
          !s.ok()) {
        return s;
      }
    } else if (key == "std") {
      if (absl::Status s = ParseTriple(line_number, key, value, sidecar.std);
          !s.ok()) {
        return s;
      }
      for (double d : sidecar.std) {
        if (d == 0) return BadLine(line_number, "std must not be 0");
      }
    } else if (key == "output") {
      if (value != "logits" && value != "probabilities") {
        return BadLine(line_number, "output must be logits or probabilities");
      }
      sidecar.outputs_logits = value == "logits";
    } else if (key == "modality") {
      if (value == "dermoscopy") {
        sidecar.modality = Modality::kDermoscopy;
      } else if (value == "clinical_close_up") {
        sidecar.modality = Modality::kClinicalCloseUp;
      } else {
        return BadLine(line_number, "modality must be dermoscopy or clinical_close_up");
      }
    } else if (key == "combine") {
      std::vector<double> weights;
      for (const std::string& item : SplitList(value)) {
        if (!absl::SimpleAtod(item, &weights.emplace_back())) {
          return BadLine(line_number, absl::StrCat(key, " has a non-number: ", item));
        }
      }
      if (weights.size() != 3 && weights.size() != 4) {
        return BadLine(line_number, "combine needs 3 or 4 comma-separated numbers");
      }
      if (weights[1] <= 0 || weights[2] < 0 || (weights.size() == 4 && weights[3] < 0)) {
        return BadLine(line_number,
                       "combine needs a model weight > 0 and rule and form weights >= 0");
      }
      combine = std::move(weights);
    } else if (key == "soon_from" || key == "urgent_from") {
      double point = 0;
      if (!absl::SimpleAtod(value, &point) || !(point > 0 && point < 1)) {
        return BadLine(line_number, absl::StrCat(key, " must be a number in (0, 1)"));
      }
      (key == "soon_from" ? soon_from : urgent_from) = point;
    } else {
      return BadLine(line_number, absl::StrCat("unknown key ", key));
    }
  }
  if (!have_classes || sidecar.class_names.empty()) {
    return absl::InvalidArgumentError("model sidecar: classes is missing");
  }
  if (!have_malignant || malignant.empty()) {
    return absl::InvalidArgumentError("model sidecar: malignant is missing");
  }
  if (sidecar.input_width == 0 || sidecar.input_height == 0) {
    return absl::InvalidArgumentError(
        "model sidecar: input_width and input_height are required");
  }
  const int calibration_keys = combine.has_value() + soon_from.has_value() +
                               urgent_from.has_value();
  if (calibration_keys != 0 && calibration_keys != 3) {
    return absl::InvalidArgumentError(
        "model sidecar: combine, soon_from and urgent_from go together");
  }
  if (calibration_keys == 3) {
    if (*soon_from >= *urgent_from) {
      return absl::InvalidArgumentError(
          "model sidecar: soon_from must be below urgent_from");
    }
    sidecar.calibration = ModelCalibration{(*combine)[0], (*combine)[1], (*combine)[2],
                                           *soon_from, *urgent_from};
    if (combine->size() == 4) sidecar.calibration->form_weight = (*combine)[3];
  }
  sidecar.is_malignant.assign(sidecar.class_names.size(), false);
  for (const std::string& name : malignant) {
    const auto it = std::find(sidecar.class_names.begin(),
                              sidecar.class_names.end(), name);
    if (it == sidecar.class_names.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model sidecar: malignant class ", name, " is not among classes"));
    }
    sidecar.is_malignant[it - sidecar.class_names.begin()] = true;
  }
  return sidecar;
}

ImageClassifier::ImageClassifier(cv::dnn::Net net, ClassifierSidecar sidecar)
    : sidecar_(std::move(sidecar)), net_(std::move(net)) {}

absl::StatusOr<ImageClassifierPtr> ImageClassifier::Load(
    const std::string& model_path, const std::string& sidecar_path) {
  absl::StatusOr<std::string> sidecar_text = ReadFile(sidecar_path);
  if (!sidecar_text.ok()) return sidecar_text.status();
  absl::StatusOr<ClassifierSidecar> sidecar = ParseClassifierSidecar(*sidecar_text);
  if (!sidecar.ok()) return sidecar.status();
  if (!std::ifstream(model_path)) {
    return absl::NotFoundError(absl::StrCat("cannot open model ", model_path));
  }
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(model_path);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot load ONNX model ", model_path, ": ", e.what()));
  }
  if (net.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ONNX model ", model_path, " is empty"));
  }
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return ImageClassifierPtr(new ImageClassifier(std::move(net), *std::move(sidecar)));
}

absl::StatusOr<std::vector<double>> ImageClassifier::Classify(
    const cv::Mat& bgr) const {
  // Preprocess outside the lock: scale, channel order, mean and std.
  cv::Mat resized;
  cv::resize(bgr, resized, cv::Size(sidecar_.input_width, sidecar_.input_height),
             0, 0, cv::INTER_AREA);
  if (sidecar_.rgb) cv::cvtColor(resized, resized, cv::COLOR_BGR2RGB);
  cv::Mat normalised;
  resized.convertTo(normalised, CV_32FC3, sidecar_.scale);
  normalised -= cv::Scalar(sidecar_.mean[0], sidecar_.mean[1], sidecar_.mean[2]);
  cv::divide(normalised,
             cv::Scalar(sidecar_.std[0], sidecar_.std[1], sidecar_.std[2]),
             normalised);
  const cv::Mat blob = cv::dnn::blobFromImage(normalised);  // 1x3xHxW.

  cv::Mat output;
  {
    absl::MutexLock lock(&mutex_);
    try {
      net_.setInput(blob);
      output = net_.forward().clone();
    } catch (const cv::Exception& e) {
      return absl::InternalError(absl::StrCat("model inference failed: ", e.what()));
    }
  }
  output = output.reshape(1, 1);
  if (static_cast<size_t>(output.total()) != sidecar_.class_names.size()) {
    return absl::InternalError(absl::StrCat(
        "model returned ", output.total(), " values for ",
        sidecar_.class_names.size(), " classes"));
  }
  std::vector<double> values(output.total());
  for (size_t i = 0; i < values.size(); ++i) values[i] = output.at<float>(0, i);
  if (sidecar_.outputs_logits) {
    const double top = *std::max_element(values.begin(), values.end());
    double sum = 0;
    for (double& v : values) {
      v = std::exp(v - top);
      sum += v;
    }
    for (double& v : values) v /= sum;
  }
  return values;
}

absl::StatusOr<double> ImageClassifier::MalignantProbability(
    const cv::Mat& bgr) const {
  absl::StatusOr<std::vector<double>> probabilities = Classify(bgr);
  if (!probabilities.ok()) return probabilities.status();
  return MalignantProbability(*probabilities);
}

double ImageClassifier::MalignantProbability(
    const std::vector<double>& probabilities) const {
  double malignant = 0;
  for (size_t i = 0; i < probabilities.size() && i < sidecar_.is_malignant.size(); ++i) {
    if (sidecar_.is_malignant[i]) malignant += probabilities[i];
  }
  return std::clamp(malignant, 0.0, 1.0);
}

int ImageClassifier::ClassIndex(std::string_view name) const {
  const auto it = std::find(sidecar_.class_names.begin(), sidecar_.class_names.end(), name);
  return it == sidecar_.class_names.end() ? -1 : static_cast<int>(it - sidecar_.class_names.begin());
}

}  // namespace telederm::imaging
