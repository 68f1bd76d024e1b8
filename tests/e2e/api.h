#ifndef TELEDERM_TESTS_E2E_API_H_
#define TELEDERM_TESTS_E2E_API_H_

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "telederm/v1/triage.grpc.pb.h"
#include "tests/harness/files.h"  // ReadFileBytes, for the tests that use this API
#include "tests/harness/wait.h"   // WaitUntil, likewise

// Small helpers for tests that drive the real services through their public API.
namespace telederm::testing {

// Contexts carrying a bearer token signed with the Stack's test keys (credentials.h).
std::unique_ptr<grpc::ClientContext> AsClinic(const std::string& clinic_id, absl::Duration deadline = absl::Seconds(30));
std::unique_ptr<grpc::ClientContext> AsSpecialist(const std::string& specialist_id, const std::string& pools = "general",
                                                  absl::Duration deadline = absl::Seconds(30));

// Uploads a file as `clinic_id` in 64 KiB chunks; returns the stored image reference.
absl::StatusOr<v1::ImageRef> UploadImage(v1::IntakeService::Stub& intake, const std::string& clinic_id,
                                         const std::string& bytes, v1::Modality modality);

// A channel that reconnects within a second after its server restarts (gRPC's
// default backoff grows to two minutes).
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address);

// Uploads `bytes` as `clinic_id` in `chunk_bytes` pieces, resuming after any
// transient failure (UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED, CANCELLED,
// RESOURCE_EXHAUSTED) from the offset GetUploadStatus reports, until it is
// stored or `give_up_after` has passed (then the last error). `attempts`, if
// given, counts the UploadImage calls made.
absl::StatusOr<v1::ImageRef> UploadImageResumable(v1::IntakeService::Stub& intake, const std::string& clinic_id,
                                                  const std::string& bytes, v1::Modality modality,
                                                  size_t chunk_bytes, absl::Duration give_up_after,
                                                  int* attempts = nullptr);

// True for the codes after which a client should simply try again.
bool IsTransient(const absl::Status& status);

// A suspected-tumour submission with nothing worrying on the form, so that
// only its image can make it urgent.
v1::CaseSubmission QuietTumourSubmission(const std::string& patient_reference, const v1::ImageRef& image);

// A report of a benign naevus for `case_id`, under the claim's fencing token.
v1::SubmitReportRequest BenignNaevusReport(const std::string& case_id, int64_t fencing_token);

// Sends `report` as `specialist`, again every 200 ms after a transient
// failure (IsTransient) until it is stored or `give_up` (the claim's lease)
// has passed. Returns the last status: OK, the first non-transient error
// (FAILED_PRECONDITION when the claim was lost), or the last transient one.
absl::Status SubmitReportRetrying(v1::ReferralService::Stub& referral, const std::string& specialist,
                                  const v1::SubmitReportRequest& report, absl::Time give_up);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_E2E_API_H_
