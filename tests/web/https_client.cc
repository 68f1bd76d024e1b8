#include "tests/web/https_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace telederm::testing {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Stream = beast::ssl_stream<beast::tcp_stream>;

// Runs the io_context until its work is done or `timeout` passes; false on timeout.
bool RunFor(net::io_context& io, absl::Duration timeout) {
  io.restart();
  io.run_for(absl::ToChronoMilliseconds(timeout));
  return io.stopped();
}

// A TLS connection to the gateway, handshake done.
class Connection {
 public:
  explicit Connection(const std::string& ca_pem) : tls_(net::ssl::context::tls_client) {
    tls_.add_certificate_authority(net::buffer(ca_pem));
    tls_.set_verify_mode(net::ssl::verify_peer);
    stream_.emplace(io_, tls_);
    stream_->set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
  }

  absl::Status Connect(int port, absl::Duration timeout) {
    beast::error_code error;
    net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    beast::get_lowest_layer(*stream_).async_connect(endpoint, [&](beast::error_code e) {
      error = e;
      if (!e) stream_->async_handshake(net::ssl::stream_base::client, [&](beast::error_code h) { error = h; });
    });
    if (!RunFor(io_, timeout)) return absl::DeadlineExceededError("connecting to the gateway");
    if (error) return absl::UnavailableError(absl::StrCat("connect/handshake: ", error.message()));
    return absl::OkStatus();
  }

  absl::Status Write(http::request<http::string_body>& request, absl::Duration timeout) {
    beast::error_code error;
    http::async_write(*stream_, request, [&](beast::error_code e, size_t) { error = e; });
    if (!RunFor(io_, timeout)) return absl::DeadlineExceededError("writing the request");
    if (error) return absl::UnavailableError(absl::StrCat("write: ", error.message()));
    return absl::OkStatus();
  }

  absl::Status WriteHeader(http::request<http::empty_body>& request, absl::Duration timeout) {
    beast::error_code error;
    http::request_serializer<http::empty_body> serializer(request);
    http::async_write_header(*stream_, serializer, [&](beast::error_code e, size_t) { error = e; });
    if (!RunFor(io_, timeout)) return absl::DeadlineExceededError("writing the request header");
    if (error) return absl::UnavailableError(absl::StrCat("write header: ", error.message()));
    return absl::OkStatus();
  }

  template <class Parser>
  absl::Status ReadHeader(Parser& parser, absl::Duration timeout) {
    beast::error_code error;
    http::async_read_header(*stream_, buffer_, parser, [&](beast::error_code e, size_t) { error = e; });
    if (!RunFor(io_, timeout)) return absl::DeadlineExceededError("reading the response header");
    if (error) return absl::UnavailableError(absl::StrCat("read header: ", error.message()));
    return absl::OkStatus();
  }

  template <class Parser>
  absl::Status Read(Parser& parser, absl::Duration timeout) {
    beast::error_code error;
    http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, size_t) { error = e; });
    if (!RunFor(io_, timeout)) return absl::DeadlineExceededError("reading the response");
    if (error) return absl::UnavailableError(absl::StrCat("read: ", error.message()));
    return absl::OkStatus();
  }

  // Reads some of the body into `parser`'s buffer; false with `timed_out` on timeout.
  template <class Parser>
  beast::error_code ReadSome(Parser& parser, absl::Duration timeout, bool* timed_out) {
    beast::error_code error;
    bool done = false;
    http::async_read_some(*stream_, buffer_, parser, [&](beast::error_code e, size_t) {
      error = e;
      done = true;
    });
    *timed_out = !RunFor(io_, timeout) && !done;
    if (*timed_out) {
      beast::get_lowest_layer(*stream_).cancel();
      RunFor(io_, absl::Seconds(5));  // let the cancelled read finish
    }
    return error;
  }

  void Close() {
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(*stream_).close();
  }

 private:
  net::io_context io_;
  net::ssl::context tls_;
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
};

template <class Body = http::empty_body>
http::request<Body> MakeHeader(const std::string& method, const std::string& target, const HttpHeaders& headers) {
  http::request<Body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "localhost");
  for (const auto& [name, value] : headers) request.set(name, value);
  return request;
}

http::request<http::string_body> MakeRequest(const std::string& method, const std::string& target,
                                              const std::string& body, const HttpHeaders& headers) {
  http::request<http::string_body> request = MakeHeader<http::string_body>(method, target, headers);
  request.body() = body;
  if (method != "GET" || !body.empty()) request.prepare_payload();
  return request;
}

template <class Fields>
std::map<std::string, std::string> HeadersOf(const Fields& fields) {
  std::map<std::string, std::string> headers;
  for (const auto& field : fields) {
    headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
  }
  return headers;
}

HttpReply ReplyOf(const http::response_parser<http::string_body>& parser) {
  HttpReply reply;
  reply.status = parser.get().result_int();
  reply.headers = HeadersOf(parser.get());
  reply.body = parser.get().body();
  return reply;
}

