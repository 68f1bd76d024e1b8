#include "common/audit/audit_log.h"

#include <optional>
#include <set>

#include <boost/asio/post.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/case_store/keys.h"
#include "common/logging/log.h"
#include "common/redis/script.h"
#include "common/audit/lua/append_audit_entry.lua.h"
#include "common/audit/lua/decode_audit_entry.lua.h"
#include "common/audit/lua/query_audit_index.lua.h"
#include "common/audit/lua/oldest_audit_entries.lua.h"

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

bool IsStreamId(absl::string_view id) {
  if (id.empty() || id.size() > 41) return false;
  size_t dash = id.find('-');
  for (size_t i = 0; i < id.size(); ++i) {
    if (i != dash && !absl::ascii_isdigit(id[i])) return false;
  }
  return dash != 0 && dash + 1 != id.size();
}

// The script, with its KEYS and ARGV: common/audit/lua/append_audit_entry.lua.
const redis::Script& AppendScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kAppendAuditEntry));
  return *script;
}

// The reads below are common/audit/lua/decode_audit_entry.lua, which defines
// decoded(row), after the line that names the dictionary's key, then their own.

// The script, with its KEYS and ARGV: common/audit/lua/query_audit_index.lua.
const redis::Script& QueryScript() {
  static const redis::Script* script = new redis::Script(
      absl::StrCat("local dictionary = KEYS[3]\n", lua::kDecodeAuditEntry, lua::kQueryAuditIndex));
  return *script;
}

// The script, with its KEYS and ARGV: common/audit/lua/oldest_audit_entries.lua.
const redis::Script& OldestScript() {
  static const redis::Script* script = new redis::Script(
      absl::StrCat("local dictionary = KEYS[2]\n", lua::kDecodeAuditEntry, lua::kOldestAuditEntries));
  return *script;
}

}  // namespace

namespace {

absl::StatusOr<std::string> IdOf(const absl::StatusOr<redis::Reply>& reply) {
  if (!reply.ok()) return reply.status();
  // A compact entry's reply is {id, codes...} (AppendScript).
  const std::string& id = reply->IsArray() && !reply->elements.empty() ? reply->elements[0].str : reply->str;
  if (id.empty()) return absl::InternalError("audit: the append script returned no id");
  return id;
}

std::string Describe(const AuditEntry& entry) {
  return absl::StrCat(entry.subject, " ", entry.role, " ", entry.action, " ", absl::StrJoin(entry.case_ids, ","), " ",
                      entry.outcome, " ", entry.peer);
}

}  // namespace

redis::Client::ScriptCall AuditLog::AppendCall(const AuditEntry& entry) {
  std::set<std::string> cases(entry.case_ids.begin(), entry.case_ids.end());
  while (cases.size() > kMaxCasesPerEntry) cases.erase(std::prev(cases.end()));
  std::vector<std::string> script_keys = {keys::kAuditLog, keys::AuditByUser(OrDash(entry.subject)),
                                          keys::kAuditWords, keys::kAuditCodes};
  for (const std::string& case_id : cases) script_keys.push_back(keys::AuditByCase(case_id));
  std::vector<std::string> args = {absl::StrCat(absl::ToUnixMillis(entry.at)),
                                   OrDash(entry.subject),
                                   OrDash(entry.role),
                                   OrDash(entry.scope),
                                   OrDash(entry.action),
                                   cases.empty() ? "-" : absl::StrJoin(cases, ","),
                                   OrDash(entry.peer),
                                   OrDash(entry.outcome),
                                   OrDash(entry.detail)};
  {
    absl::MutexLock lock(&codes_mutex_);
    for (int word = 1; word <= 4; ++word) {
      auto it = codes_.find(args[word]);
      args.push_back(it == codes_.end() ? "" : it->second);
    }
  }
  return {&AppendScript(), std::move(script_keys), std::move(args)};
}

