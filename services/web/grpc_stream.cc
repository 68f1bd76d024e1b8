#include "services/web/grpc_stream.h"

#include <boost/asio/redirect_error.hpp>

namespace telederm::web {

net::awaitable<grpc::Status> CallUnary(grpc::GenericStub& stub, grpc::ClientContext& context,
                                       const std::string& method, const grpc::ByteBuffer& request,
                                       grpc::ByteBuffer& response) {
  co_return co_await AwaitCallback<grpc::Status>([&](std::function<void(grpc::Status)> done) {
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response, std::move(done));
  });
}

std::shared_ptr<GrpcStream> GrpcStream::Start(grpc::GenericStub& stub, std::string method,
                                              std::unique_ptr<grpc::ClientContext> context,
                                              std::optional<grpc::ByteBuffer> only_request) {
  std::shared_ptr<GrpcStream> call(new GrpcStream(std::move(method), std::move(context)));
  {
    absl::MutexLock lock(&call->mutex_);
    call->self_ = call;
  }
  stub.PrepareBidiStreamingCall(call->context_.get(), call->method_, grpc::StubOptions(), call.get());
  if (only_request.has_value()) {
    call->outgoing_ = std::move(*only_request);
    call->ignore_first_write_done_ = true;
    call->StartWriteLast(&call->outgoing_, grpc::WriteOptions());
  }
  // Reads and writes start from coroutines, outside gRPC's reactions: without
  // a hold, gRPC may end the call (OnDone) between two of them, when the
  // service's status has come and nothing is pending, and a read started after
  // that never completes. Finish() releases the hold.
  call->AddHold();
  call->StartCall();
  return call;
}

net::awaitable<bool> GrpcStream::Write(grpc::ByteBuffer message) {
  co_return co_await AwaitCallback<bool>([this, &message](std::function<void(bool)> done) {
    {
      absl::MutexLock lock(&mutex_);
      on_write_ = std::move(done);
    }
    outgoing_ = std::move(message);
    StartWrite(&outgoing_);
  });
}

net::awaitable<bool> GrpcStream::WritesDone() {
  co_return co_await AwaitCallback<bool>([this](std::function<void(bool)> done) {
    {
      absl::MutexLock lock(&mutex_);
      on_write_ = std::move(done);
    }
    StartWritesDone();
  });
}

net::awaitable<bool> GrpcStream::Read(grpc::ByteBuffer* message) {
  StartReading(message);
  co_return co_await ReadOutcome();
}

net::awaitable<bool> GrpcStream::ReadOutcome() {
  std::optional<bool> outcome;
  while (!outcome.has_value()) outcome = co_await ReadOutcome(std::chrono::hours(1));
  co_return *outcome;
}

void GrpcStream::StartReading(grpc::ByteBuffer* message) {
  {
    absl::MutexLock lock(&mutex_);
    read_into_ = message;
    read_outcome_.reset();
  }
  StartRead(&incoming_);
}

net::awaitable<std::optional<bool>> GrpcStream::ReadOutcome(std::chrono::steady_clock::duration within) {
  auto waiter = std::make_shared<net::steady_timer>(co_await net::this_coro::executor, within);
  {
    absl::MutexLock lock(&mutex_);
    if (read_outcome_.has_value()) co_return read_outcome_;
    read_waiter_ = waiter;
  }
  boost::system::error_code cancelled;
  co_await waiter->async_wait(net::redirect_error(net::use_awaitable, cancelled));
  absl::MutexLock lock(&mutex_);
  read_waiter_.reset();
  co_return read_outcome_;
}

net::awaitable<grpc::Status> GrpcStream::Finish() {
  co_return co_await AwaitCallback<grpc::Status>([this](std::function<void(grpc::Status)> done) {
    std::optional<grpc::Status> status;
    bool release_hold = false;
    {
      absl::MutexLock lock(&mutex_);
      if (status_.has_value()) {
        status = status_;
      } else {
        on_done_ = std::move(done);
      }
      release_hold = std::exchange(holding_, false);
    }
    if (status.has_value()) done(*status);
    if (release_hold) RemoveHold();  // may run OnDone at once: not under mutex_
  });
}

void GrpcStream::Complete(std::function<void(bool)>& slot, bool ok) {
  std::function<void(bool)> callback;
  {
    absl::MutexLock lock(&mutex_);
    callback = std::move(slot);
    slot = nullptr;
  }
  if (callback) callback(ok);
}

void GrpcStream::OnReadDone(bool ok) {
  std::shared_ptr<net::steady_timer> waiter;
  {
    absl::MutexLock lock(&mutex_);
    if (ok && read_into_ != nullptr) *read_into_ = std::move(incoming_);
    read_into_ = nullptr;
    read_outcome_ = ok;
    waiter = std::move(read_waiter_);
  }
  // Timers are not thread-safe: wake the waiting coroutine on its own executor.
  if (waiter) net::post(waiter->get_executor(), [waiter] { waiter->cancel(); });
}

void GrpcStream::OnWriteDone(bool ok) {
  if (ignore_first_write_done_) {
    ignore_first_write_done_ = false;
    return;
  }
  Complete(on_write_, ok);
}

void GrpcStream::OnWritesDoneDone(bool ok) { Complete(on_write_, ok); }

void GrpcStream::OnDone(const grpc::Status& status) {
  std::function<void(grpc::Status)> callback;
  std::shared_ptr<GrpcStream> self;
  {
    absl::MutexLock lock(&mutex_);
    status_ = status;
    callback = std::move(on_done_);
    on_done_ = nullptr;
    self = std::move(self_);
  }
  if (callback) callback(status);
  // `self` may be the last reference: nothing touches this object after it.
}

}  // namespace telederm::web
