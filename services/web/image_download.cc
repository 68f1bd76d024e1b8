#include "services/web/image_download.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/web/grpc_stream.h"
#include "services/web/json_mapping.h"
#include "telederm/v1/image.pb.h"

namespace telederm::web {

namespace {

constexpr absl::string_view kImagesPrefix = "/api/v1/images/";

// The GetImage request a path and query name; INVALID_ARGUMENT otherwise.
absl::StatusOr<v1::GetImageRequest> ImageRequestOf(const Exchange& exchange) {
  std::vector<std::string> parts = absl::StrSplit(exchange.path().substr(kImagesPrefix.size()), '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError("the image path is /api/v1/images/<case_id>/<sha256>");
  }
  v1::GetImageRequest request;
  request.set_case_id(parts[0]);
  request.set_sha256(parts[1]);
  const std::string variant = exchange.QueryParameter("variant");
  if (variant == "thumbnail") {
    request.set_variant(v1::IMAGE_VARIANT_THUMBNAIL);
  } else if (variant.empty() || variant == "original") {
    request.set_variant(v1::IMAGE_VARIANT_ORIGINAL);
  } else {
    return absl::InvalidArgumentError("variant: use 'thumbnail' or 'original'");
  }
  return request;
}

}  // namespace

net::awaitable<void> ForwardImageRead(Exchange& exchange) {
  absl::StatusOr<v1::GetImageRequest> request = ImageRequestOf(exchange);
  if (!request.ok()) {
    co_await exchange.SendError(request.status());
    co_return;
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      exchange.ForwardingContext(std::chrono::seconds(0));
  if (!context.ok()) {
    co_await exchange.SendError(context.status());
    co_return;
  }
  const ApiMethod& method = exchange.parts().routes.get_image();
  std::shared_ptr<GrpcStream> call = GrpcStream::Start(exchange.parts().backends.stub(method.backend),
                                                       method.grpc_path, *std::move(context), ToByteBuffer(*request));
  grpc::ByteBuffer bytes;
  v1::ImageChunk chunk;
  auto read_chunk = [&]() -> net::awaitable<bool> {
    if (!co_await call->Read(&bytes)) co_return false;
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
        MessageFromByteBuffer(*v1::ImageChunk::descriptor(), bytes);
    if (!message.ok()) {
      call->Cancel();
      co_return false;
    }
    chunk.CopyFrom(**message);
    co_return true;
  };
  if (!co_await read_chunk()) {
    grpc::Status status = co_await call->Finish();
    // A named status, not a conditional expression inside co_await: GCC 12
    // destroys such a temporary twice.
    if (status.ok()) status = grpc::Status(grpc::StatusCode::DATA_LOSS, "the image stream was empty");
    co_await exchange.SendGrpcError(status);
    co_return;
  }
  const v1::ImageMetadata metadata = chunk.metadata();
  const int64_t length = metadata.size_bytes() - chunk.offset();
  http::response<http::empty_body> header(http::status::ok, exchange.request().version());
  header.set(http::field::content_type, metadata.content_type());
  header.content_length(length < 0 ? 0 : length);
  bool client_there = co_await exchange.SendHeader(header);
  int64_t sent = 0;
  bool have_chunk = client_there;
  while (have_chunk) {
    if (sent + static_cast<int64_t>(chunk.data().size()) > length) break;  // more than declared
    if (!co_await exchange.WriteRaw(net::buffer(chunk.data()))) break;
    sent += chunk.data().size();
    have_chunk = co_await read_chunk();
  }
  if (have_chunk || !client_there) call->Cancel();  // stopped early: the browser left, or too many bytes
  grpc::Status status = co_await call->Finish();
  // Anything short of the whole image: close, so it cannot pass for whole.
  if (!status.ok() || sent != length) exchange.CloseAfter();
}

}  // namespace telederm::web
