#include "services/referral/claim_rules.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/ids/ids.h"

namespace telederm::referral {

absl::Time LeaseExpiry(absl::Time now, absl::Duration lease) {
  return absl::FromUnixMillis(absl::ToUnixMillis(now + lease));
}

bool LeaseLapsed(const v1::Claim& claim, absl::Time now) {
  return now >= FromProtoTimestamp(claim.lease_expires_at());
}

absl::Status CheckClaimReference(absl::string_view case_id, int64_t fencing_token) {
  if (absl::Status valid = CheckCaseId(case_id); !valid.ok()) return valid;
  if (fencing_token <= 0) {
    return absl::InvalidArgumentError("fencing_token: pass the token ClaimNext returned with your claim");
  }
  return absl::OkStatus();
}

absl::Status CheckHolder(const v1::Case& c, absl::string_view specialist, int64_t fencing_token, absl::Time now) {
  const bool holds = c.status() == v1::CASE_STATUS_CLAIMED && c.claim().fencing_token() == fencing_token &&
                     c.claim().specialist_id() == specialist;
  if (holds && !LeaseLapsed(c.claim(), now)) return absl::OkStatus();
  if (c.status() == v1::CASE_STATUS_CLAIMED) {
    return absl::FailedPreconditionError(
        absl::StrCat("your claim on case ", c.case_id(), " lapsed or was taken over; claim it again"));
  }
  if (c.status() == v1::CASE_STATUS_QUEUED) {
    return absl::FailedPreconditionError(absl::StrCat("case ", c.case_id(),
                                                      " is not claimed by you: it is in the queue (your claim "
                                                      "lapsed, or you never claimed it); claim it again"));
  }
  return absl::FailedPreconditionError(absl::StrCat("case ", c.case_id(), " is ", StatusName(c.status()),
                                                    ", not claimed by you; only a claimed case can be worked on"));
}

}  // namespace telederm::referral
