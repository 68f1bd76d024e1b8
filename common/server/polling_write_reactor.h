#ifndef TELEDERM_COMMON_SERVER_POLLING_WRITE_REACTOR_H_
#define TELEDERM_COMMON_SERVER_POLLING_WRITE_REACTOR_H_

#include <cstddef>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/status/grpc_status.h"

namespace telederm {

// A server-streaming call that watches something in Redis: on `executor` (its
// reads block, which a gRPC reaction must never do) it polls for new messages
// and writes them one at a time, until the client cancels, stops reading, or a
// poll fails. Only the polling loop calls Finish and nothing is posted after
// it, so OnDone may delete the reactor.
//
// A subclass says what to read: Begin (once, before the first poll), Poll (one
// bounded blocking read) and Written (after each message reached the client).
// Its constructor calls Start() as its last statement.
//
// The initial metadata goes out as soon as Begin has succeeded: a client
// that waits for it (WaitForInitialMetadata) knows the watch has fixed where
// it reads from, and misses nothing written after that.
template <typename Message>
class PollingWriteReactor : public grpc::ServerWriteReactor<Message> {
 public:
  explicit PollingWriteReactor(boost::asio::thread_pool& executor) : executor_(executor) {}

  void OnWriteDone(bool ok) final {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the client stopped reading"));
      return;
    }
    Written(pending_[next_]);
    ++next_;
    WriteNextOrPoll();
  }

  void OnCancel() final {
    absl::MutexLock lock(&mutex_);
    cancelled_ = true;
  }

  void OnDone() final { delete this; }

 protected:
  // Starts the loop; the subclass is fully built by then.
  void Start() {
    boost::asio::post(executor_, [this] {
      if (absl::Status begun = Begin(); !begun.ok()) {
        this->Finish(ToGrpcStatus(begun));
        return;
      }
      this->StartSendInitialMetadata();
      PollAndWrite();
    });
  }

  // Runs on the executor before the first poll; an error ends the call with it.
  virtual absl::Status Begin() { return absl::OkStatus(); }
  // Blocks for at most a short while; returns what to write next, maybe nothing.
  virtual absl::StatusOr<std::vector<Message>> Poll() = 0;
  // `message` reached the client.
  virtual void Written(const Message& message) {}

 private:
  bool cancelled() {
    absl::MutexLock lock(&mutex_);
    return cancelled_;
  }

  void PollAndWrite() {
    if (cancelled()) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled"));
      return;
    }
    absl::StatusOr<std::vector<Message>> messages = Poll();
    if (!messages.ok()) {
      this->Finish(ToGrpcStatus(messages.status()));
      return;
    }
    pending_ = *std::move(messages);
    next_ = 0;
    WriteNextOrPoll();
  }

  void WriteNextOrPoll() {
    if (next_ < pending_.size()) {
      this->StartWrite(&pending_[next_]);
    } else {
      boost::asio::post(executor_, [this] { PollAndWrite(); });
    }
  }

  boost::asio::thread_pool& executor_;
  std::vector<Message> pending_;
  size_t next_ = 0;
  absl::Mutex mutex_;
  bool cancelled_ ABSL_GUARDED_BY(mutex_) = false;
};

// A streaming call refused before it began: finishes at once with `status`.
template <typename Message>
grpc::ServerWriteReactor<Message>* RefusedStream(const absl::Status& status) {
  class Refusal final : public grpc::ServerWriteReactor<Message> {
   public:
    explicit Refusal(const absl::Status& status) { this->Finish(ToGrpcStatus(status)); }
    void OnDone() override { delete this; }
  };
  return new Refusal(status);
}

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_POLLING_WRITE_REACTOR_H_
