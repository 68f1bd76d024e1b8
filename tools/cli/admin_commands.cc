#include "tools/cli/admin_commands.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/auth/key_ring.h"
#include "common/auth/token.h"
#include "telederm/v1/security.grpc.pb.h"
#include "tools/cli/channel.h"
#include "tools/cli/cli_args.h"

namespace telederm::cli {
namespace {

constexpr char kUsage[] =
    "usage: telederm admin issue-token --keys FILE --role clinic|specialist|supervisor|admin|service\n"
    "                                  --subject ID [--clinic ID] [--pools A,B] [--ttl 12h]\n"
    "       telederm admin revoke-token --token-id JTI [--expires-at UNIX_SECONDS]\n"
    "       telederm admin audit (--case ID | --user SUBJECT) [--limit N] [--before ID]\n"
    "revoke-token and audit call --service HOST:PORT (default: TELEDERM_REFERRAL or 127.0.0.1:50053)\n"
    "with an admin token (--auth-token / TELEDERM_AUTH_TOKEN) over TLS (--ca-cert, or --tls).\n";

struct Flags {
  std::string subcommand;
  std::map<std::string, std::string> values;
  std::string Get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
  }
  bool Has(const std::string& name) const { return values.count(name) != 0; }
};

std::optional<Flags> Parse(const std::vector<std::string>& args, std::ostream& err) {
  if (args.empty()) return std::nullopt;
  Flags flags;
  flags.subcommand = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    std::string arg = args[i];
    if (!absl::StartsWith(arg, "--")) {
      err << "error: unexpected argument '" << arg << "'\n";
      return std::nullopt;
    }
    arg = arg.substr(2);
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      flags.values[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else if (arg == "tls" || arg == "help") {
      flags.values[arg] = "1";
    } else if (i + 1 < args.size()) {
      flags.values[arg] = args[++i];
    } else {
      err << "error: --" << arg << " needs a value\n";
      return std::nullopt;
    }
  }
  return flags;
}

int IssueToken(const Flags& flags, std::ostream& out, std::ostream& err) {
  absl::StatusOr<auth::KeyRing> keys = auth::KeyRing::Load(flags.Get("keys"));
  if (!keys.ok()) {
    err << "error: --keys: " << keys.status().message() << "\n";
    return kExitUsage;
  }
  std::optional<auth::Role> role = auth::ParseRole(flags.Get("role"));
  if (!role) {
    err << "error: --role: one of clinic, specialist, supervisor, admin, service\n";
    return kExitUsage;
  }
  absl::Duration ttl = absl::Hours(12);
  if (flags.Has("ttl") && (!absl::ParseDuration(flags.Get("ttl"), &ttl) || ttl <= absl::ZeroDuration() ||
                           ttl > absl::Hours(24 * 90))) {
    err << "error: --ttl: a duration such as 12h, at most 2160h (90 days)\n";
    return kExitUsage;
  }
  auth::Claims claims;
  claims.subject = flags.Get("subject");
  claims.role = *role;
  claims.clinic_id = flags.Get("clinic");
  if (flags.Has("pools")) claims.pools = absl::StrSplit(flags.Get("pools"), ',', absl::SkipEmpty());
  claims.issued_at = absl::Now();
  claims.expires_at = claims.issued_at + ttl;
  claims.token_id = auth::NewTokenId();
  absl::StatusOr<std::string> token = auth::IssueToken(claims, *keys);
  if (!token.ok()) {
    err << "error: " << token.status().message() << "\n";
    return kExitUsage;
  }
  out << *token << "\n";
  err << "token id " << claims.token_id << ", key " << keys->signing_kid() << ", expires "
      << absl::FormatTime(absl::RFC3339_sec, claims.expires_at, absl::UTCTimeZone()) << " (unix "
      << absl::ToUnixSeconds(claims.expires_at) << ")\n";
  return kExitOk;
}

int CallSecurityService(const Flags& flags, const std::function<std::optional<std::string>(const char*)>& env,
                        std::ostream& out, std::ostream& err) {
  auto setting = [&](const char* flag, const char* variable) {
    if (flags.Has(flag)) return flags.Get(flag);
    return env(variable).value_or("");
  };
  GlobalOptions options;
  options.auth_token = setting("auth-token", "TELEDERM_AUTH_TOKEN");
  options.ca_cert_file = setting("ca-cert", "TELEDERM_CA_CERT");
  options.client_cert_file = setting("client-cert", "TELEDERM_CLIENT_CERT");
  options.client_key_file = setting("client-key", "TELEDERM_CLIENT_KEY");
  options.tls = flags.Has("tls") || !options.ca_cert_file.empty();
  std::string address = setting("service", "TELEDERM_REFERRAL");
  if (address.empty()) address = "127.0.0.1:50053";
  if (absl::Status s = ConfigureChannelSecurity(options); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return kExitUsage;
  }
  Endpoint endpoint = OpenEndpoint("security", address);
  auto stub = v1::SecurityService::NewStub(endpoint.channel);
  grpc::ClientContext context;
  PrepareContext(context, CallIdentity(), absl::Seconds(30));

  if (flags.subcommand == "revoke-token") {
    v1::RevokeTokenRequest request;
    request.set_token_id(flags.Get("token-id"));
    if (flags.Has("expires-at")) {
      int64_t expires = 0;
      if (!absl::SimpleAtoi(flags.Get("expires-at"), &expires)) {
        err << "error: --expires-at: unix seconds\n";
        return kExitUsage;
      }
      request.mutable_expires_at()->set_seconds(expires);
    }
    v1::RevokeTokenResponse response;
    grpc::Status status = stub->RevokeToken(&context, request, &response);
    if (!status.ok()) {
      err << DescribeFailure(status, endpoint) << "\n";
      return kExitFailure;
    }
    out << "revoked " << request.token_id() << "\n";
    return kExitOk;
  }

  v1::ListAuditEntriesRequest request;
  request.set_case_id(flags.Get("case"));
  request.set_user(flags.Get("user"));
  request.set_before_id(flags.Get("before"));
  int limit = 100;
  if (flags.Has("limit") && !absl::SimpleAtoi(flags.Get("limit"), &limit)) {
    err << "error: --limit: a number 1..1000\n";
    return kExitUsage;
  }
  request.set_page_size(limit);
  v1::ListAuditEntriesResponse response;
  grpc::Status status = stub->ListAuditEntries(&context, request, &response);
  if (!status.ok()) {
    err << DescribeFailure(status, endpoint) << "\n";
    return kExitFailure;
  }
  out << "AT  WHO  ROLE(SCOPE)  ACTION  OUTCOME  CASES  PEER  DETAIL\n";
  for (const v1::AuditEntry& e : response.entries()) {
    absl::Time at = absl::FromUnixSeconds(e.at().seconds()) + absl::Nanoseconds(e.at().nanos());
    out << absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", at, absl::UTCTimeZone()) << "  " << e.subject() << "  "
        << e.role() << (e.scope().empty() ? "" : absl::StrCat("(", e.scope(), ")")) << "  " << e.action() << "  "
        << e.outcome() << "  " << (e.case_ids().empty() ? "-" : absl::StrJoin(e.case_ids(), ",")) << "  "
        << e.peer() << "  " << e.detail() << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunAdminCommand(const std::vector<std::string>& args,
                    const std::function<std::optional<std::string>(const char*)>& env, std::ostream& out,
                    std::ostream& err) {
  std::optional<Flags> flags = Parse(args, err);
  if (!flags || flags->Has("help")) {
    (flags ? out : err) << kUsage;
    return flags ? kExitOk : kExitUsage;
  }
  if (flags->subcommand == "issue-token") return IssueToken(*flags, out, err);
  if (flags->subcommand == "revoke-token" || flags->subcommand == "audit") {
    return CallSecurityService(*flags, env, out, err);
  }
  err << "error: unknown admin command '" << flags->subcommand << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace telederm::cli
