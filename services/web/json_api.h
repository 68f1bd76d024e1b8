#ifndef TELEDERM_SERVICES_WEB_JSON_API_H_
#define TELEDERM_SERVICES_WEB_JSON_API_H_

#include <utility>  // before Asio's awaitable.hpp, which needs std::exchange

#include <boost/asio/awaitable.hpp>

#include "services/web/exchange.h"

namespace telederm::web {

// POST /api/v1/<Service>/<Method>: the JSON body as the request message,
// forwarded with the caller's token. A unary method answers with its response
// in JSON; a server-streaming one with NDJSON, one message a line, flushed as
// each arrives, until the service ends the stream or the browser goes away
// (the call is then cancelled). Errors as docs/WEB.md says.
net::awaitable<void> ForwardApiCall(Exchange& exchange);

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_JSON_API_H_
