#ifndef TELEDERM_SERVICES_REFERRAL_SCREENING_REPORT_H_
#define TELEDERM_SERVICES_REFERRAL_SCREENING_REPORT_H_

#include <cstdint>
#include <map>
#include <string>

#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// The counts the report is made of, as ScreeningTally keeps them: cases per
// encoded ScreeningCell (screening_cell.h) and reports signed.
struct ScreeningCounts {
  std::map<std::string, int64_t> cells;
  int64_t reported = 0;
};

// successes / trials with the 95% Wilson score interval:
//   (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n),  p = successes/n, z = 1.959964.
// Unlike p ± z·sqrt(p(1-p)/n) it stays inside [0, 1] and is not empty at p = 0 or 1,
// which matters for the small groups one skin type or one analyzer gives.
// trials 0: estimate 0, interval [0, 1].
v1::Proportion WilsonInterval(int64_t successes, int64_t trials);

// The report of `counts`: per tier, and sensitivity and specificity of
// URGENT+SOON for malignancy, for all cases and split by Fitzpatrick type,
// modality and analyzer (only groups that have cases). Fields of `counts`
// that are not cells are ignored.
v1::ScreeningReport BuildScreeningReport(const ScreeningCounts& counts);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_SCREENING_REPORT_H_
