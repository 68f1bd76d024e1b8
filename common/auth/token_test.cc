#include "common/auth/token.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace telederm::auth {
namespace {

constexpr char kSecretA[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr char kSecretB[] = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

KeyRing Ring(absl::string_view text) {
  absl::StatusOr<KeyRing> ring = KeyRing::Parse(text);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return *ring;
}

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

Claims ClinicClaims() {
  Claims c;
  c.subject = "device-17";
  c.role = Role::kClinic;
  c.clinic_id = "clinic-a";
  c.issued_at = kNow;
  c.expires_at = kNow + absl::Hours(12);
  return c;
}

void ExpectRefused(const absl::StatusOr<Claims>& claims, absl::string_view reason) {
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(claims.status().message(), reason)) << claims.status();
}

TEST(TokenTest, IssuedTokenVerifiesWithEveryClaim) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  Claims in = ClinicClaims();
  absl::StatusOr<std::string> token = IssueToken(in, ring);
  ASSERT_TRUE(token.ok()) << token.status();
  absl::StatusOr<Claims> out = VerifyToken(*token, ring, kNow + absl::Minutes(1));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->subject, "device-17");
  EXPECT_EQ(out->role, Role::kClinic);
  EXPECT_EQ(out->clinic_id, "clinic-a");
  EXPECT_EQ(out->expires_at, in.expires_at);
  EXPECT_EQ(out->key_id, "k1");
  EXPECT_EQ(out->token_id.size(), 32u);
}

TEST(TokenTest, SpecialistTokenCarriesPools) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  Claims in = ClinicClaims();
  in.role = Role::kSupervisor;
  in.clinic_id.clear();
  in.pools = {"general", "dermato-oncology"};
  auto out = VerifyToken(*IssueToken(in, ring), ring, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->role, Role::kSupervisor);
  EXPECT_EQ(out->pools, (std::vector<std::string>{"general", "dermato-oncology"}));
}

TEST(TokenTest, ClaimedRoleReadsTheRoleWithoutTheKeyAndNothingFromGarbage) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  Claims in = ClinicClaims();
  in.role = Role::kSpecialist;
  in.clinic_id.clear();
  in.pools = {"general"};
  // A client holds no key: it reads the claim to route, the service verifies.
  EXPECT_EQ(ClaimedRole(*IssueToken(in, ring)), Role::kSpecialist);
  EXPECT_EQ(ClaimedRole(*IssueToken(ClinicClaims(), ring)), Role::kClinic);
  EXPECT_EQ(ClaimedRole("not-a-token"), std::nullopt);
  EXPECT_EQ(ClaimedRole(absl::StrCat("e30.", absl::WebSafeBase64Escape("{\"role\":\"emperor\"}"), ".x")),
            std::nullopt);
}

TEST(TokenTest, ExpiredTokenIsRefused) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  std::string token = *IssueToken(ClinicClaims(), ring);
  ExpectRefused(VerifyToken(token, ring, kNow + absl::Hours(12)), "expired");
}

TEST(TokenTest, TamperedPayloadIsRefused) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  std::string token = *IssueToken(ClinicClaims(), ring);
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  size_t at = payload.find("clinic-a");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 8, "clinic-b");  // another clinic's cases
  std::string forged = absl::StrCat(parts[0], ".", absl::WebSafeBase64Escape(payload), ".", parts[2]);
  ExpectRefused(VerifyToken(forged, ring, kNow), "signature does not match");
}

TEST(TokenTest, TamperedSignatureIsRefused) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  std::string token = *IssueToken(ClinicClaims(), ring);
  // The signature's first character: all six of its bits are significant (the
  // last character's low bits are padding, and changing them changes nothing).
  char& c = token[token.rfind('.') + 1];
  c = c == 'A' ? 'B' : 'A';
  ExpectRefused(VerifyToken(token, ring, kNow), "signature");
}

// Found by a flaky test: the last character of a 32-byte signature carries two
// padding bits, so changing them gave a different token string that verified.
TEST(TokenTest, SignatureWithNonCanonicalPaddingBitsIsRefused) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  std::string token = *IssueToken(ClinicClaims(), ring);
  std::string signature;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(token.rfind('.') + 1), &signature));
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t value = alphabet.find(token.back());
  token.back() = alphabet[value ^ 1];  // a padding bit: same bytes when decoded
  std::string decoded;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(token.rfind('.') + 1), &decoded));
  ASSERT_EQ(decoded, signature);
  ExpectRefused(VerifyToken(token, ring, kNow), "not canonical");
}

