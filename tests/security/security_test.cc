// Issue 6 through the real services over TLS: every RPC as every role, as
// another clinic, without a token and with bad ones; refusals of verified callers audited; token
// expiry, tampering, wrong key, revocation and rotation; plaintext and
// certificate-less clients refused; the per-clinic rate limit.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <gtest/gtest.h>
#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/auth/key_ring.h"
#include "common/auth/policy.h"
#include "common/auth/token.h"
#include "common/status/grpc_status.h"
#include "telederm/v1/delivery.grpc.pb.h"
#include "telederm/v1/fhir.grpc.pb.h"
#include "telederm/v1/security.grpc.pb.h"
#include "tests/e2e/api.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"
#include "tests/harness/temp_dir.h"

namespace telederm::testing {
namespace {

using auth::Role;

// Calls `method` with an empty request message through a generic stub; the
// status is what matters here.
grpc::Status CallEmpty(grpc::Channel& channel, const std::string& method, std::unique_ptr<grpc::ClientContext> ctx) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::Slice empty(std::string(""));
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

std::string CodeName(const grpc::Status& s) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(s.error_code()));
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(*MakeTempDir("telederm-certs"));
    auto certs = MakeTestCertificates(*dir_);
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = new TestCertificates(*certs);
    StackOptions options;
    options.tls_dir = *dir_;
    auto stack = Stack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  std::shared_ptr<grpc::Channel> Channel(Service service) {
    return TlsChannel(stack_->address(service), *certs_, /*mutual=*/false);
  }
  std::shared_ptr<grpc::Channel> ChannelFor(absl::string_view method) {
    if (absl::StrContains(method, "IntakeService") || absl::StrContains(method, "SecurityService")) {
      return Channel(Service::kIntake);
    }
    if (absl::StrContains(method, "TriageService") || absl::StrContains(method, "DeadLetterService")) {
      return Channel(Service::kTriage);
    }
    return Channel(Service::kReferral);
  }

  // The audit entries of a user or a case, as an administrator sees them.
  std::vector<v1::AuditEntry> Audit(const std::string& user, const std::string& case_id = "") {
    auto stub = v1::SecurityService::NewStub(Channel(Service::kReferral));
    v1::ListAuditEntriesRequest request;
    request.set_user(user);
    request.set_case_id(case_id);
    request.set_page_size(1000);
    v1::ListAuditEntriesResponse response;
    grpc::Status s = stub->ListAuditEntries(AsAdmin("auditor").get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.entries().begin(), response.entries().end()};
  }
  bool Audited(const std::string& user, const std::string& action, const std::string& outcome,
               const std::string& case_id = "") {
    return WaitUntil(
        [&] {
          for (const v1::AuditEntry& e : Audit(case_id.empty() ? user : "", case_id)) {
            bool case_matches = case_id.empty() || std::count(e.case_ids().begin(), e.case_ids().end(), case_id);
            if (e.subject() == user && e.action() == action && e.outcome() == outcome && case_matches) return true;
          }
          return false;
        },
        absl::Seconds(10));
  }

