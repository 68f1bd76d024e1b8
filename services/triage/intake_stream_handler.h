#ifndef TELEDERM_SERVICES_TRIAGE_INTAKE_STREAM_HANDLER_H_
#define TELEDERM_SERVICES_TRIAGE_INTAKE_STREAM_HANDLER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/case_store/case_batch.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "services/triage/screener.h"
#include "telederm/v1/case.pb.h"

namespace telederm::triage {

// What stream:intake means for one case, decided from its record alone.
struct ScreeningStep {
  bool store = false;     // the record changed: compare-and-set it
  bool screened = false;  // it got its triage result just now
  bool hand_on = false;   // to referral on stream:triaged
};

// Produces the triage result of a case that needs one.
using ScreenFn = absl::FunctionRef<v1::TriageResult(const v1::Case&)>;

// The one rule of what triage does with a case a stream:intake entry names.
// Changes `c` where the step says to store it:
//   RECEIVED: its old result cleared, RECEIVED -> SCREENING (actor "triage"),
//     then as SCREENING;
//   SCREENING without a result: `screen` gives it one -> store, hand on;
//   SCREENING with a result (a redelivery): hand on again (referral ignores
//     a case it has queued);
//   anything else: nothing (already past triage).
absl::StatusOr<ScreeningStep> DecideScreening(v1::Case& c, absl::Time now, ScreenFn screen);

// The result of a case pre-screening could not judge: URGENT, not screened,
// with the reason, so a specialist looks at it soon (invariant 4).
v1::TriageResult NotScreenedResult(const std::string& reason, absl::Time now);

// The consumer of stream:intake (group "triage", delivered by a
// common/stream_worker StreamWorker): carries out DecideScreening for a batch
// of entries with a few round trips for all of them. The records are read in
// one pipeline, the changed ones stored with one compare-and-set each (all in
// one pipeline; a case another writer changed meanwhile is read and decided
// again, never screened twice in one call), and the cases handed on in one
// pipeline. Idempotent, so a redelivered entry changes nothing twice. One
// status per entry, in order: OK means the entry may be acked.
//
// Thread-safe.
class IntakeStreamHandler {
 public:
  IntakeStreamHandler(std::shared_ptr<redis::Client> redis, std::shared_ptr<const Screener> screener, ClockPtr clock);

  std::vector<absl::Status> HandleBatch(const std::vector<redis::StreamEntry>& entries);
  // A batch of one.
  absl::Status Handle(const redis::StreamEntry& entry);

  // The dead-letter hook of stream:intake (invariant 4): a case whose entry
  // kept failing is handed to referral as not screened (NotScreenedResult),
  // so it is queued URGENT for a human. The same rule as every entry, with
  // that result instead of a screening. Idempotent; a case already past
  // screening is left alone.
  absl::Status HandOverUnscreened(const redis::StreamEntry& entry, const std::string& reason);

 private:
  // Carries out DecideScreening for `entries`, with `screen` for a case that
  // needs a result.
  std::vector<absl::Status> Carry(const std::vector<redis::StreamEntry>& entries,
                                  ScreenFn screen);

  std::shared_ptr<redis::Client> redis_;
  CaseBatch batch_;
  std::shared_ptr<const Screener> screener_;
  ClockPtr clock_;
};

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_INTAKE_STREAM_HANDLER_H_
