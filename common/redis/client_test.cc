#include "common/redis/client.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/net.h"
#include "tests/harness/redis_server.h"

namespace telederm::redis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<telederm::testing::RedisServer>> server =
        telederm::testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    options_.endpoint.port = server_->port();
    absl::StatusOr<std::shared_ptr<Client>> client = Client::Connect(options_);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  std::unique_ptr<telederm::testing::RedisServer> server_;
  ClientOptions options_;
  std::shared_ptr<Client> client_;
};

TEST_F(ClientTest, StoredValueComesBackOnGet) {
  absl::StatusOr<Reply> set = client_->Command({"SET", "case:1", "first"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->type, Reply::Type::kStatus);
  EXPECT_EQ(set->str, "OK");

  // Binary-safe: an embedded NUL survives the round trip.
  const std::string binary("x\0y", 3);
  ASSERT_TRUE(client_->Command({"SET", "case:2", binary}).ok());
  absl::StatusOr<Reply> get = client_->Command({"GET", "case:2"});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->type, Reply::Type::kString);
  EXPECT_EQ(get->AsOptionalString(), binary);

  absl::StatusOr<Reply> incr = client_->Command({"INCR", "counter"});
  ASSERT_TRUE(incr.ok()) << incr.status();
  EXPECT_EQ(incr->AsOptionalInteger(), 1);
}

TEST_F(ClientTest, MissingKeyIsNilNotError) {
  absl::StatusOr<Reply> get = client_->Command({"GET", "no-such-key"});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_TRUE(get->IsNil());
  EXPECT_EQ(get->AsOptionalString(), std::nullopt);
}

