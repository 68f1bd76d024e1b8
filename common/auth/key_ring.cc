#include "common/auth/key_ring.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids/ids.h"

namespace telederm::auth {

absl::StatusOr<KeyRing> KeyRing::Parse(absl::string_view text) {
  KeyRing ring;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat("key file line ", line_number, ": expected '<kid> <hex secret>'"));
    }
    if (!IsValidExternalId(parts[0], 64)) {
      return absl::InvalidArgumentError(absl::StrCat("key file line ", line_number, ": key id is not valid"));
    }
    bool hex = parts[1].size() % 2 == 0 &&
               std::all_of(parts[1].begin(), parts[1].end(), [](char c) { return absl::ascii_isxdigit(c); });
    if (!hex || parts[1].size() < 64) {
      return absl::InvalidArgumentError(absl::StrCat("key file line ", line_number,
                                                     ": the secret must be at least 64 hex digits (32 bytes; "
                                                     "openssl rand -hex 32)"));
    }
    std::string kid(parts[0]);
    if (ring.keys_.count(kid) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("key file line ", line_number, ": key id '", kid, "' repeated"));
    }
    if (ring.signing_kid_.empty()) ring.signing_kid_ = kid;
    ring.keys_.emplace(std::move(kid), absl::HexStringToBytes(parts[1]));
  }
  if (ring.keys_.empty()) return absl::InvalidArgumentError("key file holds no key");
  return ring;
}

absl::StatusOr<KeyRing> KeyRing::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read key file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<KeyRing> ring = Parse(text.str());
  if (!ring.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", ring.status().message()));
  return ring;
}

const std::string* KeyRing::Find(absl::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace telederm::auth
