#ifndef TELEDERM_COMMON_SERVER_MALFORMED_REQUEST_H_
#define TELEDERM_COMMON_SERVER_MALFORMED_REQUEST_H_

#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "absl/strings/string_view.h"

namespace telederm {

// The answer to a request whose bytes are not the protobuf message its method
// takes: INVALID_ARGUMENT naming the method and the message expected.
// `method` is the gRPC path ("/telederm.v1.IntakeService/SubmitCase").
std::string MalformedRequestMessage(absl::string_view method);

// gRPC 1.51's callback handlers answer a unary or server-streaming call whose
// request does not parse with UNIMPLEMENTED and no message (RunHandler of
// CallbackUnaryHandler and CallbackServerStreamingHandler drops the parser's
// status), and no handler of ours is called. The
// interceptor this factory makes sees the missing request (POST_RECV_MESSAGE
// with no message) and replaces that status with MalformedRequestMessage's.
// It must be the first interceptor, so the audit records the status sent.
// Stateless; safe for concurrent use.
class MalformedRequestInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_MALFORMED_REQUEST_H_
