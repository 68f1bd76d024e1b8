#include "tools/cli/triage_commands.h"

#include <string>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "telederm/v1/triage.grpc.pb.h"
#include "tools/cli/case_summary.h"
#include "tools/cli/output.h"
#include "tools/cli/tables.h"

namespace telederm::cli {

int RunTriage(const CommandLine& line, const CommandContext& context) {
  Endpoint triage = OpenEndpoint("triage", context.options.triage_address);
  auto stub = v1::TriageService::NewStub(triage.channel);
  v1::GetTriageResultRequest request;
  request.set_case_id(*line.positional());
  v1::TriageResult result;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->GetTriageResult(&call, request, &result);
  if (!status.ok()) return CallFailure(context, status, triage);
  if (context.options.json) {
    context.Print(ToJsonLine(result));
    return kExitOk;
  }
  context.Print(absl::StrCat("triage ", request.case_id()));
  for (const std::string& text : FormatTriageLines(result)) context.Print(text);
  return kExitOk;
}

int RunAnalyzers(const CommandLine& line, const CommandContext& context) {
  Endpoint triage = OpenEndpoint("triage", context.options.triage_address);
  auto stub = v1::TriageService::NewStub(triage.channel);
  v1::ListAnalyzersResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = stub->ListAnalyzers(&call, v1::ListAnalyzersRequest(), &response);
  if (!status.ok()) return CallFailure(context, status, triage);
  if (context.options.json) {
    for (const v1::AnalyzerInfo& analyzer : response.analyzers()) context.Print(ToJsonLine(analyzer));
    return kExitOk;
  }
  context.Print(FormatAnalyzersTable(response));
  return kExitOk;
}

}  // namespace telederm::cli
