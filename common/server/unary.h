#ifndef TELEDERM_COMMON_SERVER_UNARY_H_
#define TELEDERM_COMMON_SERVER_UNARY_H_

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "common/status/grpc_status.h"

namespace telederm {

// Runs a unary RPC's work on `executor` instead of inside the gRPC reaction
// (which must never block: the work makes Redis round trips), then finishes
// the call with the absl::Status `work` returns.
template <typename Work>
grpc::ServerUnaryReactor* RunOnExecutor(grpc::CallbackServerContext* context, boost::asio::thread_pool& executor,
                                        Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  boost::asio::post(executor, [reactor, work = std::move(work)]() mutable {
    absl::Status status = work();
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_UNARY_H_
