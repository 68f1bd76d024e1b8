#include "services/intake/idempotency.h"

#include <openssl/evp.h>

#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/redis/script.h"
#include "services/intake/week_buckets.h"
#include "services/intake/lua/claim_idempotency_key.lua.h"

namespace telederm::intake {
namespace {

constexpr size_t kCaseIdBytes = 28;             // "c-" and a ULID (common/ids)
constexpr size_t kFingerprintBytes = 32;        // SHA-256
constexpr size_t kStoredFingerprintBytes = 16;  // 128 bits tell submissions apart

// The script, with its KEYS and ARGV: services/intake/lua/claim_idempotency_key.lua.
const redis::Script& ClaimScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kClaimIdempotencyKey));
  return *script;
}

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

bool IdempotencyClaim::IsFor(absl::string_view submission_fingerprint) const {
  return fingerprint.size() >= kStoredFingerprintBytes && absl::StartsWith(submission_fingerprint, fingerprint);
}

std::string IdempotencyValue(absl::string_view case_id, absl::string_view fingerprint) {
  return absl::StrCat(case_id, fingerprint.substr(0, kStoredFingerprintBytes));
}

std::optional<IdempotencyClaim> ParseIdempotencyValue(absl::string_view value) {
  IdempotencyClaim claim;
  if (value.size() == kCaseIdBytes + kStoredFingerprintBytes || value.size() == kCaseIdBytes + kFingerprintBytes) {
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

redis::Client::ScriptCall ClaimIdempotencyKeyCall(absl::string_view clinic_id, absl::string_view key,
                                                  absl::string_view value, absl::Time now, absl::Duration ttl) {
  // Weeks, not days: a day bucket each made the claim look at 31 hashes, which
  // cost Redis ~12x the CPU of the single SET it replaced (issue 7).
  std::vector<std::string> searched = {keys::ClinicIdempotency(clinic_id, key)};
  for (int64_t week : WeeksWithin(now, ttl)) searched.push_back(keys::ClinicIdempotencyWeek(clinic_id, week));
  const int64_t bucket_ttl_ms = absl::ToInt64Milliseconds(ThisWeeksBucketTtl(now, ttl));
  return {&ClaimScript(), std::move(searched), {std::string(key), std::string(value), absl::StrCat(bucket_ttl_ms)}};
}

absl::StatusOr<std::optional<std::string>> IdempotencyKeyHolder(absl::StatusOr<redis::Reply> reply) {
  if (!reply.ok()) return reply.status();
  if (reply->IsNil()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(reply->str));
}

absl::StatusOr<std::optional<std::string>> ClaimIdempotencyKey(redis::Client& redis, absl::string_view clinic_id,
                                                               absl::string_view key, absl::string_view value,
                                                               absl::Time now, absl::Duration ttl) {
  redis::Client::ScriptCall call = ClaimIdempotencyKeyCall(clinic_id, key, value, now, ttl);
  return IdempotencyKeyHolder(redis.Eval(*call.script, call.keys, call.args));
}

}  // namespace telederm::intake
