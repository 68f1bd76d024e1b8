#ifndef TELEDERM_SERVICES_TRIAGE_TRIAGE_HANDLER_H_
#define TELEDERM_SERVICES_TRIAGE_TRIAGE_HANDLER_H_

#include <memory>

#include "absl/status/status.h"
#include "common/case_store/case_store.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "common/case_store/case_batch.h"
#include "services/triage/screener.h"

namespace telederm::triage {

// Handles one stream:intake entry: received -> screening, screen, store the
// triage result, hand the case to referral through stream:triaged.
// Idempotent, so a redelivered entry changes nothing twice: a case already
// screened is only handed on again (referral ignores a case it has queued).
// Thread-safe.
class TriageHandler {
 public:
  TriageHandler(std::shared_ptr<redis::Client> redis, std::shared_ptr<const Screener> screener, ClockPtr clock);

  absl::Status Handle(const redis::StreamEntry& entry);

  // Handles a batch of entries as Handle does each, with a few round trips
  // for all of them: their records are read in one pipeline, each received
  // case is screened and stored as screening with its result in one
  // compare-and-set (all in one pipeline), and the cases are handed on in one
  // pipeline. An entry whose compare-and-set lost to another writer is handled
  // by Handle. One status per entry, in order.
  std::vector<absl::Status> HandleBatch(const std::vector<redis::StreamEntry>& entries);

  // The dead-letter hook of stream:intake (invariant 4): a case whose entry
  // kept failing is handed to referral as not screened, so it is queued
  // URGENT for a human. Idempotent; a case already past screening is left alone.
  absl::Status HandOverUnscreened(const redis::StreamEntry& entry, const std::string& reason);

 private:
  std::shared_ptr<redis::Client> redis_;
  CaseStore cases_;
  CaseBatch batch_;
  std::shared_ptr<const Screener> screener_;
  ClockPtr clock_;
};

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_TRIAGE_HANDLER_H_
