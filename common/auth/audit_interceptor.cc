#include "common/auth/audit_interceptor.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/call_authenticator.h"
#include "common/auth/policy.h"
#include "common/caller/verified_identity.h"
#include "common/ids/ids.h"

namespace telederm::auth {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool IsCaseIdField(const FieldDescriptor* field) {
  return field->name() == "case_id" && field->type() == FieldDescriptor::TYPE_STRING && !field->is_repeated();
}

// Where a message type keeps its case ids within a few levels: its case_id
// field and the message fields whose types may hold one, in field order. A
// property of the type alone, worked out once per (type, depth) and kept for
// the process's life, so a call walks only the fields that matter.
struct CaseIdPlan {
  struct Step {
    const FieldDescriptor* field;
    const CaseIdPlan* nested;  // null: the field is a case_id
  };
  std::vector<Step> steps;
};

// Null when a message of this type cannot hold a case_id within `depth` levels.
const CaseIdPlan* WorkOutPlan(const google::protobuf::Descriptor* descriptor, int depth) {
  static absl::Mutex mutex(absl::kConstInit);
  static auto* plans =  // guarded by mutex; never erased, so the plans outlive every call
      new absl::flat_hash_map<std::pair<const google::protobuf::Descriptor*, int>, const CaseIdPlan*>();
  {
    absl::MutexLock lock(&mutex);
    if (auto it = plans->find({descriptor, depth}); it != plans->end()) return it->second;
  }
  auto plan = std::make_unique<CaseIdPlan>();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (IsCaseIdField(field)) {
      plan->steps.push_back({field, nullptr});
    } else if (depth > 0 && field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (const CaseIdPlan* nested = WorkOutPlan(field->message_type(), depth - 1); nested != nullptr) {
        plan->steps.push_back({field, nested});
      }
    }
  }
  const CaseIdPlan* kept = plan->steps.empty() ? nullptr : plan.release();
  absl::MutexLock lock(&mutex);
  auto [it, inserted] = plans->emplace(std::make_pair(descriptor, depth), kept);
  if (!inserted) delete kept;  // another thread worked it out first
  return it->second;
}

// WorkOutPlan, remembered per thread: the gRPC threads that audit every call
// would otherwise all take the one mutex for every message.
const CaseIdPlan* PlanFor(const google::protobuf::Descriptor* descriptor) {
  thread_local absl::flat_hash_map<const google::protobuf::Descriptor*, const CaseIdPlan*> known;
  auto [it, inserted] = known.try_emplace(descriptor, nullptr);
  if (inserted) it->second = WorkOutPlan(descriptor, 2);
  return it->second;
}

void CollectWithPlan(const Message& message, const CaseIdPlan& plan, std::set<std::string>& out) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  for (const CaseIdPlan::Step& step : plan.steps) {
    if (out.size() >= audit::kMaxCasesPerEntry) return;
    if (step.nested == nullptr) {
      // Only a well-formed id: each recorded one becomes a Redis key for good.
      std::string value = reflection->GetString(message, step.field);
      if (IsValidCaseId(value)) out.insert(std::move(value));
    } else if (step.field->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(message, step.field) && out.size() < audit::kMaxCasesPerEntry; ++j) {
        CollectWithPlan(reflection->GetRepeatedMessage(message, step.field, j), *step.nested, out);
      }
    } else if (reflection->HasField(message, step.field)) {
      CollectWithPlan(reflection->GetMessage(message, step.field), *step.nested, out);
    }
  }
}

