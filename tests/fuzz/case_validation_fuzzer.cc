// libFuzzer target: a case submission as raw protobuf bytes off the wire,
// parsed and checked as SubmitCase does: the declared field bounds
// (common/request_limits), then the case rules. Must never crash, whatever arrives.
#include <cstddef>
#include <cstdint>

#include <google/protobuf/stubs/logging.h>

#include "common/request_limits/request_limits.h"
#include "services/intake/case_validation.h"
#include "telederm/v1/intake.pb.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Invalid UTF-8 in a string field is a normal parse failure here, not news.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  telederm::v1::CaseSubmission submission;
  if (submission.ParseFromArray(data, static_cast<int>(size))) {
    (void)telederm::intake::ValidateSubmission(submission);
  }
  // The same bytes as a whole request (a submission nested in field 1).
  telederm::v1::SubmitCaseRequest request;
  if (request.ParseFromArray(data, static_cast<int>(size))) {
    (void)telederm::CheckRequestLimits(request);
    (void)telederm::intake::ValidateSubmission(request.submission());
  }
  return 0;
}
