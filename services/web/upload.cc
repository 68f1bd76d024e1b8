#include "services/web/upload.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/web/grpc_stream.h"
#include "services/web/json_mapping.h"
#include "telederm/v1/intake.pb.h"

namespace telederm::web {

namespace {

constexpr absl::string_view kUploadsPrefix = "/api/v1/uploads/";
// Bytes gathered from the body before they go to the service as one chunk.
constexpr size_t kChunkBytes = 256 * 1024;

absl::string_view HeaderValue(const http::request_header<>& request, absl::string_view name) {
  auto it = request.find(beast::string_view(name.data(), name.size()));
  if (it == request.end()) return "";
  return absl::string_view(it->value().data(), it->value().size());
}

// The upload's header message from the request's path and headers;
// INVALID_ARGUMENT naming the header otherwise.
absl::StatusOr<v1::UploadImageHeader> UploadHeaderOf(const Exchange& exchange) {
  v1::UploadImageHeader header;
  absl::string_view sha256 = exchange.path().substr(kUploadsPrefix.size());
  if (sha256.empty() || sha256.find('/') != absl::string_view::npos) {
    return absl::InvalidArgumentError("the upload path is /api/v1/uploads/<sha256 of the whole image>");
  }
  header.set_sha256(std::string(sha256));
  const http::request_header<>& request = exchange.request();
  header.set_content_type(std::string(HeaderValue(request, "Content-Type")));
  v1::Modality modality;
  if (!v1::Modality_Parse(std::string(HeaderValue(request, "X-Telederm-Modality")), &modality)) {
    return absl::InvalidArgumentError(
        "X-Telederm-Modality: name the image's modality, e.g. MODALITY_DERMOSCOPY or MODALITY_CLINICAL_CLOSE_UP");
  }
  header.set_modality(modality);
  int64_t size = 0;
  if (!absl::SimpleAtoi(HeaderValue(request, "X-Telederm-Size"), &size)) {
    return absl::InvalidArgumentError("X-Telederm-Size: the whole image's size in bytes is required");
  }
  header.set_size_bytes(size);
  int64_t offset = 0;
  absl::string_view offset_text = HeaderValue(request, "X-Telederm-Offset");
  if (!offset_text.empty() && !absl::SimpleAtoi(offset_text, &offset)) {
    return absl::InvalidArgumentError("X-Telederm-Offset: where this body starts in the image, in bytes");
  }
  header.set_offset(offset);
  return header;
}

grpc::ByteBuffer ChunkMessage(const char* data, size_t size) {
  v1::UploadImageRequest part;
  part.set_chunk(data, size);
  return ToByteBuffer(part);
}

}  // namespace

net::awaitable<void> ForwardUpload(Exchange& exchange) {
  absl::StatusOr<v1::UploadImageHeader> header = UploadHeaderOf(exchange);
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      exchange.ForwardingContext(std::chrono::seconds(0));
  if (!header.ok() || !context.ok()) {
    exchange.CloseAfter();  // the body stays unread
    const absl::Status refusal = header.ok() ? context.status() : header.status();  // named: see image_download.cc
    co_await exchange.SendError(refusal);
    co_return;
  }
  http::request_parser<http::buffer_body> parser(std::move(exchange.header_parser()));
  parser.body_limit(exchange.parts().limits.max_upload_bytes);
  if (!co_await exchange.ContinueIfExpected()) co_return;

  const ApiMethod& method = exchange.parts().routes.upload_image();
  std::shared_ptr<GrpcStream> call = GrpcStream::Start(exchange.parts().backends.stub(method.backend),
                                                       method.grpc_path, *std::move(context), std::nullopt);
  v1::UploadImageRequest first;
  *first.mutable_header() = *header;
  bool service_takes_more = co_await call->Write(ToByteBuffer(first));
  std::vector<char> chunk(kChunkBytes);
  beast::error_code read_error;
  while (service_takes_more && !parser.is_done()) {
    size_t filled = 0;
    while (filled < chunk.size() && !parser.is_done()) {
      parser.get().body().data = chunk.data() + filled;
      parser.get().body().size = chunk.size() - filled;
      exchange.stream().tcp().expires_after(exchange.parts().limits.io_timeout);
      co_await http::async_read_some(exchange.stream(), exchange.buffer(), parser,
                                     net::redirect_error(net::use_awaitable, read_error));
      if (read_error == http::error::need_buffer) read_error = {};
      if (read_error) break;
      filled = chunk.size() - parser.get().body().size;
    }
    if (read_error) break;
    if (filled > 0) service_takes_more = co_await call->Write(ChunkMessage(chunk.data(), filled));
  }
  if (read_error || !parser.is_done()) {
    exchange.CloseAfter();
  } else {
    exchange.MarkBodyRead();
  }
  if (read_error) {
    // The browser went away or sent too much: the service keeps what it
    // committed, for a resume.
    call->Cancel();
    co_await call->Finish();
    if (read_error == http::error::body_limit) {
      co_await exchange.SendError(http::status::payload_too_large, "RESOURCE_EXHAUSTED",
                                  absl::StrCat("an image may be at most ", exchange.parts().limits.max_upload_bytes,
                                               " bytes"));
    }
    co_return;
  }
  grpc::ByteBuffer response_bytes;
  bool have_response = false;
  if (service_takes_more && co_await call->WritesDone()) have_response = co_await call->Read(&response_bytes);
  grpc::Status status = co_await call->Finish();
  if (!status.ok()) {
    co_await exchange.SendGrpcError(status);
    co_return;
  }
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> response =
      have_response ? MessageFromByteBuffer(*v1::UploadImageResponse::descriptor(), response_bytes)
                    : absl::DataLossError("the service ended the upload without an answer");
  if (!response.ok()) {
    co_await exchange.SendError(response.status());
    co_return;
  }
  co_await exchange.SendJson(http::status::ok, MessageToJson(**response));
}

}  // namespace telederm::web
