#include "common/stream_worker/dead_letters.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging/log.h"
#include "common/redis/script.h"
#include "common/redis/stream.h"
#include "common/stream_worker/lua/bury_dead_letter.lua.h"
#include "common/stream_worker/lua/replay_dead_letter.lua.h"

namespace telederm {
namespace {

constexpr char kOriginalPrefix[] = "f:";

// The script, with its KEYS and ARGV: common/stream_worker/lua/bury_dead_letter.lua.
const redis::Script& BuryScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kBuryDeadLetter));
  return *script;
}

// The script, with its KEYS and ARGV: common/stream_worker/lua/replay_dead_letter.lua.
const redis::Script& ReplayScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kReplayDeadLetter));
  return *script;
}

bool IsStreamId(absl::string_view id) { return redis::ParseStreamId(id).has_value(); }

absl::StatusOr<DeadLetter> ParseDeadLetter(absl::string_view source, const redis::Reply& entry) {
  if (!entry.IsArray() || entry.elements.size() != 2 || !entry.elements[1].IsArray()) {
    return absl::InternalError(absl::StrCat("malformed dead letter: ", entry.DebugString()));
  }
  DeadLetter letter;
  letter.id = entry.elements[0].str;
  letter.source_stream = std::string(source);
  const std::vector<redis::Reply>& kv = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string& name = kv[i].str;
    const std::string& value = kv[i + 1].str;
    if (absl::StartsWith(name, kOriginalPrefix)) {
      letter.fields.emplace_back(name.substr(2), value);
    } else if (name == "group") {
      letter.group = value;
    } else if (name == "entry_id") {
      letter.entry_id = value;
    } else if (name == "consumer") {
      letter.consumer = value;
    } else if (name == "error") {
      letter.error = value;
    } else if (name == "deliveries") {
      (void)absl::SimpleAtoi(value, &letter.deliveries);
    } else if (name == "dead_at_ms") {
      int64_t ms = 0;
      (void)absl::SimpleAtoi(value, &ms);
      letter.dead_at = absl::FromUnixMillis(ms);
    }
  }
  return letter;
}

bool IsTransient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) || absl::IsAborted(status);
}

}  // namespace

std::string DeadLetterStream(absl::string_view source) { return absl::StrCat("deadletter:{", source, "}"); }

std::optional<std::string> DeadLetter::Field(absl::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return std::nullopt;
}

DeadLetterBox::DeadLetterBox(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::StatusOr<std::string> DeadLetterBox::Bury(const redis::StreamConsumer& consumer,
                                                const redis::StreamEntry& entry, absl::string_view error,
                                                int64_t deliveries, absl::Time now) {
  std::vector<std::string> args = {consumer.group(),
                                   entry.id,
                                   "group",
                                   consumer.group(),
                                   "entry_id",
                                   entry.id,
                                   "consumer",
                                   consumer.consumer(),
                                   "error",
                                   std::string(error),
                                   "deliveries",
                                   absl::StrCat(deliveries),
                                   "dead_at_ms",
                                   absl::StrCat(absl::ToUnixMillis(now))};
  for (const auto& [name, value] : entry.fields) {
    args.push_back(absl::StrCat(kOriginalPrefix, name));
    args.push_back(value);
  }
  absl::StatusOr<redis::Reply> id =
      redis_->Eval(BuryScript(), {DeadLetterStream(consumer.stream()), consumer.stream()}, args);
  if (!id.ok()) return id.status();
  return id->str;
}

absl::StatusOr<std::vector<DeadLetter>> DeadLetterBox::List(absl::string_view source_stream,
                                                            absl::string_view after_id, int count) {
  std::string start = "-";
  if (!after_id.empty() && after_id != "0") {
    if (!IsStreamId(after_id)) return absl::InvalidArgumentError("after: not a dead letter id (like 1700000000000-0)");
    start = absl::StrCat("(", after_id);
  }
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"XRANGE", DeadLetterStream(source_stream), start, "+", "COUNT", absl::StrCat(count)});
  if (!reply.ok()) return reply.status();
  std::vector<DeadLetter> letters;
  for (const redis::Reply& entry : reply->elements) {
    absl::StatusOr<DeadLetter> letter = ParseDeadLetter(source_stream, entry);
    if (!letter.ok()) return letter.status();
    letters.push_back(*std::move(letter));
  }
  return letters;
}

