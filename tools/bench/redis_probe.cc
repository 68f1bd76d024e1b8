#include "tools/bench/redis_probe.h"

#include <hiredis/hiredis.h>

#include <cstdio>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "tools/bench/sample_case.h"

namespace telederm::bench {
namespace {

absl::StatusOr<std::string> Info(redis::Client& redis, const std::string& section) {
  absl::StatusOr<redis::Reply> reply = redis.Command({"INFO", section});
  if (!reply.ok()) return reply.status();
  return reply->str;
}

// A short compare-and-set script with a case-sized value, like the case store's.
constexpr char kScriptBenchmark[] =
    "EVAL \"local v = redis.call('HGET', KEYS[1], 'v') redis.call('HSET', KEYS[1], 'v', ARGV[1], 'pb', ARGV[2]) "
    "return 1\" 1 bench:{case} 2 ";

}  // namespace

std::string BenchmarkFor(const std::string& command) {
  static const std::set<std::string>* built_in =
      new std::set<std::string>{"set", "get", "hset", "zadd", "incr", "sadd", "lpush", "rpush"};
  if (built_in->contains(command)) return absl::StrCat("-t ", command);
  if (command == "eval" || command == "evalsha") return absl::StrCat(kScriptBenchmark, std::string(700, 'x'));
  if (command == "hget") return "HGET bench:{case} pb";
  if (command == "xadd") return "XADD bench:{stream} MAXLEN '~' 10000 '*' case_id c-01JB0000000000000000000000";
  // Anything else is costed as one round trip that does nothing (a lower
  // bound on its cost, so the ceiling is an upper bound).
  return "-t ping_mbulk";
}

std::map<std::string, int64_t> ParseCommandStats(const std::string& info) {
  std::map<std::string, int64_t> calls;
  for (absl::string_view line : absl::StrSplit(info, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view name = line.substr(0, colon);
    for (absl::string_view field : absl::StrSplit(line.substr(colon + 1), ',')) {
      int64_t n = 0;
      if (absl::ConsumePrefix(&field, "calls=") && absl::SimpleAtoi(field, &n)) calls[std::string(name)] = n;
    }
  }
  return calls;
}

absl::StatusOr<std::map<std::string, int64_t>> CommandCalls(redis::Client& redis) {
  absl::StatusOr<std::string> info = Info(redis, "commandstats");
  if (!info.ok()) return info.status();
  return ParseCommandStats(*info);
}

absl::StatusOr<int64_t> UsedMemory(redis::Client& redis) {
  absl::StatusOr<std::string> info = Info(redis, "memory");
  if (!info.ok()) return info.status();
  for (absl::string_view line : absl::StrSplit(*info, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    int64_t bytes = 0;
    if (absl::ConsumePrefix(&line, "used_memory:") && absl::SimpleAtoi(line, &bytes)) return bytes;
  }
  return absl::InternalError("INFO memory has no used_memory");
}

absl::StatusOr<CpuSeconds> RedisCpu(redis::Client& redis) {
  absl::StatusOr<std::string> info = Info(redis, "cpu");
  if (!info.ok()) return info.status();
  CpuSeconds used;
  for (absl::string_view line : absl::StrSplit(*info, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&line, "used_cpu_sys:")) (void)absl::SimpleAtod(line, &used.sys);
    if (absl::ConsumePrefix(&line, "used_cpu_user:")) (void)absl::SimpleAtod(line, &used.user);
  }
  return used;
}

std::map<std::string, std::string> ParseInfoFields(const std::string& info) {
  std::map<std::string, std::string> fields;
  for (absl::string_view line : absl::StrSplit(info, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    fields[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return fields;
}

absl::StatusOr<std::map<std::string, std::string>> InfoFields(redis::Client& redis, const std::string& section) {
  absl::StatusOr<std::string> info = Info(redis, section);
  if (!info.ok()) return info.status();
  return ParseInfoFields(*info);
}

absl::StatusOr<absl::Duration> SettleAof(redis::Client& redis, absl::Duration limit) {
  const absl::Time start = absl::Now();
  absl::StatusOr<redis::Reply> started = redis.Command({"BGREWRITEAOF"});
  // An error here means a rewrite or a save already runs: wait for it all the same.
  (void)started;
  while (true) {
    absl::StatusOr<std::map<std::string, std::string>> p = InfoFields(redis, "persistence");
    if (!p.ok()) return p.status();
    if ((*p)["aof_rewrite_in_progress"] == "0" && (*p)["aof_rewrite_scheduled"] == "0" &&
        (*p)["rdb_bgsave_in_progress"] == "0") {
      return absl::Now() - start;
    }
    if (absl::Now() - start > limit) {
      return absl::DeadlineExceededError(absl::StrCat("AOF rewrite still running after ", absl::FormatDuration(limit)));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::StatusOr<std::string> LatencyLatest(redis::Client& redis) {
  absl::StatusOr<redis::Reply> reply = redis.Command({"LATENCY", "LATEST"});
  if (!reply.ok()) return reply.status();
  // [[event, unix time, latest ms, max ms], ...]
  std::vector<std::string> parts;
  for (const redis::Reply& event : reply->elements) {
    if (event.elements.size() < 4) continue;
    parts.push_back(absl::StrCat(event.elements[0].str, " max ", event.elements[3].integer, " ms (at ",
                                 event.elements[1].integer, ")"));
  }
  return parts.empty() ? std::string("none") : absl::StrJoin(parts, "; ");
}

std::map<std::string, int64_t> Difference(const std::map<std::string, int64_t>& a,
                                          const std::map<std::string, int64_t>& b) {
  std::map<std::string, int64_t> d;
  for (const auto& [name, n] : b) {
    auto it = a.find(name);
    const int64_t delta = n - (it == a.end() ? 0 : it->second);
    if (delta != 0) d[name] = delta;
  }
  return d;
}

absl::StatusOr<std::unique_ptr<CommandMonitor>> CommandMonitor::Start(const redis::Endpoint& endpoint) {
  std::unique_ptr<CommandMonitor> monitor(new CommandMonitor());
  redisContext* c = endpoint.is_unix_socket() ? redisConnectUnix(endpoint.unix_socket.c_str())
                                              : redisConnect(endpoint.host.c_str(), endpoint.port);
  if (c == nullptr || c->err) {
    std::string error = c == nullptr ? "out of memory" : c->errstr;
    if (c != nullptr) redisFree(c);
    return absl::UnavailableError(absl::StrCat("MONITOR connection to ", endpoint.ToString(), ": ", error));
  }
  struct timeval tv = {0, 200000};  // reads wake up to check stop_
  redisSetTimeout(c, tv);
  monitor->context_ = c;
  redisReply* ok = static_cast<redisReply*>(redisCommand(c, "MONITOR"));
  if (ok == nullptr) return absl::UnavailableError("MONITOR refused");
  freeReplyObject(ok);
  monitor->reader_ = std::thread([m = monitor.get()] { m->Read(); });
  return monitor;
}

void CommandMonitor::Read() {
  auto* c = static_cast<redisContext*>(context_);
  while (!stop_) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK) {
      if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->err = 0;  // a read timeout: keep going
        continue;
      }
      return;
    }
    redisReply* reply = static_cast<redisReply*>(raw);
    // 1700000000.123456 [0 127.0.0.1:4242] "HSET" "key" ... ; scripts' commands say [0 lua].
    absl::string_view line(reply->str == nullptr ? "" : reply->str, reply->len);
    const size_t close = line.find("] \"");
    if (close != absl::string_view::npos && line.substr(0, close).find("lua") == absl::string_view::npos) {
      absl::string_view rest = line.substr(close + 3);
      std::string name = absl::AsciiStrToLower(rest.substr(0, rest.find('"')));
      absl::MutexLock lock(&mu_);
      ++counts_[name];
    }
    freeReplyObject(reply);
  }
}

std::map<std::string, int64_t> CommandMonitor::Stop() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  if (context_ != nullptr) {
    redisFree(static_cast<redisContext*>(context_));
    context_ = nullptr;
  }
  absl::MutexLock lock(&mu_);
  return counts_;
}

CommandMonitor::~CommandMonitor() { Stop(); }

std::string ConnectionArguments(const redis::Endpoint& endpoint) {
  if (endpoint.is_unix_socket()) return absl::StrCat("-s ", endpoint.unix_socket);
  return absl::StrCat("-h ", endpoint.host, " -p ", endpoint.port);
}

absl::StatusOr<RedisCeiling> BenchmarkCommand(const redis::Endpoint& endpoint, const std::string& command,
                                              int64_t requests) {
  RedisCeiling ceiling;
  ceiling.command = command;
  ceiling.benchmark = BenchmarkFor(command);
  const std::string line = absl::StrCat("redis-benchmark ", ConnectionArguments(endpoint), " -c 50 -n ", requests,
                                        " --csv ", ceiling.benchmark, " 2>/dev/null");
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return absl::UnavailableError("cannot run redis-benchmark");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  // "test","rps",...  then  "SET","123456.79",...
  std::vector<std::string> lines = absl::StrSplit(output, '\n', absl::SkipWhitespace());
  if (status != 0 || lines.size() < 2) {
    return absl::UnavailableError(absl::StrCat("redis-benchmark failed (", status, "): ", line, ": ", output));
  }
  // The test name may itself hold commas: rps is the seventh field from the end
  // ("rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms").
  std::vector<absl::string_view> fields = absl::StrSplit(lines.back(), ',');
  absl::string_view rps = fields.size() >= 8 ? fields[fields.size() - 7] : "";
  absl::ConsumePrefix(&rps, "\"");
  absl::ConsumeSuffix(&rps, "\"");
  if (!absl::SimpleAtod(rps, &ceiling.per_second)) {
    return absl::InternalError(absl::StrCat("cannot read redis-benchmark output: ", lines.back()));
  }
  return ceiling;
}

absl::StatusOr<absl::Duration> FillQueue(redis::Client& redis, const std::string& pool, int64_t count,
                                         absl::Time first_due, int clinics) {
  const absl::Time start = absl::Now();
  constexpr int64_t kBatch = 500;
  if (absl::StatusOr<redis::Reply> r = redis.Command({"SADD", keys::kPools, pool}); !r.ok()) return r.status();
  const std::string queue = keys::PoolQueue(pool);
  const std::string meta = keys::PoolCaseMeta(pool);
  for (int64_t done = 0; done < count;) {
    std::vector<std::vector<std::string>> commands;
    const int64_t n = std::min(kBatch, count - done);
    const absl::Time now = absl::Now();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = done + i;
      const std::string id = NewCaseId(now);
      const std::string clinic = absl::StrCat("bench-clinic-", k % clinics);
      const absl::Time due = first_due + absl::Milliseconds(k);
      v1::Case c = SampleQueuedCase(id, clinic, pool, now, due);
      c.set_version(1);
      commands.push_back({"HSET", keys::Case(id), "v", "1", "pb", SerializeCaseRecord(c)});
      commands.push_back({"HSET", meta, id, absl::StrCat(clinic, " ", static_cast<int>(v1::URGENCY_URGENT))});
      commands.push_back({"ZADD", queue, absl::StrCat(absl::ToUnixMillis(due)), id});
      commands.push_back({"RPUSH", keys::ClinicCaseList(clinic), id});
    }
    absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis.Pipeline(commands);
    if (!replies.ok()) return replies.status();
    for (const auto& reply : *replies) {
      if (!reply.ok()) return reply.status();
    }
    done += n;
  }
  return absl::Now() - start;
}

}  // namespace telederm::bench
