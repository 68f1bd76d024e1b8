// Every Lua script embedded in the services (cmake/EmbedLua.cmake), in a real
// redis-server: it compiles, and Redis names it by the SHA-1 redis::Script
// computes, which Client::Eval sends with EVALSHA. A script that did not
// compile would fail only when its RPC first ran it, in production.
#include <string>

#include <gtest/gtest.h>

#include "common/redis/script.h"
#include "embedded_lua_list.h"
#include "tests/harness/redis_test.h"

namespace telederm::testing {
namespace {

class EmbeddedLuaTest : public RedisTest {};

TEST_F(EmbeddedLuaTest, EveryScriptCompilesInRedisUnderTheDigestTheClientSends) {
  ASSERT_GE(EmbeddedLuaScripts().size(), 20u) << "the list of embedded scripts lost some";
  for (const auto& [path, source] : EmbeddedLuaScripts()) {
    SCOPED_TRACE(std::string(path));
    const redis::Script script{std::string(source)};
    absl::StatusOr<redis::Reply> loaded = redis_->Command({"SCRIPT", "LOAD", script.source()});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->str, script.sha1());
  }
}

TEST_F(EmbeddedLuaTest, AScriptWithASyntaxErrorIsRefusedByRedis) {
  // What the first test relies on: SCRIPT LOAD compiles, it does not only store.
  absl::StatusOr<redis::Reply> loaded = redis_->Command({"SCRIPT", "LOAD", "return {1, 2"});
  EXPECT_FALSE(loaded.ok() && loaded->type != redis::Reply::Type::kError);
}

}  // namespace
}  // namespace telederm::testing
