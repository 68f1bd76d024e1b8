#include "common/rate_limit/local_buckets.h"

#include <algorithm>

namespace telederm::rate_limit {

double LocalBuckets::TokensAt(const Bucket& bucket, absl::Time now) const {
  const double refilled = std::max(0.0, absl::ToDoubleSeconds(now - bucket.at)) * limit_.per_second;
  return std::min(limit_.burst, bucket.tokens + refilled);
}

bool LocalBuckets::Empty(absl::string_view key, absl::Time now) const {
  absl::MutexLock lock(&mutex_);
  auto it = buckets_.find(key);
  return it != buckets_.end() && TokensAt(it->second, now) < 1;
}

void LocalBuckets::Take(absl::string_view key, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    MakeRoomLocked(now);
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = std::max(0.0, TokensAt(bucket, now) - 1);
  bucket.at = now;
}

void LocalBuckets::MakeRoomLocked(absl::Time now) {
  if (buckets_.size() < max_keys_) return;
  absl::erase_if(buckets_, [&](const auto& entry) { return TokensAt(entry.second, now) >= limit_.burst; });
  if (buckets_.size() < max_keys_) return;
  auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                 [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
  buckets_.erase(oldest);
}

size_t LocalBuckets::size() const {
  absl::MutexLock lock(&mutex_);
  return buckets_.size();
}

}  // namespace telederm::rate_limit
