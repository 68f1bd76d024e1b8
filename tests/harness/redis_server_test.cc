#include "tests/harness/redis_server.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/redis/client.h"
#include "gtest/gtest.h"
#include "tests/harness/net.h"

namespace telederm::testing {
namespace {

std::shared_ptr<redis::Client> ClientFor(const RedisServer& server) {
  redis::ClientOptions options;
  options.endpoint.port = server.port();
  return redis::Client::Create(options);
}

TEST(RedisServerTest, StartedServerAnswersPingOnLoopback) {
  absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->host_port(),
            absl::StrCat("127.0.0.1:", (*server)->port()));
  EXPECT_TRUE(std::filesystem::is_directory((*server)->dir()));
  EXPECT_TRUE(ClientFor(**server)->Ping().ok());
  EXPECT_TRUE(WaitForPort((*server)->port(), absl::Seconds(1)).ok());
}

TEST(RedisServerTest, StartedServerAnswersOnItsUnixSocketOnlyToItsOwner) {
  absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->unix_address(), absl::StrCat("unix:", (*server)->dir(), "/redis.sock"));
  const std::filesystem::file_status socket = std::filesystem::status((*server)->unix_socket());
  EXPECT_EQ(socket.type(), std::filesystem::file_type::socket);
  EXPECT_EQ(socket.permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_all);
  redis::ClientOptions options;
  options.endpoint = *redis::Endpoint::Parse((*server)->unix_address());
  std::shared_ptr<redis::Client> over_socket = redis::Client::Create(options);
  ASSERT_TRUE(over_socket->Command({"SET", "k", "over the socket"}).ok());
  // The same server: what one transport wrote, the other reads.
  absl::StatusOr<redis::Reply> value = ClientFor(**server)->Command({"GET", "k"});
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->AsOptionalString(), "over the socket");
}

TEST(RedisServerTest, TwoServersDoNotShareAPortOrData) {
  auto first = RedisServer::Start();
  auto second = RedisServer::Start();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*first)->port(), (*second)->port());
  EXPECT_NE((*first)->dir(), (*second)->dir());
  ASSERT_TRUE(ClientFor(**first)->Command({"SET", "k", "first"}).ok());
  EXPECT_TRUE(ClientFor(**second)->Command({"GET", "k"})->IsNil());
}

TEST(RedisServerTest, AppendOnlyDataSurvivesKillAndRestart) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<redis::Client> client = ClientFor(**server);
  ASSERT_TRUE(client->Command({"SET", "case:1", "received"}).ok());

  ASSERT_TRUE((*server)->Kill().ok());
  EXPECT_FALSE((*server)->running());
  EXPECT_EQ(client->Ping().code(), absl::StatusCode::kUnavailable);

  ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_TRUE((*server)->running());
  // A fresh client: the first one waits out its reconnect backoff (common/redis) after the failed Ping.
  absl::StatusOr<redis::Reply> value = ClientFor(**server)->Command({"GET", "case:1"});
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->AsOptionalString(), "received");
}

TEST(RedisServerTest, WithoutAppendOnlyDataIsGoneAfterRestart) {
  auto server = RedisServer::Start({.append_only = false});
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<redis::Client> client = ClientFor(**server);
  ASSERT_TRUE(client->Command({"SET", "case:1", "received"}).ok());
  ASSERT_TRUE((*server)->Kill().ok());
  ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_TRUE(client->Command({"GET", "case:1"})->IsNil());
}

TEST(RedisServerTest, DestructionStopsServerAndRemovesDirectory) {
  std::string dir;
  int port;
  {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    dir = (*server)->dir();
    port = (*server)->port();
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(WaitForPort(port, absl::Milliseconds(50)).code(),
            absl::StatusCode::kDeadlineExceeded);
}

// Tests and the bench must measure the encodings production uses: every
// memory setting the harness passes is the one deploy/redis/redis.conf sets,
// and the started server really runs with it.
TEST(RedisServerTest, MemorySettingsAreTheProductionOnes) {
  std::ifstream conf(TELEDERM_SOURCE_DIR "/deploy/redis/redis.conf");
  ASSERT_TRUE(conf.good());
  std::map<std::string, std::string> production;
  for (std::string line; std::getline(conf, line);) {
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (words.size() == 2 && words[0][0] != '#') production[words[0]] = words[1];
  }
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<redis::Client> client = ClientFor(**server);
  for (const auto& [name, value] : kProductionMemorySettings) {
    EXPECT_EQ(production[name], value) << name << " in deploy/redis/redis.conf";
    absl::StatusOr<redis::Reply> running = client->Command({"CONFIG", "GET", name});
    ASSERT_TRUE(running.ok()) << running.status();
    ASSERT_EQ(running->elements.size(), 2u) << name;
    EXPECT_EQ(running->elements[1].str, value) << name << " of the started server";
  }
  EXPECT_EQ(production["hash-max-listpack-value"], "2048");
}

TEST(RedisServerTest, MissingBinaryIsNotFound) {
  setenv("TELEDERM_REDIS_SERVER", "/nonexistent/redis-server", 1);
  auto server = RedisServer::Start();
  unsetenv("TELEDERM_REDIS_SERVER");
  EXPECT_EQ(server.status().code(), absl::StatusCode::kNotFound);
}

TEST(WaitForPortTest, TimesOutWhenNothingListens) {
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  EXPECT_EQ(WaitForPort(port, absl::Milliseconds(50)).code(),
            absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace telederm::testing
