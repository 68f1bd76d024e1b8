#include "services/web/connection.h"

#include <boost/beast/http/file_body.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/web/image_download.h"
#include "services/web/json_api.h"
#include "services/web/json_mapping.h"
#include "services/web/upload.h"

namespace telederm::web {

namespace {

net::awaitable<void> ServeStaticFile(Exchange& exchange) {
  if (exchange.request().method() != http::verb::get) {
    co_await exchange.SendError(http::status::method_not_allowed, "INVALID_ARGUMENT", "pages are read with GET");
    co_return;
  }
  absl::StatusOr<StaticFile> file = exchange.parts().static_files.Find(exchange.path());
  if (!file.ok()) {
    co_await exchange.SendError(file.status());
    co_return;
  }
  http::file_body::value_type body;
  beast::error_code error;
  body.open(file->path.c_str(), beast::file_mode::scan, error);
  if (error) {
    co_await exchange.SendError(http::status::not_found, "NOT_FOUND", absl::StrCat("no page at ", exchange.path()));
    co_return;
  }
  http::response<http::file_body> response(std::piecewise_construct, std::make_tuple(std::move(body)),
                                           std::make_tuple(http::status::ok, exchange.request().version()));
  response.set(http::field::content_type, file->content_type);
  response.set(http::field::cache_control, "no-cache");
  co_await exchange.Send(std::move(response));
}

// Routes one request whose header has been read.
net::awaitable<void> Dispatch(Exchange& exchange) {
  const http::verb verb = exchange.request().method();
  const absl::string_view path = exchange.path();
  if (absl::StartsWith(path, "/api/v1/uploads/")) {
    if (verb == http::verb::put) {
      co_await ForwardUpload(exchange);
      co_return;
    }
  } else if (absl::StartsWith(path, "/api/v1/images/")) {
    if (verb == http::verb::get) {
      co_await ForwardImageRead(exchange);
      co_return;
    }
  } else if (absl::StartsWith(path, "/api/v1/")) {
    if (verb == http::verb::post) {
      co_await ForwardApiCall(exchange);
      co_return;
    }
  } else if (absl::StartsWith(path, "/api/")) {
    exchange.CloseAfter();
    {
      co_await exchange.SendError(http::status::not_found, "NOT_FOUND", absl::StrCat("no API at ", path));
      co_return;
    }
  } else {
    {
      co_await ServeStaticFile(exchange);
      co_return;
    }
  }
  exchange.CloseAfter();
  co_await exchange.SendError(http::status::method_not_allowed, "INVALID_ARGUMENT",
                              absl::StrCat(std::string(exchange.request().method_string()), " is not how ", path, " is used"));
}

// Answers a request whose header could not be read, when it makes sense to.
net::awaitable<void> RefuseBadHeader(ClientStream& stream, beast::error_code error, const GatewayParts& parts) {
  http::status status;
  std::string message;
  if (error == http::error::header_limit) {
    status = http::status::request_header_fields_too_large;
    message = absl::StrCat("the request's header is larger than ", parts.limits.max_header_bytes, " bytes");
  } else if (error.category() == http::make_error_code(http::error::bad_target).category()) {
    status = http::status::bad_request;
    message = absl::StrCat("not a valid HTTP/1.1 request: ", error.message());
  } else {
    co_return;  // closed, reset or timed out: nobody to answer
  }
  http::response<http::string_body> response(status, 11);
  response.set(http::field::content_type, "application/json");
  response.body() = ErrorJson(status == http::status::bad_request ? "INVALID_ARGUMENT" : "RESOURCE_EXHAUSTED", message);
  response.keep_alive(false);
  SetSecurityHeaders(response.base(), stream.tls(), /*api=*/false);
  response.prepare_payload();
  beast::error_code ignored;
  stream.tcp().expires_after(parts.limits.io_timeout);
  co_await http::async_write(stream, response, net::redirect_error(net::use_awaitable, ignored));
}

std::string PeerOf(const net::ip::tcp::socket& socket) {
  beast::error_code error;
  net::ip::tcp::endpoint endpoint = socket.remote_endpoint(error);
  return error ? "unknown" : endpoint.address().to_string();
}

}  // namespace

net::awaitable<void> ServeConnection(net::ip::tcp::socket socket, net::ssl::context* tls, const GatewayParts& parts) {
  const std::string peer = PeerOf(socket);
  auto stream = std::make_shared<ClientStream>(std::move(socket), tls);
  beast::error_code error;
  if (stream->tls()) {
    stream->tcp().expires_after(parts.limits.header_timeout);
    co_await stream->tls_stream().async_handshake(net::ssl::stream_base::server,
                                                  net::redirect_error(net::use_awaitable, error));
  }
  beast::flat_buffer buffer;
  bool keep_alive = !error;
  while (keep_alive) {
    Exchange::HeaderParser header_parser;
    header_parser.header_limit(parts.limits.max_header_bytes);
    // Beast checks a declared Content-Length against this limit while it reads
    // the header: it must admit the largest body any route takes (an image);
    // each route then sets its own, smaller where it takes less.
    header_parser.body_limit(parts.limits.max_upload_bytes);
    stream->tcp().expires_after(parts.limits.header_timeout);
    co_await http::async_read_header(*stream, buffer, header_parser, net::redirect_error(net::use_awaitable, error));
    if (error) {
      co_await RefuseBadHeader(*stream, error, parts);
      break;
    }
    Exchange exchange(stream, buffer, header_parser, parts, peer);
    // A handler that does not read a body leaves it in the way of the next request.
    const bool has_body = !header_parser.is_done();
    co_await Dispatch(exchange);
    keep_alive = exchange.keep_alive() && (!has_body || exchange.body_read());
  }
  beast::error_code ignored;
  stream->tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream->tcp().close();
}

}  // namespace telederm::web
