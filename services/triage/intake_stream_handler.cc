#include "services/triage/intake_stream_handler.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/logging/log.h"

namespace telederm::triage {

absl::StatusOr<ScreeningStep> DecideScreening(v1::Case& c, absl::Time now, ScreenFn screen) {
  ScreeningStep step;
  if (c.status() == v1::CASE_STATUS_RECEIVED) {
    c.clear_triage();
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_SCREENING, now, "triage"); !s.ok()) return s;
    step.store = true;
  }
  if (c.status() != v1::CASE_STATUS_SCREENING) return step;  // already past triage
  if (!c.triage().has_screened_at()) {
    *c.mutable_triage() = screen(c);
    step.store = true;
    step.screened = true;
  }
  step.hand_on = true;
  return step;
}

v1::TriageResult NotScreenedResult(const std::string& reason, absl::Time now) {
  v1::TriageResult result;
  result.set_screened(false);
  result.set_tier(v1::URGENCY_URGENT);
  result.set_not_screened_reason(
      absl::StrCat("pre-screening failed repeatedly (", reason, "); a specialist must look at this case"));
  *result.mutable_screened_at() = ToProtoTimestamp(now);
  return result;
}

IntakeStreamHandler::IntakeStreamHandler(std::shared_ptr<redis::Client> redis,
                                         std::shared_ptr<const Screener> screener, ClockPtr clock)
    : redis_(std::move(redis)), batch_(redis_), screener_(std::move(screener)), clock_(std::move(clock)) {}

absl::Status IntakeStreamHandler::Handle(const redis::StreamEntry& entry) { return HandleBatch({entry})[0]; }

std::vector<absl::Status> IntakeStreamHandler::HandleBatch(const std::vector<redis::StreamEntry>& entries) {
  // A case read again after a lost compare-and-set keeps the result it got:
  // screening is the expensive part and must not run twice for one entry.
  std::map<std::string, v1::TriageResult> results;
  return Carry(entries, [&](const v1::Case& c) {
    auto [it, is_new] = results.try_emplace(c.case_id());
    if (is_new) it->second = screener_->Screen(c, clock_->Now());
    return it->second;
  });
}

absl::Status IntakeStreamHandler::HandOverUnscreened(const redis::StreamEntry& entry, const std::string& reason) {
  return Carry({entry}, [&](const v1::Case& c) {
    LogError(absl::StrCat("case ", c.case_id(), " handed to referral NOT SCREENED after repeated failures"));
    return NotScreenedResult(reason, clock_->Now());
  })[0];
}

std::vector<absl::Status> IntakeStreamHandler::Carry(const std::vector<redis::StreamEntry>& entries,
                                                     ScreenFn screen) {
  std::vector<absl::Status> handled(entries.size(), absl::OkStatus());
  std::vector<ScreeningStep> steps(entries.size());
  std::vector<std::pair<size_t, std::string>> hand_on;  // (entry, case id)
  const absl::Time now = clock_->Now();
  batch_.DecideAndStore(
      batch_.ReadNamed(entries, keys::kIntakeStream, handled),
      [](const std::vector<CaseBatch::Member>&) { return absl::OkStatus(); },
      [&](CaseBatch::Member& m, int) -> absl::StatusOr<bool> {
        absl::StatusOr<ScreeningStep> step = DecideScreening(m.record, now, screen);
        if (!step.ok()) return step.status();
        steps[m.entry] = *step;
        return step->store;
      },
      [&](CaseBatch::Member& m, int) {
        const ScreeningStep& step = steps[m.entry];
        if (step.screened) {
          const v1::TriageResult& t = m.record.triage();
          LogInfo(absl::StrCat("case ", m.record.case_id(), " screened: tier ", v1::Urgency_Name(t.tier()), " risk ",
                               t.risk_score(), t.screened() ? "" : " (NOT SCREENED)"));
        }
        if (step.hand_on) hand_on.emplace_back(m.entry, m.record.case_id());
      },
      handled);

  if (hand_on.empty()) return handled;
  std::sort(hand_on.begin(), hand_on.end());  // in the order of the entries
  std::vector<std::vector<std::string>> appends;
  for (const auto& [entry, case_id] : hand_on) {
    appends.push_back(redis::StreamAppendCommand(keys::kTriagedStream, {{"case_id", case_id}}));
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> appended = redis_->Pipeline(appends);
  for (size_t n = 0; n < hand_on.size(); ++n) {
    handled[hand_on[n].first] = appended.ok() ? (*appended)[n].status() : appended.status();
  }
  return handled;
}

}  // namespace telederm::triage
