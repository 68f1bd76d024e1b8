#include "common/server/malformed_request.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace telederm {
namespace {

using Hook = grpc::experimental::InterceptionHookPoints;

class MalformedRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MalformedRequestInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    // A request read before the handler runs is missing only when it did not parse.
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_MESSAGE) && methods->GetRecvMessage() == nullptr) {
      malformed_ = true;
    }
    if (malformed_ && methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      methods->ModifySendStatus(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, MalformedRequestMessage(info_->method())));
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  bool malformed_ = false;  // the interceptor lives for one call; gRPC runs its hooks one at a time
};

}  // namespace

std::string MalformedRequestMessage(absl::string_view method) {
  // "/telederm.v1.IntakeService/SubmitCase" -> "telederm.v1.IntakeService.SubmitCase"
  const std::string full_name = absl::StrReplaceAll(absl::StripPrefix(method, "/"), {{"/", "."}});
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  if (descriptor == nullptr) {
    return absl::StrCat("request: the body of this ", method, " call is not the protobuf message the method takes");
  }
  return absl::StrCat("request: the body does not parse as a ", descriptor->input_type()->full_name(),
                      ", the protobuf message ", descriptor->service()->name(), ".", descriptor->name(),
                      " takes; send that message as the generated clients do");
}

grpc::experimental::Interceptor* MalformedRequestInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  // Only these read their request before the handler; a stream's reads go to its reactor.
  if (info->type() != Type::UNARY && info->type() != Type::SERVER_STREAMING) return nullptr;
  return new MalformedRequestInterceptor(info);
}

}  // namespace telederm
