#include "services/intake/idempotency.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "common/blob/blob_store.h"

namespace telederm::intake {

std::string SubmissionFingerprint(const v1::CaseSubmission& submission) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    submission.SerializeToCodedStream(&coded);
  }
  return Sha256Hex(bytes);
}

}  // namespace telederm::intake
