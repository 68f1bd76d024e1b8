#include "common/case_state/state_machine.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"

namespace telederm {

using v1::CaseStatus;

bool IsAllowedTransition(CaseStatus from, CaseStatus to) {
  switch (from) {
    case v1::CASE_STATUS_UNSPECIFIED:
      return to == v1::CASE_STATUS_RECEIVED;
    case v1::CASE_STATUS_RECEIVED:
      return to == v1::CASE_STATUS_SCREENING;
    case v1::CASE_STATUS_SCREENING:
      return to == v1::CASE_STATUS_QUEUED;
    case v1::CASE_STATUS_QUEUED:
      return to == v1::CASE_STATUS_CLAIMED;
    case v1::CASE_STATUS_CLAIMED:
      return to == v1::CASE_STATUS_QUEUED || to == v1::CASE_STATUS_NEEDS_INFO ||
             to == v1::CASE_STATUS_REPORTED;
    case v1::CASE_STATUS_NEEDS_INFO:
      return to == v1::CASE_STATUS_QUEUED || to == v1::CASE_STATUS_SCREENING;
    case v1::CASE_STATUS_REPORTED:
      return to == v1::CASE_STATUS_CLOSED;
    case v1::CASE_STATUS_CLOSED:
    default:
      return false;
  }
}

absl::string_view StatusName(CaseStatus status) {
  switch (status) {
    case v1::CASE_STATUS_RECEIVED: return "received";
    case v1::CASE_STATUS_SCREENING: return "screening";
    case v1::CASE_STATUS_QUEUED: return "queued";
    case v1::CASE_STATUS_CLAIMED: return "claimed";
    case v1::CASE_STATUS_NEEDS_INFO: return "needs_info";
    case v1::CASE_STATUS_REPORTED: return "reported";
    case v1::CASE_STATUS_CLOSED: return "closed";
    default: return "unspecified";
  }
}

absl::Status TransitionCase(v1::Case& c, CaseStatus to, absl::Time at, absl::string_view actor,
                            absl::string_view note) {
  if (!IsAllowedTransition(c.status(), to)) {
    return absl::FailedPreconditionError(absl::StrCat("case ", c.case_id(), " is ", StatusName(c.status()),
                                                      "; it cannot become ", StatusName(to)));
  }
  v1::StatusChange* change = c.add_history();
  change->set_from(c.status());
  change->set_to(to);
  *change->mutable_at() = ToProtoTimestamp(at);
  change->set_actor(std::string(actor));
  change->set_note(std::string(note));
  c.set_status(to);
  return absl::OkStatus();
}

}  // namespace telederm
