#ifndef TELEDERM_COMMON_AUDIT_AUDIT_LOG_H_
#define TELEDERM_COMMON_AUDIT_AUDIT_LOG_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/client.h"

namespace telederm::audit {

// One access to patient data, allowed or refused.
struct AuditEntry {
  std::string id;                     // stream id in the log; set by Append / the queries
  absl::Time at;
  std::string subject;                // who (token subject), or "-" when no valid token was shown
  std::string role;                   // "clinic", "specialist", ... or "-"
  std::string scope;                  // a clinic token's clinic id, a specialist token's pools
  std::string action;                 // the RPC, e.g. "IntakeService/GetCase"
  std::vector<std::string> case_ids;  // which cases, when known (at most kMaxCasesPerEntry)
  std::string peer;                   // from where: address and/or client certificate subject
  std::string outcome;                // "OK" or the gRPC status code name, e.g. "PERMISSION_DENIED"
  std::string detail;                 // why it was refused, or an administrator's stated reason
};

inline constexpr size_t kMaxCasesPerEntry = 500;

// The append-only audit trail in Redis: the log stream keys::kAuditLog holds
// each entry once; two indexes hold its id, by user (keys::AuditByUser, a
// stream whose entry ids are the log's) and by case (keys::AuditByCase, a
// string of log ids grown by APPEND; indexes of earlier layouts, a list or a
// stream, stay readable and keep growing), all written by one Lua script in
// one round trip. Nothing here (and nothing in the API) edits or deletes an
// entry; only AuditRetention (audit_retention.h) removes the oldest, after
// archiving them. The services' Redis ACL users may only append to and read
// these keys, and the referral service's trim them (deploy/redis/users.acl).
// Thread-safe.
class AuditLog {
 public:
  explicit AuditLog(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

  // Appends `entry` (its id is ignored) and returns the new id.
  absl::StatusOr<std::string> Append(const AuditEntry& entry);
  // Appends each entry, in order, in one round trip; each its own id or error.
  // The outer status is a transport failure (then it is unknown which were stored).
  absl::StatusOr<std::vector<absl::StatusOr<std::string>>> AppendAll(const std::vector<AuditEntry>& entries);

  // Newest first, at most `limit` (1..1000), older than `before_id` when set.
  absl::StatusOr<std::vector<AuditEntry>> ByCase(absl::string_view case_id, int limit,
                                                 absl::string_view before_id = "");
  absl::StatusOr<std::vector<AuditEntry>> ByUser(absl::string_view subject, int limit,
                                                 absl::string_view before_id = "");
  // The log's oldest entries stored before `before` (by their ids' time), oldest first, at most `limit`.
  absl::StatusOr<std::vector<AuditEntry>> Oldest(absl::Time before, int limit);

 private:
  absl::StatusOr<std::vector<AuditEntry>> Query(const std::string& key, int limit, absl::string_view before_id);
  // The append script's call for `entry`, with the codes believed for its words.
  redis::Client::ScriptCall AppendCall(const AuditEntry& entry);
  // Remembers the codes a compact append reported for its words.
  void LearnCodes(const redis::Client::ScriptCall& call, const absl::StatusOr<redis::Reply>& reply);

  static constexpr size_t kMaxKnownCodes = 10000;
  std::shared_ptr<redis::Client> redis_;
  // Word -> code of the dictionary, as learned from appends. Only a belief: the
  // script checks each code it is given before using it, so it saves the
  // word's lookup, never decides what is stored.
  absl::Mutex codes_mutex_;
  absl::flat_hash_map<std::string, std::string> codes_ ABSL_GUARDED_BY(codes_mutex_);
};

// Appends entries on a background thread, so that a gRPC reaction never waits
// for Redis. Whatever has queued up while the thread was busy goes in one
// round trip (AppendAll): a busy service writes its entries in batches rather
// than one round trip each. Bounded: beyond `max_pending` entries in flight,
// an entry is not queued but logged as an error and counted in dropped().
// Entries that fail to append are logged with their content. The destructor
// writes every open stream entry and waits for the queue. Thread-safe.
//
// A server stream's messages are audited coalesced: OpenStream gives a handle
// whose AddStreamCases gathers the cases sent into one open entry, kept only
// in memory. It is queued (and from then on never changed) when it holds
// kMaxCasesPerEntry cases, `max_open` after its first case was added (the
// writer's thread sees to that, so an idle stream holds nothing back), or at
// CloseStream or Flush, whichever comes first; the next case starts a new one.
class AuditWriter {
 public:
  using StreamId = int64_t;

  explicit AuditWriter(std::shared_ptr<AuditLog> log, int max_pending = 10000,
                       absl::Duration max_open = absl::Seconds(1));
  ~AuditWriter();

  void Write(AuditEntry entry);

  // `entry` gives every field of the stream's entries but `at` (the time its
  // first case is added) and `case_ids`.
  StreamId OpenStream(AuditEntry entry);
  void AddStreamCases(StreamId stream, const std::set<std::string>& cases, absl::Time at);
  // Queues the stream's open entry, if it holds any case, and forgets the stream.
  void CloseStream(StreamId stream);

  // Queues every open stream entry that holds cases, then waits until every
  // entry written so far is appended (tests, shutdown).
  void Flush();
  int64_t dropped() const { return dropped_.load(); }
  AuditLog& log() { return *log_; }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct OpenEntry {
    AuditEntry entry;             // case_ids empty until the entry is queued
    std::set<std::string> cases;  // gathered so far; empty = nothing to write
    SteadyTime due;               // when it must be queued, set by its first case
  };

  // Queues `entry` unless `max_pending` are in flight; true when a Drain must be posted.
  bool QueueLocked(AuditEntry entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Queues `open`'s gathered cases as one entry and empties it.
  bool QueueOpenLocked(OpenEntry& open) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void PostDrain();
  // Appends up to kMaxBatch entries of `queued_`, oldest first; runs on `thread_`.
  void Drain();
  // Queues the open entries that are due and waits for the next; runs on `thread_`.
  void ArmTimer(SteadyTime at);
  void OnTimer();

  std::shared_ptr<AuditLog> log_;
  const int max_pending_;
  const std::chrono::steady_clock::duration max_open_;

  // One round trip's worth: Redis runs a batch's scripts back to back, so a
  // bound keeps a backlog from holding up everybody else's commands.
  static constexpr size_t kMaxBatch = 64;

  std::atomic<int> pending_{0};
  std::atomic<int64_t> dropped_{0};
  absl::Mutex mutex_;
  std::deque<AuditEntry> queued_ ABSL_GUARDED_BY(mutex_);
  bool drain_posted_ ABSL_GUARDED_BY(mutex_) = false;  // a Drain is posted and more will follow if needed
  int64_t queued_total_ ABSL_GUARDED_BY(mutex_) = 0;   // entries ever queued
  int64_t done_total_ ABSL_GUARDED_BY(mutex_) = 0;     // of those, appended or given up (in order)
  absl::flat_hash_map<StreamId, OpenEntry> open_ ABSL_GUARDED_BY(mutex_);
  StreamId next_stream_ ABSL_GUARDED_BY(mutex_) = 0;
  bool timer_armed_ ABSL_GUARDED_BY(mutex_) = false;  // a timer wait (or its arming) is pending
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  boost::asio::thread_pool thread_{1};
  boost::asio::steady_timer timer_{thread_};  // used only on `thread_`
};

}  // namespace telederm::audit

#endif  // TELEDERM_COMMON_AUDIT_AUDIT_LOG_H_
