#include "common/access/case_access.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "telederm/v1/referral.pb.h"

namespace telederm {
namespace {

bool Contains(const std::vector<std::string>& values, absl::string_view value) {
  return !value.empty() && std::find(values.begin(), values.end(), value) != values.end();
}

bool SpecialistMaySee(const Reader& reader, const v1::Case& c) {
  // The claim is cleared whenever a case leaves CLAIMED, so holding it means
  // holding it now.
  const bool holds = c.status() == v1::CASE_STATUS_CLAIMED && c.claim().specialist_id() == reader.id;
  const bool wrote_report = !reader.id.empty() && c.report().specialist_id() == reader.id;
  // A second opinion or a reassignment moves the case into the addressee's
  // direct pool, which Resolve puts among their pools.
  return holds || wrote_report || reader.WorksIn(c.pool()) || reader.Supervises(c.pool());
}

}  // namespace

bool Reader::WorksIn(absl::string_view pool) const { return Contains(pools, pool); }

bool Reader::Supervises(absl::string_view pool) const { return Contains(supervises, pool); }

std::string DirectPool(absl::string_view specialist_id) { return absl::StrCat("direct:", specialist_id); }

absl::Status CheckCaseAccess(const Reader& reader, const v1::Case& c, CaseRead what) {
  bool may = false;
  switch (reader.role) {
    case Caller::Role::kClinic: may = !reader.id.empty() && c.clinic_id() == reader.id; break;
    case Caller::Role::kSpecialist: may = SpecialistMaySee(reader, c); break;
    // An administrator reads patient data only as a FHIR export, and only
    // with a stated reason (break glass), which the audit log records.
    case Caller::Role::kAdmin: may = what == CaseRead::kFhirExport && reader.break_glass; break;
  }
  return may ? absl::OkStatus() : NoSuchCase(c.case_id());
}

CaseAccess::CaseAccess(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::StatusOr<Reader> CaseAccess::Resolve(const Caller& caller) const {
  Reader reader;
  reader.role = caller.role;
  reader.id = caller.id;
  if (caller.role != Caller::Role::kSpecialist) return reader;
  absl::StatusOr<redis::Reply> reply = redis_->Command({"HGET", keys::kDirectorySpecialists, caller.id});
  if (!reply.ok()) return reply.status();
  if (reply->IsNil()) {
    reader.pools = caller.pools;
  } else {
    v1::SpecialistProfile profile;
    if (!profile.ParseFromString(reply->str)) {
      return absl::DataLossError(absl::StrCat(keys::kDirectorySpecialists, " entry ", caller.id, " does not parse"));
    }
    reader.has_profile = true;
    reader.pools.assign(profile.pools().begin(), profile.pools().end());
    reader.supervises.assign(profile.supervises().begin(), profile.supervises().end());
  }
  reader.pools.push_back(DirectPool(caller.id));
  return reader;
}

absl::StatusOr<v1::Case> CaseAccess::ReadCase(const Reader& reader, absl::string_view case_id, CaseRead what) const {
  if (absl::Status valid = CheckCaseId(case_id); !valid.ok()) return valid;
  absl::StatusOr<std::optional<v1::Case>> c = CaseStore(redis_).Get(case_id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return NoSuchCase(case_id);
  if (absl::Status s = CheckCaseAccess(reader, **c, what); !s.ok()) return s;
  return **std::move(c);
}

}  // namespace telederm
