#ifndef TELEDERM_COMMON_RATE_LIMIT_LOCAL_BUCKETS_H_
#define TELEDERM_COMMON_RATE_LIMIT_LOCAL_BUCKETS_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/rate_limit/rate_limiter.h"

namespace telederm::rate_limit {

// Token buckets kept in this process's memory, one per key (the gate keys
// them by connection), for limits that need no Redis round trip and need not
// be shared between processes. A key never seen has a full bucket.
//
// At most `max_keys` buckets are kept, so that many keys cannot grow the map
// without bound: when a new key would exceed it, the buckets that have filled
// up again are forgotten (a full bucket is the same as none), and if none
// has, the one touched longest ago. Thread-safe.
class LocalBuckets {
 public:
  LocalBuckets(RateLimit limit, size_t max_keys) : limit_(limit), max_keys_(max_keys) {}

  // Whether `key`'s bucket holds less than one token at `now`.
  bool Empty(absl::string_view key, absl::Time now) const;
  // Takes one token from `key`'s bucket (to no less than zero).
  void Take(absl::string_view key, absl::Time now);

  size_t size() const;
  const RateLimit& limit() const { return limit_; }

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time at;  // when `tokens` was right
  };
  double TokensAt(const Bucket& bucket, absl::Time now) const;
  void MakeRoomLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const RateLimit limit_;
  const size_t max_keys_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace telederm::rate_limit

#endif  // TELEDERM_COMMON_RATE_LIMIT_LOCAL_BUCKETS_H_
