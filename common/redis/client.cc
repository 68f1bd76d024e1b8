#include "common/redis/client.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/redis/connection.h"
#include "common/redis/sentinel.h"

namespace telederm::redis {
namespace {

// The barrier and WAIT in one round trip. WAIT blocks up to its timeout, so
// the read timeout is stretched for it and restored for the next borrower.
absl::StatusOr<Reply> PublishAndWait(internal::Connection& connection, const ClientOptions& options) {
  if (absl::Status s = connection.SetTimeout(options.replica_wait_timeout + options.command_timeout); !s.ok()) {
    return s;
  }
  absl::Status sent = connection.Append({"PUBLISH", kReplicationBarrierChannel, ""});
  if (sent.ok()) {
    sent = connection.Append({"WAIT", absl::StrCat(options.wait_replicas),
                              absl::StrCat(absl::ToInt64Milliseconds(options.replica_wait_timeout))});
  }
  if (!sent.ok()) return sent;
  absl::StatusOr<absl::StatusOr<Reply>> published = connection.ReadReply();
  if (!published.ok()) return published.status();
  absl::StatusOr<absl::StatusOr<Reply>> waited = connection.ReadReply();
  if (!waited.ok()) return waited.status();
  if (absl::Status s = connection.SetTimeout(options.command_timeout); !s.ok()) return s;
  if (!published->ok()) return published->status();
  return *std::move(waited);
}

// A thread's own regular connection to one Client. `alive` expires with the
// Client, so an entry left by a Client that is gone is closed the next time
// the thread adds an entry (or when the thread ends).
struct ThreadConnection {
  uint64_t client;
  std::weak_ptr<const void> alive;
  std::unique_ptr<internal::Connection> connection;  // null while borrowed
};
thread_local std::vector<ThreadConnection> this_threads_connections;
std::atomic<uint64_t> next_client_id{1};

ThreadConnection* ThisThreadsConnection(uint64_t client) {
  for (ThreadConnection& entry : this_threads_connections) {
    if (entry.client == client) return &entry;
  }
  return nullptr;
}

}  // namespace

Client::Client(const ClientOptions& options)
    : options_(options), id_(next_client_id.fetch_add(1)), alive_(std::make_shared<int>(0)) {}

Client::~Client() {
  std::erase_if(this_threads_connections, [this](const ThreadConnection& entry) { return entry.client == id_; });
}

std::shared_ptr<Client> Client::Create(const ClientOptions& options) {
  ClientOptions fixed = options;
  if (fixed.pool_size < 1) fixed.pool_size = 1;
  return std::shared_ptr<Client>(new Client(fixed));
}

absl::StatusOr<std::shared_ptr<Client>> Client::Connect(
    const ClientOptions& options) {
  std::shared_ptr<Client> client = Create(options);
  if (absl::Status s = client->Ping(); !s.ok()) return s;
  return client;
}

absl::StatusOr<Client::ConnectionPtr> Client::Borrow(bool blocking) {
  ConnectionPtr connection;
  if (!blocking) {
    // The calling thread's own connection: no lock, no wait.
    if (ThreadConnection* own = ThisThreadsConnection(id_); own != nullptr) connection = std::move(own->connection);
  } else {
    absl::MutexLock lock(&mu_);
    if (!idle_blocking_.empty()) {
      connection = std::move(idle_blocking_.back());
      idle_blocking_.pop_back();
    }
  }
  if (connection != nullptr && connection->LooksAlive()) return connection;
  if (connection != nullptr) {
    absl::MutexLock lock(&mu_);
    master_.reset();  // its server closed it: perhaps it died or became a replica
  }
  return OpenWithBackoff();
}

absl::StatusOr<Client::ConnectionPtr> Client::OpenWithBackoff() {
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (now < next_connect_) {
      return absl::UnavailableError(absl::StrCat(
          "redis at ", options_.endpoint.ToString(), " unavailable: reconnecting in ",
          absl::FormatDuration(absl::Ceil(next_connect_ - now, absl::Milliseconds(1))), " (last error: ",
          last_connect_error_, ")"));
    }
  }
  absl::StatusOr<ConnectionPtr> opened = Open();
  absl::MutexLock lock(&mu_);
  if (opened.ok()) {
    backoff_ = absl::ZeroDuration();
    next_connect_ = absl::InfinitePast();
    return opened;
  }
  backoff_ = backoff_ == absl::ZeroDuration() ? options_.reconnect_backoff_initial
                                              : std::min(backoff_ * 2, options_.reconnect_backoff_max);
  next_connect_ = absl::Now() + backoff_;
  last_connect_error_ = std::string(opened.status().message());
  return opened;
}

