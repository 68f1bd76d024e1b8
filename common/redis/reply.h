#ifndef TELEDERM_COMMON_REDIS_REPLY_H_
#define TELEDERM_COMMON_REDIS_REPLY_H_

#include <optional>
#include <string>
#include <vector>

namespace telederm::redis {

// A decoded Redis reply. It owns all its data: no hiredis pointer escapes the
// Redis layer. A plain value type; copy and move freely.
struct Reply {
  enum class Type {
    kNil,
    kString,   // bulk string
    kStatus,   // simple string, e.g. "OK"
    kInteger,
    kArray,
    // An error nested inside an array (e.g. a failed command within EXEC).
    // A top-level error reply never becomes a Reply: it is returned as an
    // absl::Status instead.
    kError,
  };

  Type type = Type::kNil;
  std::string str;              // kString, kStatus, kError
  long long integer = 0;        // kInteger
  std::vector<Reply> elements;  // kArray

  bool IsNil() const { return type == Type::kNil; }
  bool IsString() const { return type == Type::kString || type == Type::kStatus; }
  bool IsInteger() const { return type == Type::kInteger; }
  bool IsArray() const { return type == Type::kArray; }

  // The string for kString/kStatus; empty optional for kNil (a missing key)
  // and for every other type.
  std::optional<std::string> AsOptionalString() const;
  // The integer for kInteger; also parses a kString holding a decimal integer
  // (Lua scripts and HGET return numbers as strings). Empty otherwise.
  std::optional<long long> AsOptionalInteger() const;

  // A readable rendering for logs and test failure messages.
  std::string DebugString() const;

  static Reply Nil() { return Reply{}; }
  static Reply String(std::string s);
  static Reply Status(std::string s);
  static Reply Integer(long long i);
  static Reply Array(std::vector<Reply> elements);
};

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_REPLY_H_
