#ifndef TELEDERM_COMMON_AUTH_KEY_RING_H_
#define TELEDERM_COMMON_AUTH_KEY_RING_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace telederm::auth {

// The HMAC-SHA256 keys tokens are signed and verified with, by key id.
//
// File format, one key a line: "<kid> <secret as hex, at least 64 digits>";
// '#' starts a comment. The first key signs new tokens; every key verifies.
// Rotation: put a new key first, keep the old one until the tokens it signed
// have expired, then delete its line and restart the services.
//
// Immutable after Parse, so safe to share between threads.
class KeyRing {
 public:
  static absl::StatusOr<KeyRing> Parse(absl::string_view text);
  static absl::StatusOr<KeyRing> Load(const std::string& path);

  // The secret of `kid`, or nullptr.
  const std::string* Find(absl::string_view kid) const;
  const std::string& signing_kid() const { return signing_kid_; }
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> keys_;  // kid -> raw secret bytes
  std::string signing_kid_;
};

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_KEY_RING_H_
