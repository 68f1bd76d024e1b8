#include "services/intake/intake_service.h"

#include <string>
#include <vector>

#include <boost/asio/post.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/caller/caller.h"
#include "common/access/case_access.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "common/request_limits/request_limits.h"
#include "common/server/polling_write_reactor.h"
#include "common/server/unary.h"
#include "common/status/grpc_status.h"
#include "services/intake/case_validation.h"
#include "services/intake/clinic_case_index.h"
#include "services/intake/idempotency.h"
#include "services/intake/upload_reactor.h"

namespace telederm::intake {

// ---------------------------------------------------------------------------
// WatchEvents: the clinic's event stream, from after the last event it has.
class IntakeServiceImpl::WatchReactor final : public PollingWriteReactor<v1::CaseEvent> {
 public:
  WatchReactor(IntakeServiceImpl* service, std::string clinic_id, std::string after)
      : PollingWriteReactor(service->watch_executor_),
        service_(service),
        clinic_id_(std::move(clinic_id)),
        after_(std::move(after)) {
    Start();
  }
  // WatchEvents took one of the service's watch slots for this watch.
  ~WatchReactor() override { service_->watches_.Close(clinic_id_); }

 private:
  absl::StatusOr<std::vector<v1::CaseEvent>> Poll() override {
    return service_->events_.ReadAfter(clinic_id_, after_, 100, service_->options_.watch_poll);
  }

  void Written(const v1::CaseEvent& event) override { after_ = event.event_id(); }

  IntakeServiceImpl* const service_;
  const std::string clinic_id_;
  std::string after_;  // only the polling loop reads and writes it
};

// ---------------------------------------------------------------------------

IntakeServiceImpl::IntakeServiceImpl(IntakeDependencies deps, IntakeOptions options)
    : deps_(std::move(deps)),
      options_(options),
      cases_(deps_.redis),
      events_(deps_.redis),
      images_(deps_.redis, deps_.clock, options.image_retention),
      backlog_(deps_.redis, deps_.clock, options.backlog_refresh),
      calls_(options.rpc_threads, options.max_queued_calls),
      executor_(calls_.pool()),
      watch_executor_(options.watch_threads),
      watches_("event watches", options.max_watches, options.max_watches_per_clinic),
      sweeper_(deps_.blobs, deps_.clock, options.upload_ttl, options.upload_sweep_every),
      submissions_(deps_.redis, &images_, deps_.blobs, &events_, deps_.clock, options.idempotency_ttl) {
  sweeper_.Start();
}

IntakeServiceImpl::~IntakeServiceImpl() {
  sweeper_.Stop();
  calls_.Join();
  watch_executor_.join();
}

grpc::ServerUnaryReactor* IntakeServiceImpl::GetUploadStatus(grpc::CallbackServerContext* context,
                                                             const v1::GetUploadStatusRequest* request,
                                                             v1::UploadStatus* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = RequireClinic(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    absl::StatusOr<v1::UploadStatus> status = intake::GetUploadStatus(
        *deps_.blobs, images_, caller->id, *request, options_.max_image_bytes, options_.upload_ttl);
    if (!status.ok()) return status.status();
    *response = *std::move(status);
    return absl::OkStatus();
  });
}

absl::Status IntakeServiceImpl::CheckBacklog(grpc::CallbackServerContext* context) {
  if (options_.max_intake_backlog <= 0) return absl::OkStatus();
  absl::StatusOr<int64_t> backlog = backlog_.Current();
  if (!backlog.ok()) return backlog.status();
  if (*backlog <= options_.max_intake_backlog) return absl::OkStatus();
  AddRetryTrailers(context, options_.retry_after_backlog);
  return absl::ResourceExhaustedError(absl::StrCat(
      "intake is behind: ", *backlog, " cases wait for pre-screening (limit ", options_.max_intake_backlog,
      "); nothing was stored, send the case again in ", absl::FormatDuration(options_.retry_after_backlog),
      " with the same idempotency key"));
}

grpc::ServerReadReactor<v1::UploadImageRequest>* IntakeServiceImpl::UploadImage(grpc::CallbackServerContext* context,
                                                                                v1::UploadImageResponse* response) {
  return NewUploadReactor(
      UploadEnvironment{deps_.blobs, &images_, deps_.gate, options_.max_image_bytes, options_.max_image_pixels, &executor_}, context, response);
}