  // Submits a real case as `clinic` (a new one for each `key`); its id.
  std::string SubmitCase(const std::string& clinic, const std::string& key = "") {
    auto intake = v1::IntakeService::NewStub(Channel(Service::kIntake));
    auto image = UploadImage(*intake, clinic, ReadFileBytes(std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg"),
                             v1::MODALITY_DERMOSCOPY);
    EXPECT_TRUE(image.ok()) << image.status();
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = QuietTumourSubmission("SEC-1", *image);
    request.set_idempotency_key(absl::StrCat("sec-", clinic, key));
    v1::SubmitCaseResponse response;
    grpc::Status s = intake->SubmitCase(AsClinic(clinic).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.case_id();
  }

  static inline std::string* dir_ = nullptr;
  static inline TestCertificates* certs_ = nullptr;
  static inline Stack* stack_ = nullptr;
};

struct Identity {
  const char* name;
  Role role;
  std::string subject;
  std::string scope;
};

TEST_F(SecurityTest, EveryRpcAsEveryRoleWithoutTokenAndWithBadTokenGetsTheExactStatusAndRefusalsAreAudited) {
  const std::vector<Identity> identities = {
      {"clinic", Role::kClinic, "sec-clinic-device", "clinic-sec-a"},
      {"specialist", Role::kSpecialist, "sec-dr-spec", "general"},
      {"supervisor", Role::kSupervisor, "sec-dr-super", "general"},
      {"admin", Role::kAdmin, "sec-admin", ""},
      {"service", Role::kService, "sec-service", ""},
  };
  auth::KeyRing foreign = *auth::KeyRing::Parse("e2e-test 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  auth::Claims forged_claims{"sec-forger", Role::kAdmin, "", {}, absl::Now(), absl::Now() + absl::Hours(1), "", ""};
  const std::string wrong_key_token = *auth::IssueToken(forged_claims, foreign);

  int checked = 0;
  std::map<std::string, std::set<std::pair<std::string, std::string>>> handled;  // subject -> (action, outcome)
  for (const auth::MethodPolicy& policy : auth::MethodPolicies()) {
    if (policy.open) continue;
    const std::string method(policy.method);
    const std::string action = auth::ShortMethodName(method);
    std::shared_ptr<grpc::Channel> channel = ChannelFor(method);
    SCOPED_TRACE(method);

    grpc::Status none = CallEmpty(*channel, method, WithToken("", absl::Seconds(5)));
    EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED) << CodeName(none) << " " << none.error_message();
    grpc::Status garbage = CallEmpty(*channel, method, WithToken("not.a.token", absl::Seconds(5)));
    EXPECT_EQ(garbage.error_code(), grpc::StatusCode::UNAUTHENTICATED) << garbage.error_message();
    grpc::Status wrong_key = CallEmpty(*channel, method, WithToken(wrong_key_token, absl::Seconds(5)));
    EXPECT_EQ(wrong_key.error_code(), grpc::StatusCode::UNAUTHENTICATED) << wrong_key.error_message();

    for (const Identity& who : identities) {
      SCOPED_TRACE(who.name);
      grpc::Status s = CallEmpty(*channel, method, WithToken(TestToken(who.role, who.subject, who.scope), absl::Seconds(3)));
      const bool allowed = (policy.roles & auth::RoleBit(who.role)) != 0;
      if (allowed) {
        // Past the gate: whatever the handler makes of an empty request, never an auth refusal of the policy.
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
        EXPECT_FALSE(s.error_code() == grpc::StatusCode::PERMISSION_DENIED &&
                     absl::StrContains(s.error_message(), "token may not call"))
            << s.error_message();
        // Every call that reaches patient data is audited whatever its outcome (checked below).
        // A stream the client's deadline ended has no outcome the client saw: any will do.
        const bool ended_by_client = s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                                     s.error_code() == grpc::StatusCode::CANCELLED;
        if (policy.audited) handled[who.subject].insert({action, ended_by_client ? "*" : CodeName(s)});
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << CodeName(s) << " " << s.error_message();
        EXPECT_TRUE(Audited(who.subject, action, "PERMISSION_DENIED")) << "refusal not audited";
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
  // Each call a handler answered (OK, INVALID_ARGUMENT, NOT_FOUND, ...) left
  // an entry with its subject, action and exact outcome: ClaimNext,
  // WatchQueue, dead letters, FHIR export, reports alike.
  for (const auto& [subject, calls] : handled) {
    std::set<std::pair<std::string, std::string>> audited;
    auto found = [&](const std::pair<std::string, std::string>& call) {
      if (call.second != "*") return audited.count(call) > 0;
      auto it = audited.lower_bound({call.first, ""});
      return it != audited.end() && it->first == call.first;
    };
    WaitUntil(
        [&] {
          audited.clear();
          for (const v1::AuditEntry& e : Audit(subject)) audited.insert({e.action(), e.outcome()});
          return std::all_of(calls.begin(), calls.end(), found);
        },
        absl::Seconds(10));
    for (const auto& call : calls) {
      EXPECT_TRUE(found(call)) << subject << " " << call.first << " " << call.second << " not audited";
    }
  }
  // Calls without a valid token name nobody: they are counted, not audited
  // (anonymous_callers_test.cc), so nothing is recorded under "-".
  EXPECT_TRUE(Audit("-").empty());
}

TEST_F(SecurityTest, AnotherClinicSeesNothingOfACaseAndTheAttemptIsAuditedWithTheCase) {
  const std::string case_id = SubmitCase("clinic-owner");
  ASSERT_FALSE(case_id.empty());
  auto intake = v1::IntakeService::NewStub(Channel(Service::kIntake));
  auto intruder = [] { return AsClinic("clinic-intruder"); };

  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  v1::Case c;
  EXPECT_EQ(intake->GetCase(intruder().get(), get, &c).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::Status owner_read = intake->GetCase(AsClinic("clinic-owner").get(), get, &c);
  EXPECT_TRUE(owner_read.ok()) << CodeName(owner_read) << " " << owner_read.error_message();

  v1::ListMessagesRequest list;
  list.set_case_id(case_id);
  v1::ListMessagesResponse messages;
  EXPECT_EQ(intake->ListMessages(intruder().get(), list, &messages).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ClinicMessageRequest send;
  send.set_case_id(case_id);
  send.set_text("hello");
  v1::ClinicMessageResponse sent;
  EXPECT_EQ(intake->SendMessage(intruder().get(), send, &sent).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::ListCasesRequest mine;
  v1::ListCasesResponse cases;
  ASSERT_TRUE(intake->ListCases(intruder().get(), mine, &cases).ok());
  for (const v1::Case& other : cases.cases()) EXPECT_NE(other.case_id(), case_id);

  auto triage = v1::TriageService::NewStub(Channel(Service::kTriage));
  v1::GetTriageResultRequest triage_request;
  triage_request.set_case_id(case_id);
  v1::TriageResult result;
  EXPECT_EQ(triage->GetTriageResult(intruder().get(), triage_request, &result).error_code(),
            grpc::StatusCode::NOT_FOUND);

  EXPECT_TRUE(Audited("device-of-clinic-intruder", "IntakeService/GetCase", "NOT_FOUND", case_id));
  EXPECT_TRUE(Audited("device-of-clinic-intruder", "TriageService/GetTriageResult", "NOT_FOUND", case_id));
  // The owner's read is audited too, with who, where from and which case.
  ASSERT_TRUE(Audited("device-of-clinic-owner", "IntakeService/GetCase", "OK", case_id));
  for (const v1::AuditEntry& e : Audit("", case_id)) {
    if (e.subject() == "device-of-clinic-owner" && e.action() == "IntakeService/GetCase") {
      EXPECT_EQ(e.role(), "clinic");
      EXPECT_EQ(e.scope(), "clinic-owner");
      EXPECT_TRUE(absl::StrContains(e.peer(), "127.0.0.1")) << e.peer();
    }
  }
}

// A watch's messages are audited coalesced (one entry per second or per 500
// cases, not one per message), and still every case whose events it sent
// shows the watch in its own audit trail, with who, scope and where from.
TEST_F(SecurityTest, WatchThatSentSeveralCasesIsInEachCasesAuditTrail) {
  const std::string clinic = "clinic-watching";
  std::set<std::string> submitted;
  for (int i = 0; i < 3; ++i) submitted.insert(SubmitCase(clinic, absl::StrCat("-", i)));
  ASSERT_EQ(submitted.size(), 3u);
  ASSERT_EQ(submitted.count(""), 0u);

  auto intake = v1::IntakeService::NewStub(Channel(Service::kIntake));
  auto context = AsClinic(clinic);
  auto reader = intake->WatchEvents(context.get(), v1::WatchEventsRequest());
  std::set<std::string> seen;
  v1::CaseEvent event;
  while (seen != submitted && reader->Read(&event)) seen.insert(event.case_id());
  context->TryCancel();
  reader->Finish();
  ASSERT_EQ(seen, submitted);

  for (const std::string& case_id : submitted) {
    ASSERT_TRUE(Audited("device-of-clinic-watching", "IntakeService/WatchEvents", "OK", case_id)) << case_id;
    for (const v1::AuditEntry& e : Audit("", case_id)) {
      if (e.action() != "IntakeService/WatchEvents") continue;
      EXPECT_EQ(e.role(), "clinic");
      EXPECT_EQ(e.scope(), clinic);
      EXPECT_TRUE(absl::StrContains(e.peer(), "127.0.0.1")) << e.peer();
    }
  }
}

// gRPC hands the metadata processor the connection's AuthContext, shared by
// all its calls: identity must come from each call's own token, never from there.
TEST_F(SecurityTest, TwoClinicsOnOneConnectionEachSeeOnlyTheirOwnCase) {
  const std::string first = SubmitCase("clinic-conn-1");
  const std::string second = SubmitCase("clinic-conn-2");
  auto intake = v1::IntakeService::NewStub(Channel(Service::kIntake));  // one connection
  for (int round = 0; round < 3; ++round) {
    for (const auto& [clinic, own, other] : {std::tuple{"clinic-conn-1", first, second},
                                              std::tuple{"clinic-conn-2", second, first}}) {
      v1::GetCaseRequest request;
      v1::Case c;
      request.set_case_id(own);
      EXPECT_TRUE(intake->GetCase(AsClinic(clinic).get(), request, &c).ok()) << clinic;
      request.set_case_id(other);
      EXPECT_EQ(intake->GetCase(AsClinic(clinic).get(), request, &c).error_code(), grpc::StatusCode::NOT_FOUND)
          << clinic;
    }
  }
}

// ARCHITECTURE invariant 5: administrators see no patient data unless they
// state why, and the reason is in the audit trail with the case.
TEST_F(SecurityTest, AdminReadsACaseOnlyWithAStatedReasonAndTheReasonIsAudited) {
  const std::string case_id = SubmitCase("clinic-break-glass");
  ASSERT_FALSE(case_id.empty());
  auto fhir = v1::FhirExportService::NewStub(Channel(Service::kReferral));
  v1::ExportCaseFhirRequest request;
  request.set_case_id(case_id);
  auto as_admin = [](const std::string& reason) {
    std::unique_ptr<grpc::ClientContext> context = AsAdmin("ops-glass");
    if (!reason.empty()) context->AddMetadata(auth::kBreakGlassReasonHeader, reason);
    return context;
  };

  v1::ExportCaseFhirResponse response;
  grpc::Status without = fhir->ExportCaseFhir(as_admin("").get(), request, &response);
  EXPECT_EQ(without.error_code(), grpc::StatusCode::PERMISSION_DENIED) << CodeName(without);
  EXPECT_TRUE(absl::StrContains(without.error_message(), auth::kBreakGlassReasonHeader)) << without.error_message();
  EXPECT_TRUE(response.bundle_json().empty());
  grpc::Status vague = fhir->ExportCaseFhir(as_admin("because").get(), request, &response);
  EXPECT_EQ(vague.error_code(), grpc::StatusCode::PERMISSION_DENIED) << CodeName(vague);
  EXPECT_TRUE(response.bundle_json().empty());
  EXPECT_TRUE(Audited("ops-glass", "FhirExportService/ExportCaseFhir", "PERMISSION_DENIED"));

  const std::string reason = "INC-2231: clinic reports the report of this case never arrived";
  grpc::Status with = fhir->ExportCaseFhir(as_admin(reason).get(), request, &response);
  ASSERT_TRUE(with.ok()) << CodeName(with) << " " << with.error_message();
  EXPECT_TRUE(absl::StrContains(response.bundle_json(), case_id));

  ASSERT_TRUE(Audited("ops-glass", "FhirExportService/ExportCaseFhir", "OK", case_id));
  bool reason_recorded = false;
  for (const v1::AuditEntry& e : Audit("", case_id)) {
    if (e.subject() == "ops-glass" && e.outcome() == "OK") {
      EXPECT_EQ(e.role(), "admin");
      reason_recorded = absl::StrContains(e.detail(), reason);
    }
  }
  EXPECT_TRUE(reason_recorded) << "the break-glass reason is not in the case's audit entry";

  // A clinic cannot use the header to read another clinic's case.
  auto other = AsClinic("clinic-not-owner");
  other->AddMetadata(auth::kBreakGlassReasonHeader, reason);
  EXPECT_EQ(fhir->ExportCaseFhir(other.get(), request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(SecurityTest, SpecialistSeesOnlyTheirPools) {
  auto referral = v1::ReferralService::NewStub(Channel(Service::kReferral));
  v1::ListQueueRequest request;
  request.set_pool("dermato-oncology");
  v1::ListQueueResponse response;
  grpc::Status s = referral->ListQueue(AsSpecialist("dr-general-only", "general").get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_TRUE(Audited("dr-general-only", "ReferralService/ListQueue", "PERMISSION_DENIED"));
}

TEST_F(SecurityTest, ExpiredTamperedWrongKeyAndRevokedTokensAreUnauthenticatedRotatedKeyStillWorks) {
  auto intake = v1::IntakeService::NewStub(Channel(Service::kIntake));
  auto list = [&](const std::string& token) {
    v1::ListCasesRequest request;
    v1::ListCasesResponse response;
    return intake->ListCases(WithToken(token).get(), request, &response);
  };
  const std::string good = TestToken(Role::kClinic, "tablet-7", "clinic-tokens", absl::Hours(1), "jti-tablet-7");
  ASSERT_TRUE(list(good).ok());

  EXPECT_EQ(list(TestToken(Role::kClinic, "tablet-7", "clinic-tokens", absl::Seconds(30))).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);  // issued a minute ago, lived 30 s
  std::string tampered = good;
  tampered[tampered.find('.') + 5] ^= 1;
  EXPECT_EQ(list(tampered).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Rotation: a ring whose first (signing) key is new and whose second is the
  // test key. Tokens of either verify only where both are installed; the
  // stack knows only the test key, so a token of the new key is refused
  // (wrong key) while the old key's tokens keep working.
  auth::KeyRing rotated = *auth::KeyRing::Parse(
      absl::StrCat("e2e-next aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899\n", kTestTokenKeys));
  auth::Claims claims{"tablet-8", Role::kClinic, "clinic-tokens", {}, absl::Now(), absl::Now() + absl::Hours(1), "", ""};
  EXPECT_EQ(list(*auth::IssueToken(claims, rotated)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(list(good).ok());

  auto security = v1::SecurityService::NewStub(Channel(Service::kIntake));
  v1::RevokeTokenRequest revoke;
  revoke.set_token_id("jti-tablet-7");
  v1::RevokeTokenResponse revoked;
  EXPECT_EQ(security->RevokeToken(AsClinic("clinic-tokens").get(), revoke, &revoked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(security->RevokeToken(AsAdmin("ops").get(), revoke, &revoked).ok());
  // Revoked through intake; refused by every service at once (shared in Redis).
  grpc::Status s = list(good);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "revoked")) << s.error_message();
  auto triage = v1::TriageService::NewStub(Channel(Service::kTriage));
  v1::ListAnalyzersRequest analyzers_request;
  v1::ListAnalyzersResponse analyzers;
  EXPECT_EQ(triage->ListAnalyzers(WithToken(good).get(), analyzers_request, &analyzers).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Audited("tablet-7", "IntakeService/ListCases", "UNAUTHENTICATED"));
}

TEST_F(SecurityTest, PlaintextClientIsRefusedByATlsServer) {
  auto plaintext = grpc::CreateChannel(stack_->address(Service::kIntake), grpc::InsecureChannelCredentials());
  auto intake = v1::IntakeService::NewStub(plaintext);
  v1::ListCasesRequest request;
  v1::ListCasesResponse response;
  grpc::Status s = intake->ListCases(AsClinic("clinic-plain", absl::Seconds(3)).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

// delivery.proto: every service binary serves DeadLetterService, so an
// operator reaches the dead letters through whichever service answers.
TEST_F(SecurityTest, EveryServiceBinaryServesTheDeadLetters) {
  for (Service service : {Service::kIntake, Service::kTriage, Service::kReferral}) {
    auto stub = v1::DeadLetterService::NewStub(Channel(service));
    v1::ListDeadLettersRequest request;
    v1::ListDeadLettersResponse response;
    grpc::Status s = stub->ListDeadLetters(AsAdmin("ops").get(), request, &response);
    EXPECT_TRUE(s.ok()) << stack_->address(service) << ": " << CodeName(s) << " " << s.error_message();
    EXPECT_EQ(response.dead_letters_size(), 0);
  }
}

TEST_F(SecurityTest, HealthIsOpenWithoutToken) {
  grpc::Status s = CallEmpty(*Channel(Service::kIntake), "/grpc.health.v1.Health/Check", WithToken("", absl::Seconds(5)));
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// A stack that requires client certificates, and a tight clinic rate limit.
class MutualTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("telederm-mtls");
    ASSERT_TRUE(dir.ok());
    auto certs = MakeTestCertificates(*dir);
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
    StackOptions options;
    options.tls_dir = *dir;
    options.require_client_cert = true;
    options.security_flags = {"--clinic_rate=1", "--clinic_burst=3"};
    auto stack = Stack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
  }
  grpc::Status ListCases(bool with_client_certificate, const std::string& clinic) {
    auto intake = v1::IntakeService::NewStub(TlsChannel(stack_->address(Service::kIntake), certs_, with_client_certificate));
    v1::ListCasesRequest request;
    v1::ListCasesResponse response;
    return intake->ListCases(AsClinic(clinic, absl::Seconds(5)).get(), request, &response);
  }
  TestCertificates certs_;
  std::unique_ptr<Stack> stack_;
};

TEST_F(MutualTlsTest, ClientWithoutCertificateIsRefusedWithOneItIsServed) {
  EXPECT_EQ(ListCases(false, "clinic-m").error_code(), grpc::StatusCode::UNAVAILABLE);
  grpc::Status s = ListCases(true, "clinic-m");
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(MutualTlsTest, ClinicOverItsRateGetsResourceExhaustedOtherClinicsDoNot) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ListCases(true, "clinic-busy").ok()) << i;
  grpc::Status s = ListCases(true, "clinic-busy");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "retry in")) << s.error_message();
  EXPECT_TRUE(ListCases(true, "clinic-quiet").ok());
}

}  // namespace
}  // namespace telederm::testing
