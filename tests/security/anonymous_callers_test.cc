// Callers that show no verifiable identity, through the real services: their
// refusals are counted (telederm_auth_anonymous_refusals_total), not stored
// one by one in the audit trail, and a connection that keeps sending them is
// cut off (RESOURCE_EXHAUSTED) while a verified clinic on it is still served.
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "common/auth/key_ring.h"
#include "common/auth/token.h"
#include "common/metrics/http_get.h"
#include "common/redis/client.h"
#include "telederm/v1/security.grpc.pb.h"
#include "tests/e2e/api.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"
#include "tests/harness/net.h"

namespace telederm::testing {
namespace {

constexpr char kAuditLog[] = "audit:{log}";

class AnonymousCallersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_port_ = FreeLoopbackPort();
    StackOptions options;
    // The services' own limits for calls without a valid token: the defaults.
    options.security_flags = {"--clinic_rate=10000", "--clinic_burst=100000"};
    options.intake_flags = {absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port_)};
    auto stack = Stack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = *std::move(stack);
    redis::ClientOptions redis_options;
    redis_options.endpoint = *redis::Endpoint::Parse(stack_->redis_address());
    redis_ = redis::Client::Create(redis_options);
  }

  // A channel with a connection of its own (its own subchannel pool).
  std::shared_ptr<grpc::Channel> NewConnection() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(stack_->address(Service::kIntake), grpc::InsecureChannelCredentials(), args);
  }

  grpc::Status ListCases(grpc::Channel& channel, std::unique_ptr<grpc::ClientContext> context) {
    auto intake = v1::IntakeService::NewStub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
    v1::ListCasesRequest request;
    v1::ListCasesResponse response;
    return intake->ListCases(context.get(), request, &response);
  }

  int64_t AuditLength() {
    absl::StatusOr<redis::Reply> length = redis_->Command({"XLEN", kAuditLog});
    EXPECT_TRUE(length.ok()) << length.status();
    return length.ok() ? length->integer : -1;
  }

  // telederm_auth_anonymous_refusals_total{method="IntakeService/ListCases",reason=`reason`}, 0 when absent.
  double Refused(const std::string& reason) {
    absl::StatusOr<std::string> body = metrics::HttpGet("127.0.0.1", metrics_port_, "/metrics");
    EXPECT_TRUE(body.ok()) << body.status();
    for (absl::string_view line : absl::StrSplit(body.value_or(""), '\n')) {
      if (!absl::StartsWith(line, "telederm_auth_anonymous_refusals_total{") ||
          !absl::StrContains(line, "method=\"IntakeService/ListCases\"") ||
          !absl::StrContains(line, absl::StrCat("reason=\"", reason, "\""))) {
        continue;
      }
      double value = 0;
      EXPECT_TRUE(absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) << line;
      return value;
    }
    return 0;
  }

  int metrics_port_ = 0;
  std::unique_ptr<Stack> stack_;
  std::shared_ptr<redis::Client> redis_;
};

