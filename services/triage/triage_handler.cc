#include "services/triage/triage_handler.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"

namespace telederm::triage {

TriageHandler::TriageHandler(std::shared_ptr<redis::Client> redis, std::shared_ptr<const Screener> screener,
                             ClockPtr clock)
    : redis_(std::move(redis)), cases_(redis_), screener_(std::move(screener)), clock_(std::move(clock)) {}

absl::Status TriageHandler::Handle(const redis::StreamEntry& entry) {
  std::optional<std::string> case_id = entry.Field("case_id");
  if (!case_id || !IsValidCaseId(*case_id)) {
    LogError(absl::StrCat("stream:intake entry ", entry.id, " names no valid case; dropped"));
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<v1::Case>> stored = cases_.Get(*case_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    LogError(absl::StrCat("case ", *case_id, " of stream:intake entry ", entry.id, " does not exist; dropped"));
    return absl::OkStatus();
  }
  v1::Case c = std::move(**stored);
  if (c.status() == v1::CASE_STATUS_RECEIVED) {
    absl::StatusOr<v1::Case> screening = cases_.UpdateFrom(c, [&](v1::Case& record) -> absl::StatusOr<bool> {
      if (record.status() != v1::CASE_STATUS_RECEIVED) return false;
      record.clear_triage();
      absl::Status s = TransitionCase(record, v1::CASE_STATUS_SCREENING, clock_->Now(), "triage");
      if (!s.ok()) return s;
      return true;
    });
    if (!screening.ok()) return screening.status();
    c = std::move(*screening);
  }
  if (c.status() != v1::CASE_STATUS_SCREENING) return absl::OkStatus();  // already past triage

  if (!c.triage().has_screened_at()) {
    v1::TriageResult result = screener_->Screen(c, clock_->Now());
    absl::StatusOr<v1::Case> screened = cases_.UpdateFrom(c, [&](v1::Case& record) -> absl::StatusOr<bool> {
      if (record.status() != v1::CASE_STATUS_SCREENING || record.triage().has_screened_at()) return false;
      *record.mutable_triage() = result;
      return true;
    });
    if (!screened.ok()) return screened.status();
    c = std::move(*screened);
    LogInfo(absl::StrCat("case ", c.case_id(), " screened: tier ", v1::Urgency_Name(c.triage().tier()),
                         " risk ", c.triage().risk_score(), c.triage().screened() ? "" : " (NOT SCREENED)"));
  }
  absl::StatusOr<std::string> handed_on = redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", c.case_id()}});
  return handed_on.status();
}

absl::Status TriageHandler::HandOverUnscreened(const redis::StreamEntry& entry, const std::string& reason) {
  std::optional<std::string> case_id = entry.Field("case_id");
  if (!case_id || !IsValidCaseId(*case_id)) return absl::OkStatus();  // no case to surface
  const absl::Time now = clock_->Now();
  absl::StatusOr<v1::Case> c = cases_.Update(*case_id, [&](v1::Case& record) -> absl::StatusOr<bool> {
    bool changed = false;
    if (record.status() == v1::CASE_STATUS_RECEIVED) {
      record.clear_triage();
      if (absl::Status s = TransitionCase(record, v1::CASE_STATUS_SCREENING, now, "triage"); !s.ok()) return s;
      changed = true;
    }
    if (record.status() == v1::CASE_STATUS_SCREENING && !record.triage().has_screened_at()) {
      v1::TriageResult& result = *record.mutable_triage();
      result.set_screened(false);
      result.set_tier(v1::URGENCY_URGENT);
      result.set_not_screened_reason(absl::StrCat("pre-screening failed repeatedly (", reason,
                                                  "); a specialist must look at this case"));
      *result.mutable_screened_at() = ToProtoTimestamp(now);
      changed = true;
    }
    return changed;
  });
  if (absl::IsNotFound(c.status())) return absl::OkStatus();
  if (!c.ok()) return c.status();
  if (c->status() != v1::CASE_STATUS_SCREENING) return absl::OkStatus();
  LogError(absl::StrCat("case ", c->case_id(), " handed to referral NOT SCREENED after repeated failures"));
  return redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", c->case_id()}}).status();
}

}  // namespace telederm::triage
