// Image decoding and analysis of untrusted uploads, in a step whose cost is
// bounded: a fixed number of threads, a bounded queue, and a wall-clock limit
// per job.
//
// A decoder cannot be interrupted safely, so a job that overruns its limit is
// abandoned, not killed: its caller is answered at once and the job runs on to
// its end on its thread, its result dropped. Because the threads are fixed,
// abandoned jobs can never be more than `threads`; while they run, new jobs
// queue (at most `max_queued`) and beyond that are refused. Memory and CPU
// spent on images are therefore capped by the options, whatever clients send.
#ifndef TELEDERM_COMMON_IMAGING_BOUNDED_DECODER_H_
#define TELEDERM_COMMON_IMAGING_BOUNDED_DECODER_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace telederm::imaging {

struct BoundedDecoderOptions {
  int threads = 2;      // jobs running at once, abandoned ones included
  int max_queued = 8;   // jobs waiting for a busy thread; beyond: RESOURCE_EXHAUSTED
  // Per job, from the moment a thread starts it.
  absl::Duration time_limit = absl::Seconds(10);
  // The longest a job may wait for a thread before it is refused as
  // RESOURCE_EXHAUSTED; unset: time_limit.
  std::optional<absl::Duration> queue_wait;
};

// Thread-safe. The destructor refuses queued jobs (their callers get
// UNAVAILABLE) and joins the threads, so it waits for running jobs to end.
class BoundedDecoder {
 public:
  explicit BoundedDecoder(BoundedDecoderOptions options);
  ~BoundedDecoder();
  BoundedDecoder(const BoundedDecoder&) = delete;
  BoundedDecoder& operator=(const BoundedDecoder&) = delete;

  // Runs `job` on one of the threads and waits for it. OK when it finished
  // within the limit (whatever it wrote is then visible to the caller);
  // RESOURCE_EXHAUSTED when the queue is full or the job could not start
  // within queue_wait (it never runs); DEADLINE_EXCEEDED when it ran longer
  // than time_limit (it may still be running: `job` must own what it uses).
  // The messages say what happened, not what the clinic should do: callers
  // know what the job was.
  absl::Status Run(std::function<void()> job);

  const BoundedDecoderOptions& options() const { return options_; }
  // Jobs waiting for a thread now; for tests and metrics.
  int queued() const;

 private:
  struct Job;
  void Work();

  const BoundedDecoderOptions options_;
  mutable absl::Mutex mutex_;
  std::deque<std::shared_ptr<Job>> queue_ ABSL_GUARDED_BY(mutex_);
  int idle_ ABSL_GUARDED_BY(mutex_) = 0;  // threads waiting for a job
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_BOUNDED_DECODER_H_
