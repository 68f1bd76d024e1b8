#ifndef TELEDERM_SERVICES_WEB_SECURITY_HEADERS_H_
#define TELEDERM_SERVICES_WEB_SECURITY_HEADERS_H_

#include <boost/beast/http/fields.hpp>

namespace telederm::web {

// The Content-Security-Policy of every response: no inline script or style,
// nothing from elsewhere, images also from blob: (fetched with the token) and data:.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// Sets the headers every response carries (docs/WEB.md, "Security headers"):
// the CSP, nosniff, no referrer; HSTS when served over TLS; no-store for the
// API, whose answers hold patient data.
void SetSecurityHeaders(boost::beast::http::fields& fields, bool tls, bool api);

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_SECURITY_HEADERS_H_
