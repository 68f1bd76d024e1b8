#include "common/redis/stream.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace telederm::redis {
namespace {

absl::Status Malformed(absl::string_view what, const Reply& reply) {
  return absl::InternalError(
      absl::StrCat("unexpected ", what, " reply: ", reply.DebugString()));
}

// Parses [id, [f1, v1, ...]]. Returns an entry with no fields and
// `*deleted` = true for [id, nil] (an entry deleted from the stream while it
// was pending).
absl::StatusOr<StreamEntry> ParseEntry(const Reply& reply, bool* deleted) {
  *deleted = false;
  if (!reply.IsArray() || reply.elements.size() != 2 ||
      !reply.elements[0].IsString()) {
    return Malformed("stream entry", reply);
  }
  StreamEntry entry;
  entry.id = reply.elements[0].str;
  const Reply& fields = reply.elements[1];
  if (fields.IsNil()) {
    *deleted = true;
    return entry;
  }
  if (!fields.IsArray() || fields.elements.size() % 2 != 0) {
    return Malformed("stream entry fields", reply);
  }
  entry.fields.reserve(fields.elements.size() / 2);
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    entry.fields.emplace_back(fields.elements[i].str,
                              fields.elements[i + 1].str);
  }
  return entry;
}

// Parses a list of entries; ids of deleted ones go to `deleted_ids`.
absl::StatusOr<std::vector<StreamEntry>> ParseEntries(
    const Reply& reply, std::vector<std::string>* deleted_ids) {
  std::vector<StreamEntry> entries;
  if (reply.IsNil()) return entries;
  if (!reply.IsArray()) return Malformed("stream entries", reply);
  entries.reserve(reply.elements.size());
  for (const Reply& element : reply.elements) {
    if (element.IsNil()) continue;  // deleted entry without id (Redis < 7)
    bool deleted = false;
    absl::StatusOr<StreamEntry> entry = ParseEntry(element, &deleted);
    if (!entry.ok()) return entry.status();
    if (deleted) {
      deleted_ids->push_back(entry->id);
    } else {
      entries.push_back(*std::move(entry));
    }
  }
  return entries;
}

