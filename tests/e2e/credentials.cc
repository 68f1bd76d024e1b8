#include "tests/e2e/credentials.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/auth/key_ring.h"
#include "common/auth/token.h"
#include "tests/e2e/api.h"

namespace telederm::testing {

std::string TestToken(auth::Role role, const std::string& subject, const std::string& scope, absl::Duration ttl,
                      const std::string& token_id) {
  static const auth::KeyRing* keys = new auth::KeyRing(*auth::KeyRing::Parse(kTestTokenKeys));
  auth::Claims claims;
  claims.subject = subject;
  claims.role = role;
  if (role == auth::Role::kClinic) claims.clinic_id = scope;
  if (role == auth::Role::kSpecialist || role == auth::Role::kSupervisor) {
    claims.pools = absl::StrSplit(scope.empty() ? "general" : scope, ',', absl::SkipEmpty());
  }
  claims.issued_at = absl::Now() - absl::Minutes(1);
  claims.expires_at = claims.issued_at + ttl;
  claims.token_id = token_id;
  absl::StatusOr<std::string> token = auth::IssueToken(claims, *keys);
  return token.ok() ? *token : "";
}

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token, absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

std::unique_ptr<grpc::ClientContext> AsAdmin(const std::string& admin_id, absl::Duration deadline) {
  return WithToken(TestToken(auth::Role::kAdmin, admin_id), deadline);
}

absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir) {
  std::string command = absl::StrCat(TELEDERM_SOURCE_DIR, "/deploy/dev-certs.sh '", dir, "' >/dev/null");
  if (std::system(command.c_str()) != 0) return absl::InternalError("deploy/dev-certs.sh failed");
  TestCertificates certs;
  certs.dir = dir;
  certs.ca_pem = ReadFileBytes(dir + "/ca.pem");
  certs.server_cert_pem = ReadFileBytes(dir + "/server.pem");
  certs.server_key_pem = ReadFileBytes(dir + "/server.key");
  certs.client_cert_pem = ReadFileBytes(dir + "/clinic.pem");
  certs.client_key_pem = ReadFileBytes(dir + "/clinic.key");
  if (certs.ca_pem.empty() || certs.client_key_pem.empty()) return absl::InternalError("certificates missing");
  return certs;
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const TestCertificates& certs, bool mutual) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = certs.ca_pem;
  if (mutual) {
    ssl.pem_cert_chain = certs.client_cert_pem;
    ssl.pem_private_key = certs.client_key_pem;
  }
  return grpc::CreateChannel(address, grpc::SslCredentials(ssl));
}

}  // namespace telederm::testing
