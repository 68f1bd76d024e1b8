#include "services/web/exchange.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/web/json_mapping.h"

namespace telederm::web {

Exchange::Exchange(std::shared_ptr<ClientStream> stream, beast::flat_buffer& buffer, HeaderParser& header_parser,
                   const GatewayParts& parts, std::string peer)
    : stream_(std::move(stream)),
      buffer_(buffer),
      header_parser_(header_parser),
      parts_(parts),
      peer_(std::move(peer)),
      request_(header_parser.get().base()),
      request_keep_alive_(header_parser.get().keep_alive()) {
  absl::string_view target(request_.target().data(), request_.target().size());
  std::pair<absl::string_view, absl::string_view> split = absl::StrSplit(target, absl::MaxSplits('?', 1));
  path_ = std::string(split.first);
  query_ = std::string(split.second);
}

std::string Exchange::QueryParameter(absl::string_view name) const {
  for (absl::string_view pair : absl::StrSplit(query_, '&')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first == name) return std::string(kv.second);
  }
  return "";
}

bool Exchange::is_api() const { return absl::StartsWith(path_, "/api/"); }

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Exchange::ForwardingContext(
    std::chrono::seconds deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (deadline.count() > 0) context->set_deadline(std::chrono::system_clock::now() + deadline);
  auto header = request_.find(http::field::authorization);
  if (header != request_.end()) {
    absl::string_view value(header->value().data(), header->value().size());
    for (char c : value) {
      if (c < 0x20 || c > 0x7e) {
        return absl::InvalidArgumentError("the Authorization header holds characters a token never has");
      }
    }
    if (!value.empty()) context->AddMetadata("authorization", std::string(value));
  }
  return context;
}

net::awaitable<bool> Exchange::ContinueIfExpected() {
  auto expect = request_.find(http::field::expect);
  if (expect == request_.end() || !beast::iequals(expect->value(), "100-continue")) co_return true;
  http::response<http::empty_body> go_on(http::status::continue_, request_.version());
  beast::error_code error;
  stream_->tcp().expires_after(parts_.limits.io_timeout);
  co_await http::async_write(*stream_, go_on, net::redirect_error(net::use_awaitable, error));
  if (error) CloseAfter();
  co_return !error;
}

net::awaitable<bool> Exchange::ReadBody(http::request_parser<http::string_body>& parser) {
  // Beast checks a declared length against the limit only while it reads the
  // header, under the connection's larger limit (an image's): check it here,
  // before a byte of the body is read or buffered.
  const boost::optional<std::uint64_t> declared = parser.content_length();
  if (declared && *declared > parts_.limits.max_json_bytes) {
    CloseAfter();
    co_await SendError(http::status::payload_too_large, "RESOURCE_EXHAUSTED",
                       absl::StrCat("the request body is larger than ", parts_.limits.max_json_bytes, " bytes"));
    co_return false;
  }
  if (!co_await ContinueIfExpected()) co_return false;
  beast::error_code error;
  stream_->tcp().expires_after(parts_.limits.io_timeout);
  co_await http::async_read(*stream_, buffer_, parser, net::redirect_error(net::use_awaitable, error));
  if (!error) {
    MarkBodyRead();
    co_return true;
  }
  CloseAfter();
  if (error == http::error::body_limit) {
    co_await SendError(http::status::payload_too_large, "RESOURCE_EXHAUSTED",
                       absl::StrCat("the request body is larger than ", parts_.limits.max_json_bytes, " bytes"));
  } else if (error != net::error::eof && error != beast::error::timeout && error != net::error::operation_aborted) {
    co_await SendError(http::status::bad_request, "INVALID_ARGUMENT",
                       absl::StrCat("the request body could not be read: ", error.message()));
  }
  co_return false;
}

net::awaitable<bool> Exchange::SendJson(http::status status, std::string json) {
  http::response<http::string_body> response(status, request_.version());
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(json);
  co_return co_await Send(std::move(response));
}

net::awaitable<bool> Exchange::SendError(http::status status, absl::string_view code, absl::string_view message) {
  co_return co_await SendJson(status, ErrorJson(code, message));
}

net::awaitable<bool> Exchange::SendError(const absl::Status& status) {
  const auto code = static_cast<grpc::StatusCode>(status.code());
  co_return co_await SendError(HttpStatusFor(code), CodeName(code), status.message());
}

net::awaitable<bool> Exchange::SendGrpcError(const grpc::Status& status) {
  co_return co_await SendError(HttpStatusFor(status.error_code()), CodeName(status.error_code()),
                               status.error_message());
}

net::awaitable<bool> Exchange::SendHeader(http::response<http::empty_body>& response) {
  Prepare(response);
  http::response_serializer<http::empty_body> serializer(response);
  beast::error_code error;
  stream_->tcp().expires_after(parts_.limits.io_timeout);
  co_await http::async_write_header(*stream_, serializer, net::redirect_error(net::use_awaitable, error));
  if (error) CloseAfter();
  co_return !error;
}

}  // namespace telederm::web