std::string Millis(absl::Duration d) {
  return absl::StrCat(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

}  // namespace

std::optional<std::pair<uint64_t, uint64_t>> ParseStreamId(absl::string_view id) {
  // Digits only, the form Redis gives ids in: SimpleAtoi alone would also
  // take a sign or spaces, and a client's id is checked here before use.
  const auto digits = [](absl::string_view part) {
    return !part.empty() && std::all_of(part.begin(), part.end(), absl::ascii_isdigit);
  };
  const size_t dash = id.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  const absl::string_view ms_part = id.substr(0, dash), seq_part = id.substr(dash + 1);
  uint64_t ms = 0, seq = 0;
  if (!digits(ms_part) || !digits(seq_part) || !absl::SimpleAtoi(ms_part, &ms) || !absl::SimpleAtoi(seq_part, &seq)) {
    return std::nullopt;
  }
  return std::make_pair(ms, seq);
}

std::optional<std::string> StreamEntry::Field(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> StreamAppendCommand(
    const std::string& stream,
    const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::string> argv;
  argv.reserve(3 + 2 * fields.size());
  argv.push_back("XADD");
  argv.push_back(stream);
  argv.push_back("*");
  for (const auto& [key, value] : fields) {
    argv.push_back(key);
    argv.push_back(value);
  }
  return argv;
}

absl::StatusOr<std::string> StreamAppend(
    Client& client, const std::string& stream,
    const std::vector<std::pair<std::string, std::string>>& fields) {
  if (fields.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream entry for ", stream, " has no fields"));
  }
  absl::StatusOr<Reply> reply =
      client.Command(StreamAppendCommand(stream, fields));
  if (!reply.ok()) return reply.status();
  if (!reply->IsString()) return Malformed("XADD", *reply);
  return reply->str;
}

StreamConsumer::StreamConsumer(std::shared_ptr<Client> client,
                               std::string stream, std::string group,
                               std::string consumer)
    : client_(std::move(client)),
      stream_(std::move(stream)),
      group_(std::move(group)),
      consumer_(std::move(consumer)) {}

absl::Status StreamConsumer::EnsureGroup() {
  absl::StatusOr<Reply> reply =
      client_->Command({"XGROUP", "CREATE", stream_, group_, "0", "MKSTREAM"});
  if (!reply.ok() && !IsRedisError(reply.status(), "BUSYGROUP")) {
    return reply.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StreamEntry>> StreamConsumer::ReadGroup(
    int count, absl::Duration block, const std::string& from) {
  std::vector<std::string> argv = {"XREADGROUP", "GROUP", group_, consumer_,
                                   "COUNT", absl::StrCat(std::max(1, count))};
  const bool blocks = block > absl::ZeroDuration();
  if (blocks) {
    // BLOCK 0 would mean "forever"; never send it.
    argv.push_back("BLOCK");
    argv.push_back(absl::StrCat(
        std::max<int64_t>(1, absl::ToInt64Milliseconds(block))));
  }
  argv.push_back("STREAMS");
  argv.push_back(stream_);
  argv.push_back(from);

  absl::StatusOr<Reply> reply = blocks ? client_->BlockingCommand(argv, block)
                                       : client_->Command(argv);
  if (!reply.ok()) return reply.status();
  std::vector<StreamEntry> entries;
  if (reply->IsNil()) return entries;  // timed out
  // [[stream, [entries...]]]
  if (!reply->IsArray() || reply->elements.size() != 1 ||
      !reply->elements[0].IsArray() ||
      reply->elements[0].elements.size() != 2) {
    return Malformed("XREADGROUP", *reply);
  }
  std::vector<std::string> deleted_ids;
  absl::StatusOr<std::vector<StreamEntry>> parsed =
      ParseEntries(reply->elements[0].elements[1], &deleted_ids);
  if (!parsed.ok()) return parsed.status();
  for (const std::string& id : deleted_ids) {
    // Nothing left to process: drop it from the pending list.
    if (absl::Status s = Ack(id); !s.ok()) return s;
  }
  return parsed;
}

absl::StatusOr<std::vector<StreamEntry>> StreamConsumer::ReadNew(
    int count, absl::Duration block) {
  absl::StatusOr<std::vector<StreamEntry>> entries =
      ReadGroup(count, block, ">");
  if (!entries.ok() && IsRedisError(entries.status(), "NOGROUP")) {
    if (absl::Status s = EnsureGroup(); !s.ok()) return s;
    entries = ReadGroup(count, block, ">");
  }
  return entries;
}

absl::StatusOr<std::vector<StreamEntry>> StreamConsumer::ReadOwnPending(
    int count, const std::string& after_id) {
  return ReadGroup(count, absl::ZeroDuration(), after_id);
}

absl::StatusOr<std::vector<StreamEntry>> StreamConsumer::ClaimIdle(
    absl::Duration min_idle, int count) {
  absl::StatusOr<Reply> reply = client_->Command(
      {"XAUTOCLAIM", stream_, group_, consumer_, Millis(min_idle),
       claim_cursor_, "COUNT", absl::StrCat(std::max(1, count))});
  if (!reply.ok()) return reply.status();
  // Redis 7: [next_cursor, [entries...], [deleted ids...]]; 6.2: no third.
  if (!reply->IsArray() || reply->elements.size() < 2 ||
      !reply->elements[0].IsString()) {
    return Malformed("XAUTOCLAIM", *reply);
  }
  claim_cursor_ = reply->elements[0].str;
  std::vector<std::string> deleted_ids;
  absl::StatusOr<std::vector<StreamEntry>> entries =
      ParseEntries(reply->elements[1], &deleted_ids);
  if (!entries.ok()) return entries.status();
  // Redis 7 already removed the ids in the third element from the pending
  // list; older servers hand back [id, nil] and leave them pending.
  for (const std::string& id : deleted_ids) {
    if (absl::Status s = Ack(id); !s.ok()) return s;
  }
  return entries;
}

absl::StatusOr<long long> StreamConsumer::DeliveryCount(const std::string& id) {
  absl::StatusOr<Reply> reply = client_->Command(
      {"XPENDING", stream_, group_, "IDLE", "0", id, id, "1"});
  if (!reply.ok()) return reply.status();
  if (!reply->IsArray()) return Malformed("XPENDING", *reply);
  if (reply->elements.empty()) return 0;
  // [[id, consumer, idle_ms, delivery_count]]
  const Reply& row = reply->elements[0];
  if (!row.IsArray() || row.elements.size() != 4 ||
      !row.elements[3].IsInteger()) {
    return Malformed("XPENDING", *reply);
  }
  return row.elements[3].integer;
}

absl::Status StreamConsumer::Ack(const std::string& id) {
  absl::StatusOr<Reply> reply = client_->Command({"XACK", stream_, group_, id});
  return reply.status();
}

absl::Status StreamConsumer::AckAll(const std::vector<std::string>& ids) {
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::string> argv = {"XACK", stream_, group_};
  argv.insert(argv.end(), ids.begin(), ids.end());
  return client_->Command(argv).status();
}

absl::StatusOr<long long> StreamConsumer::TrimAcknowledged() {
  absl::StatusOr<Reply> groups = client_->Command({"XINFO", "GROUPS", stream_});
  if (!groups.ok()) {
    if (IsRedisError(groups.status(), "ERR") && absl::StrContains(groups.status().message(), "no such key")) {
      return 0;  // no stream yet: nothing to trim
    }
    return groups.status();
  }
  if (!groups->IsArray()) return Malformed("XINFO GROUPS", *groups);
  if (groups->elements.empty()) return 0;  // nobody reads it yet: every entry waits

  // Per group: the first entry not yet delivered is after last-delivered-id;
  // a group with pending entries also keeps its oldest pending one.
  std::optional<std::pair<uint64_t, uint64_t>> bound;
  auto lower = [&bound](std::pair<uint64_t, uint64_t> id) {
    if (!bound || id < *bound) bound = id;
  };
  std::vector<std::vector<std::string>> pending_of;
  for (const Reply& group : groups->elements) {
    std::string name, last_delivered;
    long long pending = 0;
    for (size_t i = 0; i + 1 < group.elements.size(); i += 2) {
      const std::string& field = group.elements[i].str;
      const Reply& value = group.elements[i + 1];
      if (field == "name") name = value.str;
      if (field == "last-delivered-id") last_delivered = value.str;
      if (field == "pending") pending = value.AsOptionalInteger().value_or(0);
    }
    std::optional<std::pair<uint64_t, uint64_t>> delivered = ParseStreamId(last_delivered);
    if (name.empty() || !delivered) return Malformed("XINFO GROUPS", *groups);
    lower(delivered->second == UINT64_MAX ? std::make_pair(delivered->first + 1, uint64_t{0})
                                          : std::make_pair(delivered->first, delivered->second + 1));
    if (pending > 0) pending_of.push_back({"XPENDING", stream_, name});
  }
  if (!pending_of.empty()) {
    absl::StatusOr<std::vector<absl::StatusOr<Reply>>> summaries = client_->Pipeline(pending_of);
    if (!summaries.ok()) return summaries.status();
    for (const absl::StatusOr<Reply>& summary : *summaries) {
      if (!summary.ok()) return summary.status();
      // [count, smallest id, greatest id, consumers]; nil ids once all were acked meanwhile.
      if (!summary->IsArray() || summary->elements.size() < 2) return Malformed("XPENDING", *summary);
      if (summary->elements[1].IsNil()) continue;
      std::optional<std::pair<uint64_t, uint64_t>> oldest = ParseStreamId(summary->elements[1].str);
      if (!oldest) return Malformed("XPENDING", *summary);
      lower(*oldest);
    }
  }
  absl::StatusOr<Reply> trimmed =
      client_->Command({"XTRIM", stream_, "MINID", absl::StrCat(bound->first, "-", bound->second)});
  if (!trimmed.ok()) return trimmed.status();
  return trimmed->integer;
}

}  // namespace telederm::redis
