#include "common/request_limits/request_limits.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "telederm/v1/limits.pb.h"

namespace telederm {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Nesting of the contract's requests is shallow; deeper is refused, not walked.
constexpr int kMaxDepth = 8;

int64_t CodePoints(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

absl::Status CheckValue(const FieldDescriptor& field, const std::string& value, const std::string& path) {
  const int limit = DeclaredMaxLength(field);
  if (limit <= 0) return absl::OkStatus();
  if (field.type() == FieldDescriptor::TYPE_BYTES) {
    if (static_cast<int64_t>(value.size()) <= limit) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(path, ": at most ", limit, " bytes are accepted (got ",
                                                   value.size(), "); send it in smaller parts"));
  }
  const int64_t length = CodePoints(value);
  if (length <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": at most ", limit, " characters are accepted (got ", length, "); shorten it"));
}

absl::Status Check(const Message& message, const std::string& prefix, int depth) {
  if (depth > kMaxDepth) return absl::InvalidArgumentError(absl::StrCat(prefix, ": nested too deeply"));
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // only the fields that are set
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    const bool text = field->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
    const bool nested = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (field->is_repeated()) {
      const int size = reflection->FieldSize(message, field);
      if (const int items = DeclaredMaxItems(*field); items > 0 && size > items) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": at most ", items, " are accepted (got ", size, "); send fewer"));
      }
      for (int i = 0; i < size && (text || nested); ++i) {
        const std::string item = absl::StrCat(path, "[", i, "]");
        absl::Status s = text ? CheckValue(*field, reflection->GetRepeatedString(message, field, i), item)
                              : Check(reflection->GetRepeatedMessage(message, field, i), item, depth + 1);
        if (!s.ok()) return s;
      }
    } else if (text) {
      std::string scratch;
      if (absl::Status s = CheckValue(*field, reflection->GetStringReference(message, field, &scratch), path);
          !s.ok()) {
        return s;
      }
    } else if (nested) {
      if (absl::Status s = Check(reflection->GetMessage(message, field), path, depth + 1); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

int DeclaredMaxLength(const FieldDescriptor& field) { return field.options().GetExtension(v1::max_length); }
int DeclaredMaxItems(const FieldDescriptor& field) { return field.options().GetExtension(v1::max_items); }

absl::Status CheckRequestLimits(const Message& request) { return Check(request, "", 0); }

}  // namespace telederm
