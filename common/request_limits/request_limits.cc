#include "common/request_limits/request_limits.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "telederm/v1/limits.pb.h"

namespace telederm {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Nesting of the contract's requests is shallow; deeper is refused, not walked.
constexpr int kMaxDepth = 8;

struct TypePlan;

// A field the walk has to look at: it declares a bound, or its messages
// (transitively) hold one.
struct FieldPlan {
  const FieldDescriptor* field = nullptr;
  int max_length = 0;  // 0: none
  int max_items = 0;   // 0: none
  bool text = false;
  const TypePlan* nested = nullptr;  // message fields only
};

// What a message type needs checked, in field-number order (the order
// ListFields reports, so the first field over its bound is the same one).
// Built once per type and kept for the life of the process: reading the
// declared bounds (extension lookups) on every request cost more than the
// whole check.
struct TypePlan {
  std::vector<FieldPlan> fields;
  bool relevant = false;  // any bound in this type or below, or a cycle
};

class Plans {
 public:
  const TypePlan& For(const Descriptor* type) {
    {
      absl::ReaderMutexLock lock(&mu_);
      if (auto it = plans_.find(type); it != plans_.end() && it->second->built) return it->second->plan;
    }
    absl::MutexLock lock(&mu_);
    return Build(type)->plan;
  }

 private:
  struct Entry {
    TypePlan plan;
    bool built = false;
    bool building = false;
  };

  Entry* Build(const Descriptor* type) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::unique_ptr<Entry>& slot = plans_[type];
    if (slot != nullptr) {
      // A type that contains itself: its depth is only bounded by kMaxDepth,
      // so it is always walked.
      if (slot->building) slot->plan.relevant = true;
      return slot.get();
    }
    slot = std::make_unique<Entry>();
    Entry* entry = slot.get();
    entry->building = true;
    std::vector<const FieldDescriptor*> fields;
    for (int i = 0; i < type->field_count(); ++i) fields.push_back(type->field(i));
    std::sort(fields.begin(), fields.end(),
              [](const FieldDescriptor* a, const FieldDescriptor* b) { return a->number() < b->number(); });
    for (const FieldDescriptor* field : fields) {
      FieldPlan plan;
      plan.field = field;
      plan.max_length = DeclaredMaxLength(*field);
      plan.max_items = field->is_repeated() ? DeclaredMaxItems(*field) : 0;
      plan.text = field->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
      bool nested_relevant = false;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Entry* nested = Build(field->message_type());
        plan.nested = &nested->plan;
        nested_relevant = nested->plan.relevant || nested->building;
      }
      if ((plan.text && plan.max_length > 0) || plan.max_items > 0 || nested_relevant) {
        entry->plan.fields.push_back(plan);
      }
    }
    entry->plan.relevant = entry->plan.relevant || !entry->plan.fields.empty();
    entry->building = false;
    entry->built = true;
    return entry;
  }

  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<Entry>> plans_ ABSL_GUARDED_BY(mu_);
};

Plans& AllPlans() {
  static Plans* plans = new Plans();
  return *plans;
}

// The way down to a field, kept on the stack; spelled out only for an error
// ("submission.images[3].content_type").
struct PathStep {
  const PathStep* parent;
  const FieldDescriptor* field;
  int index;  // -1: not an item of a list
};

std::string PathOf(const PathStep* step) {
  if (step == nullptr) return "";
  std::string path = PathOf(step->parent);
  if (!path.empty()) path.push_back('.');
  absl::StrAppend(&path, step->field->name());
  if (step->index >= 0) absl::StrAppend(&path, "[", step->index, "]");
  return path;
}

int64_t CodePoints(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

absl::Status CheckValue(const FieldPlan& plan, const std::string& value, const PathStep& step) {
  const int limit = plan.max_length;
  if (limit <= 0) return absl::OkStatus();
  // A value no longer in bytes than the limit is within it in characters too.
  if (static_cast<int64_t>(value.size()) <= limit) return absl::OkStatus();
  if (plan.field->type() == FieldDescriptor::TYPE_BYTES) {
    return absl::InvalidArgumentError(absl::StrCat(PathOf(&step), ": at most ", limit, " bytes are accepted (got ",
                                                   value.size(), "); send it in smaller parts"));
  }
  const int64_t length = CodePoints(value);
  if (length <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(PathOf(&step), ": at most ", limit, " characters are accepted (got ", length, "); shorten it"));
}

absl::Status Check(const Message& message, const TypePlan& type, const PathStep* parent, int depth) {
  if (depth > kMaxDepth) return absl::InvalidArgumentError(absl::StrCat(PathOf(parent), ": nested too deeply"));
  const Reflection* reflection = message.GetReflection();
  for (const FieldPlan& plan : type.fields) {
    const FieldDescriptor* field = plan.field;
    if (field->is_repeated()) {
      const int size = reflection->FieldSize(message, field);
      if (size == 0) continue;
      if (plan.max_items > 0 && size > plan.max_items) {
        const PathStep step{parent, field, -1};
        return absl::InvalidArgumentError(
            absl::StrCat(PathOf(&step), ": at most ", plan.max_items, " are accepted (got ", size, "); send fewer"));
      }
      if (plan.text && plan.max_length > 0) {
        for (int i = 0; i < size; ++i) {
          std::string scratch;
          const PathStep step{parent, field, i};
          if (absl::Status s = CheckValue(plan, reflection->GetRepeatedStringReference(message, field, i, &scratch), step);
              !s.ok()) {
            return s;
          }
        }
      } else if (plan.nested != nullptr && plan.nested->relevant) {
        for (int i = 0; i < size; ++i) {
          const PathStep step{parent, field, i};
          if (absl::Status s = Check(reflection->GetRepeatedMessage(message, field, i), *plan.nested, &step, depth + 1);
              !s.ok()) {
            return s;
          }
        }
      }
    } else if (plan.text) {
      std::string scratch;
      const std::string& value = reflection->GetStringReference(message, field, &scratch);
      if (value.empty()) continue;
      const PathStep step{parent, field, -1};
      if (absl::Status s = CheckValue(plan, value, step); !s.ok()) return s;
    } else if (plan.nested != nullptr && reflection->HasField(message, field)) {
      const PathStep step{parent, field, -1};
      if (absl::Status s = Check(reflection->GetMessage(message, field), *plan.nested, &step, depth + 1); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

int DeclaredMaxLength(const FieldDescriptor& field) { return field.options().GetExtension(v1::max_length); }
int DeclaredMaxItems(const FieldDescriptor& field) { return field.options().GetExtension(v1::max_items); }

absl::Status CheckRequestLimits(const Message& request) {
  return Check(request, AllPlans().For(request.GetDescriptor()), nullptr, 0);
}

}  // namespace telederm
