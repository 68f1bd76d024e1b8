#include "tools/cli/clinic_commands.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "tools/cli/case_summary.h"
#include "tools/cli/image_file.h"
#include "tools/cli/output.h"
#include "tools/cli/resumable_upload.h"
#include "tools/cli/submission.h"
#include "tools/cli/tables.h"
#include "tools/cli/vocabulary.h"

namespace telederm::cli {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;
constexpr int kCasesPageSize = 200;

Endpoint Intake(const CommandContext& context) { return OpenEndpoint("intake", context.options.intake_address); }

// Streams one image (the header, then the bytes in kChunkBytes pieces) and
// resumes it where intake stopped when the connection drops.
grpc::Status UploadImage(v1::IntakeService::Stub& stub, const CommandContext& context, const ImageFile& image,
                         v1::Modality modality, v1::UploadImageResponse& response) {
  return UploadResumably(stub, context.identity, context.options.deadline, image, modality, kChunkBytes,
                         RetryPolicy(), *context.err, response);
}

void PrintUpload(const CommandContext& context, const v1::UploadImageResponse& response) {
  if (context.options.json) {
    context.Print(ToJsonLine(response));
    return;
  }
  for (const std::string& line : FormatUploadLines(response)) context.Print(line);
}

}  // namespace

int RunUpload(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<std::string> modality_word = RequiredValue(line, "modality");
  if (!modality_word.ok()) return UsageFailure(context, modality_word.status());
  absl::StatusOr<v1::Modality> modality = ParseModality(*modality_word);
  if (!modality.ok()) {
    return UsageFailure(context, absl::InvalidArgumentError(absl::StrCat("--modality: ", modality.status().message())));
  }
  absl::StatusOr<ImageFile> image = ReadImageFile(*line.positional());
  if (!image.ok()) return LocalFailure(context, image.status());

  Endpoint intake = Intake(context);
  auto stub = v1::IntakeService::NewStub(intake.channel);
  v1::UploadImageResponse response;
  grpc::Status status = UploadImage(*stub, context, *image, *modality, response);
  if (!status.ok()) return CallFailure(context, status, intake);
  PrintUpload(context, response);
  return kExitOk;
}

int RunSubmit(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<v1::CaseSubmission> submission = BuildCaseSubmission(line);
  if (!submission.ok()) return UsageFailure(context, submission.status());
  std::vector<ImageSpec> specs;
  for (const std::string& text : line.Values("image")) {
    absl::StatusOr<ImageSpec> spec = ParseImageSpec(text);
    if (!spec.ok()) return UsageFailure(context, spec.status());
    specs.push_back(*spec);
  }
  std::vector<ImageFile> images;
  for (const ImageSpec& spec : specs) {
    absl::StatusOr<ImageFile> image = ReadImageFile(spec.path);
    if (!image.ok()) return LocalFailure(context, image.status());
    v1::ImageRef& ref = *submission->add_images();
    ref.set_sha256(image->sha256);
    ref.set_modality(spec.modality);
    ref.set_content_type(image->content_type);
    ref.set_pixel_size_mm(spec.pixel_size_mm);
    images.push_back(*std::move(image));
  }
  std::string key = line.Value("idempotency-key").value_or(IdempotencyKeyFor(context.identity.id, *submission));

  Endpoint intake = Intake(context);
  auto stub = v1::IntakeService::NewStub(intake.channel);
  for (size_t i = 0; i < images.size(); ++i) {
    v1::UploadImageResponse response;
    grpc::Status status = UploadImage(*stub, context, images[i], specs[i].modality, response);
    if (!status.ok()) {
      *context.err << "image " << images[i].path << " was not accepted\n";
      return CallFailure(context, status, intake);
    }
    PrintUpload(context, response);
    // A DICOM file is stored as its image, under the image's digest (docs/DICOM.md).
    if (response.image().sha256() != images[i].sha256) {
      v1::ImageRef& ref = *submission->mutable_images(static_cast<int>(i));
      const double declared_mm = ref.pixel_size_mm();
      ref = response.image();
      if (declared_mm > 0) ref.set_pixel_size_mm(declared_mm);
    }
  }

  v1::SubmitCaseRequest request;
  *request.mutable_submission() = *submission;
  request.set_idempotency_key(key);
  v1::SubmitCaseResponse response;
  grpc::Status status = SubmitWithRetries(*stub, context.identity, context.options.deadline, request, RetryPolicy(),
                                          *context.err, response);
  if (!status.ok()) return CallFailure(context, status, intake);
  if (context.options.json) {
    context.Print(ToJsonLine(response));
  } else {
    context.Print(absl::StrCat("submitted ", response.case_id(), " status=", CaseStatusWord(response.status()),
                               " duplicate=", YesNo(response.duplicate()), " idempotency_key=", key));
  }
  return kExitOk;
}

