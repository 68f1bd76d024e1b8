#include "services/batch/case_batch.h"

#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "common/redis/errors.h"
#include "common/redis/script.h"

namespace telederm {
namespace {

// The very script of CaseStore's compare-and-set (common/case_store/
// case_store.cc), so both write a record the same way: stores ARGV[3] as
// version ARGV[2] only if the stored version is ARGV[1].
const redis::Script& CompareAndSetScript() {
  static const redis::Script* script = new redis::Script(R"lua(
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return redis.error_reply('NOT_FOUND: no such case') end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'pb', ARGV[3])
return 1
)lua");
  return *script;
}

}  // namespace

CaseBatch::CaseBatch(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> CaseBatch::GetAll(
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
    } else if (v1::Case c; c.ParseFromString(reply->str)) {
      records.push_back(std::optional<v1::Case>(std::move(c)));
    } else {
      records.push_back(absl::DataLossError(absl::StrCat("case ", case_ids[i], ": stored record does not parse")));
    }
  }
  return records;
}

absl::StatusOr<std::vector<absl::StatusOr<bool>>> CaseBatch::CompareAndSetAll(std::vector<v1::Case*> changed) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(changed.size());
  for (v1::Case* c : changed) {
    const int64_t read_version = c->version();
    c->set_version(read_version + 1);
    commands.push_back({"EVALSHA", CompareAndSetScript().sha1(), "1", keys::Case(c->case_id()),
                        absl::StrCat(read_version), absl::StrCat(read_version + 1), c->SerializeAsString()});
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  // Redis lost its script cache (restart, SCRIPT FLUSH): send those again
  // with the source, which caches it for the next batch.
  std::vector<size_t> again;
  for (size_t i = 0; i < replies->size(); ++i) {
    if (!(*replies)[i].ok() && redis::IsRedisError((*replies)[i].status(), "NOSCRIPT")) again.push_back(i);
  }
  if (!again.empty()) {
    std::vector<std::vector<std::string>> with_source;
    for (size_t i : again) {
      std::vector<std::string> argv = commands[i];
      argv[0] = "EVAL";
      argv[1] = CompareAndSetScript().source();
      with_source.push_back(std::move(argv));
    }
    absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> resent = redis_->Pipeline(with_source);
    if (!resent.ok()) return resent.status();
    for (size_t k = 0; k < again.size(); ++k) (*replies)[again[k]] = std::move((*resent)[k]);
  }
  std::vector<absl::StatusOr<bool>> stored;
  stored.reserve(changed.size());
  for (size_t i = 0; i < changed.size(); ++i) {
    const absl::StatusOr<redis::Reply>& reply = (*replies)[i];
    if (!reply.ok()) {
      stored.push_back(redis::ScriptErrorToStatus(reply.status()));
    } else {
      stored.push_back(reply->integer == 1);
    }
  }
  return stored;
}

}  // namespace telederm