absl::StatusOr<std::optional<DeadLetter>> DeadLetterBox::Get(absl::string_view source_stream,
                                                             absl::string_view id) {
  if (!IsStreamId(id)) return absl::InvalidArgumentError("id: not a dead letter id (like 1700000000000-0)");
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"XRANGE", DeadLetterStream(source_stream), std::string(id), std::string(id)});
  if (!reply.ok()) return reply.status();
  if (reply->elements.empty()) return std::optional<DeadLetter>();
  absl::StatusOr<DeadLetter> letter = ParseDeadLetter(source_stream, reply->elements[0]);
  if (!letter.ok()) return letter.status();
  return std::optional<DeadLetter>(*std::move(letter));
}

absl::StatusOr<std::string> DeadLetterBox::Replay(absl::string_view source_stream, absl::string_view id) {
  if (!IsStreamId(id)) return absl::InvalidArgumentError("id: not a dead letter id (like 1700000000000-0)");
  absl::StatusOr<redis::Reply> reply = redis_->Eval(
      ReplayScript(), {DeadLetterStream(source_stream), std::string(source_stream)}, {std::string(id)});
  if (!reply.ok()) return reply.status();
  return reply->str;
}

absl::StatusOr<int64_t> DeadLetterBox::Count(absl::string_view source_stream) {
  absl::StatusOr<redis::Reply> reply = redis_->Command({"XLEN", DeadLetterStream(source_stream)});
  if (!reply.ok()) return reply.status();
  return reply->integer;
}

DeadLetterPolicy::DeadLetterPolicy(std::shared_ptr<redis::Client> redis, DeadLetterOptions options)
    : box_(std::move(redis)), options_(std::move(options)) {}

absl::StatusOr<bool> DeadLetterPolicy::BeforeHandling(redis::StreamConsumer& consumer,
                                                      const redis::StreamEntry& entry) {
  if (options_.max_deliveries <= 0) return false;
  absl::StatusOr<long long> deliveries = consumer.DeliveryCount(entry.id);
  if (!deliveries.ok()) return deliveries.status();
  if (*deliveries <= 2 * options_.max_deliveries) return false;
  if (absl::Status s = Bury(consumer, entry,
                            absl::StrCat("delivered ", *deliveries,
                                         " times and never acked: its handler may crash the process"),
                            *deliveries);
      !s.ok()) {
    return s;
  }
  return true;
}

absl::StatusOr<bool> DeadLetterPolicy::AfterFailure(redis::StreamConsumer& consumer,
                                                    const redis::StreamEntry& entry, const absl::Status& error) {
  if (options_.max_deliveries <= 0 || IsTransient(error)) return false;
  absl::StatusOr<long long> deliveries = consumer.DeliveryCount(entry.id);
  if (!deliveries.ok()) return deliveries.status();
  if (*deliveries < options_.max_deliveries) return false;
  if (absl::Status s = Bury(consumer, entry, error.ToString(), *deliveries); !s.ok()) return s;
  return true;
}

absl::Status DeadLetterPolicy::Bury(const redis::StreamConsumer& consumer, const redis::StreamEntry& entry,
                                    const std::string& error, int64_t deliveries) {
  if (options_.on_dead_letter) {
    if (absl::Status s = options_.on_dead_letter(entry, error); !s.ok()) {
      LogWarning(absl::StrCat(consumer.stream(), " entry ", entry.id,
                              ": could not surface it before dead-lettering, will retry: ", s.ToString()));
      return s;
    }
  }
  absl::StatusOr<std::string> id = box_.Bury(consumer, entry, error, deliveries, absl::Now());
  if (!id.ok()) return id.status();
  LogError(absl::StrCat(consumer.stream(), " entry ", entry.id, " dead-lettered as ", *id, " in ",
                        DeadLetterStream(consumer.stream()), " after ", deliveries, " deliveries: ", error));
  return absl::OkStatus();
}

}  // namespace telederm
