#ifndef TELEDERM_TESTS_WEB_HTTPS_CLIENT_H_
#define TELEDERM_TESTS_WEB_HTTPS_CLIENT_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

// A small HTTPS/1.1 client (Boost.Beast) for tests of telederm-web: it trusts
// the test CA only and verifies the gateway's certificate, as a browser would.
namespace telederm::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& lower_case_name) const {
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? "" : it->second;
  }
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// One request on a new connection to 127.0.0.1:`port`; the whole reply.
// `target` is sent exactly as given (no normalisation of "..").
absl::StatusOr<HttpReply> Fetch(int port, const std::string& ca_pem, const std::string& method,
                                const std::string& target, const std::string& body = "",
                                const HttpHeaders& headers = {}, absl::Duration timeout = absl::Seconds(30));

// One request of FetchInTurn.
struct HttpRequest {
  std::string method;
  std::string target;
  std::string body;
  HttpHeaders headers;
};

// `requests` one after the other on one kept-alive connection, as a browser
// reuses its connections: each is sent once the reply before it has come in
// whole. The replies in order; an error as soon as one does not come within
// `timeout` or the connection closes early.
absl::StatusOr<std::vector<HttpReply>> FetchInTurn(int port, const std::string& ca_pem,
                                                   const std::vector<HttpRequest>& requests,
                                                   absl::Duration timeout = absl::Seconds(30));

// A request that declares a body of `content_length` bytes and sends only its
// header, then reads the reply: for a server that must refuse a body by its
// declared size before reading it.
absl::StatusOr<HttpReply> FetchDeclaringBody(int port, const std::string& ca_pem, const std::string& method,
                                             const std::string& target, std::uint64_t content_length,
                                             const HttpHeaders& headers, absl::Duration timeout = absl::Seconds(30));

// A streamed reply read as it arrives (application/x-ndjson): open it, then
// take its lines one by one. Destroying it closes the connection, as a
// browser aborting the fetch does.
class StreamedReply {
 public:
  static absl::StatusOr<std::unique_ptr<StreamedReply>> Open(int port, const std::string& ca_pem,
                                                             const std::string& target, const std::string& body,
                                                             const HttpHeaders& headers,
                                                             absl::Duration timeout = absl::Seconds(30));
  virtual ~StreamedReply() = default;
  virtual int status() const = 0;
  virtual std::string header(const std::string& lower_case_name) const = 0;
  // The next line (without "\n"); DEADLINE_EXCEEDED when none arrives within
  // `timeout`, OUT_OF_RANGE when the response ended.
  virtual absl::StatusOr<std::string> NextLine(absl::Duration timeout) = 0;
};

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_WEB_HTTPS_CLIENT_H_
