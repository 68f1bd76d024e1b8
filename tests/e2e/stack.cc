#include "tests/e2e/stack.h"

#include <csignal>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/e2e/credentials.h"
#include "tests/harness/net.h"
#include "tests/harness/temp_dir.h"

namespace telederm::testing {
namespace {

// Writes the test key ring into `data_dir` and returns the security flags.
std::vector<std::string> SecurityFlags(const StackOptions& options, const std::string& data_dir) {
  std::string keys = absl::StrCat(data_dir, "/token-keys");
  std::ofstream(keys) << kTestTokenKeys;
  std::vector<std::string> flags = {absl::StrCat("--token_keys=", keys)};
  if (options.tls_dir.empty()) {
    flags.push_back("--plaintext_for_development");
  } else {
    flags.push_back(absl::StrCat("--tls_cert=", options.tls_dir, "/server.pem"));
    flags.push_back(absl::StrCat("--tls_key=", options.tls_dir, "/server.key"));
    flags.push_back(absl::StrCat("--tls_client_ca=", options.tls_dir, "/ca.pem"));
    if (options.require_client_cert) flags.push_back("--require_client_cert");
  }
  flags.insert(flags.end(), options.security_flags.begin(), options.security_flags.end());
  return flags;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Stack>> Stack::Start(StackOptions options) {
  std::unique_ptr<Stack> stack(new Stack());
  if (options.sentinel.has_value()) {
    SentinelRedisOptions sentinel_options = *options.sentinel;
    sentinel_options.appendfsync = options.redis_appendfsync;
    sentinel_options.redis_args = options.redis_args;
    absl::StatusOr<std::unique_ptr<SentinelRedis>> sentinel = SentinelRedis::Start(sentinel_options);
    if (!sentinel.ok()) return sentinel.status();
    stack->sentinel_ = std::move(*sentinel);
    stack->redis_address_ = stack->sentinel_->address();
  } else {
    RedisServerOptions redis_options;
    redis_options.appendfsync = options.redis_appendfsync;
    redis_options.extra_args = options.redis_args;
    // Over the socket, Redis listens on nothing else: nothing can use TCP by mistake.
    redis_options.tcp = !options.redis_over_unix_socket;
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start(redis_options);
    if (!redis.ok()) return redis.status();
    stack->redis_ = std::move(*redis);
    stack->redis_address_ =
        options.redis_over_unix_socket ? stack->redis_->unix_address() : stack->redis_->host_port();
  }
  absl::StatusOr<std::string> dir = MakeTempDir("telederm-stack");
  if (!dir.ok()) return dir.status();
  stack->data_dir_ = *dir;

  std::vector<std::string> security = SecurityFlags(options, stack->data_dir_);
  auto make = [&](const char* binary, const std::string& name, const std::vector<std::string>& flags) {
    Process p;
    p.port = FreeLoopbackPort();
    p.log = absl::StrCat(stack->data_dir_, "/", name, ".log");
    p.argv = {binary, absl::StrCat("--listen=127.0.0.1:", p.port), absl::StrCat("--redis=", stack->redis_address_),
              absl::StrCat("--data_dir=", stack->data_dir_)};
    p.argv.insert(p.argv.end(), security.begin(), security.end());
    p.argv.insert(p.argv.end(), flags.begin(), flags.end());
    return p;
  };
  stack->intake_ = make(TELEDERM_INTAKE_BIN, "intake", options.intake_flags);
  for (int i = 0; i < options.triage_processes; ++i) {
    stack->triage_.push_back(make(TELEDERM_TRIAGE_BIN, absl::StrCat("triage-", i), options.triage_flags));
  }
  std::vector<std::string> referral_flags = options.referral_flags;
  if (!options.referral_clock_file.empty()) {
    referral_flags.push_back(absl::StrCat("--test_clock_file=", options.referral_clock_file));
  }
  const char* referral_binary =
      options.referral_clock_file.empty() ? TELEDERM_REFERRAL_BIN : TELEDERM_REFERRAL_OFFSET_CLOCK_BIN;
  for (int i = 0; i < options.referral_processes; ++i) {
    stack->referral_.push_back(make(referral_binary, absl::StrCat("referral-", i), referral_flags));
  }
  if (absl::Status s = stack->Launch(stack->intake_); !s.ok()) return s;
  for (Process& p : stack->triage_) {
    if (absl::Status s = stack->Launch(p); !s.ok()) return s;
  }
  for (Process& p : stack->referral_) {
    if (absl::Status s = stack->Launch(p); !s.ok()) return s;
  }
  return stack;
}

Stack::~Stack() {
  for (Process* p : {&intake_}) p->child.reset();
  for (Process& p : triage_) p.child.reset();
  for (Process& p : referral_) p.child.reset();
  redis_.reset();
  sentinel_.reset();
  std::error_code ignored;
  if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_, ignored);
}

absl::Status Stack::Launch(Process& process) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(process.argv, {}, process.log);
  if (!child.ok()) return child.status();
  process.child = std::move(*child);
  // Generous: under valgrind (docs/PERFORMANCE.md's profiles) on a busy
  // machine a service takes over 20 s to start.
  if (absl::Status s = WaitForPort(process.port, absl::Seconds(60)); !s.ok()) {
    return absl::UnavailableError(
        absl::StrCat(process.argv[0], " did not start listening: ", s.message(), "\n", FileTail(process.log)));
  }
  return absl::OkStatus();
}

Stack::Process& Stack::ProcessOf(Service service, int index) {
  switch (service) {
    case Service::kIntake: return intake_;
    case Service::kTriage: return triage_.at(index);
    case Service::kReferral:
    default: return referral_.at(index);
  }
}

const Stack::Process& Stack::ProcessOf(Service service, int index) const {
  return const_cast<Stack*>(this)->ProcessOf(service, index);
}

std::string Stack::address(Service service, int index) const {
  return absl::StrCat("127.0.0.1:", ProcessOf(service, index).port);
}

absl::Status Stack::Kill9(Service service, int index) { return ProcessOf(service, index).child->Kill9(); }

absl::Status Stack::Restart(Service service, int index) {
  Process& process = ProcessOf(service, index);
  process.child.reset();
  return Launch(process);
}

std::string Stack::LogTail(Service service, int index) const { return FileTail(ProcessOf(service, index).log); }

bool Stack::Running(Service service, int index) {
  Process& process = ProcessOf(service, index);
  return process.child != nullptr && process.child->Running();
}

absl::StatusOr<int> Stack::Terminate(Service service, absl::Duration timeout, int index) {
  Process& process = ProcessOf(service, index);
  if (absl::Status s = process.child->Signal(SIGTERM); !s.ok()) return s;
  return process.child->Wait(timeout);
}

int Stack::processes(Service service) const {
  switch (service) {
    case Service::kIntake: return 1;
    case Service::kTriage: return static_cast<int>(triage_.size());
    case Service::kReferral:
    default: return static_cast<int>(referral_.size());
  }
}

}  // namespace telederm::testing
