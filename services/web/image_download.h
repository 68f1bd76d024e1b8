#ifndef TELEDERM_SERVICES_WEB_IMAGE_DOWNLOAD_H_
#define TELEDERM_SERVICES_WEB_IMAGE_DOWNLOAD_H_

#include <utility>  // before Asio's awaitable.hpp, which needs std::exchange

#include <boost/asio/awaitable.hpp>

#include "services/web/exchange.h"

namespace telederm::web {

// GET /api/v1/images/<case_id>/<sha256>[?variant=thumbnail]: ImageService.GetImage
// with the caller's token, its chunks written into the response as they
// arrive (Content-Type and Content-Length from the first chunk's metadata).
// An error before the first chunk is answered like a unary call's; a failure
// after it closes the connection, so the browser sees a truncated body, never
// a short image taken for whole.
net::awaitable<void> ForwardImageRead(Exchange& exchange);

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_IMAGE_DOWNLOAD_H_
