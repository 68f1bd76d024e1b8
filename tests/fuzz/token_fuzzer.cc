// libFuzzer target: bearer-token verification on arbitrary header values.
#include <cstddef>
#include <cstdint>

#include "common/auth/token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const telederm::auth::KeyRing* ring = new telederm::auth::KeyRing(
      *telederm::auth::KeyRing::Parse("k1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
  (void)telederm::auth::VerifyToken(absl::string_view(reinterpret_cast<const char*>(data), size), *ring,
                                    absl::FromUnixSeconds(1700000000));
  return 0;
}
