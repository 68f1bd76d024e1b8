#include "tools/cli/consult_commands.h"

#include <cstdint>
#include <limits>
#include <string>

#include <grpcpp/client_context.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "tools/cli/image_file.h"
#include "tools/cli/output.h"
#include "tools/cli/specialist_commands.h"
#include "tools/cli/submission.h"
#include "tools/cli/vocabulary.h"

namespace telederm::cli {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;

bool AsSpecialist(const CommandContext& context) { return context.identity.role == CallIdentity::Role::kSpecialist; }

Endpoint Referral(const CommandContext& context) { return OpenEndpoint("referral", context.options.referral_address); }
Endpoint Intake(const CommandContext& context) { return OpenEndpoint("intake", context.options.intake_address); }

absl::StatusOr<int64_t> Token(const CommandLine& line) {
  if (!line.Has("token")) {
    return absl::InvalidArgumentError("--token: is required (the fencing token printed by 'telederm claim')");
  }
  return IntValue(line, "token", 0, 1, std::numeric_limits<int64_t>::max());
}

// "<id>  <author> (<role>)  <time>  [read <time>]  <text>  [+N images]"
std::string FormatMessageLine(const v1::Message& m) {
  std::string line = absl::StrCat(m.message_id(), "  ", m.author_id(), " (",
                                  m.author_role() == v1::ROLE_CLINIC ? "clinic" : "specialist", ")  ",
                                  FormatTime(m.sent_at()));
  if (m.info_request()) absl::StrAppend(&line, "  [question]");
  if (m.info_answer()) absl::StrAppend(&line, "  [answer]");
  absl::StrAppend(&line, m.read() ? absl::StrCat("  read ", FormatTime(m.read_at())) : "  unread", "  ", m.text());
  if (m.attachments_size() > 0) absl::StrAppend(&line, "  +", m.attachments_size(), " image(s)");
  return line;
}

grpc::Status Upload(v1::IntakeService::Stub& stub, const CommandContext& context, const ImageFile& image,
                    const ImageSpec& spec, v1::ImageRef& out) {
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  v1::UploadImageResponse response;
  auto writer = stub.UploadImage(&call, &response);
  v1::UploadImageRequest header;
  header.mutable_header()->set_sha256(image.sha256);
  header.mutable_header()->set_size_bytes(static_cast<int64_t>(image.bytes.size()));
  header.mutable_header()->set_content_type(image.content_type);
  header.mutable_header()->set_modality(spec.modality);
  bool open = writer->Write(header);
  for (size_t offset = 0; open && offset < image.bytes.size(); offset += kChunkBytes) {
    v1::UploadImageRequest chunk;
    chunk.set_chunk(image.bytes.substr(offset, kChunkBytes));
    open = writer->Write(chunk);
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (status.ok()) {
    out = response.image();  // a DICOM file's image has its own digest and may know its pixel size
    if (spec.pixel_size_mm > 0) out.set_pixel_size_mm(spec.pixel_size_mm);
  }
  return status;
}

template <typename Response>
int PrintResult(const CommandContext& context, const Response& response, const std::string& text) {
  context.Print(context.options.json ? ToJsonLine(response) : text);
  return kExitOk;
}

}  // namespace

int RunMessage(const CommandLine& line, const CommandContext& context) {
  const std::string text = line.Value("text").value_or("");
  const std::vector<std::string> images = line.Values("image");
  if (text.empty() && images.empty()) {
    return UsageFailure(context, absl::InvalidArgumentError("--text or --image: a message needs one of them"));
  }
  if (AsSpecialist(context)) {
    absl::StatusOr<int64_t> token = Token(line);
    if (!token.ok()) return UsageFailure(context, token.status());
    if (!images.empty()) {
      return UsageFailure(context, absl::InvalidArgumentError(
                                       "--image: specialists cannot upload; refer to the case's images in words"));
    }
    Endpoint referral = Referral(context);
    auto stub = v1::ReferralService::NewStub(referral.channel);
    v1::SpecialistMessageRequest request;
    request.set_case_id(*line.positional());
    request.set_fencing_token(*token);
    request.set_text(text);
    v1::SpecialistMessageResponse response;
    grpc::ClientContext call;
    PrepareContext(call, context.identity, context.options.deadline);
    grpc::Status status = stub->SendMessage(&call, request, &response);
    if (!status.ok()) return CallFailure(context, status, referral);
    return PrintResult(context, response, absl::StrCat("sent ", response.message().message_id()));
  }
  Endpoint intake = Intake(context);
  auto stub = v1::IntakeService::NewStub(intake.channel);
  v1::ClinicMessageRequest request;
  request.set_case_id(*line.positional());
  request.set_text(text);
  for (const std::string& value : images) {
    absl::StatusOr<ImageSpec> spec = ParseImageSpec(value);
    if (!spec.ok()) return UsageFailure(context, absl::InvalidArgumentError(absl::StrCat("--image: ", spec.status().message())));
    absl::StatusOr<ImageFile> image = ReadImageFile(spec->path);
    if (!image.ok()) return LocalFailure(context, image.status());
    grpc::Status uploaded = Upload(*stub, context, *image, *spec, *request.add_attachments());
    if (!uploaded.ok()) return CallFailure(context, uploaded, intake);
  }
  v1::ClinicMessageResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->SendMessage(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, intake);
  return PrintResult(context, response,
                     absl::StrCat("sent ", response.message().message_id(), " status=",
                                  CaseStatusWord(response.status()),
                                  response.message().info_answer() ? " (answered the question)" : ""));
}

int RunMessages(const CommandLine& line, const CommandContext& context) {
  v1::ListMessagesRequest request;
  request.set_case_id(*line.positional());
  v1::ListMessagesResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  Endpoint endpoint = AsSpecialist(context) ? Referral(context) : Intake(context);
  grpc::Status status =
      AsSpecialist(context)
          ? v1::ReferralService::NewStub(endpoint.channel)->ListMessages(&call, request, &response)
          : v1::IntakeService::NewStub(endpoint.channel)->ListMessages(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, endpoint);
  for (const v1::Message& m : response.messages()) {
    context.Print(context.options.json ? ToJsonLine(m) : FormatMessageLine(m));
  }
  return kExitOk;
}

int RunRead(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<std::string> message = RequiredValue(line, "message");
  if (!message.ok()) return UsageFailure(context, message.status());
  v1::MarkReadRequest request;
  request.set_case_id(*line.positional());
  request.set_message_id(*message);
  v1::MarkReadResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  Endpoint endpoint = AsSpecialist(context) ? Referral(context) : Intake(context);
  grpc::Status status = AsSpecialist(context)
                            ? v1::ReferralService::NewStub(endpoint.channel)->MarkRead(&call, request, &response)
                            : v1::IntakeService::NewStub(endpoint.channel)->MarkRead(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, endpoint);
  return PrintResult(context, response, absl::StrCat("read up to ", *message));
}

int RunAck(const CommandLine& line, const CommandContext& context) {
  Endpoint intake = Intake(context);
  v1::AcknowledgeReportRequest request;
  request.set_case_id(*line.positional());
  v1::AcknowledgeReportResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = v1::IntakeService::NewStub(intake.channel)->AcknowledgeReport(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, intake);
  return PrintResult(context, response,
                     absl::StrCat("acknowledged ", request.case_id(), " status=",
                                  CaseStatusWord(response.case_().status())));
}

int RunAsk(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<int64_t> token = Token(line);
  if (!token.ok()) return UsageFailure(context, token.status());
  absl::StatusOr<std::string> text = RequiredValue(line, "text");
  if (!text.ok()) return UsageFailure(context, text.status());
  Endpoint referral = Referral(context);
  v1::RequestInfoRequest request;
  request.set_case_id(*line.positional());
  request.set_fencing_token(*token);
  request.set_text(*text);
  v1::RequestInfoResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = v1::ReferralService::NewStub(referral.channel)->RequestInfo(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  return PrintResult(context, response,
                     absl::StrCat("asked ", request.case_id(), " status=", CaseStatusWord(response.case_().status()),
                                  " message=", response.message().message_id()));
}

int RunDraft(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<int64_t> token = Token(line);
  if (!token.ok()) return UsageFailure(context, token.status());
  v1::SaveDraftRequest request;
  request.set_case_id(*line.positional());
  request.set_fencing_token(*token);
  v1::Report* draft = request.mutable_draft();
  draft->set_diagnosis_text(line.Value("diagnosis").value_or(""));
  draft->set_icd10_code(line.Value("icd10").value_or(""));
  if (std::optional<std::string> word = line.Value("management")) {
    absl::StatusOr<v1::Management> management = ParseManagement(*word);
    if (!management.ok()) {
      return UsageFailure(context, absl::InvalidArgumentError(absl::StrCat("--management: ", management.status().message())));
    }
    draft->set_management(*management);
  }
  absl::StatusOr<int64_t> interval = IntValue(line, "interval", 0, 0, 365);
  if (!interval.ok()) return UsageFailure(context, interval.status());
  draft->set_management_interval(static_cast<int32_t>(*interval));
  draft->set_follow_up(line.Value("follow-up").value_or(""));
  draft->set_free_text(line.Value("note").value_or(""));
  Endpoint referral = Referral(context);
  v1::SaveDraftResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = v1::ReferralService::NewStub(referral.channel)->SaveDraft(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  return PrintResult(context, response, absl::StrCat("draft saved ", request.case_id()));
}

int RunSecondOpinion(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<int64_t> token = Token(line);
  if (!token.ok()) return UsageFailure(context, token.status());
  absl::StatusOr<std::string> note = RequiredValue(line, "note");
  if (!note.ok()) return UsageFailure(context, note.status());
  v1::SecondOpinionRequest request;
  request.set_case_id(*line.positional());
  request.set_fencing_token(*token);
  request.set_pool(line.Value("pool").value_or(""));
  request.set_specialist_id(line.Value("colleague").value_or(""));
  request.set_note(*note);
  if (request.pool().empty() == request.specialist_id().empty()) {
    return UsageFailure(context, absl::InvalidArgumentError("--pool or --colleague: give exactly one"));
  }
  Endpoint referral = Referral(context);
  v1::SecondOpinionResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status =
      v1::ReferralService::NewStub(referral.channel)->RequestSecondOpinion(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  return PrintResult(context, response, absl::StrCat("second opinion ", request.case_id(), " pool=",
                                                     response.case_().pool()));
}

int RunReassign(const CommandLine& line, const CommandContext& context) {
  v1::ReassignRequest request;
  request.set_case_id(*line.positional());
  request.set_pool(line.Value("pool").value_or(""));
  request.set_specialist_id(line.Value("to-specialist").value_or(""));
  request.set_note(line.Value("note").value_or(""));
  if (request.pool().empty() == request.specialist_id().empty()) {
    return UsageFailure(context, absl::InvalidArgumentError("--pool or --to-specialist: give exactly one"));
  }
  Endpoint referral = Referral(context);
  v1::ReassignResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = v1::ReferralService::NewStub(referral.channel)->Reassign(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  return PrintResult(context, response, absl::StrCat("reassigned ", request.case_id(), " pool=",
                                                     response.case_().pool(), " status=",
                                                     CaseStatusWord(response.case_().status())));
}

int RunBiopsy(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<std::string> histology = RequiredValue(line, "histology");
  if (!histology.ok()) return UsageFailure(context, histology.status());
  absl::StatusOr<std::string> icd10 = RequiredValue(line, "icd10");
  if (!icd10.ok()) return UsageFailure(context, icd10.status());
  v1::RecordBiopsyOutcomeRequest request;
  request.set_case_id(*line.positional());
  request.mutable_outcome()->set_histology_text(*histology);
  request.mutable_outcome()->set_icd10_code(*icd10);
  Endpoint referral = Referral(context);
  v1::RecordBiopsyOutcomeResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status =
      v1::ReferralService::NewStub(referral.channel)->RecordBiopsyOutcome(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  return PrintResult(context, response, absl::StrCat("biopsy recorded ", request.case_id(), " ", *icd10));
}

int RunWatchQueue(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<absl::Duration> timeout = DurationValue(line, "timeout", absl::InfiniteDuration());
  if (!timeout.ok()) return UsageFailure(context, timeout.status());
  Endpoint referral = Referral(context);
  auto stub = v1::ReferralService::NewStub(referral.channel);
  v1::WatchQueueRequest request;
  request.set_pool(line.Value("pool").value_or(""));
  grpc::ClientContext call;
  PrepareContext(call, context.identity, *timeout);
  std::unique_ptr<grpc::ClientReader<v1::QueueEvent>> reader = stub->WatchQueue(&call, request);
  v1::QueueEvent event;
  while (reader->Read(&event)) {
    if (context.options.json) {
      context.Print(ToJsonLine(event));
      continue;
    }
    std::string type = absl::AsciiStrToLower(v1::QueueEventType_Name(event.type()).substr(17));
    context.Print(absl::StrCat(event.event_id(), "  ", type, "  ", event.case_id(), "  pool=", event.pool(),
                               "  urgency=", UrgencyWord(event.entry().urgency()), "  due=",
                               FormatTime(event.entry().due_at()), event.entry().overdue() ? "  OVERDUE" : "",
                               "  by=", event.actor()));
  }
  grpc::Status status = reader->Finish();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return kExitOk;  // --timeout reached
  if (!status.ok()) return CallFailure(context, status, referral);
  return kExitOk;
}

}  // namespace telederm::cli
