#include "common/ids/ids.h"

#include <unistd.h>

#include <array>
#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace telederm {
namespace {

constexpr absl::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string Ulid(absl::Time now) {
  static absl::Mutex mutex;
  static absl::BitGen* bitgen = new absl::BitGen();
  uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(now)) & ((uint64_t{1} << 48) - 1);
  uint64_t random_high, random_low;
  {
    absl::MutexLock lock(&mutex);
    random_high = absl::Uniform<uint64_t>(*bitgen) & 0xFFFF;  // 16 bits
    random_low = absl::Uniform<uint64_t>(*bitgen);            // 64 bits
  }
  std::string out(26, '0');
  // 10 characters of time (50 bits, top 2 zero), 16 of randomness (80 bits).
  for (int i = 9; i >= 0; --i) {
    out[i] = kCrockford[millis & 31];
    millis >>= 5;
  }
  for (int i = 25; i >= 10; --i) {
    out[i] = kCrockford[random_low & 31];
    random_low = (random_low >> 5) | ((random_high & 31) << 59);
    random_high >>= 5;
  }
  return out;
}

}  // namespace

std::string NewCaseId(absl::Time now) { return absl::StrCat("c-", Ulid(now)); }
std::string NewMessageId(absl::Time now) { return absl::StrCat("m-", Ulid(now)); }

bool IsValidCaseId(absl::string_view id) {
  if (id.size() != 28 || id.substr(0, 2) != "c-") return false;
  for (char c : id.substr(2)) {
    if (kCrockford.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

absl::Status CheckCaseId(absl::string_view id) {
  if (IsValidCaseId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError("case_id: not a case id (they look like c-01J...)");
}

bool IsValidExternalId(absl::string_view id, size_t max_length) {
  if (id.empty() || id.size() > max_length) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NewConsumerName(absl::string_view service) {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return absl::StrCat(service, "-", host.data(), "-", ::getpid(), "-",
                      Ulid(absl::Now()).substr(20));
}

}  // namespace telederm
