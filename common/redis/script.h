#ifndef TELEDERM_COMMON_REDIS_SCRIPT_H_
#define TELEDERM_COMMON_REDIS_SCRIPT_H_

#include <string>

namespace telederm::redis {

// A Lua script and its SHA-1 digest (hex, lower case), computed once at
// construction. Immutable, so safe to share between threads; define scripts
// as long-lived constants and pass them to Client::Eval.
//
// Error convention: a script that returns
//   redis.error_reply("FAILED_PRECONDITION: case is claimed")
// (any absl canonical code name in upper case, a colon, a space, text) makes
// Client::Eval return an absl::Status with that code and the text after the
// colon. Any other error reply becomes INTERNAL with Redis's message.
class Script {
 public:
  explicit Script(std::string source);

  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_SCRIPT_H_
