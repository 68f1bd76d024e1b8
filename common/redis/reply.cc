#include "common/redis/reply.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace telederm::redis {

std::optional<std::string> Reply::AsOptionalString() const {
  if (IsString()) return str;
  return std::nullopt;
}

std::optional<long long> Reply::AsOptionalInteger() const {
  if (type == Type::kInteger) return integer;
  long long value = 0;
  if (type == Type::kString && absl::SimpleAtoi(str, &value)) return value;
  return std::nullopt;
}

std::string Reply::DebugString() const {
  switch (type) {
    case Type::kNil:
      return "(nil)";
    case Type::kString:
      return absl::StrCat("\"", str, "\"");
    case Type::kStatus:
      return str;
    case Type::kInteger:
      return absl::StrCat("(integer) ", integer);
    case Type::kError:
      return absl::StrCat("(error) ", str);
    case Type::kArray:
      return absl::StrCat(
          "[",
          absl::StrJoin(elements, ", ",
                        [](std::string* out, const Reply& r) {
                          out->append(r.DebugString());
                        }),
          "]");
  }
  return "(unknown)";
}

Reply Reply::String(std::string s) {
  Reply r;
  r.type = Type::kString;
  r.str = std::move(s);
  return r;
}

Reply Reply::Status(std::string s) {
  Reply r;
  r.type = Type::kStatus;
  r.str = std::move(s);
  return r;
}

Reply Reply::Integer(long long i) {
  Reply r;
  r.type = Type::kInteger;
  r.integer = i;
  return r;
}

Reply Reply::Array(std::vector<Reply> elements) {
  Reply r;
  r.type = Type::kArray;
  r.elements = std::move(elements);
  return r;
}

}  // namespace telederm::redis