void AuditLog::LearnCodes(const redis::Client::ScriptCall& call, const absl::StatusOr<redis::Reply>& reply) {
  if (!reply.ok() || !reply->IsArray() || reply->elements.size() != 5) return;
  absl::MutexLock lock(&codes_mutex_);
  if (codes_.size() >= kMaxKnownCodes) codes_.clear();  // many subjects: start over rather than grow
  for (int word = 1; word <= 4; ++word) {
    const std::string& code = reply->elements[word].str;
    if (code.empty()) continue;
    codes_.insert_or_assign(call.args[word], code);
  }
}

absl::StatusOr<std::string> AuditLog::Append(const AuditEntry& entry) {
  const redis::Client::ScriptCall call = AppendCall(entry);
  absl::StatusOr<redis::Reply> reply = redis_->Eval(*call.script, call.keys, call.args);
  LearnCodes(call, reply);
  return IdOf(reply);
}

absl::StatusOr<std::vector<absl::StatusOr<std::string>>> AuditLog::AppendAll(const std::vector<AuditEntry>& entries) {
  std::vector<redis::Client::ScriptCall> calls;
  calls.reserve(entries.size());
  for (const AuditEntry& entry : entries) calls.push_back(AppendCall(entry));
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->EvalAll(calls);
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<std::string>> ids;
  ids.reserve(replies->size());
  for (size_t i = 0; i < replies->size(); ++i) {
    LearnCodes(calls[i], (*replies)[i]);
    ids.push_back(IdOf((*replies)[i]));
  }
  return ids;
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::ByCase(absl::string_view case_id, int limit,
                                                         absl::string_view before_id) {
  return Query(keys::AuditByCase(case_id), limit, before_id);
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::ByUser(absl::string_view subject, int limit,
                                                         absl::string_view before_id) {
  return Query(keys::AuditByUser(subject), limit, before_id);
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::Oldest(absl::Time before, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit: must be at least 1");
  const int64_t last_ms = absl::ToUnixMillis(before) - 1;
  if (last_ms < 0) return std::vector<AuditEntry>();
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(OldestScript(), {keys::kAuditLog, keys::kAuditWords}, {absl::StrCat(last_ms), absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  std::vector<AuditEntry> entries;
  for (const redis::Reply& entry : reply->elements) entries.push_back(FromFields(entry));
  return entries;
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::Query(const std::string& key, int limit,
                                                        absl::string_view before_id) {
  if (limit < 1 || limit > 1000) return absl::InvalidArgumentError("page_size: must be 1..1000");
  if (!before_id.empty() && !IsStreamId(before_id)) {
    return absl::InvalidArgumentError("before_id: not an audit entry id (they look like 1790000000000-0)");
  }
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(QueryScript(), {key, keys::kAuditLog, keys::kAuditWords}, {std::string(before_id), absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  std::vector<AuditEntry> entries;
  for (const redis::Reply& entry : reply->elements) entries.push_back(FromFields(entry));
  return entries;
}

AuditWriter::AuditWriter(std::shared_ptr<AuditLog> log, int max_pending, absl::Duration max_open)
    : log_(std::move(log)),
      max_pending_(max_pending),
      max_open_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(absl::ToChronoNanoseconds(max_open))) {}

AuditWriter::~AuditWriter() {
  Flush();
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  boost::asio::post(thread_, [this] { timer_.cancel(); });
  thread_.join();
}

bool AuditWriter::QueueLocked(AuditEntry entry) {
  if (pending_.fetch_add(1) >= max_pending_) {
    pending_.fetch_sub(1);
    dropped_.fetch_add(1);
    LogError(absl::StrCat("audit: queue full, entry not stored: ", entry.subject, " ", entry.action, " ",
                          absl::StrJoin(entry.case_ids, ","), " ", entry.outcome));
    return false;
  }
  queued_.push_back(std::move(entry));
  ++queued_total_;
  const bool post = !drain_posted_;
  drain_posted_ = true;
  return post;
}

bool AuditWriter::QueueOpenLocked(OpenEntry& open) {
  if (open.cases.empty()) return false;
  AuditEntry entry = open.entry;
  entry.case_ids.assign(open.cases.begin(), open.cases.end());
  open.cases.clear();
  return QueueLocked(std::move(entry));
}

void AuditWriter::PostDrain() {
  boost::asio::post(thread_, [this] { Drain(); });
}

void AuditWriter::Write(AuditEntry entry) {
  bool post = false;
  {
    absl::MutexLock lock(&mutex_);
    post = QueueLocked(std::move(entry));
  }
  if (post) PostDrain();
}

AuditWriter::StreamId AuditWriter::OpenStream(AuditEntry entry) {
  entry.case_ids.clear();
  absl::MutexLock lock(&mutex_);
  const StreamId stream = ++next_stream_;
  open_[stream].entry = std::move(entry);
  return stream;
}

void AuditWriter::AddStreamCases(StreamId stream, const std::set<std::string>& cases, absl::Time at) {
  bool post = false;
  std::optional<SteadyTime> arm;
  {
    absl::MutexLock lock(&mutex_);
    auto it = open_.find(stream);
    if (it == open_.end()) return;
    OpenEntry& open = it->second;
    for (const std::string& case_id : cases) {
      if (open.cases.empty()) {
        open.entry.at = at;
        open.due = std::chrono::steady_clock::now() + max_open_;
        if (!timer_armed_ && !stopping_) {
          timer_armed_ = true;
          arm = open.due;
        }
      }
      open.cases.insert(case_id);
      if (open.cases.size() >= kMaxCasesPerEntry) post |= QueueOpenLocked(open);
    }
  }
  if (post) PostDrain();
  if (arm) boost::asio::post(thread_, [this, at = *arm] { ArmTimer(at); });
}

void AuditWriter::CloseStream(StreamId stream) {
  bool post = false;
  {
    absl::MutexLock lock(&mutex_);
    auto it = open_.find(stream);
    if (it == open_.end()) return;
    post = QueueOpenLocked(it->second);
    open_.erase(it);
  }
  if (post) PostDrain();
}

void AuditWriter::ArmTimer(SteadyTime at) {
  {
    absl::MutexLock lock(&mutex_);
    // Shutting down: Flush has queued every open entry; a wait now would only
    // hold up the destructor's join.
    if (stopping_) return;
  }
  timer_.expires_at(at);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error) OnTimer();
  });
}

void AuditWriter::OnTimer() {
  bool post = false;
  bool rearm = false;
  std::optional<SteadyTime> next;
  {
    absl::MutexLock lock(&mutex_);
    const SteadyTime now = std::chrono::steady_clock::now();
    for (auto& [stream, open] : open_) {
      if (open.cases.empty()) continue;
      if (open.due <= now) {
        post |= QueueOpenLocked(open);
      } else if (!next || open.due < *next) {
        next = open.due;
      }
    }
    rearm = next.has_value() && !stopping_;
    timer_armed_ = rearm;
  }
  if (post) PostDrain();
  if (rearm) ArmTimer(*next);
}

void AuditWriter::Drain() {
  std::vector<AuditEntry> entries;
  {
    absl::MutexLock lock(&mutex_);
    while (!queued_.empty() && entries.size() < kMaxBatch) {
      entries.push_back(std::move(queued_.front()));
      queued_.pop_front();
    }
    // More waiting: the next Drain is posted now, behind whatever else is posted.
    drain_posted_ = !queued_.empty();
    if (drain_posted_) boost::asio::post(thread_, [this] { Drain(); });
  }
  if (entries.empty()) return;
  absl::StatusOr<std::vector<absl::StatusOr<std::string>>> ids = log_->AppendAll(entries);
  for (size_t i = 0; i < entries.size(); ++i) {
    const absl::Status status = !ids.ok() ? ids.status() : (*ids)[i].status();
    if (!status.ok()) LogError(absl::StrCat("audit: entry not stored (", status.message(), "): ", Describe(entries[i])));
  }
  pending_.fetch_sub(static_cast<int>(entries.size()));
  absl::MutexLock lock(&mutex_);
  done_total_ += static_cast<int64_t>(entries.size());
}

void AuditWriter::Flush() {
  absl::MutexLock lock(&mutex_);
  bool post = false;
  for (auto& [stream, open] : open_) post |= QueueOpenLocked(open);
  if (post) PostDrain();
  const int64_t written = queued_total_;
  auto appended = [this, written]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return done_total_ >= written; };
  mutex_.Await(absl::Condition(&appended));
}

}  // namespace telederm::audit
