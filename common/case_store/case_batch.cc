#include "common/case_store/case_batch.h"

#include "absl/strings/str_cat.h"
#include "common/case_store/case_store.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"

namespace telederm {

CaseBatch::CaseBatch(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

std::vector<CaseBatch::Member> CaseBatch::ReadNamed(const std::vector<redis::StreamEntry>& entries,
                                                    absl::string_view stream, std::vector<absl::Status>& handled) {
  std::vector<size_t> named;
  std::vector<std::string> ids;
  for (size_t i = 0; i < entries.size(); ++i) {
    std::optional<std::string> case_id = entries[i].Field("case_id");
    if (!case_id.has_value() || !IsValidCaseId(*case_id)) {
      LogError(absl::StrCat(stream, " entry ", entries[i].id, " names no valid case; dropped"));
      continue;
    }
    named.push_back(i);
    ids.push_back(*std::move(case_id));
  }
  std::vector<Member> members;
  if (ids.empty()) return members;
  absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> records = CaseStore(redis_).GetMany(ids);
  for (size_t k = 0; k < named.size(); ++k) {
    if (!records.ok()) {
      handled[named[k]] = records.status();
    } else if (!(*records)[k].ok()) {
      handled[named[k]] = (*records)[k].status();
    } else if (!(*records)[k]->has_value()) {
      LogError(absl::StrCat(stream, " entry ", entries[named[k]].id, ": case ", ids[k], " does not exist; dropped"));
    } else {
      members.push_back({named[k], std::move(*(*records)[k]).value()});
    }
  }
  return members;
}

void CaseBatch::DecideAndStore(std::vector<Member> members,
                               absl::FunctionRef<absl::Status(const std::vector<Member>&)> prepare,
                               absl::FunctionRef<absl::StatusOr<bool>(Member&, int round)> decide,
                               absl::FunctionRef<void(Member&, int round)> settled,
                               std::vector<absl::Status>& handled) {
  for (int round = 0; !members.empty(); ++round) {
    if (round == kMaxAttempts) {
      for (const Member& m : members) {
        handled[m.entry] = absl::AbortedError(absl::StrCat("case ", m.record.case_id(), " was changed by another writer ",
                                                           kMaxAttempts, " times while it was being handled; retried"));
      }
      return;
    }
    if (absl::Status s = prepare(members); !s.ok()) {
      for (const Member& m : members) handled[m.entry] = s;
      return;
    }
    std::vector<v1::Case*> changed;
    std::vector<Member*> changed_members;
    for (Member& m : members) {
      absl::StatusOr<bool> store = decide(m, round);
      if (!store.ok()) {
        handled[m.entry] = store.status();
      } else if (*store) {
        changed.push_back(&m.record);
        changed_members.push_back(&m);
      } else {
        settled(m, round);
      }
    }
    if (changed.empty()) return;
    absl::StatusOr<std::vector<absl::StatusOr<bool>>> stored = CompareAndSetAll(changed);
    if (!stored.ok()) {
      for (const Member* m : changed_members) handled[m->entry] = stored.status();
      return;
    }
    std::vector<size_t> lost_entries;
    std::vector<std::string> lost_ids;
    for (size_t n = 0; n < changed_members.size(); ++n) {
      Member& m = *changed_members[n];
      const absl::StatusOr<bool>& result = (*stored)[n];
      if (absl::IsNotFound(result.status())) {
        LogError(absl::StrCat("case ", m.record.case_id(), " is gone; its entry is dropped"));
      } else if (!result.ok()) {
        handled[m.entry] = result.status();
      } else if (*result) {
        settled(m, round);
      } else {
        lost_entries.push_back(m.entry);
        lost_ids.push_back(m.record.case_id());
      }
    }
    members.clear();
    if (lost_ids.empty()) return;
    absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> reread = CaseStore(redis_).GetMany(lost_ids);
    for (size_t n = 0; n < lost_ids.size(); ++n) {
      if (!reread.ok()) {
        handled[lost_entries[n]] = reread.status();
      } else if (!(*reread)[n].ok()) {
        handled[lost_entries[n]] = (*reread)[n].status();
      } else if ((*reread)[n]->has_value()) {
        members.push_back({lost_entries[n], std::move(*(*reread)[n]).value()});
      }
    }
  }
}

absl::StatusOr<std::vector<absl::StatusOr<bool>>> CaseBatch::CompareAndSetAll(std::vector<v1::Case*> changed) {
  std::vector<redis::Client::ScriptCall> calls;
  calls.reserve(changed.size());
  for (v1::Case* c : changed) calls.push_back(CaseStore::CompareAndSetCall(*c, c->version()));
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->EvalAll(calls);
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<bool>> stored;
  stored.reserve(changed.size());
  for (const absl::StatusOr<redis::Reply>& reply : *replies) {
    if (!reply.ok()) {
      stored.push_back(reply.status());
    } else {
      stored.push_back(reply->integer == 1);
    }
  }
  return stored;
}

}  // namespace telederm