int RunCase(const CommandLine& line, const CommandContext& context) {
  Endpoint intake = Intake(context);
  auto stub = v1::IntakeService::NewStub(intake.channel);
  v1::GetCaseRequest request;
  request.set_case_id(*line.positional());
  v1::Case c;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->GetCase(&call, request, &c);
  if (!status.ok()) return CallFailure(context, status, intake);
  if (context.options.json) {
    context.Print(ToJsonLine(c));
    return kExitOk;
  }
  context.Print(absl::StrCat("case ", c.case_id(), " status=", CaseStatusWord(c.status()),
                             " clinic=", c.clinic_id().empty() ? "-" : c.clinic_id(), " version=", c.version()));
  for (const std::string& text : FormatCaseSummary(c)) context.Print(text);
  return kExitOk;
}

int RunCases(const CommandLine& line, const CommandContext& context) {
  Endpoint intake = Intake(context);
  auto stub = v1::IntakeService::NewStub(intake.channel);
  std::vector<v1::Case> cases;
  v1::ListCasesRequest request;
  request.set_page_size(kCasesPageSize);
  while (true) {
    v1::ListCasesResponse response;
    grpc::ClientContext call;
    PrepareContext(call, context.identity, context.options.deadline);
    grpc::Status status = stub->ListCases(&call, request, &response);
    if (!status.ok()) return CallFailure(context, status, intake);
    for (const v1::Case& c : response.cases()) {
      if (context.options.json) context.Print(ToJsonLine(c));
      cases.push_back(c);
    }
    // A token that does not move would loop forever: stop instead.
    if (response.next_page_token().empty() || response.next_page_token() == request.page_token()) break;
    request.set_page_token(response.next_page_token());
  }
  if (!context.options.json) context.Print(FormatCasesTable(cases));
  return kExitOk;
}

int RunWatch(const CommandLine& line, const CommandContext& context) {
  std::optional<std::string> awaited = line.Value("until-reported");
  absl::StatusOr<absl::Duration> timeout =
      DurationValue(line, "timeout", awaited.has_value() ? absl::Seconds(60) : absl::InfiniteDuration());
  if (!timeout.ok()) return UsageFailure(context, timeout.status());
  const absl::Time end = *timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + *timeout;
  std::string after = line.Value("after").value_or("");

  Endpoint intake = Intake(context);
  auto stub = v1::IntakeService::NewStub(intake.channel);
  bool received_any = false;
  while (true) {
    grpc::ClientContext call;
    PrepareContext(call, context.identity,
                   end == absl::InfiniteFuture() ? absl::InfiniteDuration() : end - absl::Now());
    v1::WatchEventsRequest request;
    request.set_after_event_id(after);
    std::unique_ptr<grpc::ClientReader<v1::CaseEvent>> reader = stub->WatchEvents(&call, request);
    v1::CaseEvent event;
    bool reported = false;
    while (reader->Read(&event)) {
      received_any = true;
      context.Print(context.options.json ? ToJsonLine(event) : FormatEventLine(event));
      if (!event.event_id().empty()) after = event.event_id();
      if (awaited.has_value() && event.case_id() == *awaited && event.type() == v1::EVENT_TYPE_REPORTED) {
        reported = true;
        call.TryCancel();
        break;
      }
    }
    grpc::Status status = reader->Finish();
    if (reported) return kExitOk;
    bool out_of_time = status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED || absl::Now() >= end;
    if (out_of_time && (status.ok() || status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)) {
      if (!awaited.has_value()) return kExitOk;
      *context.err << "error: DEADLINE_EXCEEDED: no report for case " << *awaited << " arrived within "
                   << absl::FormatDuration(*timeout) << '\n';
      return kExitFailure;
    }
    // A stream that ended or broke is resumed after the last event seen, while there is
    // time left (or, without a timeout, once it had been up); anything else is final.
    bool resumable = status.ok() || status.error_code() == grpc::StatusCode::UNAVAILABLE;
    bool may_retry = !out_of_time && (end != absl::InfiniteFuture() || received_any);
    if (!resumable || !may_retry) {
      if (status.ok()) return kExitOk;
      return CallFailure(context, status, intake);
    }
    if (!status.ok()) *context.err << "watch: reconnecting: " << DescribeFailure(status, intake) << '\n';
    absl::SleepFor(std::min(absl::Seconds(1), std::max(absl::ZeroDuration(), end - absl::Now())));
  }
}

}  // namespace telederm::cli
