#ifndef TELEDERM_SERVICES_REFERRAL_CLAIM_RULES_H_
#define TELEDERM_SERVICES_REFERRAL_CLAIM_RULES_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "telederm/v1/case.pb.h"

namespace telederm::referral {

// now + lease, rounded down to the millisecond the index stores.
absl::Time LeaseExpiry(absl::Time now, absl::Duration lease);

// A lease has lapsed from its expiry instant on.
bool LeaseLapsed(const v1::Claim& claim, absl::Time now);

// OK when a request names a claim well: a valid case id and the fencing
// token ClaimNext returned (positive); INVALID_ARGUMENT naming the field
// otherwise.
absl::Status CheckClaimReference(absl::string_view case_id, int64_t fencing_token);

// OK when `specialist` holds a live claim on `c` with `fencing_token`.
// Otherwise FAILED_PRECONDITION with a message the specialist can act on:
// a lapsed or taken-over claim says to claim again. Checked against the case
// record inside CaseStore::Update, so a stale holder never overwrites the
// work of the one who holds the case now.
absl::Status CheckHolder(const v1::Case& c, absl::string_view specialist, int64_t fencing_token, absl::Time now);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_CLAIM_RULES_H_
