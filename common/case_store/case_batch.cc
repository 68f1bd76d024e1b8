#include "common/case_store/case_batch.h"

#include "absl/strings/str_cat.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"

namespace telederm {

CaseBatch::CaseBatch(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

CaseBatch::NamedCases CaseBatch::ReadNamed(const std::vector<redis::StreamEntry>& entries,
                                           absl::string_view stream) {
  NamedCases named;
  for (size_t i = 0; i < entries.size(); ++i) {
    std::optional<std::string> case_id = entries[i].Field("case_id");
    if (!case_id.has_value() || !IsValidCaseId(*case_id)) {
      LogError(absl::StrCat(stream, " entry ", entries[i].id, " names no valid case; dropped"));
      continue;
    }
    named.entry.push_back(i);
    named.ids.push_back(*std::move(case_id));
  }
  if (named.ids.empty()) return named;
  absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> records = CaseStore(redis_).GetMany(named.ids);
  if (records.ok()) {
    named.records = *std::move(records);
  } else {
    named.records.assign(named.ids.size(), records.status());
  }
  return named;
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
