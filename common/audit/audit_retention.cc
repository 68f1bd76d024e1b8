#include "common/audit/audit_retention.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/case_store/keys.h"
#include "common/config/server_config.h"
#include "common/logging/log.h"

ABSL_FLAG(std::string, audit_retention, "2557d",
          "how long audit entries stay in Redis (e.g. 2557d, seven years; 0 keeps them for good); older ones are "
          "archived to --audit_archive_dir, then removed");
ABSL_FLAG(std::string, audit_archive_dir, "",
          "directory the audit entries past --audit_retention are archived to before they are removed (JSON lines, "
          "fsynced); without it this process removes none. Give it to one process of the deployment");
ABSL_FLAG(std::string, audit_redis_user, "",
          "Redis ACL user that archives and trims the audit trail (deploy/redis/users.acl: auditretention); "
          "empty: this service's own (env TELEDERM_AUDIT_REDIS_USER)");
ABSL_FLAG(std::string, audit_redis_password_file, "",
          "file holding --audit_redis_user's password (env TELEDERM_AUDIT_REDIS_PASSWORD_FILE)");

namespace telederm::audit {
namespace {

// The id just after `id` ("ms-seq"): XTRIM MINID with it removes `id` and everything before.
std::string NextId(const std::string& id) {
  const size_t dash = id.find('-');
  uint64_t seq = 0;
  if (dash == std::string::npos || !absl::SimpleAtoi(id.substr(dash + 1), &seq)) return id;
  return absl::StrCat(id.substr(0, dash), "-", seq + 1);
}

std::string ArchiveLine(const AuditEntry& entry) {
  nlohmann::json line = {{"id", entry.id},
                         {"at_ms", absl::ToUnixMillis(entry.at)},
                         {"at", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", entry.at, absl::UTCTimeZone())},
                         {"subject", entry.subject},
                         {"role", entry.role},
                         {"scope", entry.scope},
                         {"action", entry.action},
                         {"cases", entry.case_ids},
                         {"peer", entry.peer},
                         {"outcome", entry.outcome},
                         {"detail", entry.detail}};
  // Invalid UTF-8 (a header a client sent) is replaced, not refused: the entry must be archived.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

absl::Status ArchiveError(const std::string& path, const char* what) {
  return absl::FailedPreconditionError(
      absl::StrCat("audit archive ", path, ": ", what, " failed (", std::strerror(errno), "); nothing was removed"));
}

// Appends `entries` to `path` and fsyncs it (and, when it is new, its directory).
absl::Status AppendDurably(const std::string& dir, const std::string& path, const std::vector<AuditEntry>& entries) {
  std::string text;
  for (const AuditEntry& entry : entries) text += ArchiveLine(entry);
  const bool existed = access(path.c_str(), F_OK) == 0;
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ArchiveError(path, "open");
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return ArchiveError(path, "write");
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    close(fd);
    return ArchiveError(path, "fsync");
  }
  if (close(fd) != 0) return ArchiveError(path, "close");
  if (!existed) {
    const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return ArchiveError(dir, "open");
    const bool synced = fsync(dir_fd) == 0;
    close(dir_fd);
    if (!synced) return ArchiveError(dir, "fsync");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::Duration> ParseRetention(absl::string_view text) {
  absl::Duration keep = absl::ZeroDuration();
  bool parsed = text == "0";
  if (absl::string_view days = text; !parsed && absl::ConsumeSuffix(&days, "d")) {
    int64_t count = 0;
    parsed = absl::SimpleAtoi(days, &count);
    keep = absl::Hours(24) * count;
  } else if (!parsed) {
    parsed = absl::ParseDuration(text, &keep);
  }
  if (!parsed || keep < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--audit_retention: '", text, "' is not a duration such as 2557d, 72h or 0 (keep for good)"));
  }
  return keep;
}

absl::StatusOr<std::unique_ptr<AuditRetention>> AuditRetention::Create(std::shared_ptr<redis::Client> redis,
                                                                       ClockPtr clock, RetentionOptions options) {
  if (options.keep < absl::ZeroDuration()) return absl::InvalidArgumentError("--audit_retention: must not be negative");
  if (options.keep > absl::ZeroDuration()) {
    if (options.archive_dir.empty()) {
      return absl::InvalidArgumentError(
          "--audit_archive_dir: audit entries are archived there before they are removed; give a writable "
          "directory, or --audit_retention=0 to keep every entry in Redis");
    }
    struct stat info;
    if (stat(options.archive_dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
        access(options.archive_dir.c_str(), W_OK) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--audit_archive_dir: ", options.archive_dir, " is not a writable directory"));
    }
  }
  if (options.batch < 1) return absl::InvalidArgumentError("audit retention batch: must be at least 1");
  return std::unique_ptr<AuditRetention>(new AuditRetention(std::move(redis), std::move(clock), std::move(options)));
}

AuditRetention::AuditRetention(std::shared_ptr<redis::Client> redis, ClockPtr clock, RetentionOptions options)
    : redis_(redis), clock_(std::move(clock)), options_(std::move(options)), log_(std::move(redis)) {}

absl::StatusOr<AuditRetention::Pass> AuditRetention::TrimOnce() {
  Pass pass;
  if (options_.keep == absl::ZeroDuration()) return pass;
  const absl::Time now = clock_->Now();
  const absl::Time cutoff = now - options_.keep;
  // Whether this Redis user may trim the log, before anything is archived:
  // a MINID of 0-1 removes nothing.
  if (absl::StatusOr<redis::Reply> probe = redis_->Command({"XTRIM", keys::kAuditLog, "MINID", "0-1"}); !probe.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot trim the audit log (", probe.status().message(),
        "): run retention as the Redis user auditretention of deploy/redis/users.acl (--audit_redis_user)"));
  }
  pass.archive_file =
      absl::StrCat(options_.archive_dir, "/audit-", absl::FormatTime("%Y-%m-%d", now, absl::UTCTimeZone()), ".jsonl");
  while (true) {
    absl::StatusOr<std::vector<AuditEntry>> oldest = log_.Oldest(cutoff, options_.batch);
    if (!oldest.ok()) return oldest.status();
    if (oldest->empty()) break;
    if (absl::Status archived = AppendDurably(options_.archive_dir, pass.archive_file, *oldest); !archived.ok()) {
      return archived;
    }
    absl::StatusOr<redis::Reply> trimmed =
        redis_->Command({"XTRIM", keys::kAuditLog, "MINID", NextId(oldest->back().id)});
    if (!trimmed.ok()) return trimmed.status();
    pass.archived += static_cast<int64_t>(oldest->size());
    if (static_cast<int>(oldest->size()) < options_.batch) break;
  }
  if (pass.archived == 0) pass.archive_file.clear();
  // Everything of the log before the cut-off is archived and gone: the user
  // indexes go to the same point.
  if (absl::Status indexes = TrimUserIndexes(absl::StrCat(absl::ToUnixMillis(cutoff), "-0"), pass); !indexes.ok()) {
    return indexes;
  }
  return pass;
}

absl::Status AuditRetention::TrimUserIndexes(const std::string& min_id, Pass& pass) {
  std::string cursor = "0";
  do {
    absl::StatusOr<redis::Reply> page =
        redis_->Command({"SCAN", cursor, "MATCH", keys::AuditByUser("*"), "COUNT", "1000", "TYPE", "stream"});
    if (!page.ok()) return page.status();
    if (page->elements.size() != 2) return absl::InternalError("audit retention: SCAN answered oddly");
    cursor = page->elements[0].str;
    std::vector<std::vector<std::string>> trims;
    for (const redis::Reply& key : page->elements[1].elements) trims.push_back({"XTRIM", key.str, "MINID", min_id});
    if (trims.empty()) continue;
    absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(trims);
    if (!replies.ok()) return replies.status();
    for (const absl::StatusOr<redis::Reply>& reply : *replies) {
      if (!reply.ok()) return reply.status();
    }
    pass.user_indexes += static_cast<int64_t>(trims.size());
  } while (cursor != "0");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<AuditRetention>> AuditRetentionFromFlags(redis::ClientOptions redis_options,
                                                                        ClockPtr clock) {
  absl::StatusOr<absl::Duration> keep = ParseRetention(absl::GetFlag(FLAGS_audit_retention));
  if (!keep.ok()) return keep.status();
  const std::string dir = absl::GetFlag(FLAGS_audit_archive_dir);
  if (*keep == absl::ZeroDuration()) return nullptr;
  if (dir.empty()) {
    LogInfo(absl::StrCat("audit retention (", absl::GetFlag(FLAGS_audit_retention),
                         ") is applied by the process given --audit_archive_dir, not this one"));
    return nullptr;
  }
  if (std::string user = FlagOrEnv(absl::GetFlag(FLAGS_audit_redis_user), "TELEDERM_AUDIT_REDIS_USER", "");
      !user.empty()) {
    const std::string password_file = FlagOrEnv(absl::GetFlag(FLAGS_audit_redis_password_file),
                                                "TELEDERM_AUDIT_REDIS_PASSWORD_FILE", "");
    std::ifstream in(password_file);
    std::string password;
    if (!std::getline(in, password)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--audit_redis_password_file: cannot read '", password_file, "' (--audit_redis_user's password)"));
    }
    redis_options.username = std::move(user);
    redis_options.password = std::move(password);
  }
  redis_options.pool_size = 1;
  return AuditRetention::Create(redis::Client::Create(redis_options), std::move(clock),
                                {.keep = *keep, .archive_dir = dir});
}

void AuditRetention::RunIfDue() {
  const absl::Time now = clock_->Now();
  if (now < next_pass_) return;
  next_pass_ = now + options_.every;
  absl::StatusOr<Pass> pass = TrimOnce();
  if (!pass.ok()) {
    LogError(absl::StrCat("audit retention: ", pass.status().message()));
  } else if (pass->archived > 0) {
    LogInfo(absl::StrCat("audit retention: archived ", pass->archived, " entries older than ",
                         absl::FormatDuration(options_.keep), " to ", pass->archive_file, " and removed them"));
  }
}

}  // namespace telederm::audit
