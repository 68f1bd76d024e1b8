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

// KEYS: the log, the user's index, the dictionary (keys::kAuditWords,
// keys::kAuditCodes), then each case's index. ARGV: at (ms), subject, role,
// scope, action, cases, peer, outcome, detail, then the codes the writer
// believes the subject, role, scope and action have ('' = unknown; absent is
// unknown too). Returns the entry's id, or {id, sub, role, scope, action codes}
// when it was stored compactly with a code other than the believed one, so
// the writer learns the codes (and otherwise has nothing to parse or store).
//
// A believed code costs one HGET that checks it against the dictionary, in
// this script, so a wrong belief (a dictionary lost with Redis's data) is never
// written: the word is then looked up as if no code were believed.
//
// The entry goes to the log once, compactly: `lag_ms` (the entry id's time
// minus `at`: the script chooses the id's time, so `at` is exact), and the
// subject, role, scope and action as codes of the dictionary (a clinic
// device's entry shrinks from ~180 B to ~93 B). A code is given once, with
// HSETNX, and never changes. Should the dictionary disagree with itself, the
// entry is written in words, as entries of the older layout are: at, sub,
// role, scope, action. Both read the same (QueryScript).
//
// The indexes hold only the entry's id. The user's index is a stream whose
// entry ids are the log's ids (one small field, so a few bytes an entry). A
// case's index is a string of log ids, each followed by a space, grown by
// APPEND: most cases have a handful of entries, and a string costs less than
// a list (~184 B against ~248 B for a case with 3 entries) or a stream (which
// preallocates a 4 KB node). A case index of an older layout, a stream (full
// copies) or a list (ids), keeps growing in its own type.
// Every write is an append (XADD, RPUSH, APPEND, HSETNX): the ACL grants
// nothing else on these keys.
const redis::Script& AppendScript() {
  static const redis::Script* script = new redis::Script(R"lua(
local learned = false  -- a code differs from the one the writer believed
local function code(word, believed)
  if believed and believed ~= '' and redis.call('HGET', KEYS[3], believed) == word then return believed end
  learned = true
  local c = redis.call('HGET', KEYS[4], word)
  if c then
    if redis.call('HGET', KEYS[3], c) == word then return c end
    return nil
  end
  c = tostring(redis.call('HLEN', KEYS[4]) + 1)
  if redis.call('HSETNX', KEYS[3], c, word) == 0 then return nil end
  redis.call('HSETNX', KEYS[4], word, c)
  return c
end
local at = tonumber(ARGV[1])
local sub, role, scope, action = code(ARGV[2], ARGV[10]), code(ARGV[3], ARGV[11]), code(ARGV[4], ARGV[12]),
                                   code(ARGV[5], ARGV[13])
local id
local compact = at and math.abs(at) < 2^52 and sub and role and scope and action
if compact then
  local time = redis.call('TIME')
  local ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local function add(ms)
    return redis.pcall('XADD', KEYS[1], string.format('%d-*', ms), 'lag_ms', string.format('%d', ms - at),
                       'sub_code', sub, 'role_code', role, 'scope_code', scope, 'action_code', action,
                       'case', ARGV[6], 'peer', ARGV[7], 'outcome', ARGV[8], 'detail', ARGV[9])
  end
  id = add(ms)
  if type(id) == 'table' and id.err then
    -- The clock is behind the last entry: use the last entry's time.
    local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1][1]
    id = add(tonumber(string.sub(last, 1, string.find(last, '-', 1, true) - 1)))
    if type(id) == 'table' and id.err then return id end
  end
else
  id = redis.call('XADD', KEYS[1], '*', 'at', ARGV[1], 'sub', ARGV[2], 'role', ARGV[3], 'scope', ARGV[4],
                  'action', ARGV[5], 'case', ARGV[6], 'peer', ARGV[7], 'outcome', ARGV[8], 'detail', ARGV[9])
end
local function reference(key)
  local added = redis.pcall('XADD', key, id, 'r', '')
  if type(added) == 'table' and added.err then redis.call('XADD', key, '*', 'r', id) end
end
reference(KEYS[2])
for i = 5, #KEYS do
  -- A string (or a new key) takes the APPEND at once; only an index of an
  -- older layout refuses it and costs a TYPE.
  local appended = redis.pcall('APPEND', KEYS[i], id .. ' ')
  if type(appended) == 'table' and appended.err then
    local kind = redis.call('TYPE', KEYS[i]).ok
    if kind == 'stream' then
      reference(KEYS[i])
    elseif kind == 'list' then
      redis.call('RPUSH', KEYS[i], id)
    else
      return appended
    end
  end
end
if compact and learned and ARGV[10] then return {id, sub, role, scope, action} end
return id
)lua");
  return *script;
}

