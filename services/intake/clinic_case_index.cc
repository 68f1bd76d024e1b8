#include "services/intake/clinic_case_index.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "common/redis/script.h"
#include "services/intake/lua/append_clinic_case_once.lua.h"

namespace telederm::intake {
namespace {

// The script, with its KEYS and ARGV: services/intake/lua/append_clinic_case_once.lua.
const redis::Script& AppendOnceScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kAppendClinicCaseOnce));
  return *script;
}

absl::Status Malformed(const redis::Reply& reply) {
  return absl::InternalError(absl::StrCat("unexpected reply listing a clinic's cases: ", reply.DebugString()));
}

}  // namespace

std::vector<std::string> AppendToClinicCasesCommand(absl::string_view clinic_id, absl::string_view case_id) {
  return {"RPUSH", keys::ClinicCaseList(clinic_id), std::string(case_id)};
}

std::vector<std::string> AppendToClinicCasesOnceCommand(absl::string_view clinic_id, absl::string_view case_id) {
  // EVAL with the source, so it never meets NOSCRIPT inside a pipeline.
  return {"EVAL", AppendOnceScript().source(), "2", keys::ClinicCaseList(clinic_id), keys::ClinicCases(clinic_id),
          std::string(case_id)};
}

absl::StatusOr<std::vector<std::string>> ClinicCasesNewestFirst(redis::Client& redis, absl::string_view clinic_id,
                                                                int64_t offset, int64_t count) {
  std::vector<std::string> ids;
  if (count <= 0) return ids;
  // The list's last `offset` entries are skipped; the `count` before them, newest first.
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis.Pipeline({
      {"LLEN", keys::ClinicCaseList(clinic_id)},
      {"LRANGE", keys::ClinicCaseList(clinic_id), absl::StrCat(-(offset + count)), absl::StrCat(-(offset + 1))},
  });
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    if (!reply.ok()) return reply.status();
  }
  const redis::Reply& listed = *(*replies)[1];
  if (!listed.IsArray()) return Malformed(listed);
  for (auto it = listed.elements.rbegin(); it != listed.elements.rend(); ++it) ids.push_back(it->str);
  const int64_t list_length = (*replies)[0]->integer;
  if (static_cast<int64_t>(ids.size()) >= count) return ids;
  // Past the list's oldest entry: the cases indexed before it, newest first.
  const int64_t zset_offset = std::max<int64_t>(0, offset - list_length);
  const int64_t wanted = count - static_cast<int64_t>(ids.size());
  absl::StatusOr<redis::Reply> earlier = redis.Command({"ZREVRANGE", keys::ClinicCases(clinic_id),
                                                        absl::StrCat(zset_offset),
                                                        absl::StrCat(zset_offset + wanted - 1)});
  if (!earlier.ok()) return earlier.status();
  if (!earlier->IsArray()) return Malformed(*earlier);
  for (const redis::Reply& id : earlier->elements) ids.push_back(id.str);
  return ids;
}

}  // namespace telederm::intake