TEST_F(ClientTest, ErrorReplyIsInternalWithRedisMessage) {
  ASSERT_TRUE(client_->Command({"SET", "k", "not a number"}).ok());
  absl::StatusOr<Reply> incr = client_->Command({"INCR", "k"});
  EXPECT_EQ(incr.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(incr.status().message(),
            "ERR value is not an integer or out of range");

  absl::StatusOr<Reply> wrong_type = client_->Command({"LPUSH", "k", "x"});
  EXPECT_EQ(wrong_type.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(IsRedisError(wrong_type.status(), "WRONGTYPE"))
      << wrong_type.status();

  // The connection is still good after an error reply.
  EXPECT_TRUE(client_->Ping().ok());
}

TEST_F(ClientTest, ScriptCanonicalErrorBecomesThatStatusCode) {
  const Script script(
      "if redis.call('EXISTS', KEYS[1]) == 0 then\n"
      "  return redis.error_reply('NOT_FOUND: no case ' .. KEYS[1])\n"
      "end\n"
      "return redis.error_reply('FAILED_PRECONDITION: case is claimed')\n");
  absl::StatusOr<Reply> missing = client_->Eval(script, {"case:9"}, {});
  EXPECT_EQ(missing.status(), absl::NotFoundError("no case case:9"));

  ASSERT_TRUE(client_->Command({"SET", "case:9", "x"}).ok());
  absl::StatusOr<Reply> claimed = client_->Eval(script, {"case:9"}, {});
  EXPECT_EQ(claimed.status(),
            absl::FailedPreconditionError("case is claimed"));
}

TEST_F(ClientTest, ScriptErrorWithoutCanonicalCodeIsInternal) {
  const Script plain("return redis.error_reply('something odd')");
  EXPECT_EQ(client_->Eval(plain, {}, {}).status(),
            absl::InternalError("something odd"));

  const Script runtime("return redis.call('INCR', KEYS[1])");
  ASSERT_TRUE(client_->Command({"SET", "k", "text"}).ok());
  absl::StatusOr<Reply> reply = client_->Eval(runtime, {"k"}, {});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(reply.status().message(), HasSubstr("not an integer"));
}

TEST_F(ClientTest, EvalPassesKeysAndArgs) {
  const Script script("return {KEYS[1], ARGV[1], ARGV[2]}");
  absl::StatusOr<Reply> reply = client_->Eval(script, {"k1"}, {"a1", "a2"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_TRUE(reply->IsArray());
  std::vector<std::string> values;
  for (const Reply& r : reply->elements) values.push_back(r.str);
  EXPECT_THAT(values, ElementsAre("k1", "a1", "a2"));
}

TEST_F(ClientTest, ScriptDigestMatchesScriptLoad) {
  const Script script("return 42");
  absl::StatusOr<Reply> loaded =
      client_->Command({"SCRIPT", "LOAD", script.source()});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->str, script.sha1());
}

TEST_F(ClientTest, EvalStillWorksAfterScriptCacheFlush) {
  const Script script("return redis.call('INCR', KEYS[1])");
  absl::StatusOr<Reply> first = client_->Eval(script, {"n"}, {});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->integer, 1);

  ASSERT_TRUE(client_->Command({"SCRIPT", "FLUSH"}).ok());
  absl::StatusOr<Reply> exists =
      client_->Command({"SCRIPT", "EXISTS", script.sha1()});
  ASSERT_TRUE(exists.ok());
  ASSERT_EQ(exists->elements.at(0).integer, 0);

  absl::StatusOr<Reply> second = client_->Eval(script, {"n"}, {});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->integer, 2);  // ran exactly once more
  exists = client_->Command({"SCRIPT", "EXISTS", script.sha1()});
  EXPECT_EQ(exists->elements.at(0).integer, 1);  // cached again
}

TEST_F(ClientTest, PipelineReturnsEachCommandsOwnResultInOrder) {
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> replies =
      client_->Pipeline({{"SET", "a", "1"},
                         {"INCR", "a"},
                         {"HSET", "a", "f", "v"},  // WRONGTYPE
                         {"GET", "a"},
                         {"GET", "missing"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 5u);
  EXPECT_EQ((*replies)[0]->str, "OK");
  EXPECT_EQ((*replies)[1]->integer, 2);
  EXPECT_EQ((*replies)[2].status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(IsRedisError((*replies)[2].status(), "WRONGTYPE"));
  EXPECT_EQ((*replies)[3]->AsOptionalString(), "2");
  EXPECT_TRUE((*replies)[4]->IsNil());
}

TEST_F(ClientTest, TransactionErrorInsideExecIsNestedErrorReply) {
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> replies =
      client_->Pipeline({{"SET", "s", "text"},
                         {"MULTI"},
                         {"INCR", "s"},
                         {"SET", "t", "1"},
                         {"EXEC"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  const absl::StatusOr<Reply>& exec = replies->back();
  ASSERT_TRUE(exec.ok()) << exec.status();
  ASSERT_EQ(exec->elements.size(), 2u);
  EXPECT_EQ(exec->elements[0].type, Reply::Type::kError);
  EXPECT_THAT(exec->elements[0].str, HasSubstr("not an integer"));
  EXPECT_EQ(exec->elements[1].str, "OK");
}

TEST_F(ClientTest, StoppedRedisIsUnavailableAndSameClientWorksAfterRestart) {
  ASSERT_TRUE(client_->Command({"SET", "kept", "yes"}).ok());
  ASSERT_TRUE(server_->Kill().ok());

  absl::StatusOr<Reply> down = client_->Command({"GET", "kept"});
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(down.status().message(),
              HasSubstr(absl::StrCat("redis at 127.0.0.1:", server_->port(),
                                     " unavailable")));
  EXPECT_EQ(client_->Ping().code(), absl::StatusCode::kUnavailable);

  ASSERT_TRUE(server_->Restart().ok());
  // No retry loop: once the reconnect backoff has passed, the first call
  // after the restart must succeed.
  absl::SleepFor(options_.reconnect_backoff_max);
  absl::StatusOr<Reply> up = client_->Command({"GET", "kept"});
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->AsOptionalString(), "yes");
}

TEST_F(ClientTest, WhileRedisIsDownReconnectsBackOffAndResumeOnTheirOwn) {
  ClientOptions options = options_;
  options.reconnect_backoff_initial = absl::Milliseconds(100);
  options.reconnect_backoff_max = absl::Milliseconds(400);
  std::shared_ptr<Client> client = Client::Create(options);
  ASSERT_TRUE(client->Ping().ok());
  ASSERT_TRUE(server_->Kill().ok());

  // The first call finds the connection dead; the next one tries to connect
  // and is refused; calls right after it fail fast without a connect.
  EXPECT_EQ(client->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client->Ping().code(), absl::StatusCode::kUnavailable);
  absl::Status fast = client->Ping();
  EXPECT_EQ(fast.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(fast.message(), HasSubstr("reconnecting in"));
  EXPECT_THAT(fast.message(), HasSubstr(absl::StrCat("redis at 127.0.0.1:", server_->port())));

  // Many calls during an outage: the backoff grows to its bound and the
  // calls keep failing with UNAVAILABLE, never hanging.
  absl::Time end = absl::Now() + absl::Seconds(1);
  int calls = 0;
  while (absl::Now() < end) {
    EXPECT_EQ(client->Ping().code(), absl::StatusCode::kUnavailable);
    ++calls;
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_GT(calls, 50);

  ASSERT_TRUE(server_->Restart().ok());
  absl::Time deadline = absl::Now() + options.reconnect_backoff_max + absl::Seconds(1);
  absl::Status status;
  while (absl::Now() < deadline && !(status = client->Ping()).ok()) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_TRUE(status.ok()) << status;
}

TEST_F(ClientTest, ThreadsConnectionsSurviveRedisRestartWithoutFailedCall) {
  // Four threads each hold a connection of their own across a restart of Redis.
  absl::Notification restarted;
  std::atomic<int> connected = 0;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (!client_->Ping().ok()) ++failures;
      ++connected;
      restarted.WaitForNotification();
      for (int call = 0; call < 2; ++call) {
        if (!client_->Ping().ok()) ++failures;
      }
    });
  }
  while (connected.load() < 4) std::this_thread::yield();
  ASSERT_TRUE(server_->Restart().ok());
  restarted.Notify();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(ClientTest, EachThreadKeepsOneConnectionOfItsOwn) {
  auto connection_id = [this] {
    absl::StatusOr<Reply> id = client_->Command({"CLIENT", "ID"});
    return id.ok() ? id->integer : -1;
  };
  const int64_t first = connection_id();
  ASSERT_GT(first, 0);
  EXPECT_EQ(connection_id(), first);
  int64_t other_threads = -1;
  std::thread([&] { other_threads = connection_id(); }).join();
  EXPECT_GT(other_threads, 0);
  EXPECT_NE(other_threads, first);
  EXPECT_EQ(connection_id(), first);
}

TEST_F(ClientTest, ConnectFailsUnavailableWhenNothingListens) {
  ClientOptions options;
  options.endpoint.port = telederm::testing::FreeLoopbackPort();
  absl::StatusOr<std::shared_ptr<Client>> client = Client::Connect(options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(client.status().message(), HasSubstr("redis at 127.0.0.1:"));

  // Create does not touch the network; calls fail until Redis is there.
  std::shared_ptr<Client> lazy = Client::Create(options);
  EXPECT_EQ(lazy->Ping().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ClientTest, UnixSocketCarriesCommandsAndReconnectsAfterRestart) {
  ClientOptions options;
  options.endpoint = *Endpoint::Parse(server_->unix_address());
  std::shared_ptr<Client> client = Client::Create(options);
  ASSERT_TRUE(client->Command({"SET", "case:1", "received"}).ok());
  absl::StatusOr<Reply> tcp_view = client_->Command({"GET", "case:1"});
  ASSERT_TRUE(tcp_view.ok()) << tcp_view.status();
  EXPECT_EQ(tcp_view->AsOptionalString(), "received");

  ASSERT_TRUE(server_->Restart().ok());
  // A fresh client, as after any restart (the first waits out its backoff).
  absl::StatusOr<Reply> after = Client::Create(options)->Command({"GET", "case:1"});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->AsOptionalString(), "received");
}

TEST_F(ClientTest, ConnectOverMissingSocketFailsUnavailableNamingThePath) {
  ClientOptions options;
  options.endpoint = *Endpoint::Parse(absl::StrCat("unix:", server_->dir(), "/no-such.sock"));
  absl::StatusOr<std::shared_ptr<Client>> client = Client::Connect(options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(client.status().message(),
              HasSubstr(absl::StrCat("redis at unix:", server_->dir(), "/no-such.sock unavailable")));
}

TEST_F(ClientTest, SlowReplyTimesOutAsUnavailableAndNextCallReconnects) {
  ClientOptions fast = options_;
  fast.command_timeout = absl::Milliseconds(200);
  std::shared_ptr<Client> client = Client::Create(fast);
  ASSERT_TRUE(client->Ping().ok());
  // Writes from every client wait while Redis is paused.
  ASSERT_TRUE(client_->Command({"CLIENT", "PAUSE", "2000", "WRITE"}).ok());
  absl::StatusOr<Reply> slow = client->Command({"SET", "x", "1"});
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(slow.status().message(), HasSubstr("timed out"));
  ASSERT_TRUE(client_->Command({"CLIENT", "UNPAUSE"}).ok());
  EXPECT_TRUE(client->Command({"SET", "x", "2"}).ok());
}

TEST_F(ClientTest, PasswordIsSentOnEveryNewConnection) {
  ASSERT_TRUE(
      client_->Command({"CONFIG", "SET", "requirepass", "s3cret"}).ok());

  ClientOptions with_password = options_;
  with_password.password = "s3cret";
  absl::StatusOr<std::shared_ptr<Client>> good = Client::Connect(with_password);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE((*good)->Command({"SET", "k", "v"}).ok());

  ClientOptions wrong = options_;
  wrong.password = "guess";
  absl::StatusOr<std::shared_ptr<Client>> bad = Client::Connect(wrong);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(bad.status().message(), HasSubstr("AUTH failed"));

  ClientOptions acl_user = with_password;
  acl_user.username = "default";
  EXPECT_TRUE(Client::Connect(acl_user).ok());
}

TEST_F(ClientTest, BlockingCommandMayOutlastCommandTimeout) {
  // Redis ends a BLOCK up to one server tick (100 ms at hz 10) late, so the
  // margin (command_timeout) must exceed that even on a busy machine.
  ClientOptions fast = options_;
  fast.command_timeout = absl::Milliseconds(250);
  std::shared_ptr<Client> client = Client::Create(fast);
  const absl::Time start = absl::Now();
  absl::StatusOr<Reply> reply = client->BlockingCommand(
      {"XREAD", "BLOCK", "600", "STREAMS", "empty-stream", "$"},
      absl::Milliseconds(600));
  const absl::Duration elapsed = absl::Now() - start;
  ASSERT_TRUE(reply.ok()) << reply.status() << " after " << elapsed;
  EXPECT_TRUE(reply->IsNil());
  EXPECT_GE(elapsed, absl::Milliseconds(590));
}

TEST_F(ClientTest, EightThreadsShareOneClient) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string own = absl::StrCat("thread:", t);
      for (int i = 0; i < kRounds; ++i) {
        const std::string value = absl::StrCat(t, "-", i);
        if (!client_->Command({"INCR", "shared"}).ok()) ++failures;
        if (!client_->Command({"SET", own, value}).ok()) ++failures;
        absl::StatusOr<Reply> get = client_->Command({"GET", own});
        if (!get.ok() || get->AsOptionalString() != value) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  absl::StatusOr<Reply> total = client_->Command({"GET", "shared"});
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(total->AsOptionalInteger(), kThreads * kRounds);
}

TEST(ErrorMappingTest, TransientRedisErrorsAreUnavailable) {
  EXPECT_EQ(ErrorReplyToStatus("LOADING Redis is loading the dataset").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReplyToStatus("OOM command not allowed").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReplyToStatus("ERR unknown command"),
            absl::InternalError("ERR unknown command"));
}

TEST(ErrorMappingTest, OnlyCanonicalCodeNamesAreMapped) {
  EXPECT_EQ(ScriptErrorToStatus(absl::InternalError("ALREADY_EXISTS: dup")),
            absl::AlreadyExistsError("dup"));
  EXPECT_EQ(ScriptErrorToStatus(absl::InternalError("RESOURCE_EXHAUSTED:x")),
            absl::ResourceExhaustedError("x"));
  EXPECT_EQ(ScriptErrorToStatus(absl::InternalError("OK: fine")),
            absl::InternalError("OK: fine"));
  EXPECT_EQ(ScriptErrorToStatus(absl::InternalError("NOT_A_CODE: x")),
            absl::InternalError("NOT_A_CODE: x"));
}

TEST(EndpointTest, ParsesHostPortAndRejectsBadPort) {
  absl::StatusOr<Endpoint> e = Endpoint::Parse("redis.local:6380");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "redis.local");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->ToString(), "redis.local:6380");
  EXPECT_EQ(Endpoint::Parse("redis.local")->port, 6379);
  EXPECT_EQ(Endpoint::Parse(":7000")->host, "127.0.0.1");
  EXPECT_EQ(Endpoint::Parse("h:port").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Endpoint::Parse("h:70000").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Endpoint::Parse("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EndpointTest, ParsesUnixSocketPathAndRefusesBadFormsSayingWhy) {
  absl::StatusOr<Endpoint> e = Endpoint::Parse("unix:/run/redis/redis.sock");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->is_unix_socket());
  EXPECT_EQ(e->unix_socket, "/run/redis/redis.sock");
  EXPECT_EQ(e->ToString(), "unix:/run/redis/redis.sock");
  EXPECT_FALSE(Endpoint::Parse("127.0.0.1:6379")->is_unix_socket());

  absl::StatusOr<Endpoint> empty = Endpoint::Parse("unix:");
  EXPECT_EQ(empty.status(), absl::InvalidArgumentError(
                                "redis endpoint \"unix:\": no socket path after \"unix:\"; "
                                "expected unix:/path/to/redis.sock"));
  absl::StatusOr<Endpoint> relative = Endpoint::Parse("unix:redis.sock");
  EXPECT_EQ(relative.status(), absl::InvalidArgumentError(
                                   "redis endpoint \"unix:redis.sock\": socket path \"redis.sock\" is not "
                                   "absolute; give the full path of redis.conf's unixsocket"));
  absl::StatusOr<Endpoint> too_long = Endpoint::Parse(absl::StrCat("unix:/", std::string(200, 'd'), "/r.sock"));
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_long.status().message(), HasSubstr("a Unix socket path has at most 107"));
  EXPECT_THAT(Endpoint::Parse("").status().message(), HasSubstr("unix:/path/to/redis.sock"));
}

TEST(EndpointTest, ParsesSentinelsAndMasterNameAndRefusesBadFormsSayingWhy) {
  absl::StatusOr<Endpoint> e = Endpoint::Parse("sentinel://10.0.0.1:26379,sentinel-b,10.0.0.3:26380/telederm");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->is_sentinel());
  EXPECT_EQ(e->master_name, "telederm");
  ASSERT_EQ(e->sentinels.size(), 3u);
  EXPECT_EQ(e->sentinels[1].host, "sentinel-b");
  EXPECT_EQ(e->sentinels[1].port, 26379);
  EXPECT_EQ(e->sentinels[2].port, 26380);
  EXPECT_EQ(e->ToString(), "sentinel://10.0.0.1:26379,sentinel-b:26379,10.0.0.3:26380/telederm");
  EXPECT_FALSE(Endpoint::Parse("127.0.0.1:6379")->is_sentinel());

  EXPECT_EQ(Endpoint::Parse("sentinel://10.0.0.1:26379").status(),
            absl::InvalidArgumentError("redis endpoint \"sentinel://10.0.0.1:26379\": no master name after the "
                                       "sentinels; expected sentinel://host:port,host:port/master_name"));
  EXPECT_EQ(Endpoint::Parse("sentinel://a:1,,b:2/m").status(),
            absl::InvalidArgumentError("redis endpoint \"sentinel://a:1,,b:2/m\": sentinel \"\" is not a host:port; "
                                       "expected sentinel://host:port,host:port/master_name"));
  EXPECT_EQ(Endpoint::Parse("sentinel://a:99999/m").status(),
            absl::InvalidArgumentError("redis endpoint \"sentinel://a:99999/m\": sentinel redis endpoint "
                                       "\"a:99999\": port \"99999\" is not a number in 1..65535"));
}

}  // namespace
}  // namespace telederm::redis
