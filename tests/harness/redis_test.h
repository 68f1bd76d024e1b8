#ifndef TELEDERM_TESTS_HARNESS_REDIS_TEST_H_
#define TELEDERM_TESTS_HARNESS_REDIS_TEST_H_

#include <memory>

#include <gtest/gtest.h>

#include "common/redis/client.h"
#include "tests/harness/redis_server.h"

namespace telederm::testing {

// A test fixture with a real redis-server for the whole suite (started once,
// on a free loopback port) and a connected client; every test starts from an
// empty database.
class RedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    redis::ClientOptions options;
    options.endpoint.port = server_->port();
    options.pool_size = client_pool_size();
    auto client = redis::Client::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status();
    redis_ = std::move(*client);
    ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  }

  static RedisServer& redis_server() { return *server_; }

  // How many connections the client keeps; a suite whose server runs many
  // calls at once asks for more.
  virtual int client_pool_size() const { return redis::ClientOptions().pool_size; }

  std::shared_ptr<redis::Client> redis_;

 private:
  static inline RedisServer* server_ = nullptr;
};

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_REDIS_TEST_H_
