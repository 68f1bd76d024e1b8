#ifndef TELEDERM_TESTS_E2E_CREDENTIALS_H_
#define TELEDERM_TESTS_E2E_CREDENTIALS_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/claims.h"

// Test credentials for the real services: the key ring every Stack's services
// verify tokens with, tokens minted with it, and a development CA with
// certificates (deploy/dev-certs.sh) for TLS tests.
namespace telederm::testing {

// "<kid> <hex secret>": written to every Stack's data directory (--token_keys).
inline constexpr char kTestTokenKeys[] =
    "e2e-test 5eb63bbbe01eeed093cb22bb8f5acdc35eb63bbbe01eeed093cb22bb8f5acdc3\n";

// A token signed with kTestTokenKeys. `scope` is the clinic id of a clinic
// token, the comma-separated pools of a specialist or supervisor token.
std::string TestToken(auth::Role role, const std::string& subject, const std::string& scope = "",
                      absl::Duration ttl = absl::Hours(1), const std::string& token_id = "");

// A context carrying `token` (an empty token: no authorization header).
std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token,
                                               absl::Duration deadline = absl::Seconds(30));
std::unique_ptr<grpc::ClientContext> AsAdmin(const std::string& admin_id,
                                             absl::Duration deadline = absl::Seconds(30));

// A development CA, server certificate (localhost, 127.0.0.1) and clinic client
// certificate made by deploy/dev-certs.sh in `dir`; PEM contents and file paths.
struct TestCertificates {
  std::string dir;
  std::string ca_pem, server_cert_pem, server_key_pem, client_cert_pem, client_key_pem;
  std::string ca_file() const { return dir + "/ca.pem"; }
  std::string server_cert_file() const { return dir + "/server.pem"; }
  std::string server_key_file() const { return dir + "/server.key"; }
};
absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir);

// A TLS channel trusting the test CA, with the client certificate when `mutual`.
std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const TestCertificates& certs, bool mutual);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_E2E_CREDENTIALS_H_
