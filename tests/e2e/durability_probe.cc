#include "tests/e2e/durability_probe.h"

#include "absl/strings/str_cat.h"

namespace telederm::testing {
namespace {

std::string CounterKey(int epoch) { return absl::StrCat("chaos:probe:", epoch); }

}  // namespace

DurabilityProbe::DurabilityProbe(std::shared_ptr<redis::Client> redis, absl::Duration interval)
    : redis_(std::move(redis)), interval_(interval), thread_([this] { Run(); }) {}

DurabilityProbe::~DurabilityProbe() { Stop(); }

void DurabilityProbe::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void DurabilityProbe::Run() {
  while (!stop_) {
    const int epoch = epoch_.load();
    Attempt attempt{absl::Now(), 0};
    absl::StatusOr<redis::Reply> reply = redis_->Command({"INCR", CounterKey(epoch)});
    if (reply.ok() && reply->IsInteger()) attempt.value = reply->integer;
    {
      absl::MutexLock lock(&mutex_);
      if (attempts_.size() <= static_cast<size_t>(epoch)) attempts_.resize(epoch + 1);
      attempts_[epoch].push_back(attempt);
    }
    absl::SleepFor(interval_);
  }
}

void DurabilityProbe::BeforeKill() {
  absl::MutexLock lock(&mutex_);
  killed_epoch_ = epoch_.fetch_add(1);
}

absl::Status DurabilityProbe::AfterRestart(absl::Time killed) {
  int epoch = -1;
  {
    absl::MutexLock lock(&mutex_);
    epoch = killed_epoch_;
  }
  if (epoch < 0) return absl::FailedPreconditionError("AfterRestart without BeforeKill");
  absl::StatusOr<redis::Reply> counter = absl::UnavailableError("not read yet");
  for (const absl::Time give_up = absl::Now() + absl::Seconds(30); absl::Now() < give_up;
       absl::SleepFor(absl::Milliseconds(50))) {
    counter = redis_->Command({"GET", CounterKey(epoch)});
    if (counter.ok()) break;
  }
  if (!counter.ok()) return counter.status();
  Kill kill;
  kill.killed = killed;
  kill.survived = counter->AsOptionalInteger().value_or(0);

  absl::MutexLock lock(&mutex_);
  kill.index = static_cast<int>(kills_.size()) + 1;
  if (attempts_.size() <= static_cast<size_t>(epoch)) attempts_.resize(epoch + 1);
  const std::vector<Attempt>& attempts = attempts_[epoch];
  // The window opens at the first increment sent after the last one that
  // survived (or, if none survived, at the first one acknowledged).
  std::optional<size_t> last_survivor;
  std::optional<size_t> first_acknowledged;
  for (size_t i = 0; i < attempts.size(); ++i) {
    if (attempts[i].value == 0) continue;
    ++kill.acknowledged;
    if (!first_acknowledged.has_value()) first_acknowledged = i;
    if (attempts[i].value <= kill.survived) last_survivor = i;
  }
  kill.window_start = killed;
  if (last_survivor.has_value() && *last_survivor + 1 < attempts.size()) {
    kill.window_start = attempts[*last_survivor + 1].sent;
  } else if (!last_survivor.has_value() && first_acknowledged.has_value()) {
    kill.window_start = attempts[*first_acknowledged].sent;
  }
  kills_.push_back(kill);
  return absl::OkStatus();
}

std::vector<DurabilityProbe::Kill> DurabilityProbe::kills() const {
  absl::MutexLock lock(&mutex_);
  return kills_;
}

int64_t DurabilityProbe::lost() const {
  absl::MutexLock lock(&mutex_);
  int64_t lost = 0;
  for (const Kill& kill : kills_) lost += kill.lost();
  return lost;
}

std::optional<DurabilityProbe::Kill> DurabilityProbe::LossWindowHolding(absl::Time t) const {
  absl::MutexLock lock(&mutex_);
  for (const Kill& kill : kills_) {
    if (kill.window_start <= t && t <= kill.killed) return kill;
  }
  return std::nullopt;
}

}  // namespace telederm::testing
