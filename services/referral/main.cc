// telederm-referral: the specialists' queue. Reads configuration and starts
// the consumer of stream:triaged, the lease reaper and the gRPC server.
#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/clock/clock.h"
#include "common/config/server_config.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "common/redis/client.h"
#include "common/server/grpc_server.h"
#include "services/referral/background.h"
#include "services/referral/options.h"
#include "services/referral/referral_service.h"

ABSL_FLAG(absl::Duration, urgent_target, absl::Hours(24), "service-level target of URGENT cases");
ABSL_FLAG(absl::Duration, soon_target, absl::Hours(72), "service-level target of SOON cases");
ABSL_FLAG(absl::Duration, routine_target, absl::Hours(168), "service-level target of ROUTINE cases");
ABSL_FLAG(absl::Duration, lease, absl::Minutes(15), "how long a claim lasts without ExtendClaim");
ABSL_FLAG(absl::Duration, reap_interval, absl::Seconds(1), "how often lapsed leases are returned to the queue");
ABSL_FLAG(absl::Duration, reclaim_idle, absl::Seconds(30),
          "take over triaged entries pending this long on another (dead) consumer");
ABSL_FLAG(std::string, default_pool, "general", "the pool every case is routed to");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  telederm::SetLogComponent("referral");
  const telederm::ServerConfig config = telederm::ResolveServerConfig("127.0.0.1:50053");

  telederm::referral::ReferralOptions options;
  options.targets.urgent = absl::GetFlag(FLAGS_urgent_target);
  options.targets.soon = absl::GetFlag(FLAGS_soon_target);
  options.targets.routine = absl::GetFlag(FLAGS_routine_target);
  options.lease = absl::GetFlag(FLAGS_lease);
  options.reap_interval = absl::GetFlag(FLAGS_reap_interval);
  options.reclaim_idle = absl::GetFlag(FLAGS_reclaim_idle);
  options.default_pool = absl::GetFlag(FLAGS_default_pool);
  if (absl::Status s = telederm::referral::ValidateOptions(options); !s.ok()) {
    std::cerr << "telederm-referral: " << s.message() << "\n";
    return 2;
  }
  absl::StatusOr<telederm::redis::Endpoint> endpoint = telederm::redis::Endpoint::Parse(config.redis);
  if (!endpoint.ok()) {
    std::cerr << "telederm-referral: --redis: " << endpoint.status().message() << "\n";
    return 2;
  }
  telederm::redis::ClientOptions redis_options;
  redis_options.endpoint = *endpoint;
  std::shared_ptr<telederm::redis::Client> redis = telederm::redis::Client::Create(redis_options);
  telederm::ClockPtr clock = telederm::RealClock();

  telederm::referral::BackgroundWork background(
      std::make_unique<telederm::referral::TriagedConsumer>(redis, clock, options,
                                                            telederm::NewConsumerName("referral")),
      std::make_unique<telederm::referral::LeaseReaper>(redis, clock), options);
  telederm::referral::ReferralServiceImpl service(
      std::make_shared<telederm::referral::SpecialistQueue>(redis, clock, options));
  absl::StatusOr<std::unique_ptr<telederm::GrpcServer>> server = telederm::GrpcServer::Start(config.listen, {&service});
  if (!server.ok()) {
    std::cerr << "telederm-referral: " << server.status().message() << "\n";
    return 1;
  }
  background.Start();
  (*server)->SetServing(true);
  std::cout << "telederm-referral listening on " << config.listen.substr(0, config.listen.rfind(':')) << ":"
            << (*server)->port() << std::endl;
  telederm::WaitForTerminationSignal();
  telederm::LogInfo("shutting down");
  background.Stop();
  (*server)->Shutdown(absl::Seconds(5));
  return 0;
}
