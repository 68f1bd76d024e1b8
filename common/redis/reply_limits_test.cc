#include <hiredis/hiredis.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/redis/connection.h"

namespace telederm::redis::internal {
namespace {

struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};

// Feeds `bytes` to a bounded reader; REDIS_OK with a reply, or REDIS_ERR.
int Read(const std::string& bytes, ReplyUPtr& reply) {
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
  BoundReplySize(reader.get());
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) return REDIS_ERR;
  void* raw = nullptr;
  int result = redisReaderGetReply(reader.get(), &raw);
  reply.reset(static_cast<redisReply*>(raw));
  return result;
}

// Regression test for tests/fuzz/redis_reply_fuzzer's first finding: an array
// header announcing 488888888 elements made hiredis allocate 3.9 GB at once.
TEST(ReplyLimitsTest, ArrayAnnouncingTooManyElementsIsRefusedBeforeAllocation) {
  ReplyUPtr reply;
  EXPECT_EQ(Read("*488888888\r\n-NO\r\n", reply), REDIS_ERR);
  EXPECT_EQ(reply, nullptr);
  EXPECT_EQ(Read("*" + std::to_string(kMaxReplyElements + 1) + "\r\n", reply), REDIS_ERR);
}

TEST(ReplyLimitsTest, OrdinaryArraysAreRead) {
  ReplyUPtr reply;
  ASSERT_EQ(Read("*3\r\n:1\r\n$2\r\nab\r\n*0\r\n", reply), REDIS_OK);
  ASSERT_NE(reply, nullptr);
  Reply converted = ToReply(*reply);
  ASSERT_EQ(converted.elements.size(), 3u);
  EXPECT_EQ(converted.elements[1].str, "ab");
}

// Our encoder must send exactly what hiredis's would: Redis reads it.
TEST(FormatCommandTest, EncodesExactlyAsHiredisDoes) {
  const std::vector<std::vector<std::string>> commands = {
      {"PING"},
      {"SET", "case:{c-1}", ""},
      {"HSET", "k", "pb", std::string("x\0\r\ny", 5), "v", "12"},
      {"XADD", "stream:intake", "*", "case_id", std::string(70000, 'z')},
      {"HSET", "k", "a", "1", "b", "22", "c", "333", "d", std::string(10, 'd'), "e", std::string(100, 'e')},
  };
  for (const std::vector<std::string>& argv : commands) {
    std::vector<const char*> args;
    std::vector<size_t> lengths;
    for (const std::string& arg : argv) {
      args.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    char* expected = nullptr;
    const int length = redisFormatCommandArgv(&expected, static_cast<int>(argv.size()), args.data(), lengths.data());
    ASSERT_GT(length, 0);
    EXPECT_EQ(FormatCommand(argv), std::string(expected, length)) << argv[0];
    redisFreeCommand(expected);
  }
}

}  // namespace
}  // namespace telederm::redis::internal
