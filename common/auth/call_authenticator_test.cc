#include "common/auth/call_authenticator.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/case_store/keys.h"
#include "tests/harness/redis_test.h"

namespace telederm::auth {
namespace {

constexpr char kKeys[] = "k1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr char kGetCase[] = "/telederm.v1.IntakeService/GetCase";

class CallAuthenticatorTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    keys_ = *KeyRing::Parse(kKeys);
    revocations_ = std::make_shared<Revocations>(redis_);
    audit_log_ = std::make_shared<audit::AuditLog>(redis_);
    authenticator_ = std::make_unique<CallAuthenticator>(CallAuthenticator::Parts{
        keys_, clock_, revocations_, std::make_shared<audit::AuditWriter>(audit_log_),
        std::make_shared<rate_limit::RateLimiter>(redis_, clock_, rate_limit::RateLimit{1, 3}), redis_, nullptr});
  }

  std::string Bearer(Role role, std::string subject = "device-1") {
    Claims c;
    c.token_id = absl::StrCat("jti-", subject);
    c.subject = subject;
    c.role = role;
    if (role == Role::kClinic) c.clinic_id = "clinic-a";
    if (role == Role::kSpecialist || role == Role::kSupervisor) c.pools = {"general"};
    c.issued_at = clock_->Now();
    c.expires_at = clock_->Now() + absl::Hours(1);
    return absl::StrCat("Bearer ", *IssueToken(c, keys_));
  }

  std::shared_ptr<SimulatedClock> clock_ = std::make_shared<SimulatedClock>(absl::FromUnixSeconds(1700000000));
  KeyRing keys_ = *KeyRing::Parse(kKeys);
  std::shared_ptr<Revocations> revocations_;
  std::shared_ptr<audit::AuditLog> audit_log_;
  std::unique_ptr<CallAuthenticator> authenticator_;
};

TEST_F(CallAuthenticatorTest, ValidTokenOfAnAllowedRolePasses) {
  auto claims = authenticator_->Decide(kGetCase, Bearer(Role::kClinic));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->clinic_id, "clinic-a");
}

