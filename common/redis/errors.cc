#include "common/redis/errors.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace telederm::redis {
namespace {

// Debian's Abseil is built without std::string_view aliasing, so the two
// view types differ; convert at the boundary.
absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::string_view FirstWord(absl::string_view message) {
  return message.substr(0, message.find(' '));
}

}  // namespace

absl::Status ErrorReplyToStatus(std::string_view redis_message_view) {
  const absl::string_view redis_message = ToAbsl(redis_message_view);
  const absl::string_view code = FirstWord(redis_message);
  // READONLY: the server became a replica (a failover); NOREPLICAS: the
  // master refuses writes under min-replicas-to-write. Both pass.
  if (code == "LOADING" || code == "BUSY" || code == "MASTERDOWN" ||
      code == "TRYAGAIN" || code == "CLUSTERDOWN" || code == "READONLY" || code == "NOREPLICAS") {
    return absl::UnavailableError(redis_message);
  }
  if (code == "OOM") return absl::ResourceExhaustedError(redis_message);
  return absl::InternalError(redis_message);
}

absl::Status ScriptErrorToStatus(const absl::Status& status) {
  if (status.ok()) return status;
  const absl::string_view message = status.message();
  // absl's canonical codes are 1..16; StatusCodeToString gives their names.
  for (int raw = 1; raw <= 16; ++raw) {
    const auto code = static_cast<absl::StatusCode>(raw);
    const std::string prefix = absl::StrCat(absl::StatusCodeToString(code), ":");
    if (absl::StartsWith(message, prefix)) {
      absl::string_view text = message.substr(prefix.size());
      if (absl::StartsWith(text, " ")) text.remove_prefix(1);
      return absl::Status(code, text);
    }
  }
  return status;
}

bool IsRedisError(const absl::Status& status, std::string_view code) {
  return !status.ok() && FirstWord(status.message()) == ToAbsl(code);
}

}  // namespace telederm::redis