TEST(TokenTest, TokenSignedWithAnotherSecretUnderTheSameKidIsRefused) {
  KeyRing ours = Ring(absl::StrCat("k1 ", kSecretA));
  KeyRing theirs = Ring(absl::StrCat("k1 ", kSecretB));
  ExpectRefused(VerifyToken(*IssueToken(ClinicClaims(), theirs), ours, kNow), "signature does not match");
}

TEST(TokenTest, UnknownKeyIdIsRefused) {
  KeyRing ours = Ring(absl::StrCat("k1 ", kSecretA));
  KeyRing theirs = Ring(absl::StrCat("k9 ", kSecretA));
  ExpectRefused(VerifyToken(*IssueToken(ClinicClaims(), theirs), ours, kNow), "unknown key");
}

TEST(TokenTest, AlgorithmNoneIsRefused) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  std::string header = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT","kid":"k1"})");
  std::string payload = absl::WebSafeBase64Escape(
      R"({"iss":"telederm","sub":"x","role":"admin","iat":1700000000,"exp":1800000000,"jti":"j"})");
  ExpectRefused(VerifyToken(absl::StrCat(header, ".", payload, "."), ring, kNow), "not HS256");
}

TEST(TokenTest, GarbageIsRefused) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  for (absl::string_view junk : {"", "abc", "a.b.c", "....", "eyJ.eyJ.sig"}) {
    EXPECT_EQ(VerifyToken(junk, ring, kNow).status().code(), absl::StatusCode::kUnauthenticated) << junk;
  }
  ExpectRefused(VerifyToken(std::string(5000, 'a'), ring, kNow), "longer than");
}

TEST(TokenTest, RotatedKeyRingStillVerifiesTokensOfTheOldKey) {
  KeyRing old_ring = Ring(absl::StrCat("k1 ", kSecretA));
  std::string old_token = *IssueToken(ClinicClaims(), old_ring);
  KeyRing rotated = Ring(absl::StrCat("# newest first\nk2 ", kSecretB, "\nk1 ", kSecretA, "\n"));
  EXPECT_EQ(rotated.signing_kid(), "k2");
  auto verified = VerifyToken(old_token, rotated, kNow);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->key_id, "k1");
  auto fresh = VerifyToken(*IssueToken(ClinicClaims(), rotated), rotated, kNow);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->key_id, "k2");
  // Once k1 is retired, its tokens stop working.
  KeyRing retired = Ring(absl::StrCat("k2 ", kSecretB));
  ExpectRefused(VerifyToken(old_token, retired, kNow), "unknown key");
}

TEST(TokenTest, ClaimsThatDoNotFitTheRoleAreNotIssued) {
  KeyRing ring = Ring(absl::StrCat("k1 ", kSecretA));
  Claims no_clinic = ClinicClaims();
  no_clinic.clinic_id.clear();
  EXPECT_EQ(IssueToken(no_clinic, ring).status().code(), absl::StatusCode::kInvalidArgument);
  Claims specialist_without_pools = ClinicClaims();
  specialist_without_pools.role = Role::kSpecialist;
  specialist_without_pools.clinic_id.clear();
  EXPECT_EQ(IssueToken(specialist_without_pools, ring).status().code(), absl::StatusCode::kInvalidArgument);
  Claims backwards = ClinicClaims();
  backwards.expires_at = backwards.issued_at;
  EXPECT_EQ(IssueToken(backwards, ring).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KeyRingTest, BadFilesAreRefusedWithTheLine) {
  EXPECT_FALSE(KeyRing::Parse("").ok());
  EXPECT_FALSE(KeyRing::Parse("k1 abcd").ok());  // too short
  EXPECT_FALSE(KeyRing::Parse(absl::StrCat("k1 ", kSecretA, "\nk1 ", kSecretB)).ok());  // repeated kid
  auto bad = KeyRing::Parse(absl::StrCat("k1 ", kSecretA, "\nk2 zz", kSecretB));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "line 2")) << bad.status();
}

}  // namespace
}  // namespace telederm::auth
