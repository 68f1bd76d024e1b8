// IntakeService's consult RPCs: the clinic's side of the conversation with
// the specialist (logic in ClinicConsult).
#include "common/caller/caller.h"
#include "common/request_limits/request_limits.h"
#include "common/server/unary.h"
#include "services/intake/clinic_consult.h"
#include "services/intake/intake_service.h"

namespace telederm::intake {
namespace {

// Identifies the clinic, runs `call` with a ClinicConsult and stores its result.
template <typename Response, typename Call>
absl::Status AnswerClinic(grpc::CallbackServerContext* context, const IntakeDependencies& deps,
                          const IntakeOptions& options, Response* response, Call call) {
  absl::StatusOr<Caller> caller = RequireClinic(*context);
  if (!caller.ok()) return caller.status();
  ClinicConsult consult(deps.redis, deps.blobs, deps.clock, options.image_retention);
  auto result = call(consult, caller->id);
  if (!result.ok()) return result.status();
  *response = *std::move(result);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* IntakeServiceImpl::SendMessage(grpc::CallbackServerContext* context,
                                                         const v1::ClinicMessageRequest* request,
                                                         v1::ClinicMessageResponse* response) {
  return RunOnExecutor(context, executor_, [=, this]() -> absl::Status {
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    return AnswerClinic(context, deps_, options_, response, [&](ClinicConsult& consult, const std::string& clinic) {
      return consult.SendMessage(clinic, *request);
    });
  });
}

grpc::ServerUnaryReactor* IntakeServiceImpl::ListMessages(grpc::CallbackServerContext* context,
                                                          const v1::ListMessagesRequest* request,
                                                          v1::ListMessagesResponse* response) {
  return RunOnExecutor(context, executor_, [=, this]() -> absl::Status {
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    return AnswerClinic(context, deps_, options_, response, [&](ClinicConsult& consult, const std::string& clinic) {
      return consult.ListMessages(clinic, *request);
    });
  });
}

grpc::ServerUnaryReactor* IntakeServiceImpl::MarkRead(grpc::CallbackServerContext* context,
                                                      const v1::MarkReadRequest* request,
                                                      v1::MarkReadResponse* response) {
  return RunOnExecutor(context, executor_, [=, this]() -> absl::Status {
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    return AnswerClinic(context, deps_, options_, response,
                        [&](ClinicConsult& consult, const std::string& clinic) -> absl::StatusOr<v1::MarkReadResponse> {
                          if (absl::Status s = consult.MarkRead(clinic, *request); !s.ok()) return s;
                          return v1::MarkReadResponse();
                        });
  });
}

grpc::ServerUnaryReactor* IntakeServiceImpl::AcknowledgeReport(grpc::CallbackServerContext* context,
                                                               const v1::AcknowledgeReportRequest* request,
                                                               v1::AcknowledgeReportResponse* response) {
  return RunOnExecutor(context, executor_, [=, this]() -> absl::Status {
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    return AnswerClinic(context, deps_, options_, response, [&](ClinicConsult& consult, const std::string& clinic) {
      return consult.AcknowledgeReport(clinic, *request);
    });
  });
}

}  // namespace telederm::intake
