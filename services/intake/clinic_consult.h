#ifndef TELEDERM_SERVICES_INTAKE_CLINIC_CONSULT_H_
#define TELEDERM_SERVICES_INTAKE_CLINIC_CONSULT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/blob/blob_store.h"
#include "common/case_store/case_store.h"
#include "common/case_store/consult_thread.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "services/intake/clinic_images.h"
#include "telederm/v1/intake.pb.h"

namespace telederm::intake {

// The clinic's side of a consultation: messages to the specialist, the answer
// to a question (which ends needs_info), read receipts, and acknowledging the
// report (which closes the case). A clinic sees only its own cases: another
// clinic's case is NOT_FOUND, as a missing one.
//
// The answer to a question (any message while the case is needs_info) is
// recorded, nothing more: with new images the case goes NEEDS_INFO ->
// SCREENING with the images added to the case and its triage result moved to
// earlier_triage, and is handed to triage on stream:intake; with text only it
// goes NEEDS_INFO -> QUEUED and is handed to referral on stream:triaged.
// Referral alone restarts the service-level clock, places the case back in
// its pool's queue and tells the clinic it is queued (TriagedStreamHandler).
//
// Thread-safe.
class ClinicConsult {
 public:
  // Attachments must be images the clinic uploaded itself within
  // `image_retention` (ClinicImages).
  ClinicConsult(std::shared_ptr<redis::Client> redis, BlobStorePtr blobs, ClockPtr clock,
                absl::Duration image_retention = ClinicImages::kDefaultRetention);

  absl::StatusOr<v1::ClinicMessageResponse> SendMessage(const std::string& clinic_id,
                                                        const v1::ClinicMessageRequest& request);
  absl::StatusOr<v1::ListMessagesResponse> ListMessages(const std::string& clinic_id,
                                                        const v1::ListMessagesRequest& request);
  absl::Status MarkRead(const std::string& clinic_id, const v1::MarkReadRequest& request);
  // REPORTED -> CLOSED, and a CLOSED event. A retry on a closed case is OK.
  absl::StatusOr<v1::AcknowledgeReportResponse> AcknowledgeReport(const std::string& clinic_id,
                                                                  const v1::AcknowledgeReportRequest& request);

 private:
  absl::StatusOr<v1::Case> OwnCase(const std::string& clinic_id, const std::string& case_id);
  // Hands an answered case to the next service again (idempotent there).
  absl::Status HandOn(const v1::Case& c);

  std::shared_ptr<redis::Client> redis_;
  BlobStorePtr blobs_;
  ClockPtr clock_;
  CaseStore cases_;
  EventLog events_;
  ConsultThread thread_;
  ClinicImages images_;
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_CLINIC_CONSULT_H_
