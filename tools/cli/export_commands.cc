#include "tools/cli/export_commands.h"

#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/auth/policy.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "telederm/v1/fhir.grpc.pb.h"
#include "tools/cli/channel.h"

namespace telederm::cli {

int RunFhir(const CommandLine& line, const CommandContext& context) {
  // Staff (specialists, and administrators breaking glass) ask referral; clinics ask intake.
  const bool staff = context.identity.role == CallIdentity::Role::kSpecialist ||
                     context.identity.role == CallIdentity::Role::kAdmin;
  Endpoint endpoint = staff ? OpenEndpoint("referral", context.options.referral_address)
                            : OpenEndpoint("intake", context.options.intake_address);
  auto stub = v1::FhirExportService::NewStub(endpoint.channel);
  v1::ExportCaseFhirRequest request;
  request.set_case_id(*line.positional());
  v1::ExportCaseFhirResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  if (std::optional<std::string> reason = line.Value("reason")) {
    call.AddMetadata(auth::kBreakGlassReasonHeader, *reason);
  }
  grpc::Status status = stub->ExportCaseFhir(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, endpoint);
  if (!line.Has("pretty") || context.options.json) {
    context.Print(response.bundle_json());
    return kExitOk;
  }
  // Indented for reading, through protobuf's own JSON parser (no other JSON library here).
  google::protobuf::Struct bundle;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  std::string pretty;
  if (!google::protobuf::util::JsonStringToMessage(response.bundle_json(), &bundle).ok() ||
      !google::protobuf::util::MessageToJsonString(bundle, &pretty, print).ok()) {
    pretty = response.bundle_json();
  }
  if (!pretty.empty() && pretty.back() == '\n') pretty.pop_back();
  context.Print(pretty);
  return kExitOk;
}

}  // namespace telederm::cli
