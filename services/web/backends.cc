#include "services/web/backends.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace telederm::web {

absl::StatusOr<std::unique_ptr<Backends>> Backends::Open(const BackendOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.plaintext) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!options.tls_ca_file.empty()) {
      std::ifstream in(options.tls_ca_file);
      std::stringstream pem;
      pem << in.rdbuf();
      if (!in || pem.str().empty()) {
        return absl::InvalidArgumentError(absl::StrCat("--tls_ca: cannot read ", options.tls_ca_file));
      }
      ssl.pem_root_certs = pem.str();
    }
    credentials = grpc::SslCredentials(ssl);
  }
  std::unique_ptr<Backends> backends(new Backends());
  auto stub_for = [&](const std::string& address) {
    return std::make_unique<grpc::GenericStub>(grpc::CreateChannel(address, credentials));
  };
  backends->intake_ = stub_for(options.intake);
  backends->triage_ = stub_for(options.triage);
  backends->referral_ = stub_for(options.referral);
  return backends;
}

grpc::GenericStub& Backends::stub(Backend backend) {
  switch (backend) {
    case Backend::kIntake: return *intake_;
    case Backend::kTriage: return *triage_;
    case Backend::kReferral: return *referral_;
  }
  return *intake_;
}

}  // namespace telederm::web
