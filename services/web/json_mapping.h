#ifndef TELEDERM_SERVICES_WEB_JSON_MAPPING_H_
#define TELEDERM_SERVICES_WEB_JSON_MAPPING_H_

#include <memory>
#include <string>

#include <boost/beast/http/status.hpp>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// The JSON API's bodies: messages in protobuf's JSON mapping, the wire bytes
// gRPC carries, and the error bodies (docs/WEB.md, "JSON API").
namespace telederm::web {

// A message of `type` from its JSON mapping; "" or whitespace reads as {}.
// INVALID_ARGUMENT with the parser's reason for anything else that does not
// map onto `type` (unknown fields included).
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> MessageFromJson(
    const google::protobuf::Descriptor& type, absl::string_view json);
// `message` in its JSON mapping, fields with default values included.
std::string MessageToJson(const google::protobuf::Message& message);

grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message);
// A message of `type` parsed from `bytes`; DATA_LOSS when they do not parse.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> MessageFromByteBuffer(
    const google::protobuf::Descriptor& type, const grpc::ByteBuffer& bytes);

// The HTTP status a gRPC status code answers with.
boost::beast::http::status HttpStatusFor(grpc::StatusCode code);
// "NOT_FOUND" for grpc::StatusCode::NOT_FOUND.
std::string CodeName(grpc::StatusCode code);
// {"code":"NOT_FOUND","message":"..."}
std::string ErrorJson(absl::string_view code, absl::string_view message);
// {"error":{"code":"...","message":"..."}}: a stream's last line after a failure.
std::string StreamErrorJson(const grpc::Status& status);

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_JSON_MAPPING_H_
