#ifndef TELEDERM_COMMON_STREAM_WORKER_STREAM_WORKER_H_
#define TELEDERM_COMMON_STREAM_WORKER_STREAM_WORKER_H_

#include <atomic>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/stream.h"
#include "common/stream_worker/dead_letters.h"

namespace telederm {

struct StreamWorkerOptions {
  int batch = 16;
  absl::Duration block = absl::Seconds(1);          // how long one read waits for new entries
  absl::Duration reclaim_idle = absl::Seconds(30);  // pending this long: its consumer is presumed dead
  absl::Duration reclaim_every = absl::Seconds(5);
  absl::Duration retry_after_error = absl::Milliseconds(500);
  // How often the worker deletes the stream entries every group has acked
  // (StreamConsumer::TrimAcknowledged), checked after each poll; the first
  // poll trims. Zero: never.
  absl::Duration trim_every = absl::Seconds(10);
  // When an entry that keeps failing goes to the dead-letter stream, and what
  // the service does first to put its case in front of a human.
  DeadLetterOptions dead_letters;
};

// Delivers a stream's entries to a handler, at least once: an entry is acked
// only after the handler returned OK (its effect is stored). An entry whose
// handler failed stays pending and is retried once it has been idle for
// `reclaim_idle`, as are the entries of consumers that died. Handlers must
// therefore be idempotent. An entry that keeps failing is moved to the
// dead-letter stream (DeadLetterOptions) after options.dead_letters.on_dead_letter
// has surfaced its case, so nothing is retried forever or dropped silently.
//
// The entries of one batch that were handled are acked together, in one XACK
// after the whole batch; a crash before it only means they are delivered again.
//
// Thread-compatible: PollOnce/ReclaimOnce are for one thread (tests call them
// directly); Start runs them on an io_context until Stop.
class StreamWorker {
 public:
  using Handler = std::function<absl::Status(const redis::StreamEntry&)>;
  // Handles a batch of entries at once (to share Redis round trips between
  // them); returns one status per entry, in the same order, with the meaning
  // of Handler's. The entries are in stream order.
  using BatchHandler = std::function<std::vector<absl::Status>(const std::vector<redis::StreamEntry>&)>;

  StreamWorker(std::unique_ptr<redis::StreamConsumer> consumer, Handler handler, StreamWorkerOptions options);
  StreamWorker(std::unique_ptr<redis::StreamConsumer> consumer, BatchHandler handler, StreamWorkerOptions options);

  // Creates the group if needed and handles this consumer's own pending
  // entries (left by an earlier run under the same name).
  absl::Status Recover();
  // Reads and handles one batch of new entries, waiting up to `block`. Returns how many were acked.
  absl::StatusOr<int> PollOnce(absl::Duration block);
  // Takes over entries idle longer than `reclaim_idle` and handles them. Returns how many were acked.
  absl::StatusOr<int> ReclaimOnce();
  // Deletes the stream's entries that every group has acked. Returns how many went.
  absl::StatusOr<long long> TrimOnce();

  // Polls and reclaims on `io` until Stop(). `io` must outlive the worker's run.
  void Start(boost::asio::io_context& io);
  // Lets the handler in progress finish, then stops: pending timers are
  // cancelled so the io_context runs out of work. Safe from any thread.
  void Stop();

  const redis::StreamConsumer& consumer() const { return *consumer_; }

 private:
  // `redelivered`: the entries may have been delivered before (own pending,
  // reclaimed), so their delivery count is checked before handling.
  int HandleAll(const std::vector<redis::StreamEntry>& entries, bool redelivered);
  void SchedulePoll(boost::asio::io_context& io, absl::Duration delay);
  void ScheduleReclaim(boost::asio::io_context& io);

  std::unique_ptr<redis::StreamConsumer> consumer_;
  BatchHandler handler_;
  const StreamWorkerOptions options_;
  DeadLetterPolicy dead_letters_;
  std::atomic<bool> stopping_{false};
  bool recovered_ = false;  // Recover() done; touched only by the io_context thread
  absl::Time last_trim_ = absl::InfinitePast();  // touched only by the io_context thread
  boost::asio::io_context* io_ = nullptr;
  std::unique_ptr<boost::asio::steady_timer> poll_timer_;
  std::unique_ptr<boost::asio::steady_timer> reclaim_timer_;
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_STREAM_WORKER_STREAM_WORKER_H_
