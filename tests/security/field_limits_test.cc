// Issue 6, input hardening: every string, bytes and repeated field a client
// can send declares its bound in proto/ (limits.proto), and every service
// refuses a request over any bound with INVALID_ARGUMENT naming the field and
// the limit. Both are derived from the descriptors, so a new field or RPC
// cannot be forgotten: it either declares a bound (then it is exercised here)
// or the first test fails.
#include <set>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/auth/policy.h"
#include "common/request_limits/request_limits.h"
#include "proto/catalog/service_catalog.h"
#include "telederm/v1/delivery.pb.h"
#include "telederm/v1/fhir.pb.h"
#include "telederm/v1/intake.pb.h"
#include "telederm/v1/referral.pb.h"
#include "telederm/v1/security.pb.h"
#include "telederm/v1/triage.pb.h"
#include "tests/e2e/api.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"

namespace telederm::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

// Every RPC of every telederm service, found in the linked descriptors.
std::vector<const MethodDescriptor*> AllMethods() { return v1::AllServiceMethods(); }

bool IsContractMessage(const Descriptor* d) { return absl::StartsWith(d->full_name(), "telederm.v1."); }

// One bound to exceed: the field path from the request, the field and how.
struct Bound {
  std::vector<const FieldDescriptor*> path;  // a repeated message on the way gets one item
  bool items = false;                        // the item count, else the length
  int limit = 0;
  std::string Name() const {
    std::string name;
    for (const FieldDescriptor* f : path) {
      if (!name.empty()) name += ".";
      name += f->name();
      if (f->is_repeated() && f != path.back()) name += "[0]";
    }
    return name;
  }
};

void CollectBounds(const Descriptor* message, std::vector<const FieldDescriptor*> prefix, std::vector<Bound>& out,
                   std::set<std::string>& undeclared) {
  if (prefix.size() > 6) return;
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
    std::vector<const FieldDescriptor*> path = prefix;
    path.push_back(field);
    const bool text = field->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
    if (field->is_repeated()) {
      if (DeclaredMaxItems(*field) > 0) {
        out.push_back({path, true, DeclaredMaxItems(*field)});
      } else {
        undeclared.insert(absl::StrCat(field->full_name(), " (max_items)"));
      }
    }
    if (text) {
      if (DeclaredMaxLength(*field) > 0) {
        out.push_back({path, false, DeclaredMaxLength(*field)});
      } else {
        undeclared.insert(absl::StrCat(field->full_name(), " (max_length)"));
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && IsContractMessage(field->message_type())) {
      CollectBounds(field->message_type(), path, out, undeclared);
    }
  }
}

// Sets the bound's field one over its limit in `request`.
void Exceed(const Bound& bound, Message& request) {
  Message* m = &request;
  for (size_t i = 0; i + 1 < bound.path.size(); ++i) {
    const FieldDescriptor* f = bound.path[i];
    m = f->is_repeated() ? m->GetReflection()->AddMessage(m, f) : m->GetReflection()->MutableMessage(m, f);
  }
  const FieldDescriptor* f = bound.path.back();
  const google::protobuf::Reflection* r = m->GetReflection();
  if (bound.items) {
    for (int i = 0; i <= bound.limit; ++i) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        r->AddString(m, f, "x");
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        r->AddMessage(m, f);
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
        r->AddEnumValue(m, f, 0);
      } else {
        ADD_FAILURE() << f->full_name() << ": repeated of an unexpected type";
      }
    }
    return;
  }
  // Characters of two UTF-8 bytes for strings: the limit counts characters, not bytes.
  const std::string value = f->type() == FieldDescriptor::TYPE_BYTES ? std::string(bound.limit + 1, 'x') : [&] {
    std::string s;
    for (int i = 0; i <= bound.limit; ++i) s += "\xc3\xa9";  // é
    return s;
  }();
  if (f->is_repeated()) {
    r->AddString(m, f, value);
  } else {
    r->SetString(m, f, value);
  }
}

TEST(FieldLimitsTest, EveryStringBytesAndRepeatedFieldOfEveryRequestDeclaresItsBound) {
  std::set<std::string> undeclared;
  std::vector<Bound> bounds;
  int methods = 0;
  for (const MethodDescriptor* method : AllMethods()) {
    CollectBounds(method->input_type(), {}, bounds, undeclared);
    ++methods;
  }
  EXPECT_GE(methods, 40);
  EXPECT_GT(bounds.size(), 60u);
  for (const std::string& field : undeclared) {
    ADD_FAILURE() << field << " has no declared bound: add [(max_length) = N] / [(max_items) = N] in proto/";
  }
}

// As a client would over the wire: the serialized request through a generic stub.
grpc::Status CallRaw(grpc::Channel& channel, const std::string& method, const Message& request,
                     std::unique_ptr<grpc::ClientContext> context) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer buffer(&slice, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(context.get(), method, grpc::StubOptions(), &buffer, &response, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

TEST(FieldLimitsTest, EveryRequestOverEachDeclaredBoundIsRefusedNamingTheFieldAndTheLimit) {
  auto stack = Stack::Start();
  ASSERT_TRUE(stack.ok()) << stack.status();
  auto channel = [&](Service service) {
    return grpc::CreateChannel((*stack)->address(service), grpc::InsecureChannelCredentials());
  };
  std::map<Service, std::shared_ptr<grpc::Channel>> channels = {
      {Service::kIntake, channel(Service::kIntake)},
      {Service::kTriage, channel(Service::kTriage)},
      {Service::kReferral, channel(Service::kReferral)}};

  int refused = 0;
  for (const MethodDescriptor* method : AllMethods()) {
    const std::string path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
    const auth::MethodPolicy* policy = auth::FindMethodPolicy(path);
    ASSERT_NE(policy, nullptr) << path;
    // A role that passes the gate, so that the handler's validation answers.
    auth::Role role = auth::Role::kAdmin;
    for (auth::Role r : {auth::Role::kClinic, auth::Role::kSpecialist, auth::Role::kAdmin}) {
      if (policy->roles & auth::RoleBit(r)) {
        role = r;
        break;
      }
    }
    const std::string service = method->service()->name();
    Service binary = service == "IntakeService" || service == "SecurityService" || service == "ImageService"
                         ? Service::kIntake
                     : service == "TriageService" || service == "DeadLetterService" ? Service::kTriage
                                                                                      : Service::kReferral;
    std::vector<Bound> bounds;
    std::set<std::string> ignored;
    CollectBounds(method->input_type(), {}, bounds, ignored);
    for (const Bound& bound : bounds) {
      SCOPED_TRACE(absl::StrCat(path, " ", bound.Name(), bound.items ? " items" : " length"));
      std::unique_ptr<Message> request(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
      Exceed(bound, *request);
      const std::string token = TestToken(role, "limits-tester", role == auth::Role::kClinic ? "clinic-limits" : "general");
      grpc::Status s = CallRaw(*channels[binary], path, *request, WithToken(token, absl::Seconds(10)));
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_code() << " " << s.error_message();
      EXPECT_TRUE(absl::StrContains(s.error_message(), bound.Name())) << s.error_message();
      EXPECT_TRUE(absl::StrContains(s.error_message(), absl::StrCat("at most ", bound.limit))) << s.error_message();
      ++refused;
    }
  }
  EXPECT_GT(refused, 60);
}

}  // namespace
}  // namespace telederm::testing
