#include "tests/e2e/api.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/blob/blob_store.h"
#include "common/caller/caller.h"
#include "common/status/grpc_status.h"
#include "tests/e2e/credentials.h"

namespace telederm::testing {

std::unique_ptr<grpc::ClientContext> AsClinic(const std::string& clinic_id, absl::Duration deadline) {
  return WithToken(TestToken(auth::Role::kClinic, absl::StrCat("device-of-", clinic_id), clinic_id), deadline);
}

std::unique_ptr<grpc::ClientContext> AsSpecialist(const std::string& specialist_id, const std::string& pools,
                                                  absl::Duration deadline) {
  return WithToken(TestToken(auth::Role::kSpecialist, specialist_id, pools), deadline);
}

absl::StatusOr<v1::ImageRef> UploadImage(v1::IntakeService::Stub& intake, const std::string& clinic_id,
                                         const std::string& bytes, v1::Modality modality) {
  auto context = AsClinic(clinic_id);
  v1::UploadImageResponse response;
  auto writer = intake.UploadImage(context.get(), &response);
  v1::UploadImageRequest header;
  header.mutable_header()->set_sha256(Sha256Hex(bytes));
  header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
  header.mutable_header()->set_content_type("image/jpeg");
  header.mutable_header()->set_modality(modality);
  writer->Write(header);
  for (size_t offset = 0; offset < bytes.size(); offset += 65536) {
    v1::UploadImageRequest chunk;
    chunk.set_chunk(bytes.substr(offset, 65536));
    if (!writer->Write(chunk)) break;
  }
  writer->WritesDone();
  if (absl::Status s = FromGrpcStatus(writer->Finish()); !s.ok()) return s;
  return response.image();
}

v1::CaseSubmission QuietTumourSubmission(const std::string& patient_reference, const v1::ImageRef& image) {
  v1::CaseSubmission s;
  s.set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  s.mutable_patient()->set_reference(patient_reference);
  s.mutable_patient()->set_age_years(34);
  s.mutable_patient()->set_sex(v1::SEX_FEMALE);
  s.mutable_patient()->set_fitzpatrick_type(3);
  s.mutable_lesion()->set_body_site(v1::BODY_SITE_FOREARM);
  s.mutable_lesion()->set_largest_diameter_mm(5);
  s.mutable_lesion()->set_duration_days(400);
  s.set_clinical_question("Pigmented lesion noticed by the patient. Benign?");
  s.set_consent_to_teleconsultation(true);
  *s.add_images() = image;
  return s;
}

std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool IsTransient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<v1::ImageRef> UploadImageResumable(v1::IntakeService::Stub& intake, const std::string& clinic_id,
                                                  const std::string& bytes, v1::Modality modality,
                                                  size_t chunk_bytes, absl::Duration give_up_after, int* attempts) {
  const absl::Time give_up = absl::Now() + give_up_after;
  const std::string sha256 = Sha256Hex(bytes);
  absl::Duration pause = absl::Milliseconds(100);
  absl::Status last = absl::DeadlineExceededError("no attempt made");
  while (absl::Now() < give_up) {
    v1::GetUploadStatusRequest status_request;
    status_request.set_sha256(sha256);
    status_request.set_size_bytes(static_cast<int64_t>(bytes.size()));
    v1::UploadStatus held;
    last = FromGrpcStatus(intake.GetUploadStatus(AsClinic(clinic_id, absl::Seconds(5)).get(), status_request, &held));
    if (last.ok()) {
      if (attempts != nullptr) ++*attempts;
      auto context = AsClinic(clinic_id, absl::Seconds(30));
      v1::UploadImageResponse response;
      auto writer = intake.UploadImage(context.get(), &response);
      v1::UploadImageRequest header;
      header.mutable_header()->set_sha256(sha256);
      header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
      header.mutable_header()->set_content_type("image/jpeg");
      header.mutable_header()->set_modality(modality);
      header.mutable_header()->set_offset(held.committed_offset());
      bool open = writer->Write(header);
      for (size_t at = static_cast<size_t>(held.committed_offset()); open && at < bytes.size(); at += chunk_bytes) {
        v1::UploadImageRequest chunk;
        chunk.set_chunk(bytes.substr(at, chunk_bytes));
        open = writer->Write(chunk);
      }
      writer->WritesDone();
      last = FromGrpcStatus(writer->Finish());
      if (last.ok()) return response.image();
    }
    if (!IsTransient(last)) return last;
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Seconds(1));
  }
  return last;
}

v1::SubmitReportRequest BenignNaevusReport(const std::string& case_id, int64_t fencing_token) {
  v1::SubmitReportRequest report;
  report.set_case_id(case_id);
  report.set_fencing_token(fencing_token);
  report.mutable_report()->set_diagnosis_text("Benign melanocytic naevus");
  report.mutable_report()->set_icd10_code("D22.6");
  report.mutable_report()->set_management(v1::MANAGEMENT_REASSURE);
  return report;
}

absl::Status SubmitReportRetrying(v1::ReferralService::Stub& referral, const std::string& specialist,
                                  const v1::SubmitReportRequest& report, absl::Time give_up) {
  absl::Status status = absl::DeadlineExceededError("the lease ended before the report was sent");
  while (absl::Now() < give_up) {
    v1::SubmitReportResponse response;
    status = FromGrpcStatus(
        referral.SubmitReport(AsSpecialist(specialist, "general", absl::Seconds(5)).get(), report, &response));
    if (status.ok() || !IsTransient(status)) return status;
    absl::SleepFor(absl::Milliseconds(200));  // a specialist's retry pace
  }
  return status;
}

}  // namespace telederm::testing
