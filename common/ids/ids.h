#ifndef TELEDERM_COMMON_IDS_IDS_H_
#define TELEDERM_COMMON_IDS_IDS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "absl/time/time.h"

namespace telederm {

// A new case id: "c-" and a 26-character ULID (48-bit millisecond time, 80 random
// bits, Crockford base32), so ids sort by creation time. Safe from any thread.
std::string NewCaseId(absl::Time now);
std::string NewMessageId(absl::Time now);  // "m-" + ULID

// True for ids NewCaseId could have made: guards every key built from client input.
bool IsValidCaseId(absl::string_view id);

// OK for a valid case id; otherwise the one INVALID_ARGUMENT every service
// answers, which does not echo the input (it may be huge or hold CR/LF).
absl::Status CheckCaseId(absl::string_view id);

// Ids clients choose (clinic, specialist, patient reference, idempotency key):
// 1..max_length characters of [A-Za-z0-9._:-].
bool IsValidExternalId(absl::string_view id, size_t max_length);

// A stream consumer name unique to this process: host, pid and a random suffix.
std::string NewConsumerName(absl::string_view service);

}  // namespace telederm

#endif  // TELEDERM_COMMON_IDS_IDS_H_
