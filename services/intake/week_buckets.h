#ifndef TELEDERM_SERVICES_INTAKE_WEEK_BUCKETS_H_
#define TELEDERM_SERVICES_INTAKE_WEEK_BUCKETS_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace telederm::intake {

// Records that must be kept for a retention period, kept in one Redis key per
// clinic and week (whole weeks since the Unix epoch, UTC) that expires
// `retention` after its week's end: a record is kept at least `retention`
// and at most `retention` and a week, and none is ever deleted one by one.

// The week of `t`: a bucket's number.
int64_t WeekOf(absl::Time t);

// Every week whose bucket may still hold records written within `retention`
// before `now`, this week first (retention / 7 days + 1 or 2 of them).
std::vector<int64_t> WeeksWithin(absl::Time now, absl::Duration retention);

// The expiry to give this week's bucket when writing to it at `now`.
absl::Duration ThisWeeksBucketTtl(absl::Time now, absl::Duration retention);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_WEEK_BUCKETS_H_
