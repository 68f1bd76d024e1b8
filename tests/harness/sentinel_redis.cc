#include "tests/harness/sentinel_redis.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/redis/client.h"
#include "tests/harness/net.h"
#include "tests/harness/temp_dir.h"
#include "tests/harness/wait.h"

namespace telederm::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

// One command to the server on 127.0.0.1:`port`, on a connection of its own.
absl::StatusOr<redis::Reply> Ask(int port, const std::vector<std::string>& argv) {
  redis::ClientOptions options;
  options.endpoint.port = port;
  options.pool_size = 1;
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Seconds(1);
  return redis::Client::Create(options)->Command(argv);
}

// A flat [name, value, name, value, ...] reply (SENTINEL MASTER, REPLICAS) as a map.
std::map<std::string, std::string> Fields(const redis::Reply& reply) {
  std::map<std::string, std::string> fields;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    fields[reply.elements[i].str] = reply.elements[i + 1].str;
  }
  return fields;
}

// The port a sentinel names as master now, or -1.
int MasterPortNamedBy(int sentinel_port) {
  absl::StatusOr<redis::Reply> named =
      Ask(sentinel_port, {"SENTINEL", "get-master-addr-by-name", SentinelRedis::kMasterName});
  int port = -1;
  if (!named.ok() || named->elements.size() != 2 || !absl::SimpleAtoi(named->elements[1].str, &port)) return -1;
  return port;
}

// ROLE's first element: "master", "slave", or "" when the server does not answer.
std::string RoleOf(int port) {
  absl::StatusOr<redis::Reply> role = Ask(port, {"ROLE"});
  if (!role.ok() || role->elements.empty()) return "";
  return role->elements[0].str;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SentinelRedis>> SentinelRedis::Start(SentinelRedisOptions options) {
  std::unique_ptr<SentinelRedis> group(new SentinelRedis(std::move(options)));
  const SentinelRedisOptions& o = group->options_;
  for (int i = 0; i <= o.replicas; ++i) {
    RedisServerOptions server;
    server.appendfsync = o.appendfsync;
    // A replica's first sync at once, not after diskless sync's 5 s wait for more replicas.
    server.extra_args = {"--repl-diskless-sync-delay", "0"};
    server.extra_args.insert(server.extra_args.end(), o.redis_args.begin(), o.redis_args.end());
    if (i > 0) {
      server.extra_args.insert(server.extra_args.end(),
                               {"--replicaof", "127.0.0.1", absl::StrCat(group->servers_[0]->port())});
    }
    absl::StatusOr<std::unique_ptr<RedisServer>> started = RedisServer::Start(server);
    if (!started.ok()) return started.status();
    group->servers_.push_back(*std::move(started));
  }
  // The sentinels learn the replicas from the master's INFO: start them once
  // every replica is attached, so that the first INFO already lists them.
  auto attached = [&] {
    absl::StatusOr<redis::Reply> role = Ask(group->servers_[0]->port(), {"ROLE"});
    return role.ok() && role->elements.size() == 3 &&
           static_cast<int>(role->elements[2].elements.size()) == o.replicas;
  };
  if (!WaitUntil(attached, kStartTimeout)) {
    return absl::DeadlineExceededError(absl::StrCat("the replicas did not attach to the master within ",
                                                    absl::FormatDuration(kStartTimeout)));
  }
  group->sentinels_.resize(o.sentinels);
  for (Sentinel& sentinel : group->sentinels_) {
    if (absl::Status s = group->StartSentinel(sentinel); !s.ok()) return s;
  }
  if (absl::Status s = group->AwaitSentinelsSeeEveryone(kStartTimeout); !s.ok()) return s;
  return group;
}

SentinelRedis::~SentinelRedis() {
  for (Sentinel& sentinel : sentinels_) {
    sentinel.process.reset();
    std::error_code ignored;
    if (!sentinel.dir.empty()) std::filesystem::remove_all(sentinel.dir, ignored);
  }
  servers_.clear();
}

absl::Status SentinelRedis::StartSentinel(Sentinel& sentinel) {
  absl::StatusOr<std::string> dir = MakeTempDir("telederm-sentinel-");
  if (!dir.ok()) return dir.status();
  sentinel.dir = *dir;
  absl::StatusOr<std::string> binary = FindRedisServer();
  if (!binary.ok()) return binary.status();
  absl::Status listening;
  // As RedisServer: the free port may be taken before the sentinel binds it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    sentinel.port = FreeLoopbackPort();
    const std::string conf = absl::StrCat(sentinel.dir, "/sentinel.conf");
    std::ofstream(conf) << "port " << sentinel.port << "\nbind 127.0.0.1\ndaemonize no\n"
                        << "dir " << sentinel.dir << "\nlogfile " << sentinel.dir << "/sentinel.log\n"
                        << "sentinel monitor " << kMasterName << " 127.0.0.1 " << master().port() << " "
                        << options_.sentinels / 2 + 1 << "\n"
                        << "sentinel down-after-milliseconds " << kMasterName << " "
                        << absl::ToInt64Milliseconds(options_.down_after) << "\n"
                        << "sentinel failover-timeout " << kMasterName << " "
                        << absl::ToInt64Milliseconds(options_.failover_timeout) << "\n"
                        << "sentinel parallel-syncs " << kMasterName << " 1\n";
    absl::StatusOr<std::unique_ptr<ChildProcess>> process =
        ChildProcess::Spawn({*binary, conf, "--sentinel"}, {}, absl::StrCat(sentinel.dir, "/sentinel.stdout"));
    if (!process.ok()) return process.status();
    sentinel.process = *std::move(process);
    listening = WaitForPort(sentinel.port, absl::Seconds(10));
    if (listening.ok() && sentinel.process->Running()) return absl::OkStatus();
    sentinel.process.reset();
  }
  return absl::UnavailableError(absl::StrCat("redis sentinel did not start: ", listening.message(), "\n",
                                             FileTail(absl::StrCat(sentinel.dir, "/sentinel.log"))));
}

