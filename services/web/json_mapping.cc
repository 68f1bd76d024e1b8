#include "services/web/json_mapping.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace telederm::web {

namespace http = boost::beast::http;
using google::protobuf::Message;

absl::StatusOr<std::unique_ptr<Message>> MessageFromJson(const google::protobuf::Descriptor& type,
                                                         absl::string_view json) {
  const Message* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type);
  std::unique_ptr<Message> message(prototype->New());
  if (absl::StripAsciiWhitespace(json).empty()) return message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(json), message.get(), options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is not a valid ", type.name(), " in JSON: ", std::string(status.message())));
  }
  return message;
}

std::string MessageToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  // Printing a well-formed message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

grpc::ByteBuffer ToByteBuffer(const Message& message) {
  grpc::Slice slice(message.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

absl::StatusOr<std::unique_ptr<Message>> MessageFromByteBuffer(const google::protobuf::Descriptor& type,
                                                               const grpc::ByteBuffer& bytes) {
  std::vector<grpc::Slice> slices;
  std::string wire;
  if (bytes.Valid() && bytes.Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) wire.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  const Message* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type);
  std::unique_ptr<Message> message(prototype->New());
  if (!message->ParseFromString(wire)) {
    return absl::DataLossError(absl::StrCat("the service's answer is not a valid ", type.name()));
  }
  return message;
}

http::status HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return http::status::ok;
    case grpc::StatusCode::INVALID_ARGUMENT: return http::status::bad_request;
    case grpc::StatusCode::UNAUTHENTICATED: return http::status::unauthorized;
    case grpc::StatusCode::PERMISSION_DENIED: return http::status::forbidden;
    case grpc::StatusCode::NOT_FOUND: return http::status::not_found;
    case grpc::StatusCode::ALREADY_EXISTS: return http::status::conflict;
    case grpc::StatusCode::FAILED_PRECONDITION: return http::status::precondition_failed;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return http::status::too_many_requests;
    case grpc::StatusCode::UNIMPLEMENTED: return http::status::not_implemented;
    case grpc::StatusCode::UNAVAILABLE: return http::status::service_unavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return http::status::gateway_timeout;
    default: return http::status::internal_server_error;
  }
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

namespace {

// A JSON string literal of `text`, escaped by protobuf's JSON printer (a
// google.protobuf.Value holding a string prints as one).
std::string JsonString(absl::string_view text) {
  google::protobuf::Value value;
  value.set_string_value(std::string(text));
  return MessageToJson(value);
}

}  // namespace

// Written field by field rather than from a google.protobuf.Struct, whose map
// prints its keys in no fixed order: clients and tests read "code" first.
std::string ErrorJson(absl::string_view code, absl::string_view message) {
  return absl::StrCat("{\"code\":", JsonString(code), ",\"message\":", JsonString(message), "}");
}

std::string StreamErrorJson(const grpc::Status& status) {
  return absl::StrCat("{\"error\":", ErrorJson(CodeName(status.error_code()), status.error_message()), "}");
}

}  // namespace telederm::web
