#ifndef TELEDERM_SERVICES_WEB_UPLOAD_H_
#define TELEDERM_SERVICES_WEB_UPLOAD_H_

#include <utility>  // before Asio's awaitable.hpp, which needs std::exchange

#include <boost/asio/awaitable.hpp>

#include "services/web/exchange.h"

namespace telederm::web {

// PUT /api/v1/uploads/<sha256>: IntakeService.UploadImage with the caller's
// token. The header message comes from the request's headers (Content-Type,
// X-Telederm-Modality, X-Telederm-Size, X-Telederm-Offset); the body follows
// in chunks as it arrives, never held whole. Answers UploadImageResponse in
// JSON, or the service's error (the quality gate's "retake" included).
net::awaitable<void> ForwardUpload(Exchange& exchange);

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_UPLOAD_H_
