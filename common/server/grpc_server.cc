#include "common/server/grpc_server.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "common/caller/verified_identity.h"
#include "common/server/malformed_request.h"
#include "absl/time/clock.h"
#include "common/logging/log.h"

namespace telederm {

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const std::string& listen,
                                                              const std::vector<grpc::Service*>& services,
                                                              ServerSecurity security) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(
      listen, security.credentials != nullptr ? security.credentials : grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
  for (grpc::Service* service : services) builder.RegisterService(service);
  for (const std::shared_ptr<grpc::Service>& service : security.services) builder.RegisterService(service.get());
  // First, so every later interceptor (the audit) sees the status it sets.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MalformedRequestInterceptorFactory>());
  for (auto& interceptor : security.interceptors) interceptors.push_back(std::move(interceptor));
  security.interceptors.clear();
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, " (in use, or not a local address?)"));
  }
  auto started = std::unique_ptr<GrpcServer>(new GrpcServer(std::move(server), port));
  started->security_ = std::move(security);
  return started;
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const std::string& listen,
                                                              const std::vector<grpc::Service*>& services) {
  AllowUnverifiedIdentityHeaders();
  return Start(listen, services, ServerSecurity{});
}

GrpcServer::~GrpcServer() { Shutdown(absl::Seconds(2)); }

void GrpcServer::SetServing(bool serving) {
  serving_ = serving;
  if (auto* health = server_->GetHealthCheckService()) health->SetServingStatus(serving);
}

void GrpcServer::Shutdown(absl::Duration deadline) {
  if (shut_down_) return;
  shut_down_ = true;
  SetServing(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + deadline));
  server_->Wait();
}

void WaitForTerminationSignal() {
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  io.run();
}

void ExitIfStillRunningAfter(absl::Duration deadline) {
  std::thread([deadline] {
    absl::SleepFor(deadline);
    LogError(absl::StrCat("shutdown took longer than ", absl::FormatDuration(deadline),
                          "; exiting now (unfinished work is delivered again)"));
    std::_Exit(1);
  }).detach();
}

void ShutdownWithin(GrpcServer& server, absl::Duration deadline, const std::function<void()>& stop_work) {
  const absl::Time start = absl::Now();
  server.SetServing(false);
  if (stop_work) stop_work();
  // Leave the watchdog a moment, so calls are cancelled before it fires.
  absl::Duration left = deadline - (absl::Now() - start) - absl::Milliseconds(200);
  server.Shutdown(std::max(left, absl::ZeroDuration()));
  LogInfo(absl::StrCat("stopped after ", absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))));
}

}  // namespace telederm