TEST_F(CallAuthenticatorTest, MissingOrMalformedHeaderIsUnauthenticated) {
  EXPECT_EQ(authenticator_->Decide(kGetCase, "").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(authenticator_->Decide(kGetCase, "Basic dXNlcg==").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(authenticator_->Decide(kGetCase, "Bearer nonsense").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(CallAuthenticatorTest, ExpiredTokenIsUnauthenticated) {
  std::string bearer = Bearer(Role::kClinic);
  clock_->Advance(absl::Hours(2));
  absl::Status s = authenticator_->Decide(kGetCase, bearer).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(s.message(), "expired")) << s;
}

TEST_F(CallAuthenticatorTest, RevokedTokenIsUnauthenticatedEverywhereAtOnce) {
  std::string bearer = Bearer(Role::kClinic, "lost-tablet");
  ASSERT_TRUE(authenticator_->Decide(kGetCase, bearer).ok());
  // Another process of another service revokes it through Redis.
  Revocations elsewhere(redis_);
  ASSERT_TRUE(elsewhere.Revoke("jti-lost-tablet", clock_->Now() + absl::Hours(1), clock_->Now()).ok());
  absl::Status s = authenticator_->Decide(kGetCase, bearer).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(s.message(), "revoked")) << s;
  EXPECT_TRUE(authenticator_->Decide(kGetCase, Bearer(Role::kClinic, "other-tablet")).ok());
}

TEST_F(CallAuthenticatorTest, RevocationsArePrunedOnceTheTokenWouldHaveExpired) {
  ASSERT_TRUE(revocations_->Revoke("old", clock_->Now() + absl::Minutes(1), clock_->Now()).ok());
  clock_->Advance(absl::Minutes(2));
  ASSERT_TRUE(revocations_->Revoke("new", clock_->Now() + absl::Minutes(1), clock_->Now()).ok());
  EXPECT_FALSE(*revocations_->IsRevoked("old"));
  EXPECT_TRUE(*revocations_->IsRevoked("new"));
}

TEST_F(CallAuthenticatorTest, WrongRoleIsPermissionDenied) {
  absl::Status s = authenticator_->Decide(kGetCase, Bearer(Role::kSpecialist)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(authenticator_->Decide(kGetCase, Bearer(Role::kAdmin)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(authenticator_->Decide("/telederm.v1.Nope/Nope", Bearer(Role::kAdmin)).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(CallAuthenticatorTest, ClinicBeyondItsRateIsResourceExhausted) {
  std::string bearer = Bearer(Role::kClinic);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(authenticator_->Decide(kGetCase, bearer).ok()) << i;
  EXPECT_EQ(authenticator_->Decide(kGetCase, bearer).status().code(), absl::StatusCode::kResourceExhausted);
  clock_->Advance(absl::Seconds(1));
  EXPECT_TRUE(authenticator_->Decide(kGetCase, bearer).ok());
}

TEST_F(CallAuthenticatorTest, RevokedTokenIsUnauthenticatedEvenWithItsClinicsBucketEmpty) {
  std::string bearer = Bearer(Role::kClinic, "lost-tablet");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(authenticator_->Decide(kGetCase, bearer).ok()) << i;
  ASSERT_EQ(authenticator_->Decide(kGetCase, bearer).status().code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(revocations_->Revoke("jti-lost-tablet", clock_->Now() + absl::Hours(1), clock_->Now()).ok());
  EXPECT_EQ(authenticator_->Decide(kGetCase, bearer).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(CallAuthenticatorTest, RevokedTokensCallCostsItsClinicOneTokenLikeAnyCall) {
  // Revocation and rate limit share one round trip, so the revoked call has
  // taken its token before the answer "revoked" is known (docs/SECURITY.md).
  std::string revoked = Bearer(Role::kClinic, "lost-tablet");
  std::string other = Bearer(Role::kClinic, "other-tablet");  // the same clinic, bucket of 3
  ASSERT_TRUE(authenticator_->Decide(kGetCase, other).ok());
  ASSERT_TRUE(revocations_->Revoke("jti-lost-tablet", clock_->Now() + absl::Hours(1), clock_->Now()).ok());
  EXPECT_EQ(authenticator_->Decide(kGetCase, revoked).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(authenticator_->Decide(kGetCase, other).ok());
  EXPECT_EQ(authenticator_->Decide(kGetCase, other).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(CallAuthenticatorTest, FlushedScriptCacheStillTakesExactlyOneTokenPerCall) {
  std::string bearer = Bearer(Role::kClinic);
  ASSERT_TRUE(authenticator_->Decide(kGetCase, bearer).ok());
  ASSERT_TRUE(redis_->Command({"SCRIPT", "FLUSH"}).ok());
  ASSERT_TRUE(authenticator_->Decide(kGetCase, bearer).ok());
  ASSERT_TRUE(authenticator_->Decide(kGetCase, bearer).ok());
  EXPECT_EQ(authenticator_->Decide(kGetCase, bearer).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(CallAuthenticatorTest, BrokenRateLimitBucketLetsTheCallPassButRevocationStillHolds) {
  // The limiter fails open: a bucket key of the wrong type makes its script fail.
  ASSERT_TRUE(redis_->Command({"SET", keys::ClinicRateBucket("clinic-a"), "not a bucket"}).ok());
  std::string bearer = Bearer(Role::kClinic, "lost-tablet");
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(authenticator_->Decide(kGetCase, bearer).ok()) << i;
  ASSERT_TRUE(revocations_->Revoke("jti-lost-tablet", clock_->Now() + absl::Hours(1), clock_->Now()).ok());
  EXPECT_EQ(authenticator_->Decide(kGetCase, bearer).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(CallAuthenticatorTest, RedisAwayMeansUnavailableNotAllowed) {
  std::string bearer = Bearer(Role::kClinic);
  ASSERT_TRUE(redis_server().Stop().ok());
  EXPECT_EQ(authenticator_->Decide(kGetCase, bearer).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(redis_server().Restart().ok());
}

}  // namespace
}  // namespace telederm::auth
