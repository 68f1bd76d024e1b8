#include "tools/cli/directory_commands.h"

#include <string>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "tools/cli/output.h"

namespace telederm::cli {
namespace {

std::vector<std::string> ListValue(const CommandLine& line, const char* flag) {
  return absl::StrSplit(line.Value(flag).value_or(""), ',', absl::SkipWhitespace());
}

absl::StatusOr<v1::Specialty> ParseSpecialty(const std::string& word) {
  if (word == "general") return v1::SPECIALTY_GENERAL_DERMATOLOGY;
  if (word == "oncology") return v1::SPECIALTY_DERMATO_ONCOLOGY;
  if (word == "paediatric") return v1::SPECIALTY_PAEDIATRIC_DERMATOLOGY;
  return absl::InvalidArgumentError(absl::StrCat("--specialty: '", word, "'; use general, oncology or paediatric"));
}

std::string SpecialtyWord(v1::Specialty specialty) {
  switch (specialty) {
    case v1::SPECIALTY_GENERAL_DERMATOLOGY: return "general";
    case v1::SPECIALTY_DERMATO_ONCOLOGY: return "oncology";
    case v1::SPECIALTY_PAEDIATRIC_DERMATOLOGY: return "paediatric";
    default: return "-";
  }
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

// Runs one AdminService call and prints its result with `format`.
template <typename Request, typename Response, typename Method, typename Format>
int Call(const CommandContext& context, Method method, const Request& request, Format format) {
  Endpoint referral = OpenEndpoint("referral", context.options.referral_address);
  auto stub = v1::AdminService::NewStub(referral.channel);
  Response response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = ((*stub).*method)(&call, request, &response);
  if (!status.ok()) return CallFailure(context, status, referral);
  if (context.options.json) {
    context.Print(ToJsonLine(response));
  } else {
    for (const std::string& text : format(response)) context.Print(text);
  }
  return kExitOk;
}

std::string SpecialistLine(const v1::SpecialistProfile& p) {
  return absl::StrCat(p.specialist_id(), "  pools=", absl::StrJoin(p.pools(), ","), "  supervises=",
                      OrDash(absl::StrJoin(p.supervises(), ",")), "  languages=",
                      OrDash(absl::StrJoin(p.languages(), ",")), p.display_name().empty() ? "" : "  ",
                      p.display_name());
}

std::string PoolLine(const v1::PoolProfile& p) {
  return absl::StrCat(p.name(), "  specialty=", SpecialtyWord(p.specialty()), "  regions=",
                      OrDash(absl::StrJoin(p.regions(), ",")), "  languages=", OrDash(absl::StrJoin(p.languages(), ",")),
                      p.description().empty() ? "" : "  ", p.description());
}

std::string ClinicLine(const v1::ClinicProfile& c) {
  return absl::StrCat(c.clinic_id(), "  region=", OrDash(c.region()), "  language=", OrDash(c.language()));
}

}  // namespace

int RunPoolPut(const CommandLine& line, const CommandContext& context) {
  absl::StatusOr<std::string> word = RequiredValue(line, "specialty");
  if (!word.ok()) return UsageFailure(context, word.status());
  absl::StatusOr<v1::Specialty> specialty = ParseSpecialty(*word);
  if (!specialty.ok()) return UsageFailure(context, specialty.status());
  v1::PutPoolRequest request;
  v1::PoolProfile* pool = request.mutable_pool();
  pool->set_name(*line.positional());
  pool->set_specialty(*specialty);
  pool->set_description(line.Value("description").value_or(""));
  for (const std::string& r : ListValue(line, "regions")) pool->add_regions(r);
  for (const std::string& l : ListValue(line, "languages")) pool->add_languages(l);
  return Call<v1::PutPoolRequest, v1::PoolProfile>(context, &v1::AdminService::Stub::PutPool, request,
                                                   [](const v1::PoolProfile& p) {
                                                     return std::vector<std::string>{PoolLine(p)};
                                                   });
}

int RunPools(const CommandLine& line, const CommandContext& context) {
  return Call<v1::ListPoolsRequest, v1::ListPoolsResponse>(
      context, &v1::AdminService::Stub::ListPools, v1::ListPoolsRequest(), [](const v1::ListPoolsResponse& r) {
        std::vector<std::string> lines;
        for (const auto& p : r.pools()) lines.push_back(PoolLine(p));
        return lines;
      });
}

int RunSpecialistPut(const CommandLine& line, const CommandContext& context) {
  if (!line.Has("pools")) return UsageFailure(context, absl::InvalidArgumentError("--pools: is required"));
  v1::PutSpecialistRequest request;
  v1::SpecialistProfile* profile = request.mutable_profile();
  profile->set_specialist_id(*line.positional());
  profile->set_display_name(line.Value("name").value_or(""));
  for (const std::string& p : ListValue(line, "pools")) profile->add_pools(p);
  for (const std::string& p : ListValue(line, "supervises")) profile->add_supervises(p);
  for (const std::string& l : ListValue(line, "languages")) profile->add_languages(l);
  return Call<v1::PutSpecialistRequest, v1::SpecialistProfile>(
      context, &v1::AdminService::Stub::PutSpecialist, request,
      [](const v1::SpecialistProfile& p) { return std::vector<std::string>{SpecialistLine(p)}; });
}

int RunSpecialists(const CommandLine& line, const CommandContext& context) {
  v1::ListSpecialistsRequest request;
  request.set_pool(line.Value("pool").value_or(""));
  return Call<v1::ListSpecialistsRequest, v1::ListSpecialistsResponse>(
      context, &v1::AdminService::Stub::ListSpecialists, request, [](const v1::ListSpecialistsResponse& r) {
        std::vector<std::string> lines;
        for (const auto& p : r.specialists()) lines.push_back(SpecialistLine(p));
        return lines;
      });
}

int RunSpecialistDelete(const CommandLine& line, const CommandContext& context) {
  v1::DeleteSpecialistRequest request;
  request.set_specialist_id(*line.positional());
  return Call<v1::DeleteSpecialistRequest, v1::DeleteSpecialistResponse>(
      context, &v1::AdminService::Stub::DeleteSpecialist, request, [&](const v1::DeleteSpecialistResponse&) {
        return std::vector<std::string>{absl::StrCat("deleted ", request.specialist_id())};
      });
}

int RunClinicPut(const CommandLine& line, const CommandContext& context) {
  v1::PutClinicRequest request;
  request.mutable_clinic()->set_clinic_id(*line.positional());
  request.mutable_clinic()->set_region(line.Value("region").value_or(""));
  request.mutable_clinic()->set_language(line.Value("language").value_or(""));
  return Call<v1::PutClinicRequest, v1::ClinicProfile>(
      context, &v1::AdminService::Stub::PutClinic, request,
      [](const v1::ClinicProfile& c) { return std::vector<std::string>{ClinicLine(c)}; });
}

int RunClinics(const CommandLine& line, const CommandContext& context) {
  return Call<v1::ListClinicsRequest, v1::ListClinicsResponse>(
      context, &v1::AdminService::Stub::ListClinics, v1::ListClinicsRequest(), [](const v1::ListClinicsResponse& r) {
        std::vector<std::string> lines;
        for (const auto& c : r.clinics()) lines.push_back(ClinicLine(c));
        return lines;
      });
}

}  // namespace telederm::cli
