#ifndef TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_
#define TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// The SHA-256 (32 raw bytes) of the submission's deterministic
// serialization: equal submissions always give the same fingerprint, whatever
// process or protobuf version serialized them, so an idempotent retry is
// recognised.
std::string SubmissionFingerprint(const v1::CaseSubmission& submission);

// What an idempotency key (keys::ClinicIdempotency) holds: the case id
// claimed for the submission and the submission's fingerprint.
struct IdempotencyClaim {
  std::string case_id;
  std::string fingerprint;  // 32 raw bytes, as SubmissionFingerprint
};

// The stored value: the case id's 28 characters, then the 32 fingerprint
// bytes (60 bytes, no separator).
std::string IdempotencyValue(absl::string_view case_id, absl::string_view fingerprint);

// Reads a stored value: the form above, or the form written before it,
// "<case id> <64 hex digits>" (93 bytes), which keys claimed up to 30 days
// earlier still hold. nullopt for anything else.
std::optional<IdempotencyClaim> ParseIdempotencyValue(absl::string_view value);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_