class AuditInterceptor final : public grpc::experimental::Interceptor {
 public:
  AuditInterceptor(grpc::experimental::ServerRpcInfo* info, std::shared_ptr<audit::AuditWriter> audit,
                   ClockPtr clock)
      : info_(info), audit_(std::move(audit)), clock_(std::move(clock)) {
    streaming_response_ = info->type() == grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING ||
                          info->type() == grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING;
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using Hook = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_MESSAGE)) {
      // Every telederm service speaks protobuf: the message is a generated Message.
      if (void* message = methods->GetRecvMessage(); message != nullptr) {
        CollectCaseIds(*static_cast<const Message*>(message), request_cases_);
        if (image_.empty()) image_ = RequestedImageDigest(*static_cast<const Message*>(message));
      }
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_MESSAGE)) {
      if (const void* message = methods->GetSendMessage(); message != nullptr) {
        std::set<std::string> cases;
        CollectCaseIds(*static_cast<const Message*>(message), cases);
        if (streaming_response_) {
          // Coalesced: the writer gathers a stream's cases into one entry per
          // second (or per kMaxCasesPerEntry cases) rather than one per message.
          if (!cases.empty()) {
            if (!stream_) stream_ = audit_->OpenStream(Entry("OK", ""));
            audit_->AddStreamCases(*stream_, cases, clock_->Now());
          }
        } else {
          response_cases_.insert(cases.begin(), cases.end());
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      CloseStream();  // the cases sent go in before the status entry
      grpc::Status status = methods->GetSendStatus();
      std::set<std::string> cases = request_cases_;
      cases.insert(response_cases_.begin(), response_cases_.end());
      std::string detail = status.error_message();
      if (!image_.empty()) {
        detail = detail.empty() ? absl::StrCat("image ", image_) : absl::StrCat("image ", image_, "; ", detail);
      }
      audit::AuditEntry entry =
          Entry(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), std::move(detail));
      entry.case_ids.assign(cases.begin(), cases.end());
      audit_->Write(std::move(entry));
    }
    methods->Proceed();
  }

  // A call that ends without sending a status (the server shutting down) still
  // has its gathered cases written.
  ~AuditInterceptor() override { CloseStream(); }

 private:
  void CloseStream() {
    if (stream_) audit_->CloseStream(*stream_);
    stream_.reset();
  }

  // The call's entry, now, without cases.
  audit::AuditEntry Entry(std::string outcome, std::string detail) {
    audit::AuditEntry entry;
    entry.at = clock_->Now();
    entry.action = ShortMethodName(info_->method());
    entry.outcome = std::move(outcome);
    entry.detail = std::move(detail);
    grpc::ServerContextBase* context = info_->server_context();
    // An administrator's break-glass read is recorded with the stated reason.
    if (auto reason = context->client_metadata().find(kBreakGlassReasonHeader);
        reason != context->client_metadata().end()) {
      std::string stated(reason->second.data(), std::min<size_t>(reason->second.size(), kMaxBreakGlassReason));
      entry.detail = entry.detail.empty() ? absl::StrCat("break-glass reason: ", stated)
                                          : absl::StrCat("break-glass reason: ", stated, "; ", entry.detail);
    }
    std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
    std::string certificate = auth ? CertificatePeer(*auth) : "-";
    entry.peer = certificate == "-" ? context->peer() : absl::StrCat(context->peer(), " ", certificate);
    if (std::optional<absl::StatusOr<VerifiedIdentity>> who = VerifiedIdentityOf(*context); who && who->ok()) {
      entry.subject = (*who)->subject;
      entry.role = (*who)->role;
      entry.scope = (*who)->role == "clinic" ? (*who)->clinic : absl::StrJoin((*who)->pools, ",");
    }
    return entry;
  }

  grpc::experimental::ServerRpcInfo* info_;
  std::shared_ptr<audit::AuditWriter> audit_;
  ClockPtr clock_;
  bool streaming_response_ = false;
  std::optional<audit::AuditWriter::StreamId> stream_;  // open while a stream has sent cases
  std::set<std::string> request_cases_;
  std::set<std::string> response_cases_;
  std::string image_;  // the digest the request names, if any
};

}  // namespace

void CollectCaseIds(const google::protobuf::Message& message, std::set<std::string>& out) {
  if (const CaseIdPlan* plan = PlanFor(message.GetDescriptor()); plan != nullptr) {
    CollectWithPlan(message, *plan, out);
  }
}

std::string RequestedImageDigest(const google::protobuf::Message& message) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName("sha256");
  if (field == nullptr || field->type() != FieldDescriptor::TYPE_STRING || field->is_repeated()) return "";
  return message.GetReflection()->GetString(message, field).substr(0, 64);
}

grpc::experimental::Interceptor* AuditInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const MethodPolicy* policy = FindMethodPolicy(info->method());
  if (policy == nullptr || !policy->audited) return nullptr;
  return new AuditInterceptor(info, audit_, clock_);
}

}  // namespace telederm::auth
