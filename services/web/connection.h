#ifndef TELEDERM_SERVICES_WEB_CONNECTION_H_
#define TELEDERM_SERVICES_WEB_CONNECTION_H_

#include <utility>  // before Asio's awaitable.hpp, which needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "services/web/exchange.h"

namespace telederm::web {

// Serves one browser connection until it closes, times out or sends what
// cannot be answered: the TLS handshake (when `tls` is set), then HTTP/1.1
// requests one after the other, each routed to the static files or the API.
// Runs on the socket's strand.
net::awaitable<void> ServeConnection(net::ip::tcp::socket socket, net::ssl::context* tls, const GatewayParts& parts);

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_CONNECTION_H_
