#include "services/web/gateway.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/logging/log.h"
#include "services/web/connection.h"

namespace telederm::web {

namespace {

absl::StatusOr<net::ip::tcp::endpoint> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--listen: '", listen, "' is not host:port"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  beast::error_code error;
  net::ip::address address = net::ip::make_address(host, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("--listen: '", host, "' is not an IP address"));
  return net::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

absl::StatusOr<std::unique_ptr<net::ssl::context>> ServerTls(const GatewayOptions& options) {
  if (options.plaintext_for_development) {
    if (!options.tls_cert_file.empty()) {
      return absl::InvalidArgumentError("--plaintext_for_development and --tls_cert exclude each other");
    }
    return nullptr;
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key are required (or --plaintext_for_development on loopback)");
  }
  auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                   net::ssl::context::single_dh_use);
  beast::error_code error;
  tls->use_certificate_chain_file(options.tls_cert_file, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("--tls_cert: ", options.tls_cert_file, ": ", error.message()));
  tls->use_private_key_file(options.tls_key_file, net::ssl::context::pem, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("--tls_key: ", options.tls_key_file, ": ", error.message()));
  return tls;
}

class GatewayImpl final : public Gateway {
 public:
  GatewayImpl(GatewayOptions options, StaticFiles static_files, std::unique_ptr<Backends> backends,
              std::unique_ptr<net::ssl::context> tls)
      : options_(std::move(options)),
        static_files_(std::move(static_files)),
        routes_(ApiRoutes::Build()),
        backends_(std::move(backends)),
        peer_streams_(options_.max_streams_per_peer),
        parts_{static_files_, routes_, *backends_, peer_streams_, options_.limits},
        tls_(std::move(tls)),
        io_(options_.threads),
        acceptor_(net::make_strand(io_)) {}

  ~GatewayImpl() override {
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
  }

  absl::Status Listen(const net::ip::tcp::endpoint& endpoint) {
    beast::error_code error;
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
    if (error) {
      return absl::UnavailableError(absl::StrCat("--listen: cannot listen on ", options_.listen, ": ", error.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(acceptor_.get_executor(), Accept(), net::detached);
    for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { io_.run(); });
    return absl::OkStatus();
  }

  int port() const override { return port_; }

 private:
  net::awaitable<void> Accept() {
    for (;;) {
      beast::error_code error;
      net::ip::tcp::socket socket = co_await acceptor_.async_accept(
          net::make_strand(io_), net::redirect_error(net::use_awaitable, error));
      if (error == net::error::operation_aborted) co_return;
      if (error) {
        LogWarning(absl::StrCat("accept: ", error.message()));
        continue;
      }
      auto executor = socket.get_executor();
      net::co_spawn(executor, ServeConnection(std::move(socket), tls_.get(), parts_), net::detached);
    }
  }

  const GatewayOptions options_;
  StaticFiles static_files_;
  const ApiRoutes routes_;
  std::unique_ptr<Backends> backends_;
  PeerStreams peer_streams_;
  const GatewayParts parts_;
  std::unique_ptr<net::ssl::context> tls_;
  net::io_context io_;
  net::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(GatewayOptions options) {
  absl::StatusOr<net::ip::tcp::endpoint> endpoint = ParseListen(options.listen);
  if (!endpoint.ok()) return endpoint.status();
  if (options.plaintext_for_development && !endpoint->address().is_loopback()) {
    return absl::InvalidArgumentError("--plaintext_for_development listens on a loopback address only");
  }
  if (options.threads < 1 || options.max_streams_per_peer < 1) {
    return absl::InvalidArgumentError("--threads and --max_streams_per_peer must be at least 1");
  }
  absl::StatusOr<std::unique_ptr<net::ssl::context>> tls = ServerTls(options);
  if (!tls.ok()) return tls.status();
  absl::StatusOr<StaticFiles> static_files = StaticFiles::Open(options.static_dir, options.icd10_table);
  if (!static_files.ok()) return static_files.status();
  options.backends.plaintext = options.plaintext_for_development;
  absl::StatusOr<std::unique_ptr<Backends>> backends = Backends::Open(options.backends);
  if (!backends.ok()) return backends.status();
  auto gateway = std::make_unique<GatewayImpl>(std::move(options), *std::move(static_files), *std::move(backends),
                                               *std::move(tls));
  absl::Status listening = gateway->Listen(*endpoint);
  if (!listening.ok()) return listening;
  return gateway;
}

}  // namespace telederm::web
