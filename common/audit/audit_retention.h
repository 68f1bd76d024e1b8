#ifndef TELEDERM_COMMON_AUDIT_AUDIT_RETENTION_H_
#define TELEDERM_COMMON_AUDIT_AUDIT_RETENTION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/audit/audit_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"

namespace telederm::audit {

struct RetentionOptions {
  // How long an audit entry stays in Redis (by its id's time); zero keeps every entry for good.
  absl::Duration keep = absl::Hours(24 * 2557);  // seven years
  // Where removed entries are archived first; required when `keep` is not zero.
  std::string archive_dir;
  // How often RunIfDue makes a pass.
  absl::Duration every = absl::Minutes(10);
  // Entries archived and removed per step of a pass.
  int batch = 1000;
};

// "400d", "72h", "30m" (absl durations, and whole days with "d"); "0" keeps
// everything. INVALID_ARGUMENT naming --audit_retention otherwise.
absl::StatusOr<absl::Duration> ParseRetention(absl::string_view text);

// Removes audit entries older than the retention from Redis, each only after
// it is safely archived. A pass reads the log's oldest entries (AuditLog::
// Oldest) in batches; each batch is appended to the day's archive file in
// `archive_dir` (audit-YYYY-MM-DD.jsonl, by the day of the pass, UTC; one JSON
// object a line: id, at_ms, at, subject, role, scope, action, cases, peer,
// outcome, detail), the file is fsynced, and only then is the batch trimmed
// from the log (XTRIM MINID just past its last id). Then every user index
// stream is trimmed to the same point. A crash between the fsync and the
// trim archives that batch twice (the ids tell the copies apart); nothing is
// removed that is not archived. Case indexes (strings of ids) are not
// rewritten: the ids of removed entries stay in them and the queries skip them.
//
// One process per deployment should run it (two would archive a batch twice,
// each in its own directory). Not thread-safe: one thread calls it.
class AuditRetention {
 public:
  // INVALID_ARGUMENT when `keep` is negative, or not zero without an
  // `archive_dir` that is a writable directory.
  static absl::StatusOr<std::unique_ptr<AuditRetention>> Create(std::shared_ptr<redis::Client> redis, ClockPtr clock,
                                                                RetentionOptions options);

  struct Pass {
    int64_t archived = 0;        // entries archived and removed from the log
    int64_t user_indexes = 0;    // user index streams trimmed
    std::string archive_file;    // where they went; empty when none was due
  };
  // One pass now. An error stops the pass; what was archived before it stays
  // removed. FAILED_PRECONDITION, with nothing archived, when this Redis user
  // may not trim the audit log or the archive cannot be written.
  absl::StatusOr<Pass> TrimOnce();
  // A pass when `every` has gone by since the last (the first call makes one);
  // errors and what a pass removed are logged.
  void RunIfDue();

 private:
  AuditRetention(std::shared_ptr<redis::Client> redis, ClockPtr clock, RetentionOptions options);
  absl::Status TrimUserIndexes(const std::string& min_id, Pass& pass);

  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  const RetentionOptions options_;
  AuditLog log_;
  absl::Time next_pass_ = absl::InfinitePast();
};

// The retention --audit_retention and --audit_archive_dir ask for; null when
// this process removes nothing (a retention of 0, or no archive directory).
// It talks to the Redis of `redis_options` as --audit_redis_user when given
// (the services' own users may not trim the audit trail). INVALID_ARGUMENT
// naming the flag when one is wrong.
absl::StatusOr<std::unique_ptr<AuditRetention>> AuditRetentionFromFlags(redis::ClientOptions redis_options,
                                                                        ClockPtr clock);

}  // namespace telederm::audit

#endif  // TELEDERM_COMMON_AUDIT_AUDIT_RETENTION_H_
