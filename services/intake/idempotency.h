#ifndef TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_
#define TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// The SHA-256 (32 raw bytes) of the submission's deterministic
// serialization: equal submissions always give the same fingerprint, whatever
// process or protobuf version serialized them, so an idempotent retry is
// recognised.
std::string SubmissionFingerprint(const v1::CaseSubmission& submission);

// What a claimed idempotency key holds: the case id claimed for the
// submission and its fingerprint (the first 16 bytes of SubmissionFingerprint,
// or all 32 in values of the older layout).
struct IdempotencyClaim {
  std::string case_id;
  std::string fingerprint;

  // True when `fingerprint` (as SubmissionFingerprint) is the claimed submission's.
  bool IsFor(absl::string_view submission_fingerprint) const;
};

// The stored value: the case id's 28 characters, then the first 16
// fingerprint bytes (44 bytes, no separator).
std::string IdempotencyValue(absl::string_view case_id, absl::string_view fingerprint);

// Reads a stored value: the form above, or either form of the older layout,
// "<case id><32 fingerprint bytes>" (60 bytes) and "<case id> <64 hex
// digits>" (93 bytes). nullopt for anything else.
std::optional<IdempotencyClaim> ParseIdempotencyValue(absl::string_view value);

// Claims the clinic's idempotency `key` with `value` (IdempotencyValue) at
// `now`, unless a claim of the last `ttl` holds it: one round trip, atomic.
// Returns the value that holds the key, or an empty optional when this call
// claimed it. Claims are kept in week buckets (week_buckets.h,
// keys::ClinicIdempotencyWeek, key -> value) with `ttl` as their retention, so
// a claim is answered for at least `ttl` (at most `ttl` and a week), and a
// claim looks at ttl / 7 days + 1 buckets (6 for 30 days); a key claimed in
// the older layout, a STRING of its own (keys::ClinicIdempotency), is found
// too until it expires.
absl::StatusOr<std::optional<std::string>> ClaimIdempotencyKey(redis::Client& redis, absl::string_view clinic_id,
                                                               absl::string_view key, absl::string_view value,
                                                               absl::Time now, absl::Duration ttl);

// The script call ClaimIdempotencyKey makes, for a caller that sends several
// claims in one pipeline (Client::EvalAll), and the reading of its reply.
redis::Client::ScriptCall ClaimIdempotencyKeyCall(absl::string_view clinic_id, absl::string_view key,
                                                  absl::string_view value, absl::Time now, absl::Duration ttl);
absl::StatusOr<std::optional<std::string>> IdempotencyKeyHolder(absl::StatusOr<redis::Reply> reply);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_