absl::Status SentinelRedis::AwaitSentinelsSeeEveryone(absl::Duration timeout) {
  std::string missing;
  auto everyone_seen = [&] {
    // Under load the sentinels may fail over again (the promoted replica too
    // slow to answer within down-after): follow the master they agree on.
    std::set<int> named;
    for (const Sentinel& sentinel : sentinels_) named.insert(MasterPortNamedBy(sentinel.port));
    if (named.size() > 1) {
      missing = absl::StrCat("the sentinels name ", named.size(), " different masters");
      return false;
    }
    for (int i = 0; i < servers() && !named.empty(); ++i) {
      if (servers_[i]->port() == *named.begin() && RoleOf(servers_[i]->port()) == "master") master_ = i;
    }
    for (const Sentinel& sentinel : sentinels_) {
      absl::StatusOr<redis::Reply> master = Ask(sentinel.port, {"SENTINEL", "MASTER", kMasterName});
      if (!master.ok()) {
        missing = absl::StrCat("sentinel :", sentinel.port, ": ", master.status().message());
        return false;
      }
      std::map<std::string, std::string> fields = Fields(*master);
      if (fields["port"] != absl::StrCat(this->master().port()) || fields["flags"] != "master" ||
          fields["num-other-sentinels"] != absl::StrCat(sentinels_.size() - 1)) {
        missing = absl::StrCat("sentinel :", sentinel.port, " sees master :", fields["port"], " flags ",
                               fields["flags"], " and ", fields["num-other-sentinels"], " other sentinels");
        return false;
      }
      absl::StatusOr<redis::Reply> replicas = Ask(sentinel.port, {"SENTINEL", "REPLICAS", kMasterName});
      if (!replicas.ok()) return false;
      int in_sync = 0;
      for (const redis::Reply& replica : replicas->elements) {
        std::map<std::string, std::string> r = Fields(replica);
        in_sync += r["flags"] == "slave" && r["master-link-status"] == "ok";
      }
      if (in_sync != options_.replicas) {
        missing = absl::StrCat("sentinel :", sentinel.port, " sees ", in_sync, " of ", options_.replicas,
                               " replicas in sync");
        return false;
      }
    }
    return true;
  };
  if (!WaitUntil(everyone_seen, timeout)) {
    return absl::DeadlineExceededError(absl::StrCat("sentinels not ready within ", absl::FormatDuration(timeout),
                                                    ": ", missing, "\n", SentinelLogs()));
  }
  return absl::OkStatus();
}

std::string SentinelRedis::address() const {
  std::vector<std::string> ports;
  for (const Sentinel& sentinel : sentinels_) ports.push_back(absl::StrCat("127.0.0.1:", sentinel.port));
  return absl::StrCat("sentinel://", absl::StrJoin(ports, ","), "/", kMasterName);
}

absl::Status SentinelRedis::KillMaster() {
  killed_ = absl::Now();
  return master().Kill();
}

absl::StatusOr<absl::Duration> SentinelRedis::AwaitFailover(absl::Duration timeout) {
  const absl::Time give_up = killed_ + timeout;
  const int dead = master_;
  int promoted = -1;
  auto promoted_by_majority = [&] {
    std::map<int, int> votes;  // port -> sentinels naming it
    for (const Sentinel& sentinel : sentinels_) ++votes[MasterPortNamedBy(sentinel.port)];
    for (int i = 0; i < servers(); ++i) {
      if (i != dead && votes[servers_[i]->port()] > static_cast<int>(sentinels_.size()) / 2 &&
          RoleOf(servers_[i]->port()) == "master") {
        promoted = i;
        return true;
      }
    }
    return false;
  };
  if (!WaitUntil(promoted_by_majority, give_up - absl::Now())) {
    return absl::DeadlineExceededError(absl::StrCat("no replica promoted within ", absl::FormatDuration(timeout),
                                                    " of the master's kill\n", SentinelLogs()));
  }
  const absl::Duration took = absl::Now() - killed_;
  master_ = promoted;
  if (absl::Status s = servers_[dead]->RestartAsReplicaOf(master().port()); !s.ok()) return s;
  // Under load the sentinels may fail over once more, back to the restarted
  // server; the demoted one is reconfigured about 10 s later, must sync, and
  // the sentinels see its link only at their next 10 s poll of replicas.
  if (absl::Status s = AwaitSentinelsSeeEveryone(std::max(give_up - absl::Now(), absl::Seconds(45))); !s.ok()) {
    return s;
  }
  return took;
}

std::string SentinelRedis::SentinelLogs() const {
  std::string logs;
  for (const Sentinel& sentinel : sentinels_) {
    absl::StrAppend(&logs, "sentinel :", sentinel.port, " log:\n",
                    FileTail(absl::StrCat(sentinel.dir, "/sentinel.log"), 1500));
  }
  return logs;
}

}  // namespace telederm::testing
