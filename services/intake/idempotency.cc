#include "services/intake/idempotency.h"

#include <openssl/evp.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/ids/ids.h"

namespace telederm::intake {
namespace {

constexpr size_t kCaseIdBytes = 28;     // "c-" and a ULID (common/ids)
constexpr size_t kFingerprintBytes = 32;  // SHA-256

}  // namespace

std::string SubmissionFingerprint(const v1::CaseSubmission& submission) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    submission.SerializeToCodedStream(&coded);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string IdempotencyValue(absl::string_view case_id, absl::string_view fingerprint) {
  return absl::StrCat(case_id, fingerprint);
}

std::optional<IdempotencyClaim> ParseIdempotencyValue(absl::string_view value) {
  IdempotencyClaim claim;
  if (value.size() == kCaseIdBytes + kFingerprintBytes) {
    claim.case_id = std::string(value.substr(0, kCaseIdBytes));
    claim.fingerprint = std::string(value.substr(kCaseIdBytes));
  } else if (value.size() == kCaseIdBytes + 1 + 2 * kFingerprintBytes && value[kCaseIdBytes] == ' ') {
    claim.case_id = std::string(value.substr(0, kCaseIdBytes));
    const absl::string_view hex = value.substr(kCaseIdBytes + 1);
    for (char c : hex) {
      if (!absl::ascii_isxdigit(c)) return std::nullopt;
    }
    claim.fingerprint = absl::HexStringToBytes(hex);
  } else {
    return std::nullopt;
  }
  if (!IsValidCaseId(claim.case_id)) return std::nullopt;
  return claim;
}

}  // namespace telederm::intake
