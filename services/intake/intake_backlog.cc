#include "services/intake/intake_backlog.h"

#include "common/case_store/keys.h"

namespace telederm::intake {

IntakeBacklog::IntakeBacklog(std::shared_ptr<redis::Client> redis, ClockPtr clock, absl::Duration refresh)
    : redis_(std::move(redis)), clock_(std::move(clock)), refresh_(refresh) {}

absl::StatusOr<int64_t> IntakeBacklog::Current() {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mutex_);
    if (now - read_at_ < refresh_) return last_;
  }
  absl::StatusOr<int64_t> backlog = Read();
  if (!backlog.ok()) return backlog.status();
  absl::MutexLock lock(&mutex_);
  last_ = *backlog;
  read_at_ = now;
  return last_;
}

absl::StatusOr<int64_t> IntakeBacklog::Read() {
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies =
      redis_->Pipeline({{"XLEN", keys::kIntakeStream}, {"XINFO", "GROUPS", keys::kIntakeStream}});
  if (!replies.ok()) return replies.status();
  if (!(*replies)[0].ok()) return (*replies)[0].status();
  const int64_t length = (*replies)[0]->integer;
  // No stream yet (XINFO fails), or no triage group yet: every entry waits.
  if (!(*replies)[1].ok()) return length;
  for (const redis::Reply& group : (*replies)[1]->elements) {
    std::string name;
    std::optional<int64_t> pending, lag;
    for (size_t i = 0; i + 1 < group.elements.size(); i += 2) {
      const std::string& field = group.elements[i].str;
      const redis::Reply& value = group.elements[i + 1];
      if (field == "name") name = value.str;
      if (field == "pending") pending = value.AsOptionalInteger();
      if (field == "lag") lag = value.AsOptionalInteger();
    }
    if (name != keys::kTriageGroup) continue;
    // Redis cannot always tell the lag (after deletions); the stream length bounds it.
    return pending.value_or(0) + lag.value_or(length);
  }
  return length;
}

}  // namespace telederm::intake
