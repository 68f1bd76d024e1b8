#ifndef TELEDERM_SERVICES_TRIAGE_ANALYZER_H_
#define TELEDERM_SERVICES_TRIAGE_ANALYZER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "telederm/v1/case.pb.h"
#include "telederm/v1/triage.pb.h"

namespace telederm::triage {

// What an analyzer concluded about one image.
struct ImageFinding {
  // False when the analyzer cannot judge this image (modality it does not
  // handle, lesion not found, ...): the case then goes to a human, urgently.
  bool analysable = false;
  std::string not_analysable_reason;
  double risk = 0;  // 0..1 malignancy risk from this image
  std::vector<v1::SuspectedDiagnosis> suspected_diagnoses;
  std::vector<std::string> explanation;  // readable by a dermatologist
  // True when `risk` already weighs the form's risk (a model fitted with it):
  // the screener then does not take the higher of the two again.
  bool weighs_form_risk = false;
};

// Looks at one image of a case; `form_risk` is what the case's form alone
// gives (0..1), for analyzers whose model was fitted with it. The screener
// treats an error, an exception or a timeout of Analyze as "could not judge":
// implementations need not be defensive about it, but must be safe for
// concurrent use.
class Analyzer {
 public:
  virtual ~Analyzer() = default;
  virtual v1::AnalyzerInfo info() const = 0;
  virtual absl::StatusOr<ImageFinding> Analyze(absl::string_view bytes, const v1::ImageRef& image,
                                               double form_risk) const = 0;
  // False for an analyzer that never looks at the bytes: the screener then
  // neither reads the image from the blob store nor runs Analyze under a time
  // limit on its pool, and passes empty bytes.
  virtual bool ReadsImages() const { return true; }
};
using AnalyzerPtr = std::shared_ptr<const Analyzer>;

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_ANALYZER_H_
