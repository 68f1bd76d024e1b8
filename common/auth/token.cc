#include "common/auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids/ids.h"

namespace telederm::auth {
namespace {

using Json = nlohmann::json;

constexpr char kIssuer[] = "telederm";

std::string HmacSha256(const std::string& key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &out_len);
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("bearer token refused: ", why));
}

// Checks the claims every issued token must satisfy; `fail` makes the status.
template <typename Fail>
absl::Status CheckClaims(const Claims& claims, Fail fail) {
  if (!IsValidExternalId(claims.subject, 64)) return fail("sub is not a valid id");
  if (claims.expires_at <= claims.issued_at) return fail("exp is not after iat");
  if (!claims.token_id.empty() && !IsValidExternalId(claims.token_id, 64)) return fail("jti is not valid");
  switch (claims.role) {
    case Role::kClinic:
      if (!IsValidExternalId(claims.clinic_id, 64)) return fail("a clinic token needs a valid clinic id");
      if (!claims.pools.empty()) return fail("a clinic token carries no pools");
      break;
    case Role::kSpecialist:
    case Role::kSupervisor:
      if (claims.pools.empty() || claims.pools.size() > 64) return fail("a specialist token needs 1..64 pools");
      for (const std::string& pool : claims.pools) {
        if (!IsValidExternalId(pool, 64)) return fail("a pool name is not valid");
      }
      if (!claims.clinic_id.empty()) return fail("only a clinic token carries a clinic id");
      break;
    case Role::kAdmin:
    case Role::kService:
      if (!claims.clinic_id.empty() || !claims.pools.empty()) return fail("this role carries no clinic or pools");
      break;
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kClinic: return "clinic";
    case Role::kSpecialist: return "specialist";
    case Role::kSupervisor: return "supervisor";
    case Role::kAdmin: return "admin";
    case Role::kService: return "service";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role role : {Role::kClinic, Role::kSpecialist, Role::kSupervisor, Role::kAdmin, Role::kService}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string NewTokenId() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

absl::StatusOr<std::string> IssueToken(const Claims& claims, const KeyRing& ring) {
  if (absl::Status s = CheckClaims(claims, [](absl::string_view why) { return absl::InvalidArgumentError(why); });
      !s.ok()) {
    return s;
  }
  const std::string* key = ring.Find(ring.signing_kid());
  if (key == nullptr) return absl::FailedPreconditionError("the key ring has no signing key");
  Json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", ring.signing_kid()}};
  Json payload = {{"iss", kIssuer},
                  {"sub", claims.subject},
                  {"role", std::string(RoleName(claims.role))},
                  {"iat", absl::ToUnixSeconds(claims.issued_at)},
                  {"exp", absl::ToUnixSeconds(claims.expires_at)},
                  {"jti", claims.token_id.empty() ? NewTokenId() : claims.token_id}};
  if (!claims.clinic_id.empty()) payload["clinic"] = claims.clinic_id;
  if (!claims.pools.empty()) payload["pools"] = claims.pools;
  std::string signing_input =
      absl::StrCat(absl::WebSafeBase64Escape(header.dump()), ".", absl::WebSafeBase64Escape(payload.dump()));
  std::string signature = absl::WebSafeBase64Escape(HmacSha256(*key, signing_input));
  return absl::StrCat(signing_input, ".", signature);
}

std::optional<Role> ClaimedRole(absl::string_view token) {
  if (token.size() > kMaxTokenBytes) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload_text;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &payload_text)) return std::nullopt;
  Json payload = Json::parse(payload_text, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return std::nullopt;
  auto role = payload.find("role");
  if (role == payload.end() || !role->is_string()) return std::nullopt;
  return ParseRole(role->get<std::string>());
}

absl::StatusOr<Claims> VerifyToken(absl::string_view token, const KeyRing& ring, absl::Time now) {
  if (token.empty()) return Unauthenticated("empty");
  if (token.size() > kMaxTokenBytes) return Unauthenticated("longer than 4096 bytes");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("not a JWT (three dot-separated parts)");
  std::string header_text, payload_text, signature;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_text) || !absl::WebSafeBase64Unescape(parts[1], &payload_text) ||
      !absl::WebSafeBase64Unescape(parts[2], &signature)) {
    return Unauthenticated("not base64url");
  }
  Json header = Json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return Unauthenticated("header is not a JSON object");
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
    return Unauthenticated("algorithm is not HS256");
  }
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string()) return Unauthenticated("no key id");
  const std::string* key = ring.Find(kid->get<std::string>());
  if (key == nullptr) return Unauthenticated("signed by an unknown key");
  // Only the canonical encoding: otherwise the padding bits of the last
  // character would let several token strings carry one signature.
  if (absl::WebSafeBase64Escape(signature) != parts[2]) return Unauthenticated("signature is not canonical base64url");
  std::string expected = HmacSha256(*key, token.substr(0, parts[0].size() + 1 + parts[1].size()));
  if (signature.size() != expected.size() || CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Unauthenticated("signature does not match");
  }

  // Signed by us: the payload is ours, but still parse it defensively.
  Json payload = Json::parse(payload_text, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return Unauthenticated("payload is not a JSON object");
  auto string_field = [&](const char* name) -> std::optional<std::string> {
    auto it = payload.find(name);
    if (it == payload.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto int_field = [&](const char* name) -> std::optional<int64_t> {
    auto it = payload.find(name);
    if (it == payload.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  };
  if (string_field("iss") != kIssuer) return Unauthenticated("issuer is not telederm");
  std::optional<std::string> sub = string_field("sub"), role = string_field("role"), jti = string_field("jti");
  std::optional<int64_t> iat = int_field("iat"), exp = int_field("exp");
  if (!sub || !role || !jti || !iat || !exp) return Unauthenticated("sub, role, jti, iat or exp missing");
  std::optional<Role> parsed_role = ParseRole(*role);
  if (!parsed_role) return Unauthenticated("unknown role");
  Claims claims;
  claims.subject = *sub;
  claims.role = *parsed_role;
  claims.clinic_id = string_field("clinic").value_or("");
  if (auto pools = payload.find("pools"); pools != payload.end()) {
    if (!pools->is_array()) return Unauthenticated("pools is not a list");
    for (const Json& pool : *pools) {
      if (!pool.is_string()) return Unauthenticated("pools holds a non-string");
      claims.pools.push_back(pool.get<std::string>());
    }
  }
  claims.issued_at = absl::FromUnixSeconds(*iat);
  claims.expires_at = absl::FromUnixSeconds(*exp);
  claims.token_id = *jti;
  claims.key_id = kid->get<std::string>();
  if (claims.token_id.empty()) return Unauthenticated("jti is empty");
  if (absl::Status s = CheckClaims(claims, Unauthenticated); !s.ok()) return s;
  if (now >= claims.expires_at) return Unauthenticated("expired");
  if (claims.issued_at > now + kFutureSkew) return Unauthenticated("issued in the future");
  return claims;
}

}  // namespace telederm::auth
