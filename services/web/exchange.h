#ifndef TELEDERM_SERVICES_WEB_EXCHANGE_H_
#define TELEDERM_SERVICES_WEB_EXCHANGE_H_

#include <chrono>
#include <utility>  // before Asio's awaitable.hpp, which needs std::exchange
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/web/api_routes.h"
#include "services/web/backends.h"
#include "services/web/client_stream.h"
#include "services/web/peer_streams.h"
#include "services/web/security_headers.h"
#include "services/web/static_files.h"

namespace telederm::web {

namespace http = beast::http;

// Bounds that keep a slow or hostile client from holding the gateway.
struct ConnectionLimits {
  std::chrono::seconds header_timeout{30};  // TLS handshake, or a request's header (and keep-alive idle)
  std::chrono::seconds io_timeout{60};      // each read of a body's bytes, each write
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint64_t max_json_bytes = 4 * 1024 * 1024;
  std::uint64_t max_upload_bytes = 33ull * 1024 * 1024;
  std::chrono::seconds unary_deadline{30};
};

// What request handlers share: read-only, or thread-safe.
struct GatewayParts {
  const StaticFiles& static_files;
  const ApiRoutes& routes;
  Backends& backends;
  PeerStreams& peer_streams;
  const ConnectionLimits& limits;
};

// One request on a browser connection and the means to answer it. Handlers
// read the body (if any) through stream() and buffer(), converting
// header_parser() to the body type they need, and answer with the Send
// functions, which add the security headers. Used on the connection's strand.
class Exchange {
 public:
  using HeaderParser = http::request_parser<http::empty_body>;

  Exchange(std::shared_ptr<ClientStream> stream, beast::flat_buffer& buffer, HeaderParser& header_parser,
           const GatewayParts& parts, std::string peer);

  const http::request_header<>& request() const { return request_; }
  absl::string_view path() const { return path_; }
  // The value of `name` in the query string, or "".
  std::string QueryParameter(absl::string_view name) const;
  const std::string& peer() const { return peer_; }
  const GatewayParts& parts() const { return parts_; }
  bool is_api() const;

  ClientStream& stream() { return *stream_; }
  const std::shared_ptr<ClientStream>& shared_stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }
  HeaderParser& header_parser() { return header_parser_; }

  // Whether the connection may carry another request after this one.
  bool keep_alive() const { return keep_alive_ && request_keep_alive_; }
  // The body was not read to its end, or the response cannot be followed: close after it.
  void CloseAfter() { keep_alive_ = false; }
  // The handler read the request's body to its end.
  void MarkBodyRead() { body_read_ = true; }
  bool body_read() const { return body_read_; }

  // A gRPC context for forwarding this request: the caller's Authorization
  // header as "authorization" metadata (none without it: the service answers
  // UNAUTHENTICATED), and `deadline` unless it is zero. INVALID_ARGUMENT
  // when the header holds characters gRPC metadata cannot carry.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> ForwardingContext(std::chrono::seconds deadline) const;

  // Answers "100 Continue" when the client waits for it before sending a body.
  net::awaitable<bool> ContinueIfExpected();
  // Reads the whole body into `parser` (converted from header_parser()).
  // On failure answers (413 over the limit, 400 otherwise) and returns false.
  net::awaitable<bool> ReadBody(http::request_parser<http::string_body>& parser);

  // Each Send returns false when the write failed (the client is gone).
  template <class Body>
  net::awaitable<bool> Send(http::response<Body> response);
  net::awaitable<bool> SendJson(http::status status, std::string json);
  // {"code":code,"message":message}
  net::awaitable<bool> SendError(http::status status, absl::string_view code, absl::string_view message);
  net::awaitable<bool> SendError(const absl::Status& status);
  net::awaitable<bool> SendGrpcError(const grpc::Status& status);
  // The header of a response whose body follows through WriteRaw (as a
  // chunked stream or bytes of a declared Content-Length).
  net::awaitable<bool> SendHeader(http::response<http::empty_body>& response);
  template <class ConstBuffers>
  net::awaitable<bool> WriteRaw(const ConstBuffers& buffers);

 private:
  template <class Body>
  void Prepare(http::response<Body>& response);

  std::shared_ptr<ClientStream> stream_;
  beast::flat_buffer& buffer_;
  HeaderParser& header_parser_;
  const GatewayParts& parts_;
  const std::string peer_;
  const http::request_header<> request_;
  const bool request_keep_alive_;
  std::string path_;
  std::string query_;
  bool keep_alive_ = true;
  bool body_read_ = false;
};

template <class Body>
void Exchange::Prepare(http::response<Body>& response) {
  response.version(request_.version());
  response.keep_alive(keep_alive());
  SetSecurityHeaders(response.base(), stream_->tls(), is_api());
}

template <class Body>
net::awaitable<bool> Exchange::Send(http::response<Body> response) {
  Prepare(response);
  response.prepare_payload();
  beast::error_code error;
  stream_->tcp().expires_after(parts_.limits.io_timeout);
  co_await http::async_write(*stream_, response, net::redirect_error(net::use_awaitable, error));
  if (error) CloseAfter();
  co_return !error;
}

template <class ConstBuffers>
net::awaitable<bool> Exchange::WriteRaw(const ConstBuffers& buffers) {
  beast::error_code error;
  stream_->tcp().expires_after(parts_.limits.io_timeout);
  co_await net::async_write(*stream_, buffers, net::redirect_error(net::use_awaitable, error));
  if (error) CloseAfter();
  co_return !error;
}

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_EXCHANGE_H_
