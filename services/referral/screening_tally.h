#ifndef TELEDERM_SERVICES_REFERRAL_SCREENING_TALLY_H_
#define TELEDERM_SERVICES_REFERRAL_SCREENING_TALLY_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/redis/client.h"
#include "services/referral/screening_report.h"
#include "telederm/v1/case.pb.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// The screening report's counts, kept in Redis as outcomes are recorded so a
// report never reads a case record (keys::kScreening*, one hash tag). Like the
// queue index, the counts follow the record: the caller stores the case first,
// then counts it. Counting an outcome again is a no-op, and a corrected outcome
// moves the case to its new count, so a retry after a failure repairs the
// counts. Each case is counted under the UTC day it was received.
//
// Thread-safe: holds only the thread-safe client.
class ScreeningTally {
 public:
  explicit ScreeningTally(std::shared_ptr<redis::Client> redis);

  // One more signed report. Call once, when SubmitReport first stores it (not
  // on a retry that finds it stored).
  absl::Status CountReport(const v1::Case& c);

  // Counts the case's report.biopsy in its ScreeningCell, atomically moving it
  // out of the cell an earlier outcome put it in.
  absl::Status CountOutcome(const v1::Case& c);

  // The report for cases received on request.from_date .. to_date (UTC days,
  // both included, either empty for no bound). INVALID_ARGUMENT for a date
  // that is not YYYY-MM-DD or a window that ends before it starts.
  absl::StatusOr<v1::ScreeningReport> Report(const v1::ScreeningReportRequest& request);

  // Every day's counts together: what the metrics show.
  absl::StatusOr<ScreeningCounts> Totals();

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_SCREENING_TALLY_H_
