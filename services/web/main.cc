// telederm-web: the console's HTTPS gateway. Reads its flags, starts the
// gateway and waits for SIGTERM/SIGINT; the logic lives in telederm::web.
#include <signal.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/logging/log.h"
#include "services/web/gateway.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8443", "host:port the console is served on (HTTPS)");
ABSL_FLAG(std::string, intake, "127.0.0.1:50051", "telederm-intake's address (also serves images and FHIR export)");
ABSL_FLAG(std::string, triage, "127.0.0.1:50052", "telederm-triage's address");
ABSL_FLAG(std::string, referral, "127.0.0.1:50053", "telederm-referral's address");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain the gateway presents to browsers");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA the services' certificates are verified with (empty: the system's CAs)");
ABSL_FLAG(bool, plaintext_for_development, false,
          "no TLS towards browsers or services; loopback only, for tests and development");
ABSL_FLAG(std::string, static_dir, "services/web/static", "the console's pages");
ABSL_FLAG(std::string, icd10_table, "services/referral/data/icd10_skin.tsv",
          "the ICD-10 table served as /static/icd10.tsv");
ABSL_FLAG(int32_t, threads, 2, "threads serving browser connections");
ABSL_FLAG(int32_t, max_streams_per_peer, 16, "open event/queue streams one client address may hold");

int main(int argc, char** argv) {
  using namespace telederm;
  absl::SetProgramUsageMessage("telederm-web: serves the web console and forwards its calls to the services");
  absl::ParseCommandLine(argc, argv);
  SetLogComponent("web");
  // The gateway's threads inherit the mask: only sigwait below sees these.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  web::GatewayOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.backends.intake = absl::GetFlag(FLAGS_intake);
  options.backends.triage = absl::GetFlag(FLAGS_triage);
  options.backends.referral = absl::GetFlag(FLAGS_referral);
  options.backends.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.plaintext_for_development = absl::GetFlag(FLAGS_plaintext_for_development);
  options.static_dir = absl::GetFlag(FLAGS_static_dir);
  options.icd10_table = absl::GetFlag(FLAGS_icd10_table);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.max_streams_per_peer = absl::GetFlag(FLAGS_max_streams_per_peer);
  if (options.plaintext_for_development) {
    LogWarning("*** --plaintext_for_development: NO TLS. Patient data crosses the wire unencrypted. Only for tests.");
  }
  absl::StatusOr<std::unique_ptr<web::Gateway>> gateway = web::Gateway::Start(options);
  if (!gateway.ok()) {
    LogError(std::string(gateway.status().message()));
    return 2;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  LogInfo(absl::StrCat("telederm-web listening on ", options.plaintext_for_development ? "http" : "https", "://", host,
                       ":", (*gateway)->port(), "/ (intake ", options.backends.intake, ", triage ",
                       options.backends.triage, ", referral ", options.backends.referral, ")"));
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogInfo("shutting down");
  gateway->reset();
  return 0;
}
