#include "common/audit/audit_log.h"

#include <set>

#include <boost/asio/post.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/case_store/keys.h"
#include "common/logging/log.h"

namespace telederm::audit {
namespace {

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

AuditEntry FromFields(const redis::Reply& entry) {
  AuditEntry out;
  if (!entry.IsArray() || entry.elements.size() != 2) return out;
  out.id = entry.elements[0].str;
  const std::vector<redis::Reply>& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    if (name == "at") {
      int64_t ms = 0;
      if (absl::SimpleAtoi(value, &ms)) out.at = absl::FromUnixMillis(ms);
    } else if (name == "sub") {
      out.subject = value;
    } else if (name == "role") {
      out.role = value;
    } else if (name == "scope") {
      out.scope = value == "-" ? "" : value;
    } else if (name == "action") {
      out.action = value;
    } else if (name == "case") {
      if (value != "-") out.case_ids = absl::StrSplit(value, ',', absl::SkipEmpty());
    } else if (name == "peer") {
      out.peer = value;
    } else if (name == "outcome") {
      out.outcome = value;
    } else if (name == "detail") {
      out.detail = value == "-" ? "" : value;
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> AuditLog::Append(const AuditEntry& entry) {
  std::set<std::string> cases(entry.case_ids.begin(), entry.case_ids.end());
  while (cases.size() > kMaxCasesPerEntry) cases.erase(std::prev(cases.end()));
  std::vector<std::string> fields = {"at",     absl::StrCat(absl::ToUnixMillis(entry.at)),
                                     "sub",    OrDash(entry.subject),
                                     "role",   OrDash(entry.role),
                                     "scope",  OrDash(entry.scope),
                                     "action", OrDash(entry.action),
                                     "case",   cases.empty() ? "-" : absl::StrJoin(cases, ","),
                                     "peer",   OrDash(entry.peer),
                                     "outcome", OrDash(entry.outcome),
                                     "detail", OrDash(entry.detail)};
  auto xadd = [&](std::string key) {
    std::vector<std::string> command = {"XADD", std::move(key), "*"};
    command.insert(command.end(), fields.begin(), fields.end());
    return command;
  };
  std::vector<std::vector<std::string>> commands = {{"MULTI"}, xadd(keys::kAuditLog)};
  commands.push_back(xadd(keys::AuditByUser(OrDash(entry.subject))));
  for (const std::string& case_id : cases) commands.push_back(xadd(keys::AuditByCase(case_id)));
  commands.push_back({"EXEC"});
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  const absl::StatusOr<redis::Reply>& exec = replies->back();
  if (!exec.ok()) return exec.status();
  if (!exec->IsArray() || exec->elements.empty()) return absl::InternalError("audit: EXEC returned no results");
  for (const redis::Reply& r : exec->elements) {
    if (r.type == redis::Reply::Type::kError) return absl::InternalError(absl::StrCat("audit: ", r.str));
  }
  return exec->elements[0].str;
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::ByCase(absl::string_view case_id, int limit,
                                                         absl::string_view before_id) {
  return Query(keys::AuditByCase(case_id), limit, before_id);
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::ByUser(absl::string_view subject, int limit,
                                                         absl::string_view before_id) {
  return Query(keys::AuditByUser(subject), limit, before_id);
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::Query(const std::string& key, int limit,
                                                        absl::string_view before_id) {
  if (limit < 1 || limit > 1000) return absl::InvalidArgumentError("page_size: must be 1..1000");
  std::string end = before_id.empty() ? "+" : absl::StrCat("(", before_id);
  absl::StatusOr<redis::Reply> reply = redis_->Command({"XREVRANGE", key, end, "-", "COUNT", absl::StrCat(limit)});
  if (!reply.ok()) {
    if (reply.status().code() == absl::StatusCode::kInternal && !before_id.empty()) {
      return absl::InvalidArgumentError("before_id: not an audit entry id");
    }
    return reply.status();
  }
  std::vector<AuditEntry> entries;
  for (const redis::Reply& entry : reply->elements) entries.push_back(FromFields(entry));
  return entries;
}

AuditWriter::AuditWriter(std::shared_ptr<AuditLog> log, int max_pending)
    : log_(std::move(log)), max_pending_(max_pending) {}

AuditWriter::~AuditWriter() {
  Flush();
  thread_.join();
}

void AuditWriter::Write(AuditEntry entry) {
  if (pending_.fetch_add(1) >= max_pending_) {
    pending_.fetch_sub(1);
    dropped_.fetch_add(1);
    LogError(absl::StrCat("audit: queue full, entry not stored: ", entry.subject, " ", entry.action, " ",
                          absl::StrJoin(entry.case_ids, ","), " ", entry.outcome));
    return;
  }
  boost::asio::post(thread_, [this, entry = std::move(entry)] {
    absl::StatusOr<std::string> id = log_->Append(entry);
    if (!id.ok()) {
      LogError(absl::StrCat("audit: entry not stored (", id.status().message(), "): ", entry.subject, " ",
                            entry.role, " ", entry.action, " ", absl::StrJoin(entry.case_ids, ","), " ",
                            entry.outcome, " ", entry.peer));
    }
    pending_.fetch_sub(1);
  });
}

void AuditWriter::Flush() {
  absl::Notification done;
  boost::asio::post(thread_, [&done] { done.Notify(); });
  done.WaitForNotification();
}

}  // namespace telederm::audit
