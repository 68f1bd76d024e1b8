// libFuzzer target: the Redis reply parsing layer — whatever bytes a Redis
// (or something posing as one) sends, through hiredis's reader, into Reply
// values (common/redis ToReply), their accessors, and the error mapping.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/redis/connection.h"
#include "common/redis/errors.h"
#include "common/redis/reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace telederm::redis;
  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) return 0;
  reader->maxbuf = 0;
  internal::BoundReplySize(reader);  // as every Connection's reader
  if (redisReaderFeed(reader, reinterpret_cast<const char*>(data), size) == REDIS_OK) {
    for (int i = 0; i < 64; ++i) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader, &raw) != REDIS_OK || raw == nullptr) break;
      internal::ReplyUPtr reply(static_cast<redisReply*>(raw));
      if (reply->type == REDIS_REPLY_ERROR) {
        std::string message(reply->str, reply->len);
        absl::Status status = ErrorReplyToStatus(message);
        (void)ScriptErrorToStatus(status);
        (void)IsRedisError(status, "NOSCRIPT");
        continue;
      }
      Reply converted = internal::ToReply(*reply);
      (void)converted.DebugString();
      (void)converted.AsOptionalString();
      (void)converted.AsOptionalInteger();
      for (const Reply& element : converted.elements) (void)element.AsOptionalInteger();
    }
  }
  redisReaderFree(reader);
  return 0;
}