absl::StatusOr<Client::ConnectionPtr> Client::Open() {
  if (!options_.endpoint.is_sentinel()) return internal::Connection::Open(options_);
  std::optional<Endpoint> known;
  {
    absl::MutexLock lock(&mu_);
    known = master_;
  }
  absl::StatusOr<ConnectionPtr> opened = absl::UnavailableError("no master known");
  if (known.has_value()) opened = internal::OpenMaster(options_, *known);
  if (!opened.ok()) {
    // Unknown, gone, or demoted: the sentinels may already name another one.
    absl::StatusOr<Endpoint> named = internal::AskSentinelsForMaster(options_);
    if (!named.ok()) return named.status();
    known = *named;
    opened = internal::OpenMaster(options_, *known);
  }
  absl::MutexLock lock(&mu_);
  if (opened.ok()) {
    master_ = known;
  } else {
    master_.reset();
  }
  return opened;
}

void Client::ForgetMasterIfBroken(const internal::Connection& connection) {
  if (connection.broken()) master_.reset();
}

void Client::GiveBack(ConnectionPtr connection, bool blocking) {
  if (connection->broken() || blocking) {
    absl::MutexLock lock(&mu_);
    ForgetMasterIfBroken(*connection);
    if (blocking && !connection->broken() && static_cast<int>(idle_blocking_.size()) < options_.pool_size) {
      idle_blocking_.push_back(std::move(connection));
    }
    return;
  }
  if (ThreadConnection* own = ThisThreadsConnection(id_); own != nullptr) {
    // A nested call on the same thread borrowed a second one: keep one.
    if (own->connection == nullptr) own->connection = std::move(connection);
    return;
  }
  std::erase_if(this_threads_connections, [](const ThreadConnection& entry) { return entry.alive.expired(); });
  this_threads_connections.push_back(ThreadConnection{id_, alive_, std::move(connection)});
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string>& argv) {
  absl::StatusOr<ConnectionPtr> connection = Borrow(/*blocking=*/false);
  if (!connection.ok()) return connection.status();
  absl::StatusOr<Reply> reply = (*connection)->Run(argv);
  GiveBack(*std::move(connection), /*blocking=*/false);
  return reply;
}

absl::StatusOr<std::vector<absl::StatusOr<Reply>>> Client::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<absl::StatusOr<Reply>> replies;
  if (commands.empty()) return replies;
  for (const auto& argv : commands) {
    if (argv.empty()) {
      return absl::InvalidArgumentError("empty redis command in pipeline");
    }
  }
  absl::StatusOr<ConnectionPtr> connection = Borrow(/*blocking=*/false);
  if (!connection.ok()) return connection.status();
  absl::Status transport;
  for (const auto& argv : commands) {
    transport = (*connection)->Append(argv);
    if (!transport.ok()) break;
  }
  replies.reserve(commands.size());
  for (size_t i = 0; transport.ok() && i < commands.size(); ++i) {
    absl::StatusOr<absl::StatusOr<Reply>> reply = (*connection)->ReadReply();
    if (!reply.ok()) {
      transport = reply.status();
      break;
    }
    replies.push_back(*std::move(reply));
  }
  GiveBack(*std::move(connection), /*blocking=*/false);
  if (!transport.ok()) return transport;
  return replies;
}

