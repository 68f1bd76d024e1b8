#include "common/case_store/consult_thread.h"

#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/event_log.h"
#include "common/case_store/keys.h"
#include "common/redis/script.h"
#include "common/case_store/lua/mark_read.lua.h"

namespace telederm {
namespace {

constexpr char kClinicSide[] = "clinic";
constexpr char kSpecialistSide[] = "specialist";

// The script, with its KEYS and ARGV: common/case_store/lua/mark_read.lua.
const redis::Script& MarkReadScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kMarkRead));
  return *script;
}

// (ms, seq) of a stream id; the id must be valid.
std::pair<int64_t, int64_t> IdParts(absl::string_view id) {
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(id, '-');
  std::pair<int64_t, int64_t> out{0, 0};
  (void)absl::SimpleAtoi(parts.first, &out.first);
  (void)absl::SimpleAtoi(parts.second, &out.second);
  return out;
}

struct Receipt {
  std::pair<int64_t, int64_t> up_to;
  absl::Time at;
};

std::optional<Receipt> ParseReceipt(const redis::Reply& reply) {
  if (reply.IsNil()) return std::nullopt;
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(reply.str, ' ');
  int64_t ms = 0;
  if (!IsValidEventId(parts.first) || !absl::SimpleAtoi(parts.second, &ms)) return std::nullopt;
  return Receipt{IdParts(parts.first), absl::FromUnixMillis(ms)};
}

}  // namespace

bool IsClinicSide(v1::Role role) { return role == v1::ROLE_CLINIC; }

ConsultThread::ConsultThread(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::StatusOr<v1::Message> ConsultThread::Append(v1::Message message) {
  message.clear_message_id();
  message.clear_read();
  message.clear_read_at();
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"XADD", keys::CaseThread(message.case_id()), "*", "pb", message.SerializeAsString()});
  if (!reply.ok()) return reply.status();
  message.set_message_id(reply->str);
  return message;
}

absl::StatusOr<std::vector<v1::Message>> ConsultThread::List(absl::string_view case_id) {
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline({
      {"XRANGE", keys::CaseThread(case_id), "-", "+"},
      {"HGET", keys::CaseReads(case_id), kClinicSide},
      {"HGET", keys::CaseReads(case_id), kSpecialistSide},
  });
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    if (!reply.ok()) return reply.status();
  }
  const std::optional<Receipt> clinic_read = ParseReceipt(*(*replies)[1]);
  const std::optional<Receipt> specialist_read = ParseReceipt(*(*replies)[2]);
  std::vector<v1::Message> messages;
  for (const redis::Reply& entry : (*replies)[0]->elements) {
    if (entry.elements.size() < 2) continue;
    const redis::Reply& fields = entry.elements[1];
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      if (fields.elements[i].str != "pb") continue;
      v1::Message message;
      if (!message.ParseFromString(fields.elements[i + 1].str)) {
        return absl::DataLossError(absl::StrCat("message ", entry.elements[0].str, " of case ", case_id,
                                                " does not parse"));
      }
      message.set_message_id(entry.elements[0].str);
      // The clinic's messages are read by the specialists, and the other way round.
      const std::optional<Receipt>& receipt = IsClinicSide(message.author_role()) ? specialist_read : clinic_read;
      if (receipt.has_value() && IdParts(message.message_id()) <= receipt->up_to) {
        message.set_read(true);
        *message.mutable_read_at() = ToProtoTimestamp(receipt->at);
      }
      messages.push_back(std::move(message));
    }
  }
  return messages;
}

absl::Status ConsultThread::MarkRead(absl::string_view case_id, v1::Role reader, absl::string_view message_id,
                                     absl::Time now) {
  if (!IsValidEventId(message_id)) {
    return absl::InvalidArgumentError(absl::StrCat("message_id: '", message_id,
                                                   "' is not a message id (like 1790000000000-0)"));
  }
  absl::StatusOr<redis::Reply> found = redis_->Command(
      {"XRANGE", keys::CaseThread(case_id), std::string(message_id), std::string(message_id)});
  if (!found.ok()) return found.status();
  if (found->elements.empty()) {
    return absl::NotFoundError(absl::StrCat("case ", case_id, " has no message ", message_id));
  }
  return redis_
      ->Eval(MarkReadScript(), {keys::CaseReads(case_id)},
             {IsClinicSide(reader) ? kClinicSide : kSpecialistSide, std::string(message_id),
              absl::StrCat(absl::ToUnixMillis(now))})
      .status();
}

}  // namespace telederm
