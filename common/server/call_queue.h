#ifndef TELEDERM_COMMON_SERVER_CALL_QUEUE_H_
#define TELEDERM_COMMON_SERVER_CALL_QUEUE_H_

#include <atomic>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/status/grpc_status.h"

namespace telederm {

// A thread pool that takes at most `max_queued` calls at once (waiting or
// running), so a service under overload answers RESOURCE_EXHAUSTED at once
// instead of queueing without bound. Thread-safe. The destructor waits for
// the work in hand.
class CallQueue {
 public:
  CallQueue(int threads, int max_queued) : pool_(threads), max_queued_(max_queued) {}
  ~CallQueue() { pool_.join(); }

  // Runs `work` on the pool, or returns false at once when the queue is full.
  template <typename Work>
  bool TryPost(Work work) {
    if (queued_.fetch_add(1) >= max_queued_) {
      queued_.fetch_sub(1);
      return false;
    }
    boost::asio::post(pool_, [this, work = std::move(work)]() mutable {
      work();
      queued_.fetch_sub(1);
    });
    return true;
  }

  int queued() const { return queued_.load(); }
  int max_queued() const { return max_queued_; }
  // For work that must not be refused (a call already accepted, e.g. the
  // next step of a streaming call).
  boost::asio::thread_pool& pool() { return pool_; }
  void Join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
  const int max_queued_;
  std::atomic<int> queued_{0};
};

// Counts long-lived calls (server streams such as a queue watch) open at
// once: at most `max_open` in all, so that watchers cannot pile up on a fixed
// set of reader threads, and at most `max_per_caller` of any one caller, so
// that one clinic or one specialist cannot take every slot. `calls` names them
// in refusals ("event watches"). Thread-safe.
class OpenCallLimit {
 public:
  OpenCallLimit(std::string calls, int max_open, int max_per_caller)
      : calls_(std::move(calls)), max_open_(max_open), max_per_caller_(max_per_caller) {}

  // Counts one more open call of `caller` (the caller's id), or refuses it
  // with RESOURCE_EXHAUSTED: when all `max_open` are open, with RefuseBusy's
  // retry hint (added to `context`); when `caller` already has
  // `max_per_caller` open, saying to close one of them (waiting does not help).
  absl::Status TryOpen(grpc::CallbackServerContext* context, absl::string_view caller);
  // For a call TryOpen admitted for `caller`, when it is done.
  void Close(absl::string_view caller);

  int open() const;
  int max_open() const { return max_open_; }

 private:
  const std::string calls_;
  const int max_open_;
  const int max_per_caller_;
  mutable absl::Mutex mutex_;
  int open_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::flat_hash_map<std::string, int> open_by_caller_ ABSL_GUARDED_BY(mutex_);  // only callers with one open
};

// Trailing metadata that tells a client refused with RESOURCE_EXHAUSTED or
// UNAVAILABLE when to try again, in milliseconds. kRetryPushbackMsTrailer is
// gRPC's own name, which a channel with a retry policy honours by itself.
inline constexpr char kRetryAfterMsTrailer[] = "retry-after-ms";
inline constexpr char kRetryPushbackMsTrailer[] = "grpc-retry-pushback-ms";
// How long a client refused because a service is busy should wait.
inline constexpr absl::Duration kBusyRetryAfter = absl::Seconds(1);

// Adds both retry trailers to `context`, saying `retry_after` in milliseconds:
// every refusal that tells a client when to come back sends both.
void AddRetryTrailers(grpc::CallbackServerContext* context, absl::Duration retry_after);

// Refuses a call because `what` is full: RESOURCE_EXHAUSTED whose message
// says how many seconds to wait, with the same hint in both retry trailers.
// Adds the trailers to `context`; returns the status to finish the call with.
absl::Status RefuseBusy(grpc::CallbackServerContext* context, absl::string_view what,
                        absl::Duration retry_after = kBusyRetryAfter);

// As RunOnExecutor (unary.h), on a CallQueue: when the queue is full the call
// is refused with RESOURCE_EXHAUSTED and a retry hint (RefuseBusy).
template <typename Work>
grpc::ServerUnaryReactor* RunQueued(grpc::CallbackServerContext* context, CallQueue& queue, Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!queue.TryPost([reactor, work = std::move(work)]() mutable { reactor->Finish(ToGrpcStatus(work())); })) {
    reactor->Finish(ToGrpcStatus(RefuseBusy(
        context, absl::StrCat("the service is busy: ", queue.max_queued(), " calls are in hand"))));
  }
  return reactor;
}

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_CALL_QUEUE_H_
