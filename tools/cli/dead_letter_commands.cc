#include "tools/cli/dead_letter_commands.h"

#include <cstdlib>
#include <memory>
#include <string>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "telederm/v1/delivery.grpc.pb.h"
#include "tools/cli/output.h"

namespace telederm::cli {
namespace {

constexpr char kAdminIdHeader[] = "x-telederm-admin-id";  // common/caller/caller.h

Endpoint Triage(const CommandContext& context) { return OpenEndpoint("triage", context.options.triage_address); }

absl::StatusOr<std::string> AdminId(const CommandLine& line) {
  if (std::optional<std::string> id = line.Value("admin")) return *id;
  if (const char* id = std::getenv("TELEDERM_ADMIN"); id != nullptr && *id != '\0') return std::string(id);
  return absl::InvalidArgumentError("--admin: is required (or set TELEDERM_ADMIN): the administrator calling");
}

void Prepare(grpc::ClientContext& call, const CommandContext& context, const std::string& admin) {
  PrepareContext(call, CallIdentity(), context.options.deadline);
  call.AddMetadata(kAdminIdHeader, admin);
}

std::string FormatLine(const v1::DeadLetter& letter) {
  return absl::StrCat("dead-letter ", letter.id(), " stream=", letter.stream(), " case=",
                      letter.case_id().empty() ? "-" : letter.case_id(), " deliveries=", letter.deliveries(),
                      " at=", absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(letter.dead_at().seconds()),
                                               absl::UTCTimeZone()),
                      " error=", letter.error());
}

}  // namespace

int RunDeadLetters(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<std::string> admin = AdminId(line);
  if (!admin.ok()) return UsageFailure(context, admin.status());
  Endpoint triage = Triage(context);
  auto stub = v1::DeadLetterService::NewStub(triage.channel);
  v1::ListDeadLettersRequest request;
  request.set_stream(line.Value("stream").value_or(""));
  request.set_page_size(500);
  v1::ListDeadLettersResponse response;
  grpc::ClientContext call;
  Prepare(call, context, *admin);
  grpc::Status status = stub->ListDeadLetters(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, triage);
  for (const v1::DeadLetter& letter : response.dead_letters()) {
    context.Print(context.options.json ? ToJsonLine(letter) : FormatLine(letter));
  }
  if (!context.options.json) context.Print(absl::StrCat(response.dead_letters_size(), " dead letters"));
  return kExitOk;
}

int RunDeadLetter(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<std::string> admin = AdminId(line);
  if (!admin.ok()) return UsageFailure(context, admin.status());
  absl::StatusOr<std::string> stream = RequiredValue(line, "stream");
  if (!stream.ok()) return UsageFailure(context, stream.status());
  Endpoint triage = Triage(context);
  auto stub = v1::DeadLetterService::NewStub(triage.channel);
  v1::GetDeadLetterRequest request;
  request.set_stream(*stream);
  request.set_id(*line.positional());
  v1::DeadLetter letter;
  grpc::ClientContext call;
  Prepare(call, context, *admin);
  grpc::Status status = stub->GetDeadLetter(&call, request, &letter);
  if (!status.ok()) return CallFailure(context, status, triage);
  if (context.options.json) {
    context.Print(ToJsonLine(letter));
    return kExitOk;
  }
  context.Print(FormatLine(letter));
  context.Print(absl::StrCat("  entry ", letter.entry_id(), " group=", letter.group(), " consumer=", letter.consumer()));
  for (const v1::DeadLetterField& field : letter.fields()) {
    context.Print(absl::StrCat("  field ", field.name(), "=", field.value()));
  }
  return kExitOk;
}

int RunReplay(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<std::string> admin = AdminId(line);
  if (!admin.ok()) return UsageFailure(context, admin.status());
  absl::StatusOr<std::string> stream = RequiredValue(line, "stream");
  if (!stream.ok()) return UsageFailure(context, stream.status());
  Endpoint triage = Triage(context);
  auto stub = v1::DeadLetterService::NewStub(triage.channel);
  v1::ReplayDeadLetterRequest request;
  request.set_stream(*stream);
  request.set_id(*line.positional());
  v1::ReplayDeadLetterResponse response;
  grpc::ClientContext call;
  Prepare(call, context, *admin);
  grpc::Status status = stub->ReplayDeadLetter(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, triage);
  context.Print(context.options.json ? ToJsonLine(response)
                                     : absl::StrCat("replayed ", *line.positional(), " as ", *stream, " entry ",
                                                    response.entry_id()));
  return kExitOk;
}

}  // namespace telederm::cli
