#include "common/case_store/case_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "common/case_store/lua/create_case.lua.h"
#include "common/case_store/lua/compare_and_set_case.lua.h"

namespace telederm {
namespace {

// The script, with its KEYS and ARGV: common/case_store/lua/create_case.lua.
const redis::Script& CreateScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kCreateCase));
  return *script;
}

// The script, with its KEYS and ARGV: common/case_store/lua/compare_and_set_case.lua.
const redis::Script& CompareAndSetScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kCompareAndSetCase));
  return *script;
}

constexpr int kMaxAttempts = 16;

// The entry intake writes first: the case received from its clinic at
// received_at. Every field of it is in the record already.
v1::StatusChange ReceivedEntryOf(const v1::Case& c) {
  v1::StatusChange entry;
  entry.set_to(v1::CASE_STATUS_RECEIVED);
  *entry.mutable_at() = c.received_at();
  entry.set_actor(c.clinic_id());
  return entry;
}

}  // namespace

std::string SerializeCaseRecord(v1::Case& c) {
  // Left out, and put back by ParseCaseRecord: the id (the key names it) and
  // a first history entry that says only what received_at and clinic_id say
  // (stored as an empty entry, which the state machine never writes). The
  // fields are swapped out and back, not copied.
  const bool derivable_first = c.history_size() > 0 && c.has_received_at() &&
                               c.history(0).SerializeAsString() == ReceivedEntryOf(c).SerializeAsString();
  std::string id;
  id.swap(*c.mutable_case_id());
  v1::StatusChange first;
  if (derivable_first) c.mutable_history(0)->Swap(&first);
  std::string bytes = c.SerializeAsString();
  if (derivable_first) c.mutable_history(0)->Swap(&first);
  id.swap(*c.mutable_case_id());
  return bytes;
}

absl::Status NoSuchCase(absl::string_view case_id) { return absl::NotFoundError(absl::StrCat("no case ", case_id)); }

absl::StatusOr<v1::Case> ParseCaseRecord(absl::string_view case_id, absl::string_view stored) {
  v1::Case c;
  if (!c.ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
    return absl::DataLossError(absl::StrCat("case ", case_id, ": stored record does not parse"));
  }
  c.set_case_id(std::string(case_id));
  if (c.history_size() > 0 && c.history(0).ByteSizeLong() == 0) *c.mutable_history(0) = ReceivedEntryOf(c);
  return c;
}

CaseStore::CaseStore(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::Status CaseStore::Create(v1::Case& c) {
  c.set_version(1);
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(CreateScript(), {keys::Case(c.case_id())}, {SerializeCaseRecord(c)});
  if (!reply.ok()) return reply.status();
  if (reply->integer != 1) return absl::AlreadyExistsError(absl::StrCat("case ", c.case_id(), " already exists"));
  return absl::OkStatus();
}

std::vector<std::string> CaseStore::CreateCommand(v1::Case& c) {
  c.set_version(1);
  return {"EVAL", CreateScript().source(), "1", keys::Case(c.case_id()), SerializeCaseRecord(c)};
}

redis::Client::ScriptCall CaseStore::CompareAndSetCall(v1::Case& c, int64_t read_version) {
  c.set_version(read_version + 1);
  return {&CompareAndSetScript(),
          {keys::Case(c.case_id())},
          {absl::StrCat(read_version), absl::StrCat(read_version + 1), SerializeCaseRecord(c)}};
}

absl::StatusOr<std::optional<v1::Case>> CaseStore::Get(absl::string_view case_id) {
  absl::StatusOr<redis::Reply> reply = redis_->Command({"HGET", keys::Case(case_id), "pb"});
  if (!reply.ok()) return reply.status();
  if (reply->IsNil()) return std::optional<v1::Case>();
  absl::StatusOr<v1::Case> c = ParseCaseRecord(case_id, reply->str);
  if (!c.ok()) return c.status();
  return std::optional<v1::Case>(*std::move(c));
}

absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> CaseStore::GetMany(
    const std::vector<std::string>& case_ids) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(case_ids.size());
  for (const std::string& id : case_ids) commands.push_back({"HGET", keys::Case(id), "pb"});
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<std::optional<v1::Case>>> records;
  records.reserve(case_ids.size());
  for (size_t i = 0; i < case_ids.size(); ++i) {
    const absl::StatusOr<redis::Reply>& reply = (*replies)[i];
    if (!reply.ok()) {
      records.push_back(reply.status());
    } else if (reply->IsNil()) {
      records.push_back(std::optional<v1::Case>());
    } else if (absl::StatusOr<v1::Case> c = ParseCaseRecord(case_ids[i], reply->str); c.ok()) {
      records.push_back(std::optional<v1::Case>(*std::move(c)));
    } else {
      records.push_back(c.status());
    }
  }
  return records;
}

absl::StatusOr<v1::Case> CaseStore::Update(absl::string_view case_id, const Mutation& mutate) {
  return UpdateLoop(case_id, std::nullopt, mutate);
}

absl::StatusOr<v1::Case> CaseStore::UpdateFrom(v1::Case known, const Mutation& mutate) {
  const std::string case_id = known.case_id();
  return UpdateLoop(case_id, std::move(known), mutate);
}

absl::StatusOr<v1::Case> CaseStore::UpdateLoop(absl::string_view case_id, std::optional<v1::Case> known,
                                               const Mutation& mutate) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    v1::Case c;
    if (known.has_value()) {
      c = *std::move(known);
      known.reset();
    } else {
      absl::StatusOr<std::optional<v1::Case>> current = Get(case_id);
      if (!current.ok()) return current.status();
      if (!current->has_value()) return NoSuchCase(case_id);
      c = std::move(**current);
    }
    const int64_t read_version = c.version();
    absl::StatusOr<bool> changed = mutate(c);
    if (!changed.ok()) return changed.status();
    if (!*changed) return c;
    const redis::Client::ScriptCall call = CompareAndSetCall(c, read_version);
    absl::StatusOr<redis::Reply> reply = redis_->Eval(*call.script, call.keys, call.args);
    if (!reply.ok()) return reply.status();
    if (reply->integer == 1) return c;
  }
  return absl::AbortedError(absl::StrCat("case ", case_id, " is being changed by others; try again"));
}

}  // namespace telederm
