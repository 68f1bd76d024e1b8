#include "services/intake/week_buckets.h"

namespace telederm::intake {
namespace {

constexpr int64_t kWeekMillis = int64_t{7} * 24 * 3600 * 1000;

}  // namespace

int64_t WeekOf(absl::Time t) { return absl::ToUnixMillis(t) / kWeekMillis; }

std::vector<int64_t> WeeksWithin(absl::Time now, absl::Duration retention) {
  const int64_t oldest_ms = absl::ToUnixMillis(now) - absl::ToInt64Milliseconds(retention);
  std::vector<int64_t> weeks;
  for (int64_t week = WeekOf(now); (week + 1) * kWeekMillis > oldest_ms; --week) weeks.push_back(week);
  return weeks;
}

absl::Duration ThisWeeksBucketTtl(absl::Time now, absl::Duration retention) {
  return absl::Milliseconds((WeekOf(now) + 1) * kWeekMillis - absl::ToUnixMillis(now)) + retention;
}

}  // namespace telederm::intake