// Lua shared by the scripts that read the log: `decoded(row)` turns a log
// row {id, {field, value, ...}} of either layout into words (at, sub, role,
// scope, action, ...). The script defines `dictionary`, the key of the
// dictionary's code -> word hash, before it.
constexpr char kDecodeLua[] = R"lua(
local words = {}
local function word(c)
  local w = words[c]
  if not w then
    w = redis.call('HGET', dictionary, c) or ('?' .. c)
    words[c] = w
  end
  return w
end
local function decoded(row)
  local fields = row[2]
  if fields[1] ~= 'lag_ms' then return row end
  local id = row[1]
  local ms = tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1))
  local plain = {}
  for i = 1, #fields - 1, 2 do
    local name, value = fields[i], fields[i + 1]
    if name == 'lag_ms' then
      plain[#plain + 1] = 'at'
      plain[#plain + 1] = string.format('%d', ms - tonumber(value))
    elseif string.sub(name, -5) == '_code' then
      plain[#plain + 1] = string.sub(name, 1, -6)
      plain[#plain + 1] = word(value)
    else
      plain[#plain + 1] = name
      plain[#plain + 1] = value
    end
  end
  return {id, plain}
end
)lua";

// KEYS: an index (see AppendScript), the log, the dictionary's code -> word
// hash. ARGV: before id ('' = newest), limit. Returns the entries newest
// first, as XREVRANGE does: {{id, {field, value, ...}}, ...}, each in words
// (at, sub, role, scope, action, ...) whichever layout stored it.
const redis::Script& QueryScript() {
  static const redis::Script* script = new redis::Script(absl::StrCat("local dictionary = KEYS[3]\n", kDecodeLua, R"lua(
local before = ARGV[1]
local limit = tonumber(ARGV[2])
local out = {}
local function add(id)
  local found = redis.call('XRANGE', KEYS[2], id, id)
  if found[1] then out[#out + 1] = decoded(found[1]) end
end
local bms, bseq
if before ~= '' then
  local dash = string.find(before, '-', 1, true)
  if dash then
    bms = tonumber(string.sub(before, 1, dash - 1))
    bseq = tonumber(string.sub(before, dash + 1))
  else
    bms = tonumber(before)
    bseq = 0
  end
end
local function older(id)
  if not bms then return true end
  local dash = string.find(id, '-', 1, true)
  local ms = tonumber(string.sub(id, 1, dash - 1))
  if ms ~= bms then return ms < bms end
  return tonumber(string.sub(id, dash + 1)) < bseq
end
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'stream' then
  local high = '+'
  if before ~= '' then high = '(' .. before end
  for _, row in ipairs(redis.call('XREVRANGE', KEYS[1], high, '-', 'COUNT', limit)) do
    local fields = row[2]
    if fields[1] == 'r' then
      if fields[2] ~= '' then add(fields[2]) else add(row[1]) end
    else
      out[#out + 1] = row  -- a full copy, written by the first layout
    end
  end
elseif kind == 'list' then
  local high = redis.call('LLEN', KEYS[1]) - 1
  while high >= 0 and #out < limit do
    local low = math.max(0, high - 127)
    local ids = redis.call('LRANGE', KEYS[1], low, high)
    for i = #ids, 1, -1 do
      if #out >= limit then break end
      if older(ids[i]) then add(ids[i]) end
    end
    high = low - 1
  end
elseif kind == 'string' then
  -- Read backwards in chunks. The bytes of a chunk before its first space
  -- may be the end of an id the chunk cut: they are carried over to the end
  -- of the next (earlier) chunk.
  local unread = redis.call('STRLEN', KEYS[1])
  local carry = ''
  while unread > 0 and #out < limit do
    local from = math.max(0, unread - 2048)
    local chunk = redis.call('GETRANGE', KEYS[1], from, unread - 1) .. carry
    unread = from
    carry = ''
    if unread > 0 then
      local space = string.find(chunk, ' ', 1, true)
      if space then
        carry = string.sub(chunk, 1, space - 1)
        chunk = string.sub(chunk, space + 1)
      else
        carry = chunk
        chunk = ''
      end
    end
    local ids = {}
    for token in string.gmatch(chunk, '[^ ]+') do ids[#ids + 1] = token end
    for i = #ids, 1, -1 do
      if #out >= limit then break end
      if older(ids[i]) then add(ids[i]) end
    end
  end
end
return out
)lua"));
  return *script;
}

// KEYS: the log, the dictionary's code -> word hash. ARGV: the last
// millisecond to read, limit. Returns the log's oldest entries up to that
// millisecond, oldest first, in words as QueryScript returns them.
const redis::Script& OldestScript() {
  static const redis::Script* script = new redis::Script(absl::StrCat("local dictionary = KEYS[2]\n", kDecodeLua, R"lua(
local out = {}
for _, row in ipairs(redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', tonumber(ARGV[2]))) do
  out[#out + 1] = decoded(row)
end
return out
)lua"));
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
