#ifndef TELEDERM_SERVICES_WEB_GRPC_STREAM_H_
#define TELEDERM_SERVICES_WEB_GRPC_STREAM_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <utility>  // before Asio's awaitable.hpp, which needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

// Bridges gRPC's callback client API to Asio coroutines: a coroutine awaits a
// gRPC completion and resumes on its own executor (the connection's strand),
// never on a gRPC thread.
namespace telederm::web {

namespace net = boost::asio;

// Runs `start(done)`; the awaiting coroutine resumes, on its own executor,
// with the value `done` is called with, from any thread, exactly once. Not a
// coroutine itself: GCC 12 destroys a coroutine's by-value std::function
// parameter twice when the argument is a temporary (a double free), so the
// operation is initiated directly.
template <typename T>
net::awaitable<T> AwaitCallback(std::function<void(std::function<void(T)>)> start) {
  return net::async_initiate<decltype(net::use_awaitable), void(T)>(
      [](auto handler, std::function<void(std::function<void(T)>)> start) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto executor = net::get_associated_executor(*shared);
        start([executor, shared](T value) {
          net::post(executor, [shared, value = std::move(value)]() mutable { (*shared)(std::move(value)); });
        });
      },
      net::use_awaitable, std::move(start));
}

// One unary call of `method` ("/telederm.v1.IntakeService/ListCases") with a
// serialized request. `context`, `method`, `request` and `response` must stay
// alive until it returns.
net::awaitable<grpc::Status> CallUnary(grpc::GenericStub& stub, grpc::ClientContext& context,
                                       const std::string& method, const grpc::ByteBuffer& request,
                                       grpc::ByteBuffer& response);

// One streaming call (server-, client- or bidi-streaming: the wire is the
// same) of serialized messages. Keeps itself alive until gRPC is done with it,
// so a coroutine that drops it early leaves nothing dangling; Cancel() ends
// the call. At most one Read and one Write/WritesDone await at a time.
// Thread-safe.
class GrpcStream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // Starts the call. With `only_request`, sends it as the one and last
  // request message (a server-streaming call).
  static std::shared_ptr<GrpcStream> Start(grpc::GenericStub& stub, std::string method,
                                           std::unique_ptr<grpc::ClientContext> context,
                                           std::optional<grpc::ByteBuffer> only_request);

  // False when the call is broken (its status then says why).
  net::awaitable<bool> Write(grpc::ByteBuffer message);
  net::awaitable<bool> WritesDone();
  // False when no message follows (the stream ended or failed).
  net::awaitable<bool> Read(grpc::ByteBuffer* message);
  // Read in two steps: begin reading into `message`, then wait for the
  // outcome up to `within` (nullopt: still pending; wait again later).
  void StartReading(grpc::ByteBuffer* message);
  net::awaitable<std::optional<bool>> ReadOutcome(std::chrono::steady_clock::duration within);
  // Waits as long as it takes.
  net::awaitable<bool> ReadOutcome();
  // The call's status, once it is over. Every started call must be finished:
  // until then it stays open for reads and writes started from outside
  // gRPC's reactions (a hold), even after the service has sent its status.
  net::awaitable<grpc::Status> Finish();
  void Cancel() { context_->TryCancel(); }

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  GrpcStream(std::string method, std::unique_ptr<grpc::ClientContext> context)
      : method_(std::move(method)), context_(std::move(context)) {}
  // Calls and clears `slot`.
  void Complete(std::function<void(bool)>& slot, bool ok);

  const std::string method_;  // gRPC keeps a pointer to it
  const std::unique_ptr<grpc::ClientContext> context_;
  grpc::ByteBuffer outgoing_;
  grpc::ByteBuffer incoming_;
  bool ignore_first_write_done_ = false;
  absl::Mutex mutex_;
  grpc::ByteBuffer* read_into_ ABSL_GUARDED_BY(mutex_) = nullptr;
  std::optional<bool> read_outcome_ ABSL_GUARDED_BY(mutex_);
  std::shared_ptr<net::steady_timer> read_waiter_ ABSL_GUARDED_BY(mutex_);  // cancelled when the read completes
  std::function<void(bool)> on_write_ ABSL_GUARDED_BY(mutex_);
  std::function<void(grpc::Status)> on_done_ ABSL_GUARDED_BY(mutex_);
  std::optional<grpc::Status> status_ ABSL_GUARDED_BY(mutex_);
  bool holding_ ABSL_GUARDED_BY(mutex_) = true;  // the hold Start() adds, until Finish()
  std::shared_ptr<GrpcStream> self_ ABSL_GUARDED_BY(mutex_);  // until OnDone
};

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_GRPC_STREAM_H_