grpc::ServerUnaryReactor* IntakeServiceImpl::SubmitCase(grpc::CallbackServerContext* context,
                                                        const v1::SubmitCaseRequest* request,
                                                        v1::SubmitCaseResponse* response) {
  return RunQueued(context, calls_, [this, context, request, response] {
    absl::StatusOr<Caller> caller = RequireClinic(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    if (absl::Status s = CheckBacklog(context); !s.ok()) return s;
    return Submit(caller->id, *request, *response);
  });
}

absl::Status IntakeServiceImpl::Submit(const std::string& clinic_id, const v1::SubmitCaseRequest& request,
                                       v1::SubmitCaseResponse& response) {
  const v1::CaseSubmission& submission = request.submission();
  if (absl::Status s = ValidateSubmission(submission); !s.ok()) return s;
  const std::string& key = request.idempotency_key();
  if (!key.empty() && !IsValidExternalId(key, 128)) {
    return absl::InvalidArgumentError("idempotency_key: 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  }

  v1::Case c;
  c.set_clinic_id(clinic_id);
  *c.mutable_submission() = submission;

  const absl::Time now = deps_.clock->Now();
  c.set_case_id(NewCaseId(now));
  *c.mutable_received_at() = ToProtoTimestamp(now);
  if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_RECEIVED, now, clinic_id); !s.ok()) return s;
  PendingSubmission pending{.c = &c, .idempotency_key = key, .now = now};
  // The fingerprint is over the submission as the clinic sent it, serialized
  // deterministically.
  if (!key.empty()) pending.fingerprint = SubmissionFingerprint(submission);
  submissions_.Commit(pending);
  if (!pending.status.ok()) return pending.status;
  if (pending.earlier_case_id.has_value()) {
    // A retry of a case claimed in an earlier call: complete whatever of it
    // is missing, under the claimed id.
    c.set_case_id(*pending.earlier_case_id);
    if (absl::Status stored = StoreAndEnqueue(c); !stored.ok()) return stored;
    if (absl::Status replicated = deps_.redis->WaitForReplicas(); !replicated.ok()) {
      return UnreplicatedCaseError(c.case_id(), replicated);
    }
  }
  response.set_case_id(c.case_id());
  response.set_status(c.status());
  response.set_duplicate(pending.duplicate);
  return absl::OkStatus();
}

absl::Status IntakeServiceImpl::StoreAndEnqueue(v1::Case& c) {
  absl::Status created = cases_.Create(c);
  if (absl::IsAlreadyExists(created)) {
    // A retry: the first attempt stored the record. Enqueue again only if it may
    // not have reached triage; triage ignores a case it has already taken.
    absl::StatusOr<std::optional<v1::Case>> stored = cases_.Get(c.case_id());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return absl::UnavailableError("case record vanished; try again");
    c = std::move(**stored);
    if (c.status() != v1::CASE_STATUS_RECEIVED) return absl::OkStatus();
  } else if (!created.ok()) {
    return created;
  }
  const absl::Time received = FromProtoTimestamp(c.received_at());
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = deps_.redis->Pipeline({
      AppendToClinicCasesOnceCommand(c.clinic_id(), c.case_id()),
      {"XADD", keys::kIntakeStream, "*", "case_id", c.case_id()},
  });
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    if (!reply.ok()) return reply.status();
  }
  if (absl::StatusOr<std::string> id = events_.Append(MakeCaseEvent(c, v1::EVENT_TYPE_RECEIVED, received),
                                                      deps_.clock->Now());
      !id.ok()) {
    return id.status();
  }
  LogInfo(absl::StrCat("case ", c.case_id(), " received from clinic ", c.clinic_id()));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* IntakeServiceImpl::GetCase(grpc::CallbackServerContext* context,
                                                     const v1::GetCaseRequest* request, v1::Case* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = RequireClinic(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    absl::StatusOr<v1::Case> c = CaseAccess(deps_.redis).ReadCase(Reader{.role = Caller::Role::kClinic, .id = caller->id},
                                                                  request->case_id(), CaseRead::kRecord);
    if (!c.ok()) return c.status();
    *response = *std::move(c);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IntakeServiceImpl::ListCases(grpc::CallbackServerContext* context,
                                                       const v1::ListCasesRequest* request,
                                                       v1::ListCasesResponse* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = RequireClinic(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    return List(caller->id, *request, *response);
  });
}

absl::Status IntakeServiceImpl::List(const std::string& clinic_id, const v1::ListCasesRequest& request,
                                     v1::ListCasesResponse& response) {
  int page_size = request.page_size() == 0 ? 50 : request.page_size();
  if (page_size < 1 || page_size > 200) return absl::InvalidArgumentError("page_size: must be 1 to 200");
  int64_t offset = 0;
  if (!request.page_token().empty() && (!absl::SimpleAtoi(request.page_token(), &offset) || offset < 0)) {
    return absl::InvalidArgumentError("page_token: pass the next_page_token of the previous page unchanged");
  }
  // One more than the page, to know whether another follows.
  absl::StatusOr<std::vector<std::string>> ids =
      ClinicCasesNewestFirst(*deps_.redis, clinic_id, offset, page_size + 1);
  if (!ids.ok()) return ids.status();
  std::vector<std::string> page(ids->begin(), ids->begin() + std::min<size_t>(ids->size(), page_size));
  if (!page.empty()) {
    absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> records = CaseStore(deps_.redis).GetMany(page);
    if (!records.ok()) return records.status();
    for (absl::StatusOr<std::optional<v1::Case>>& record : *records) {
      if (!record.ok() && !absl::IsDataLoss(record.status())) return record.status();
      // A record that does not parse is left out of the list, as one that is gone.
      if (record.ok() && record->has_value() && (**record).clinic_id() == clinic_id) {
        *response.add_cases() = std::move(**record);
      }
    }
  }
  if (ids->size() > static_cast<size_t>(page_size)) {
    response.set_next_page_token(absl::StrCat(offset + page_size));
  }
  return absl::OkStatus();
}

grpc::ServerWriteReactor<v1::CaseEvent>* IntakeServiceImpl::WatchEvents(grpc::CallbackServerContext* context,
                                                                        const v1::WatchEventsRequest* request) {
  absl::StatusOr<Caller> caller = RequireClinic(*context);
  absl::Status status = caller.status();
  if (status.ok()) status = CheckRequestLimits(*request);
  if (status.ok() && !request->after_event_id().empty() && !IsValidEventId(request->after_event_id())) {
    status = absl::InvalidArgumentError(
        "after_event_id: pass the event_id of the last event you received, or leave it empty");
  }
  if (!status.ok()) return RefusedStream<v1::CaseEvent>(status);
  if (absl::Status opened = watches_.TryOpen(context, caller->id); !opened.ok()) {
    return RefusedStream<v1::CaseEvent>(opened);
  }
  return new WatchReactor(this, caller->id, request->after_event_id());
}

}  // namespace telederm::intake
