#include "services/referral/placement.h"

#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/case_state/due_time.h"
#include "common/case_state/timestamps.h"

namespace telederm::referral {
namespace {

constexpr int kPaediatricAgeBelow = 16;
constexpr double kSuspicionScore = 0.5;

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& values, const std::string& value) {
  for (const std::string& v : values) {
    if (v == value) return true;
  }
  return false;
}

bool SuspectsMalignancy(const v1::Case& c) {
  if (c.submission().type() == v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR && QueueUrgency(c) == v1::URGENCY_URGENT) {
    return true;
  }
  for (const v1::SuspectedDiagnosis& d : c.triage().suspected_diagnoses()) {
    const std::string name = absl::AsciiStrToLower(d.name());
    if (d.score() >= kSuspicionScore && (absl::StrContains(name, "melanoma") || absl::StrContains(name, "carcinoma"))) {
      return true;
    }
  }
  return false;
}

// -1 when the pool does not serve the clinic; else how specifically it does.
int Fit(const v1::PoolProfile& pool, const std::optional<v1::ClinicProfile>& clinic) {
  const std::string region = clinic ? clinic->region() : "";
  const std::string language = clinic ? clinic->language() : "";
  int fit = 0;
  if (!pool.regions().empty()) {
    if (region.empty() || !Contains(pool.regions(), region)) return -1;
    fit += 2;
  }
  if (!pool.languages().empty()) {
    if (language.empty() || !Contains(pool.languages(), language)) return -1;
    fit += 1;
  }
  return fit;
}

std::optional<std::string> BestPool(v1::Specialty specialty, const std::vector<v1::PoolProfile>& pools,
                                    const std::optional<v1::ClinicProfile>& clinic) {
  const v1::PoolProfile* best = nullptr;
  int best_fit = -1;
  for (const v1::PoolProfile& pool : pools) {
    if (pool.specialty() != specialty) continue;
    const int fit = Fit(pool, clinic);
    if (fit > best_fit || (fit == best_fit && fit >= 0 && pool.name() < best->name())) {
      best = &pool;
      best_fit = fit;
    }
  }
  if (best == nullptr || best_fit < 0) return std::nullopt;
  return best->name();
}

}  // namespace

v1::Specialty WantedSpecialty(const v1::Case& c) {
  if (SuspectsMalignancy(c)) return v1::SPECIALTY_DERMATO_ONCOLOGY;
  if (c.submission().patient().age_years() < kPaediatricAgeBelow) return v1::SPECIALTY_PAEDIATRIC_DERMATOLOGY;
  return v1::SPECIALTY_GENERAL_DERMATOLOGY;
}

std::string RoutePool(const v1::Case& c, const Routing& routing, const ReferralOptions& options) {
  const std::optional<v1::ClinicProfile> clinic = routing.ClinicOf(c.clinic_id());
  if (std::optional<std::string> pool = BestPool(WantedSpecialty(c), routing.pools, clinic)) return *pool;
  if (std::optional<std::string> pool = BestPool(v1::SPECIALTY_GENERAL_DERMATOLOGY, routing.pools, clinic)) {
    return *pool;
  }
  return options.default_pool;
}

v1::Urgency QueueUrgency(const v1::Case& c) {
  if (!c.has_triage() || !c.triage().screened()) return v1::URGENCY_URGENT;
  switch (c.triage().tier()) {
    case v1::URGENCY_SOON:
    case v1::URGENCY_ROUTINE:
      return c.triage().tier();
    default:
      return v1::URGENCY_URGENT;
  }
}

Placement PlaceCase(const v1::Case& c, const Routing& routing, const ReferralOptions& options) {
  Placement placement;
  placement.pool = RoutePool(c, routing, options);
  placement.urgency = QueueUrgency(c);
  placement.due = DueTime(FromProtoTimestamp(c.received_at()), placement.urgency, options.targets);
  return placement;
}

bool ResumeAfterAnswer(v1::Case& c) {
  if (!c.has_info_requested_at()) return false;
  const absl::Time asked = FromProtoTimestamp(c.info_requested_at());
  absl::Time answered = asked;
  for (int i = c.history_size() - 1; i >= 0; --i) {
    if (c.history(i).from() == v1::CASE_STATUS_NEEDS_INFO) {
      answered = FromProtoTimestamp(c.history(i).at());
      break;
    }
  }
  const absl::Duration pause = std::max(absl::ZeroDuration(), answered - asked);
  *c.mutable_due_at() = ToProtoTimestamp(FromProtoTimestamp(c.due_at()) + pause);
  *c.mutable_paused() = ToProtoDuration(FromProtoDuration(c.paused()) + pause);
  c.clear_info_requested_at();
  return true;
}

Placement PlaceRescreenedCase(const v1::Case& c, const ReferralOptions& options) {
  Placement placement;
  placement.pool = c.pool();
  placement.urgency = c.urgency();
  placement.due = FromProtoTimestamp(c.due_at());
  const v1::Urgency rescreened = QueueUrgency(c);
  const absl::Time sooner =
      DueTime(FromProtoTimestamp(c.received_at()), rescreened, options.targets) + FromProtoDuration(c.paused());
  if (sooner < placement.due) {
    placement.due = sooner;
    placement.urgency = rescreened;
  }
  return placement;
}

}  // namespace telederm::referral
