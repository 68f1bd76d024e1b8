#include "services/web/json_api.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/web/grpc_stream.h"
#include "services/web/json_mapping.h"

namespace telederm::web {

namespace {

constexpr absl::string_view kApiPrefix = "/api/v1/";
// How long a stream's first answer may take before the browser gets the 200
// header: refusals come well within it.
constexpr std::chrono::milliseconds kFirstAnswerGrace(1000);

// Ends `call` as soon as anything happens on the browser's side of the
// connection: it closed it (the fetch was aborted, the tab closed), or it
// sent more, which a streamed response does not expect.
net::awaitable<void> CancelWhenClientLeaves(std::shared_ptr<ClientStream> stream, std::shared_ptr<GrpcStream> call) {
  char byte;
  beast::error_code error;
  co_await stream->async_read_some(net::buffer(&byte, 1), net::redirect_error(net::use_awaitable, error));
  call->Cancel();
}

net::awaitable<void> ForwardServerStream(Exchange& exchange, const ApiMethod& method,
                                         std::unique_ptr<grpc::ClientContext> context,
                                         const google::protobuf::Message& request) {
  exchange.CloseAfter();  // the stream ends with the connection
  std::unique_ptr<PeerStreams::Slot> slot = exchange.parts().peer_streams.Acquire(exchange.peer());
  if (slot == nullptr) {
    co_await exchange.SendError(
        http::status::too_many_requests, "RESOURCE_EXHAUSTED",
        absl::StrCat("this address already holds ", exchange.parts().peer_streams.max_per_peer(),
                     " open streams; close other tabs of the console and try again"));
    co_return;
  }
  std::shared_ptr<GrpcStream> call = GrpcStream::Start(exchange.parts().backends.stub(method.backend),
                                                       method.grpc_path, std::move(context), ToByteBuffer(request));
  grpc::ByteBuffer bytes;
  call->StartReading(&bytes);
  // A refusal (no token, no access) comes at once: answer it as an HTTP
  // error. A stream with nothing to say yet is answered 200 after the grace.
  std::optional<bool> first = co_await call->ReadOutcome(kFirstAnswerGrace);
  if (first.has_value() && !*first) {
    grpc::Status status = co_await call->Finish();
    if (!status.ok()) {
      co_await exchange.SendGrpcError(status);
      co_return;
    }
  }
  http::response<http::empty_body> header(http::status::ok, exchange.request().version());
  header.set(http::field::content_type, "application/x-ndjson");
  header.chunked(true);
  if (!co_await exchange.SendHeader(header)) {
    call->Cancel();
    co_await call->Finish();
    co_return;
  }
  exchange.stream().tcp().expires_never();
  net::co_spawn(exchange.stream().get_executor(), CancelWhenClientLeaves(exchange.shared_stream(), call),
                net::detached);
  const google::protobuf::Descriptor& type = *method.descriptor->output_type();
  bool have_message = false;
  if (first.has_value()) {
    have_message = *first;
  } else {
    have_message = co_await call->ReadOutcome();
  }
  bool client_there = true;
  while (have_message && client_there) {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message = MessageFromByteBuffer(type, bytes);
    if (!message.ok()) {
      call->Cancel();
      break;
    }
    std::string line = MessageToJson(**message) + "\n";
    client_there = co_await exchange.WriteRaw(http::make_chunk(net::buffer(line)));
    if (!client_there) {
      call->Cancel();
      break;
    }
    have_message = co_await call->Read(&bytes);
  }
  grpc::Status status = co_await call->Finish();
  if (!client_there) co_return;
  if (!status.ok()) {
    std::string line = StreamErrorJson(status) + "\n";
    if (!co_await exchange.WriteRaw(http::make_chunk(net::buffer(line)))) co_return;
  }
  co_await exchange.WriteRaw(http::make_chunk_last());
}

net::awaitable<void> ForwardUnary(Exchange& exchange, const ApiMethod& method,
                                  std::unique_ptr<grpc::ClientContext> context,
                                  const google::protobuf::Message& request) {
  grpc::ByteBuffer request_bytes = ToByteBuffer(request);
  grpc::ByteBuffer response_bytes;
  grpc::Status status = co_await CallUnary(exchange.parts().backends.stub(method.backend), *context,
                                           method.grpc_path, request_bytes, response_bytes);
  if (!status.ok()) {
    co_await exchange.SendGrpcError(status);
    co_return;
  }
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> response =
      MessageFromByteBuffer(*method.descriptor->output_type(), response_bytes);
  if (!response.ok()) {
    co_await exchange.SendError(response.status());
    co_return;
  }
  co_await exchange.SendJson(http::status::ok, MessageToJson(**response));
}

}  // namespace

net::awaitable<void> ForwardApiCall(Exchange& exchange) {
  absl::string_view name = exchange.path().substr(kApiPrefix.size());
  const ApiMethod* method = exchange.parts().routes.Find(name);
  if (method == nullptr) {
    exchange.CloseAfter();
    co_await exchange.SendError(http::status::not_found, "NOT_FOUND",
                                absl::StrCat("no API method ", exchange.path()));
    co_return;
  }
  if (method->descriptor->client_streaming()) {
    exchange.CloseAfter();
    co_await exchange.SendError(http::status::method_not_allowed, "INVALID_ARGUMENT",
                                "upload images with PUT /api/v1/uploads/<sha256>");
    co_return;
  }
  http::request_parser<http::string_body> parser(std::move(exchange.header_parser()));
  parser.body_limit(exchange.parts().limits.max_json_bytes);
  if (!co_await exchange.ReadBody(parser)) co_return;
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request =
      MessageFromJson(*method->descriptor->input_type(), parser.get().body());
  if (!request.ok()) {
    co_await exchange.SendError(request.status());
    co_return;
  }
  const bool streaming = method->descriptor->server_streaming();
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      exchange.ForwardingContext(streaming ? std::chrono::seconds(0) : exchange.parts().limits.unary_deadline);
  if (!context.ok()) {
    co_await exchange.SendError(context.status());
    co_return;
  }
  if (streaming) {
    co_await ForwardServerStream(exchange, *method, *std::move(context), **request);
  } else {
    co_await ForwardUnary(exchange, *method, *std::move(context), **request);
  }
}

}  // namespace telederm::web
