#include "services/web/security_headers.h"

namespace telederm::web {

namespace http = boost::beast::http;

void SetSecurityHeaders(http::fields& fields, bool tls, bool api) {
  fields.set("Content-Security-Policy", kContentSecurityPolicy);
  fields.set("X-Content-Type-Options", "nosniff");
  fields.set("Referrer-Policy", "no-referrer");
  if (tls) fields.set(http::field::strict_transport_security, "max-age=31536000");
  if (api) fields.set(http::field::cache_control, "no-store");
}

}  // namespace telederm::web