class StreamedReplyImpl final : public StreamedReply {
 public:
  explicit StreamedReplyImpl(const std::string& ca_pem) : connection_(ca_pem) {}
  ~StreamedReplyImpl() override { connection_.Close(); }

  absl::Status Open(int port, const std::string& target, const std::string& body, const HttpHeaders& headers,
                    absl::Duration timeout) {
    if (absl::Status s = connection_.Connect(port, timeout); !s.ok()) return s;
    http::request<http::string_body> request = MakeRequest("POST", target, body, headers);
    if (absl::Status s = connection_.Write(request, timeout); !s.ok()) return s;
    parser_.body_limit(boost::none);
    return connection_.ReadHeader(parser_, timeout);
  }

  int status() const override { return parser_.get().result_int(); }
  std::string header(const std::string& name) const override {
    auto it = parser_.get().find(name);
    return it == parser_.get().end() ? "" : std::string(it->value());
  }

  absl::StatusOr<std::string> NextLine(absl::Duration timeout) override {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      size_t newline = pending_.find('\n');
      if (newline != std::string::npos) {
        std::string line = pending_.substr(0, newline);
        pending_.erase(0, newline + 1);
        return line;
      }
      if (parser_.is_done()) return absl::OutOfRangeError("the response ended");
      if (absl::Now() >= deadline) return absl::DeadlineExceededError("no line within the timeout");
      char chunk[4096];
      parser_.get().body().data = chunk;
      parser_.get().body().size = sizeof(chunk);
      bool timed_out = false;
      beast::error_code error = connection_.ReadSome(parser_, deadline - absl::Now(), &timed_out);
      if (timed_out) return absl::DeadlineExceededError("no line within the timeout");
      if (error && error != http::error::need_buffer) {
        return absl::UnavailableError(absl::StrCat("read: ", error.message()));
      }
      pending_.append(chunk, sizeof(chunk) - parser_.get().body().size);
    }
  }

 private:
  Connection connection_;
  http::response_parser<http::buffer_body> parser_;
  std::string pending_;
};

}  // namespace

absl::StatusOr<HttpReply> Fetch(int port, const std::string& ca_pem, const std::string& method,
                                const std::string& target, const std::string& body, const HttpHeaders& headers,
                                absl::Duration timeout) {
  absl::StatusOr<std::vector<HttpReply>> replies =
      FetchInTurn(port, ca_pem, {HttpRequest{method, target, body, headers}}, timeout);
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

absl::StatusOr<std::vector<HttpReply>> FetchInTurn(int port, const std::string& ca_pem,
                                                   const std::vector<HttpRequest>& requests,
                                                   absl::Duration timeout) {
  Connection connection(ca_pem);
  if (absl::Status s = connection.Connect(port, timeout); !s.ok()) return s;
  std::vector<HttpReply> replies;
  for (const HttpRequest& next : requests) {
    if (!replies.empty() && replies.back().header("connection") == "close") {
      return absl::FailedPreconditionError(
          absl::StrCat("the gateway closed the connection before request ", replies.size() + 1));
    }
    http::request<http::string_body> request = MakeRequest(next.method, next.target, next.body, next.headers);
    if (absl::Status s = connection.Write(request, timeout); !s.ok()) return s;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (absl::Status s = connection.Read(parser, timeout); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("request ", replies.size() + 1, " (", next.method, " ", next.target,
                                                 "): ", s.message()));
    }
    replies.push_back(ReplyOf(parser));
  }
  connection.Close();
  return replies;
}

absl::StatusOr<HttpReply> FetchDeclaringBody(int port, const std::string& ca_pem, const std::string& method,
                                             const std::string& target, std::uint64_t content_length,
                                             const HttpHeaders& headers, absl::Duration timeout) {
  Connection connection(ca_pem);
  if (absl::Status s = connection.Connect(port, timeout); !s.ok()) return s;
  http::request<http::empty_body> request = MakeHeader(method, target, headers);
  request.content_length(content_length);
  if (absl::Status s = connection.WriteHeader(request, timeout); !s.ok()) return s;
  http::response_parser<http::string_body> parser;
  if (absl::Status s = connection.Read(parser, timeout); !s.ok()) return s;
  connection.Close();
  return ReplyOf(parser);
}

absl::StatusOr<std::unique_ptr<StreamedReply>> StreamedReply::Open(int port, const std::string& ca_pem,
                                                                   const std::string& target, const std::string& body,
                                                                   const HttpHeaders& headers,
                                                                   absl::Duration timeout) {
  auto reply = std::make_unique<StreamedReplyImpl>(ca_pem);
  if (absl::Status s = reply->Open(port, target, body, headers, timeout); !s.ok()) return s;
  return reply;
}

}  // namespace telederm::testing
