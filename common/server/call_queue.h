#ifndef TELEDERM_COMMON_SERVER_CALL_QUEUE_H_
#define TELEDERM_COMMON_SERVER_CALL_QUEUE_H_

#include <atomic>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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

// Trailing metadata that tells a client refused with RESOURCE_EXHAUSTED or
// UNAVAILABLE when to try again, in milliseconds.
inline constexpr char kRetryAfterMsTrailer[] = "retry-after-ms";

// As RunOnExecutor (unary.h), on a CallQueue: when the queue is full the call
// is refused with RESOURCE_EXHAUSTED and a retry hint.
template <typename Work>
grpc::ServerUnaryReactor* RunQueued(grpc::CallbackServerContext* context, CallQueue& queue, Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!queue.TryPost([reactor, work = std::move(work)]() mutable { reactor->Finish(ToGrpcStatus(work())); })) {
    context->AddTrailingMetadata(kRetryAfterMsTrailer, "1000");
    reactor->Finish(ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
        "the service is busy (", queue.max_queued(), " calls in hand); retry in a second"))));
  }
  return reactor;
}

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_CALL_QUEUE_H_
