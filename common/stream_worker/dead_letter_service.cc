#include "common/stream_worker/dead_letter_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/caller/caller.h"
#include "common/request_limits/request_limits.h"
#include "common/case_state/timestamps.h"

namespace telederm {

v1::DeadLetter ToProto(const DeadLetter& letter) {
  v1::DeadLetter out;
  out.set_id(letter.id);
  out.set_stream(letter.source_stream);
  out.set_group(letter.group);
  out.set_entry_id(letter.entry_id);
  out.set_consumer(letter.consumer);
  out.set_error(letter.error);
  out.set_deliveries(letter.deliveries);
  *out.mutable_dead_at() = ToProtoTimestamp(letter.dead_at);
  out.set_case_id(letter.Field("case_id").value_or(""));
  for (const auto& [name, value] : letter.fields) {
    v1::DeadLetterField* field = out.add_fields();
    field->set_name(name);
    field->set_value(value);
  }
  return out;
}

DeadLetterServiceImpl::DeadLetterServiceImpl(std::shared_ptr<redis::Client> redis, std::vector<std::string> streams)
    : box_(std::move(redis)), streams_(std::move(streams)) {}

DeadLetterServiceImpl::~DeadLetterServiceImpl() { calls_.Join(); }

absl::Status DeadLetterServiceImpl::CheckStream(const std::string& stream) const {
  if (std::find(streams_.begin(), streams_.end(), stream) != streams_.end()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("stream: '", stream, "' is not one of ", absl::StrJoin(streams_, ", ")));
}

grpc::ServerUnaryReactor* DeadLetterServiceImpl::ListDeadLetters(grpc::CallbackServerContext* context,
                                                                 const v1::ListDeadLettersRequest* request,
                                                                 v1::ListDeadLettersResponse* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    if (absl::StatusOr<Caller> caller = RequireAdmin(*context); !caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    int page_size = request->page_size() == 0 ? 100 : request->page_size();
    if (page_size < 1 || page_size > 500) return absl::InvalidArgumentError("page_size: must be 1 to 500");
    std::vector<std::string> streams = streams_;
    if (!request->stream().empty()) {
      if (absl::Status s = CheckStream(request->stream()); !s.ok()) return s;
      streams = {request->stream()};
    } else if (!request->after_id().empty()) {
      return absl::InvalidArgumentError("after_id: name the stream to page through");
    }
    for (const std::string& stream : streams) {
      absl::StatusOr<std::vector<DeadLetter>> letters = box_.List(stream, request->after_id(), page_size);
      if (!letters.ok()) return letters.status();
      for (const DeadLetter& letter : *letters) *response->add_dead_letters() = ToProto(letter);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* DeadLetterServiceImpl::GetDeadLetter(grpc::CallbackServerContext* context,
                                                               const v1::GetDeadLetterRequest* request,
                                                               v1::DeadLetter* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    if (absl::StatusOr<Caller> caller = RequireAdmin(*context); !caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    if (absl::Status s = CheckStream(request->stream()); !s.ok()) return s;
    absl::StatusOr<std::optional<DeadLetter>> letter = box_.Get(request->stream(), request->id());
    if (!letter.ok()) return letter.status();
    if (!letter->has_value()) {
      return absl::NotFoundError(absl::StrCat("no dead letter ", request->id(), " in ", request->stream()));
    }
    *response = ToProto(**letter);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* DeadLetterServiceImpl::ReplayDeadLetter(grpc::CallbackServerContext* context,
                                                                  const v1::ReplayDeadLetterRequest* request,
                                                                  v1::ReplayDeadLetterResponse* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    if (absl::StatusOr<Caller> caller = RequireAdmin(*context); !caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    if (absl::Status s = CheckStream(request->stream()); !s.ok()) return s;
    absl::StatusOr<std::string> id = box_.Replay(request->stream(), request->id());
    if (!id.ok()) return id.status();
    response->set_entry_id(*id);
    return absl::OkStatus();
  });
}

}  // namespace telederm
