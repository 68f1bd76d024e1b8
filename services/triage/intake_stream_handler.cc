#include "services/triage/intake_stream_handler.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/logging/log.h"

namespace telederm::triage {
namespace {

// Compare-and-set attempts per case and batch before its entry is left
// pending (another writer kept changing it); the redelivery tries again.
constexpr int kMaxStoreAttempts = 4;

}  // namespace

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
                                                     const std::function<v1::TriageResult(const v1::Case&)>& screen) {
  std::vector<absl::Status> handled(entries.size(), absl::OkStatus());
  CaseBatch::NamedCases named = batch_.ReadNamed(entries, keys::kIntakeStream);
  struct Pending {
    size_t entry;
    v1::Case record;
  };
  std::vector<Pending> pending;
  for (size_t k = 0; k < named.entry.size(); ++k) {
    absl::StatusOr<std::optional<v1::Case>>& record = named.records[k];
    if (!record.ok()) {
      handled[named.entry[k]] = record.status();
    } else if (!record->has_value()) {
      LogError(absl::StrCat("case ", named.ids[k], " of stream:intake entry ", entries[named.entry[k]].id,
                            " does not exist; dropped"));
    } else {
      pending.push_back({named.entry[k], std::move(**record)});
    }
  }

  std::vector<std::pair<size_t, std::string>> hand_on;  // (entry, case id)
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt == kMaxStoreAttempts) {
      for (const Pending& p : pending) {
        handled[p.entry] = absl::AbortedError(absl::StrCat("case ", p.record.case_id(),
                                                           " was changed by another writer ", kMaxStoreAttempts,
                                                           " times while being screened; retried"));
      }
      break;
    }
    const absl::Time now = clock_->Now();
    std::vector<ScreeningStep> steps(pending.size());
    std::vector<v1::Case*> changed;
    std::vector<size_t> changed_at;  // index into pending
    for (size_t j = 0; j < pending.size(); ++j) {
      absl::StatusOr<ScreeningStep> step = DecideScreening(pending[j].record, now, screen);
      if (!step.ok()) {
        handled[pending[j].entry] = step.status();
        continue;
      }
      steps[j] = *step;
      if (step->store) {
        changed.push_back(&pending[j].record);
        changed_at.push_back(j);
      } else if (step->hand_on) {
        hand_on.emplace_back(pending[j].entry, pending[j].record.case_id());
      }
    }
    if (changed.empty()) break;
    absl::StatusOr<std::vector<absl::StatusOr<bool>>> stored = batch_.CompareAndSetAll(changed);
    if (!stored.ok()) {
      for (size_t j : changed_at) handled[pending[j].entry] = stored.status();
      break;
    }
    std::vector<size_t> lost;  // index into pending
    std::vector<std::string> lost_ids;
    for (size_t n = 0; n < changed_at.size(); ++n) {
      const Pending& p = pending[changed_at[n]];
      const ScreeningStep& step = steps[changed_at[n]];
      const absl::StatusOr<bool>& result = (*stored)[n];
      if (absl::IsNotFound(result.status())) {
        LogError(absl::StrCat("case ", p.record.case_id(), " is gone; its stream:intake entry is dropped"));
      } else if (!result.ok()) {
        handled[p.entry] = result.status();
      } else if (!*result) {
        lost.push_back(changed_at[n]);
        lost_ids.push_back(p.record.case_id());
      } else {
        if (step.screened) {
          const v1::TriageResult& t = p.record.triage();
          LogInfo(absl::StrCat("case ", p.record.case_id(), " screened: tier ", v1::Urgency_Name(t.tier()), " risk ",
                               t.risk_score(), t.screened() ? "" : " (NOT SCREENED)"));
        }
        if (step.hand_on) hand_on.emplace_back(p.entry, p.record.case_id());
      }
    }
    if (lost.empty()) break;
    absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> reread = CaseStore(redis_).GetMany(lost_ids);
    std::vector<Pending> again;
    for (size_t n = 0; n < lost.size(); ++n) {
      const size_t entry = pending[lost[n]].entry;
      if (!reread.ok()) {
        handled[entry] = reread.status();
      } else if (!(*reread)[n].ok()) {
        handled[entry] = (*reread)[n].status();
      } else if ((*reread)[n]->has_value()) {
        again.push_back({entry, std::move(*(*reread)[n]).value()});
      }
    }
    pending = std::move(again);
  }

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
