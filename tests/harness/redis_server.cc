#include "tests/harness/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/harness/net.h"
#include "tests/harness/temp_dir.h"

namespace telederm::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(10);

}  // namespace

absl::StatusOr<std::string> FindRedisServer() {
  if (const char* env = getenv("TELEDERM_REDIS_SERVER");
      env != nullptr && *env != '\0') {
    if (access(env, X_OK) == 0) return std::string(env);
    return absl::NotFoundError(absl::StrCat(
        "TELEDERM_REDIS_SERVER=", env, " is not an executable file"));
  }
  if (access("/usr/bin/redis-server", X_OK) == 0) {
    return std::string("/usr/bin/redis-server");
  }
  const char* path = getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "", ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/redis-server");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return absl::NotFoundError(
      "redis-server not found: set TELEDERM_REDIS_SERVER, or install it in "
      "/usr/bin or PATH");
}

namespace {

// True if a PING over a fresh connection gets "+PONG" (not "-LOADING ..."):
// over TCP loopback to `port`, or, when port is 0, over the Unix socket.
bool AnswersPing(int port, const std::string& unix_socket) {
  const int fd = socket(port != 0 ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in inet{};
  inet.sin_family = AF_INET;
  inet.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  inet.sin_port = htons(static_cast<uint16_t>(port));
  sockaddr_un local{};
  local.sun_family = AF_UNIX;
  unix_socket.copy(local.sun_path, sizeof(local.sun_path) - 1);
  const bool connected =
      port != 0 ? connect(fd, reinterpret_cast<sockaddr*>(&inet), sizeof(inet)) == 0
                : connect(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0;
  bool pong = false;
  if (connected) {
    constexpr char kPing[] = "*1\r\n$4\r\nPING\r\n";
    if (send(fd, kPing, sizeof(kPing) - 1, MSG_NOSIGNAL) ==
        static_cast<ssize_t>(sizeof(kPing) - 1)) {
      std::string line;
      char c;
      while (line.size() < 256 && recv(fd, &c, 1, 0) == 1 && c != '\n') {
        line.push_back(c);
      }
      // NOAUTH: up, and only for authenticated users (an ACL file's users).
      pong = absl::StartsWith(line, "+PONG") || absl::StartsWith(line, "-NOAUTH");
    }
  }
  close(fd);
  return pong;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(
    Options options) {
  absl::StatusOr<std::string> binary = FindRedisServer();
  if (!binary.ok()) return binary.status();
  absl::StatusOr<std::string> dir = MakeTempDir("telederm-redis-");
  if (!dir.ok()) return dir.status();
  std::unique_ptr<RedisServer> server(
      new RedisServer(options, *std::move(binary), *std::move(dir)));
  // The free port may be taken by someone else before redis binds it; then
  // redis exits at once and we try another port.
  absl::Status launched;
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->port_ = options.tcp ? FreeLoopbackPort() : 0;
    if (options.tcp && server->port_ <= 0) return absl::InternalError("no free loopback port");
    launched = server->Launch();
    if (launched.ok()) return server;
  }
  return launched;
}

RedisServer::~RedisServer() {
  process_.reset();  // SIGTERM, wait, SIGKILL if needed
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::host_port() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::string RedisServer::unix_socket() const { return absl::StrCat(dir_, "/redis.sock"); }

std::string RedisServer::unix_address() const { return absl::StrCat("unix:", unix_socket()); }

absl::Status RedisServer::Launch() {
  const std::string log = absl::StrCat(dir_, "/redis.log");
  if (unix_socket().size() >= sizeof(sockaddr_un::sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis-server's socket path ", unix_socket(), " is too long for a Unix socket; set a shorter TMPDIR"));
  }
  std::vector<std::string> argv = {
      binary_,
      "--port", absl::StrCat(port_),
      "--bind", "127.0.0.1",
      "--unixsocket", unix_socket(),
      "--unixsocketperm", "700",
      "--dir", dir_,
      "--save", "",
      "--appendonly", options_.append_only ? "yes" : "no",
      "--appendfsync", options_.appendfsync,
      "--daemonize", "no",
      "--protected-mode", "yes",
      "--logfile", log,
  };
  // The production settings that shape memory (deploy/redis/redis.conf), so
  // that tests and the bench measure the encodings production uses.
  for (const auto& [name, value] : kProductionMemorySettings) {
    argv.insert(argv.end(), {absl::StrCat("--", name), value});
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> process = ChildProcess::Spawn(
      std::move(argv), {}, absl::StrCat(dir_, "/redis.stdout"));
  if (!process.ok()) return process.status();
  process_ = *std::move(process);

  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (!AnswersPing(port_, unix_socket())) {
    if (!process_->Running()) {
      return absl::UnavailableError(
          absl::StrCat("redis-server on port ", port_, " exited at start; log:\n",
                       FileTail(log), FileTail(process_->log_path())));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "redis-server on port ", port_, " did not answer PING within ",
          absl::FormatDuration(kStartTimeout), "; log:\n", FileTail(log),
          FileTail(process_->log_path())));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::OkStatus();
}

absl::Status RedisServer::Kill() {
  if (process_ == nullptr) return absl::OkStatus();
  return process_->Kill9();
}

absl::Status RedisServer::Freeze() {
  if (process_ == nullptr) return absl::FailedPreconditionError("redis-server is not running");
  return process_->Signal(SIGSTOP);
}

absl::Status RedisServer::Thaw() {
  if (process_ == nullptr) return absl::FailedPreconditionError("redis-server is not running");
  return process_->Signal(SIGCONT);
}

absl::Status RedisServer::Stop() {
  if (process_ == nullptr || !process_->Running()) return absl::OkStatus();
  if (absl::Status s = process_->Signal(SIGTERM); !s.ok()) return s;
  absl::StatusOr<int> code = process_->Wait(absl::Seconds(10));
  if (!code.ok()) return code.status();
  return absl::OkStatus();
}

absl::Status RedisServer::Restart() {
  if (absl::Status s = Stop(); !s.ok()) return s;
  process_.reset();
  return Launch();
}

absl::Status RedisServer::RestartAsReplicaOf(int master_port) {
  std::vector<std::string>& args = options_.extra_args;
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (*it == "--replicaof" && args.end() - it >= 3) {
      args.erase(it, it + 3);
      break;
    }
  }
  args.insert(args.end(), {"--replicaof", "127.0.0.1", absl::StrCat(master_port)});
  return Restart();
}

}  // namespace telederm::testing
