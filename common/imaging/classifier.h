// The learned-model slot: an ONNX image classifier run with OpenCV's DNN
// module, described by a small sidecar file (format in docs/IMAGING.md):
//
//   # comment
//   classes = benign, malignant
//   malignant = malignant
//   input_width = 224
//   input_height = 224
//   channel_order = RGB          # or BGR
//   scale = 0.00392156862745098  # pixel * scale, then (x - mean) / std
//   mean = 0.485, 0.456, 0.406   # per channel, in channel_order
//   std = 0.229, 0.224, 0.225
//   output = logits              # or probabilities
//   modality = dermoscopy        # optional: or clinical_close_up
//   # Optional, all three or none: the model's calibration (risk.h).
//   combine = -0.4, 1.1, 2.0     # intercept, model weight, rule weight[, form weight]
//   soon_from = 0.12             # calibrated score of the SOON tier
//   urgent_from = 0.45           # calibrated score of the URGENT tier
//
// An ImageClassifier is safe for concurrent use: cv::dnn::Net is not, so
// every inference holds the classifier's mutex.
#ifndef TELEDERM_COMMON_IMAGING_CLASSIFIER_H_
#define TELEDERM_COMMON_IMAGING_CLASSIFIER_H_

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "opencv2/core.hpp"
#include "opencv2/dnn.hpp"
#include "common/imaging/modality.h"
#include "common/imaging/risk.h"

namespace telederm::imaging {

struct ClassifierSidecar {
  std::vector<std::string> class_names;
  std::vector<bool> is_malignant;  // Parallel to class_names.
  int input_width = 0;
  int input_height = 0;
  bool rgb = true;  // Channel order the model expects.
  double scale = 1.0 / 255.0;
  std::array<double, 3> mean{0, 0, 0};
  std::array<double, 3> std{1, 1, 1};
  bool outputs_logits = true;
  // The images the model was trained and validated on: dermoscopy or
  // clinical close-ups.
  Modality modality = Modality::kDermoscopy;
  // Set when the model was validated and its operating points chosen: the
  // analyzer then uses CalibratedScore/CalibratedRisk instead of
  // CombineWithModel.
  std::optional<ModelCalibration> calibration;
};

// INVALID_ARGUMENT naming the line and key for anything malformed, unknown or
// missing (classes, malignant, input_width and input_height are required).
absl::StatusOr<ClassifierSidecar> ParseClassifierSidecar(std::string_view text);

class ImageClassifier;
using ImageClassifierPtr = std::unique_ptr<ImageClassifier>;

class ImageClassifier {
 public:
  // Loads the ONNX model and its sidecar. NOT_FOUND if a file is missing,
  // INVALID_ARGUMENT if either cannot be parsed or they disagree.
  static absl::StatusOr<ImageClassifierPtr> Load(const std::string& model_path,
                                                 const std::string& sidecar_path);

  ImageClassifier(const ImageClassifier&) = delete;
  ImageClassifier& operator=(const ImageClassifier&) = delete;

  // Class probabilities (softmax of the output, or the output itself when the
  // sidecar says it already holds probabilities) for an 8-bit BGR image of
  // any size. INTERNAL if inference fails.
  absl::StatusOr<std::vector<double>> Classify(const cv::Mat& bgr) const;

  // Sum of the probabilities of the malignant classes.
  absl::StatusOr<double> MalignantProbability(const cv::Mat& bgr) const;
  double MalignantProbability(const std::vector<double>& probabilities) const;

  // Index of the class named `name`, or -1.
  int ClassIndex(std::string_view name) const;

  const ClassifierSidecar& sidecar() const { return sidecar_; }

 private:
  ImageClassifier(cv::dnn::Net net, ClassifierSidecar sidecar);

  const ClassifierSidecar sidecar_;
  mutable absl::Mutex mutex_;
  mutable cv::dnn::Net net_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_CLASSIFIER_H_
