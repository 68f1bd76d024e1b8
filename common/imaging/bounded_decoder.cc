#include "common/imaging/bounded_decoder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace telederm::imaging {

struct BoundedDecoder::Job {
  enum class State { kQueued, kRunning, kDone, kRefused };
  std::function<void()> work;
  State state = State::kQueued;  // guarded by the decoder's mutex_
  absl::Time started;            // set with kRunning
};

BoundedDecoder::BoundedDecoder(BoundedDecoderOptions options) : options_(options) {
  const int threads = std::max(1, options_.threads);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

BoundedDecoder::~BoundedDecoder() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
    for (const std::shared_ptr<Job>& job : queue_) job->state = Job::State::kRefused;
    queue_.clear();
  }
  for (std::thread& thread : threads_) thread.join();
}

int BoundedDecoder::queued() const {
  absl::MutexLock lock(&mutex_);
  return static_cast<int>(queue_.size());
}

absl::Status BoundedDecoder::Run(std::function<void()> work) {
  auto job = std::make_shared<Job>();
  job->work = std::move(work);
  const absl::Time queued_at = absl::Now();
  absl::MutexLock lock(&mutex_);
  if (stopping_) return absl::UnavailableError("the image checker is shutting down");
  // Room: a thread is idle for this job, or the queue has a free place.
  if (static_cast<int>(queue_.size()) >= idle_ + std::max(0, options_.max_queued)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("all ", threads_.size(), " image checkers are busy and ", queue_.size(), " images wait"));
  }
  queue_.push_back(job);
  Job* j = job.get();
  auto started = [j] { return j->state != Job::State::kQueued; };
  const absl::Duration queue_wait = options_.queue_wait.value_or(options_.time_limit);
  if (!mutex_.AwaitWithDeadline(absl::Condition(&started), queued_at + queue_wait)) {
    queue_.erase(std::find(queue_.begin(), queue_.end(), job));
    return absl::ResourceExhaustedError(
        absl::StrCat("no image checker was free within ", absl::FormatDuration(queue_wait)));
  }
  if (j->state == Job::State::kRefused) return absl::UnavailableError("the image checker is shutting down");
  auto done = [j] { return j->state == Job::State::kDone; };
  if (!mutex_.AwaitWithDeadline(absl::Condition(&done), j->started + options_.time_limit)) {
    // Abandoned: the thread finishes it and drops it; `job` owns what it uses.
    return absl::DeadlineExceededError(
        absl::StrCat("the image was not checked within ", absl::FormatDuration(options_.time_limit)));
  }
  return absl::OkStatus();
}

void BoundedDecoder::Work() {
  std::shared_ptr<Job> finished;
  for (;;) {
    std::shared_ptr<Job> job;
    {
      absl::MutexLock lock(&mutex_);
      // Done and idle again in one step: a caller that sends its next image as
      // soon as this one is done finds the thread free, not "busy".
      if (finished != nullptr) finished->state = Job::State::kDone;
      finished.reset();
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stopping_ || !queue_.empty(); };
      ++idle_;
      mutex_.Await(absl::Condition(&ready));
      --idle_;
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
      job->state = Job::State::kRunning;
      job->started = absl::Now();
    }
    job->work();
    job->work = nullptr;  // frees what it held (an image's bytes) before the caller wakes
    finished = std::move(job);
  }
}

}  // namespace telederm::imaging
