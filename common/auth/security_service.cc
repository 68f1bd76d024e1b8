#include "common/auth/security_service.h"

#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"
#include "common/ids/ids.h"
#include "common/request_limits/request_limits.h"
#include "common/server/unary.h"

namespace telederm::auth {

SecurityServiceImpl::SecurityServiceImpl(std::shared_ptr<audit::AuditLog> audit,
                                         std::shared_ptr<Revocations> revocations, ClockPtr clock)
    : audit_(std::move(audit)), revocations_(std::move(revocations)), clock_(std::move(clock)) {}

SecurityServiceImpl::~SecurityServiceImpl() { executor_.join(); }

grpc::ServerUnaryReactor* SecurityServiceImpl::ListAuditEntries(grpc::CallbackServerContext* context,
                                                                const v1::ListAuditEntriesRequest* request,
                                                                v1::ListAuditEntriesResponse* response) {
  return RunOnExecutor(context, executor_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = RequireAdmin(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    if (request->case_id().empty() == request->user().empty()) {
      return absl::InvalidArgumentError("give exactly one of case_id and user");
    }
    if (!request->case_id().empty() && !IsValidExternalId(request->case_id(), 64)) {
      return absl::InvalidArgumentError("case_id: not a case id");
    }
    if (!request->user().empty() && request->user() != "-" && !IsValidExternalId(request->user(), 64)) {
      return absl::InvalidArgumentError("user: 1..64 characters of A-Z a-z 0-9 . _ : -, or '-'");
    }
    if (request->page_size() < 0 || request->page_size() > 1000) {
      return absl::InvalidArgumentError("page_size: must be 0..1000");
    }
    if (request->before_id().size() > 64) return absl::InvalidArgumentError("before_id: not an audit entry id");
    int limit = request->page_size() == 0 ? 100 : request->page_size();
    absl::StatusOr<std::vector<audit::AuditEntry>> entries =
        request->case_id().empty() ? audit_->ByUser(request->user(), limit, request->before_id())
                                   : audit_->ByCase(request->case_id(), limit, request->before_id());
    if (!entries.ok()) return entries.status();
    for (const audit::AuditEntry& entry : *entries) {
      v1::AuditEntry* out = response->add_entries();
      out->set_id(entry.id);
      out->mutable_at()->set_seconds(absl::ToUnixSeconds(entry.at));
      out->mutable_at()->set_nanos(static_cast<int32_t>(absl::ToUnixMillis(entry.at) % 1000 * 1000000));
      out->set_subject(entry.subject);
      out->set_role(entry.role);
      out->set_scope(entry.scope);
      out->set_action(entry.action);
      for (const std::string& c : entry.case_ids) out->add_case_ids(c);
      out->set_peer(entry.peer);
      out->set_outcome(entry.outcome);
      out->set_detail(entry.detail);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SecurityServiceImpl::RevokeToken(grpc::CallbackServerContext* context,
                                                           const v1::RevokeTokenRequest* request,
                                                           v1::RevokeTokenResponse* response) {
  return RunOnExecutor(context, executor_, [this, context, request]() -> absl::Status {
    absl::StatusOr<Caller> caller = RequireAdmin(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    if (!IsValidExternalId(request->token_id(), 64)) {
      return absl::InvalidArgumentError("token_id: 1..64 characters of A-Z a-z 0-9 . _ : -");
    }
    absl::Time now = clock_->Now();
    absl::Time expires = request->has_expires_at() ? absl::FromUnixSeconds(request->expires_at().seconds())
                                                   : now + absl::Hours(24 * 30);
    return revocations_->Revoke(request->token_id(), expires, now);
  });
}

}  // namespace telederm::auth