TEST_F(AnonymousCallersTest, RefusalsWithoutAVerifiableTokenAreCountedNotAuditedAVerifiedCallersAreAudited) {
  auth::KeyRing foreign =
      *auth::KeyRing::Parse("e2e-test 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  auth::Claims claims{"old-tablet", auth::Role::kClinic, "clinic-anon", {}, absl::Now(), absl::Now() + absl::Hours(1),
                      "jti-anon", ""};
  const std::string wrong_key = *auth::IssueToken(claims, foreign);
  claims.issued_at = absl::Now() - absl::Hours(2);
  claims.expires_at = absl::Now() - absl::Hours(1);
  const std::string expired = *auth::IssueToken(claims, *auth::KeyRing::Parse(kTestTokenKeys));
  std::shared_ptr<grpc::Channel> channel = NewConnection();
  constexpr int kEach = 4;  // 16 calls in all: within the connection's default burst of 20
  for (int i = 0; i < kEach; ++i) {
    grpc::Status none = ListCases(*channel, WithToken(""));
    EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(none.error_message(),
              "no bearer token: send 'authorization: Bearer <token>' (telederm admin issue-token makes one)");
    grpc::Status garbage = ListCases(*channel, WithToken("not.a.token"));
    EXPECT_EQ(garbage.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(garbage.error_message(), "bearer token refused: not base64url");
    grpc::Status forged_status = ListCases(*channel, WithToken(wrong_key));
    EXPECT_EQ(forged_status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(forged_status.error_message(), "bearer token refused: signature does not match");
    grpc::Status expired_status = ListCases(*channel, WithToken(expired));
    EXPECT_EQ(expired_status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(expired_status.error_message(), "bearer token refused: expired");
  }
  EXPECT_EQ(Refused("no_token"), kEach);
  EXPECT_EQ(Refused("malformed"), kEach);
  EXPECT_EQ(Refused("bad_signature"), kEach);
  EXPECT_EQ(Refused("expired"), kEach);

  // A verified clinic refused (an administrator's method) is audited with its
  // name. The audit writer appends in order: once this entry is in, any entry
  // for the calls above would be too.
  auto security = v1::SecurityService::NewStub(channel);
  v1::ListAuditEntriesRequest request;
  request.set_user("-");
  request.set_page_size(10);
  v1::ListAuditEntriesResponse response;
  EXPECT_EQ(security->ListAuditEntries(AsClinic("clinic-anon").get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(WaitUntil([&] { return AuditLength() >= 1; }, absl::Seconds(10)));
  EXPECT_EQ(AuditLength(), 1);
  absl::StatusOr<redis::Reply> entries = redis_->Command({"XRANGE", kAuditLog, "-", "+"});
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->elements.size(), 1u);
  EXPECT_EQ(redis_->Command({"EXISTS", "audit:{log}:user:-"})->integer, 0);
}

TEST_F(AnonymousCallersTest, AnonymousFloodIsCutOffWhileAVerifiedClinicOnTheSameConnectionIsServed) {
  // The clinic's device holds one token, as a real one does.
  const std::string clinic = TestToken(auth::Role::kClinic, "device-of-clinic-flooded", "clinic-flooded");
  std::shared_ptr<grpc::Channel> channel = NewConnection();
  ASSERT_TRUE(ListCases(*channel, WithToken(clinic)).ok());
  constexpr int kFlood = 300;
  int unauthenticated = 0;
  int exhausted = 0;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kFlood; ++i) {
    grpc::Status s = ListCases(*channel, WithToken(i % 2 == 0 ? "" : "forged.token.here"));
    if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      ++unauthenticated;
    } else {
      ASSERT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << i << " " << s.error_message();
      ASSERT_EQ(s.error_message(),
                "too many calls without a valid bearer token on this connection (20 at once, then 1 a second): "
                "send 'authorization: Bearer <token>' with a valid token");
      ++exhausted;
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  // The burst of 20, and one more for each second the flood took.
  EXPECT_GE(unauthenticated, 20);
  EXPECT_LE(unauthenticated, 20 + static_cast<int>(seconds) + 1) << seconds << " s";
  EXPECT_EQ(exhausted, kFlood - unauthenticated);
  EXPECT_EQ(Refused("over_limit"), exhausted);

  // The clinic, verified before, is served on the flooded connection and on a
  // new one; another clinic on a new connection too.
  EXPECT_TRUE(ListCases(*channel, WithToken(clinic)).ok());
  EXPECT_TRUE(ListCases(*NewConnection(), WithToken(clinic)).ok());
  EXPECT_TRUE(ListCases(*NewConnection(), AsClinic("clinic-elsewhere")).ok());
  // A new connection has its own allowance.
  EXPECT_EQ(ListCases(*NewConnection(), WithToken("")).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Not one of the flood's calls is in the audit trail: only the clinics' four reads.
  ASSERT_TRUE(WaitUntil([&] { return AuditLength() >= 4; }, absl::Seconds(10)));
  EXPECT_EQ(AuditLength(), 4);
}

}  // namespace
}  // namespace telederm::testing
