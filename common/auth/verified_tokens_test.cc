#include "common/auth/verified_tokens.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/token.h"

namespace telederm::auth {
namespace {

constexpr char kKeys[] = "k1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string ClinicToken(const KeyRing& ring, std::string subject = "device-17") {
  Claims c;
  c.subject = std::move(subject);
  c.role = Role::kClinic;
  c.clinic_id = "clinic-a";
  c.issued_at = kNow;
  c.expires_at = kNow + absl::Hours(1);
  return *IssueToken(c, ring);
}

void ExpectRefused(const absl::StatusOr<Claims>& claims, absl::string_view reason) {
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(claims.status().message(), reason)) << claims.status();
}

TEST(VerifiedTokensTest, RememberedTokenStillExpiresOnTime) {
  KeyRing ring = *KeyRing::Parse(kKeys);
  VerifiedTokens tokens(ring);
  const std::string token = ClinicToken(ring);
  ASSERT_TRUE(tokens.Verify(token, kNow).ok());
  absl::StatusOr<Claims> again = tokens.Verify(token, kNow + absl::Minutes(59));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->clinic_id, "clinic-a");
  ExpectRefused(tokens.Verify(token, kNow + absl::Hours(1)), "expired");
  ExpectRefused(VerifyToken(token, ring, kNow + absl::Hours(1)), "expired");
}

TEST(VerifiedTokensTest, RememberedTokenIsRefusedWhenTheClockGoesBackBeforeItsIssueTime) {
  KeyRing ring = *KeyRing::Parse(kKeys);
  VerifiedTokens tokens(ring);
  const std::string token = ClinicToken(ring);
  ASSERT_TRUE(tokens.Verify(token, kNow).ok());
  ExpectRefused(tokens.Verify(token, kNow - absl::Hours(1)), "issued in the future");
}

TEST(VerifiedTokensTest, TamperedCopyOfARememberedTokenIsRefused) {
  KeyRing ring = *KeyRing::Parse(kKeys);
  VerifiedTokens tokens(ring);
  std::string token = ClinicToken(ring);
  ASSERT_TRUE(tokens.Verify(token, kNow).ok());
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  ExpectRefused(tokens.Verify(tampered, kNow), "signature");
  ExpectRefused(tokens.Verify(tampered, kNow), "signature");  // and not remembered either
}

TEST(VerifiedTokensTest, TokenOfAnotherKeyRingIsRefusedEvenIfRememberedElsewhere) {
  KeyRing ring = *KeyRing::Parse(kKeys);
  KeyRing other = *KeyRing::Parse("k1 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");
  VerifiedTokens mine(ring);
  VerifiedTokens theirs(other);
  const std::string token = ClinicToken(ring);
  ASSERT_TRUE(mine.Verify(token, kNow).ok());
  ExpectRefused(theirs.Verify(token, kNow), "signature");
}

TEST(VerifiedTokensTest, BeyondItsCapacityEveryTokenStillVerifies) {
  KeyRing ring = *KeyRing::Parse(kKeys);
  VerifiedTokens tokens(ring, /*capacity=*/2);
  std::vector<std::string> issued;
  for (int i = 0; i < 5; ++i) issued.push_back(ClinicToken(ring, absl::StrCat("device-", i)));
  for (int round = 0; round < 2; ++round) {
    for (const std::string& token : issued) {
      absl::StatusOr<Claims> claims = tokens.Verify(token, kNow);
      ASSERT_TRUE(claims.ok()) << claims.status();
      EXPECT_EQ(claims->subject, absl::StrCat("device-", &token - issued.data()));
    }
  }
}

}  // namespace
}  // namespace telederm::auth