absl::StatusOr<Reply> Client::Eval(const Script& script,
                                   const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> replies = EvalAll({{&script, keys, args}});
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

absl::StatusOr<std::vector<absl::StatusOr<Reply>>> Client::EvalAll(const std::vector<ScriptCall>& calls) {
  auto argv_of = [](const ScriptCall& call, bool with_source) {
    std::vector<std::string> argv;
    argv.reserve(3 + call.keys.size() + call.args.size());
    argv.push_back(with_source ? "EVAL" : "EVALSHA");
    argv.push_back(with_source ? call.script->source() : call.script->sha1());
    argv.push_back(absl::StrCat(call.keys.size()));
    argv.insert(argv.end(), call.keys.begin(), call.keys.end());
    argv.insert(argv.end(), call.args.begin(), call.args.end());
    return argv;
  };
  std::vector<std::vector<std::string>> commands;
  commands.reserve(calls.size());
  for (const ScriptCall& call : calls) commands.push_back(argv_of(call, /*with_source=*/false));
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> replies = Pipeline(commands);
  if (!replies.ok()) return replies.status();
  // Redis lost its script cache (restart, SCRIPT FLUSH): send those again with
  // the source, which caches the script for the next time.
  std::vector<size_t> again;
  std::vector<std::vector<std::string>> with_source;
  for (size_t i = 0; i < replies->size(); ++i) {
    if (!(*replies)[i].ok() && IsRedisError((*replies)[i].status(), "NOSCRIPT")) {
      again.push_back(i);
      with_source.push_back(argv_of(calls[i], /*with_source=*/true));
    }
  }
  if (!again.empty()) {
    absl::StatusOr<std::vector<absl::StatusOr<Reply>>> resent = Pipeline(with_source);
    if (!resent.ok()) return resent.status();
    for (size_t k = 0; k < again.size(); ++k) (*replies)[again[k]] = std::move((*resent)[k]);
  }
  for (absl::StatusOr<Reply>& reply : *replies) {
    if (!reply.ok()) reply = ScriptErrorToStatus(reply.status());
  }
  return replies;
}

absl::StatusOr<Reply> Client::BlockingCommand(
    const std::vector<std::string>& argv, absl::Duration block) {
  absl::StatusOr<ConnectionPtr> connection = Borrow(/*blocking=*/true);
  if (!connection.ok()) return connection.status();
  absl::Status timeout =
      (*connection)->SetTimeout(block + options_.command_timeout);
  absl::StatusOr<Reply> reply =
      timeout.ok() ? (*connection)->Run(argv) : absl::StatusOr<Reply>(timeout);
  GiveBack(*std::move(connection), /*blocking=*/true);
  return reply;
}

absl::Status Client::Ping() {
  absl::StatusOr<Reply> reply = Command({"PING"});
  if (!reply.ok()) return reply.status();
  if (reply->str != "PONG") {
    return absl::InternalError(
        absl::StrCat("unexpected PING reply: ", reply->DebugString()));
  }
  return absl::OkStatus();
}

absl::Status Client::WaitForReplicas() {
  if (options_.wait_replicas <= 0) return absl::OkStatus();
  absl::StatusOr<ConnectionPtr> connection = Borrow(/*blocking=*/false);
  if (!connection.ok()) return connection.status();
  absl::StatusOr<Reply> acknowledged = PublishAndWait(**connection, options_);
  GiveBack(*std::move(connection), /*blocking=*/false);
  if (!acknowledged.ok()) return acknowledged.status();
  if (acknowledged->integer < options_.wait_replicas) {
    return absl::UnavailableError(absl::StrCat(
        "redis at ", options_.endpoint.ToString(), ": only ", acknowledged->integer, " of the ",
        options_.wait_replicas, " replicas asked for hold the write after ",
        absl::FormatDuration(options_.replica_wait_timeout)));
  }
  return absl::OkStatus();
}

}  // namespace telederm::redis
