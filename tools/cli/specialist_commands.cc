#include "tools/cli/specialist_commands.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "tools/cli/case_summary.h"
#include "tools/cli/output.h"
#include "tools/cli/tables.h"
#include "tools/cli/vocabulary.h"

namespace telederm::cli {
namespace {

constexpr int64_t kMaxQueuePageSize = 500;

Endpoint Referral(const CommandContext& context) {
  return OpenEndpoint("referral", context.options.referral_address);
}

absl::StatusOr<int64_t> FencingToken(const CommandLine& line) {
  if (!line.Has("token")) {
    return absl::InvalidArgumentError("--token: is required (the fencing token printed by 'telederm claim')");
  }
  return IntValue(line, "token", 0, 0, std::numeric_limits<int64_t>::max());
}

}  // namespace

absl::StatusOr<v1::Report> BuildReport(const CommandLine& line) {
  v1::Report report;
  absl::StatusOr<std::string> diagnosis = RequiredValue(line, "diagnosis");
  if (!diagnosis.ok()) return diagnosis.status();
  report.set_diagnosis_text(*diagnosis);
  absl::StatusOr<std::string> icd10 = RequiredValue(line, "icd10");
  if (!icd10.ok()) return icd10.status();
  report.set_icd10_code(*icd10);
  absl::StatusOr<std::string> management_word = RequiredValue(line, "management");
  if (!management_word.ok()) return management_word.status();
  absl::StatusOr<v1::Management> management = ParseManagement(*management_word);
  if (!management.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--management: ", management.status().message()));
  }
  report.set_management(*management);
  absl::StatusOr<int64_t> interval = IntValue(line, "interval", 0, 0, std::numeric_limits<int32_t>::max());
  if (!interval.ok()) return interval.status();
  report.set_management_interval(static_cast<int32_t>(*interval));
  report.set_follow_up(line.Value("follow-up").value_or(""));
  report.set_free_text(line.Value("note").value_or(""));
  return report;
}

int RunQueue(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<int64_t> limit = IntValue(line, "limit", 0, 1, std::numeric_limits<int32_t>::max());
  if (!limit.ok()) return UsageFailure(context, limit.status());
  Endpoint referral = Referral(context);
  auto stub = v1::ReferralService::NewStub(referral.channel);
  v1::ListQueueRequest request;
  request.set_pool(line.Value("pool").value_or(""));
  if (std::optional<std::string> tier = line.Value("tier")) {
    if (*tier == "urgent") request.set_urgency(v1::URGENCY_URGENT);
    else if (*tier == "soon") request.set_urgency(v1::URGENCY_SOON);
    else if (*tier == "routine") request.set_urgency(v1::URGENCY_ROUTINE);
    else return UsageFailure(context, absl::InvalidArgumentError("--tier: use urgent, soon or routine"));
  }
  request.set_overdue_only(line.Has("overdue"));
  request.set_clinic_id(line.Value("clinic").value_or(""));
  std::vector<v1::QueueEntry> entries;
  while (*limit == 0 || static_cast<int64_t>(entries.size()) < *limit) {
    int64_t wanted = *limit == 0 ? kMaxQueuePageSize : *limit - static_cast<int64_t>(entries.size());
    request.set_page_size(static_cast<int32_t>(std::min(wanted, kMaxQueuePageSize)));
    v1::ListQueueResponse response;
    grpc::ClientContext call;
    PrepareContext(call, context.identity, context.options.deadline);
    grpc::Status status = stub->ListQueue(&call, request, &response);
    if (!status.ok()) return CallFailure(context, status, referral);
    for (const v1::QueueEntry& entry : response.entries()) {
      if (*limit != 0 && static_cast<int64_t>(entries.size()) >= *limit) break;
      entries.push_back(entry);
    }
    if (response.next_page_token().empty() || response.next_page_token() == request.page_token()) break;
    request.set_page_token(response.next_page_token());
  }
  if (context.options.json) {
    for (const v1::QueueEntry& entry : entries) context.Print(ToJsonLine(entry));
  } else {
    context.Print(FormatQueueTable(entries));
  }
  return kExitOk;
}

int RunClaim(const CommandLine& line, const CommandContext& context) {
  Endpoint referral = Referral(context);
  auto stub = v1::ReferralService::NewStub(referral.channel);
  v1::ClaimNextRequest request;
  request.set_pool(line.Value("pool").value_or(""));
  v1::ClaimNextResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->ClaimNext(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  if (context.options.json) {
    context.Print(ToJsonLine(response));
    return kExitOk;
  }
  context.Print(FormatClaimLine("claimed", response.case_().case_id(), response.claim()));
  for (const std::string& text : FormatCaseSummary(response.case_())) context.Print(text);
  return kExitOk;
}

int RunExtend(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<int64_t> token = FencingToken(line);
  if (!token.ok()) return UsageFailure(context, token.status());
  Endpoint referral = Referral(context);
  auto stub = v1::ReferralService::NewStub(referral.channel);
  v1::ExtendClaimRequest request;
  request.set_case_id(*line.positional());
  request.set_fencing_token(*token);
  v1::ExtendClaimResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->ExtendClaim(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  context.Print(context.options.json ? ToJsonLine(response)
                                     : FormatClaimLine("extended", request.case_id(), response.claim()));
  return kExitOk;
}

int RunRelease(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<int64_t> token = FencingToken(line);
  if (!token.ok()) return UsageFailure(context, token.status());
  Endpoint referral = Referral(context);
  auto stub = v1::ReferralService::NewStub(referral.channel);
  v1::ReleaseRequest request;
  request.set_case_id(*line.positional());
  request.set_fencing_token(*token);
  v1::ReleaseResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->Release(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  context.Print(context.options.json ? ToJsonLine(response) : absl::StrCat("released ", request.case_id()));
  return kExitOk;
}

int RunReport(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<int64_t> token = FencingToken(line);
  if (!token.ok()) return UsageFailure(context, token.status());
  absl::StatusOr<v1::Report> report = BuildReport(line);
  if (!report.ok()) return UsageFailure(context, report.status());
  Endpoint referral = Referral(context);
  auto stub = v1::ReferralService::NewStub(referral.channel);
  v1::SubmitReportRequest request;
  request.set_case_id(*line.positional());
  request.set_fencing_token(*token);
  *request.mutable_report() = *report;
  v1::SubmitReportResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->SubmitReport(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  context.Print(context.options.json ? ToJsonLine(response)
                                     : absl::StrCat("reported ", request.case_id(),
                                                    " status=", CaseStatusWord(response.case_().status())));
  return kExitOk;
}

}  // namespace telederm::cli
