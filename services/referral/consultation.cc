#include "services/referral/consultation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "services/referral/claim_rules.h"
#include "services/referral/report_rules.h"

namespace telederm::referral {
namespace {

constexpr size_t kMaxMessageCharacters = 4000;
constexpr size_t kMaxNoteCharacters = 2000;
constexpr int kMaxAttachments = 8;

absl::Status CheckText(absl::string_view field, absl::string_view text, size_t min, size_t max) {
  const size_t length = CountCodePoints(text);
  if (length > max || (min > 0 && absl::StripAsciiWhitespace(text).empty())) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be ", min, "..", max, " characters, got ", length));
  }
  return absl::OkStatus();
}

bool LastChangeIs(const v1::Case& c, v1::CaseStatus to, absl::string_view actor) {
  if (c.history_size() == 0) return false;
  const v1::StatusChange& last = c.history(c.history_size() - 1);
  return last.to() == to && last.actor() == actor;
}

v1::Message SpecialistMessage(const v1::Case& c, const Reader& staff, const std::string& text, absl::Time now) {
  v1::Message message;
  message.set_case_id(c.case_id());
  message.set_author_id(staff.id);
  message.set_author_role(v1::ROLE_SPECIALIST);
  message.set_text(text);
  *message.mutable_sent_at() = ToProtoTimestamp(now);
  return message;
}

}  // namespace

Consultation::Consultation(std::shared_ptr<redis::Client> redis, ClockPtr clock, Icd10TablePtr codes,
                           std::shared_ptr<CaseAccess> access, std::shared_ptr<ProfileDirectory> directory)
    : clock_(std::move(clock)),
      codes_(std::move(codes)),
      access_(std::move(access)),
      directory_(std::move(directory)),
      store_(redis),
      screening_(redis),
      events_(redis),
      index_(redis),
      queue_events_(redis),
      thread_(redis) {}

absl::StatusOr<v1::RequestInfoResponse> Consultation::RequestInfo(const Reader& staff,
                                                                  const v1::RequestInfoRequest& request) {
  if (absl::Status s = CheckClaimReference(request.case_id(), request.fencing_token()); !s.ok()) return s;
  if (absl::Status s = CheckText("text", request.text(), 1, kMaxMessageCharacters); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  std::string pool;
  bool retry = false;
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    retry = c.status() == v1::CASE_STATUS_NEEDS_INFO && LastChangeIs(c, v1::CASE_STATUS_NEEDS_INFO, staff.id);
    if (retry) return false;  // a retry after a lost response
    if (absl::Status s = CheckHolder(c, staff.id, request.fencing_token(), now); !s.ok()) return s;
    pool = c.claim().pool();
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_NEEDS_INFO, now, staff.id, "question to the clinic");
        !s.ok()) {
      return s;
    }
    *c.mutable_info_requested_at() = ToProtoTimestamp(now);
    c.clear_claim();
    return true;
  });
  if (!stored.ok()) return stored.status();

  v1::RequestInfoResponse response;
  if (retry) {
    // Only append the question if the first attempt did not get that far.
    absl::StatusOr<std::vector<v1::Message>> messages = thread_.List(stored->case_id());
    if (!messages.ok()) return messages.status();
    for (const v1::Message& m : *messages) {
      if (m.info_request() && m.author_id() == staff.id &&
          FromProtoTimestamp(m.sent_at()) >= FromProtoTimestamp(stored->info_requested_at())) {
        *response.mutable_message() = m;
      }
    }
  } else if (absl::StatusOr<bool> ended = index_.EndClaim(pool, stored->case_id(), request.fencing_token(),
                                                          std::nullopt);
             !ended.ok()) {
    // The reaper drops the index claim once its lease lapses (the record is not CLAIMED).
    LogWarning(absl::StrCat("case ", stored->case_id(), ": claim index not cleared: ", ended.status().ToString()));
  } else {
    queue_events_.AppendOrLog(MakeQueueEvent(*stored, pool, v1::QUEUE_EVENT_TYPE_LEFT, staff.id, now));
  }
  if (!response.has_message()) {
    v1::Message question = SpecialistMessage(*stored, staff, request.text(), now);
    question.set_info_request(true);
    absl::StatusOr<v1::Message> appended = thread_.Append(question);
    if (!appended.ok()) return appended.status();  // a retry appends it
    *response.mutable_message() = *std::move(appended);
    v1::CaseEvent event = MakeCaseEvent(*stored, v1::EVENT_TYPE_INFO_REQUESTED, now);
    *event.mutable_message() = response.message();
    if (absl::StatusOr<std::string> id = events_.Append(event, now); !id.ok()) return id.status();
  }
  *response.mutable_case_() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::SpecialistMessageResponse> Consultation::SendMessage(
    const Reader& staff, const v1::SpecialistMessageRequest& request) {
  if (absl::Status s = CheckClaimReference(request.case_id(), request.fencing_token()); !s.ok()) return s;
  if (absl::Status s = CheckText("text", request.text(), 0, kMaxMessageCharacters); !s.ok()) return s;
  if (absl::StripAsciiWhitespace(request.text()).empty() && request.attachments().empty()) {
    return absl::InvalidArgumentError("text: write a message or attach an image");
  }
  if (request.attachments_size() > kMaxAttachments) {
    return absl::InvalidArgumentError(absl::StrCat("attachments: at most ", kMaxAttachments, " per message"));
  }
  absl::StatusOr<v1::Case> c = access_->ReadCase(staff, request.case_id(), CaseRead::kThread);
  if (!c.ok()) return c.status();
  const absl::Time now = clock_->Now();
  if (absl::Status s = CheckHolder(*c, staff.id, request.fencing_token(), now); !s.ok()) return s;
  v1::Message message = SpecialistMessage(*c, staff, request.text(), now);
  // Specialists cannot upload; they may point at the case's own images.
  for (int i = 0; i < request.attachments_size(); ++i) {
    const v1::ImageRef* found = nullptr;
    for (const v1::ImageRef& image : c->submission().images()) {
      if (image.sha256() == request.attachments(i).sha256()) found = &image;
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("attachments[", i, "]: not an image of case ",
                                                     request.case_id(), "; specialists can attach the case's images"));
    }
    *message.add_attachments() = *found;
  }
  absl::StatusOr<v1::Message> appended = thread_.Append(message);
  if (!appended.ok()) return appended.status();
  v1::CaseEvent event = MakeCaseEvent(*c, v1::EVENT_TYPE_MESSAGE, now);
  *event.mutable_message() = *appended;
  if (absl::StatusOr<std::string> id = events_.Append(event, now); !id.ok()) return id.status();
  v1::SpecialistMessageResponse response;
  *response.mutable_message() = *std::move(appended);
  return response;
}

absl::StatusOr<v1::ListMessagesResponse> Consultation::ListMessages(const Reader& staff,
                                                                    const v1::ListMessagesRequest& request) {
  absl::StatusOr<v1::Case> c = access_->ReadCase(staff, request.case_id(), CaseRead::kThread);
  if (!c.ok()) return c.status();
  absl::StatusOr<std::vector<v1::Message>> messages = thread_.List(request.case_id());
  if (!messages.ok()) return messages.status();
  v1::ListMessagesResponse response;
  for (v1::Message& m : *messages) *response.add_messages() = std::move(m);
  return response;
}

absl::Status Consultation::MarkRead(const Reader& staff, const v1::MarkReadRequest& request) {
  absl::StatusOr<v1::Case> c = access_->ReadCase(staff, request.case_id(), CaseRead::kThread);
  if (!c.ok()) return c.status();
  return thread_.MarkRead(request.case_id(), v1::ROLE_SPECIALIST, request.message_id(), clock_->Now());
}

absl::StatusOr<v1::SaveDraftResponse> Consultation::SaveDraft(const Reader& staff,
                                                              const v1::SaveDraftRequest& request) {
  if (absl::Status s = CheckClaimReference(request.case_id(), request.fencing_token()); !s.ok()) return s;
  const v1::Report& draft = request.draft();
  if (absl::Status s = CheckText("draft.diagnosis_text", draft.diagnosis_text(), 0, 2000); !s.ok()) return s;
  if (absl::Status s = CheckText("draft.follow_up", draft.follow_up(), 0, 2000); !s.ok()) return s;
  if (absl::Status s = CheckText("draft.free_text", draft.free_text(), 0, 4000); !s.ok()) return s;
  if (draft.icd10_code().size() > 8) return absl::InvalidArgumentError("draft.icd10_code: at most 8 characters");
  const absl::Time now = clock_->Now();
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    if (absl::Status s = CheckHolder(c, staff.id, request.fencing_token(), now); !s.ok()) return s;
    *c.mutable_draft() = draft;
    c.mutable_draft()->set_specialist_id(staff.id);
    *c.mutable_draft()->mutable_reported_at() = ToProtoTimestamp(now);  // when it was saved
    c.mutable_draft()->clear_biopsy();
    return true;
  });
  if (!stored.ok()) return stored.status();
  v1::SaveDraftResponse response;
  *response.mutable_case_() = *std::move(stored);
  return response;
}

absl::StatusOr<std::string> Consultation::TargetPool(const std::string& pool, const std::string& specialist_id) {
  if (pool.empty() == specialist_id.empty()) {
    return absl::InvalidArgumentError("pool, specialist_id: give exactly one: a pool or a colleague's id");
  }
  if (!pool.empty()) {
    if (!IsValidPoolName(pool)) return absl::InvalidArgumentError(absl::StrCat("pool: '", pool, "' is not a pool name"));
    return pool;
  }
  absl::StatusOr<std::optional<v1::SpecialistProfile>> profile = directory_->GetSpecialist(specialist_id);
  if (!profile.ok()) return profile.status();
  if (!profile->has_value()) {
    return absl::NotFoundError(absl::StrCat("specialist_id: no specialist '", specialist_id, "' is registered"));
  }
  return DirectPool(specialist_id);
}

absl::Status Consultation::MoveInIndex(const v1::Case& c, const std::string& from, int64_t token,
                                       const std::string& actor, absl::Time now) {
  if (token > 0) {
    if (absl::StatusOr<bool> ended = index_.EndClaim(from, c.case_id(), token, std::nullopt); !ended.ok()) {
      return ended.status();
    }
  } else if (absl::Status s = index_.Dequeue(from, c.case_id()); !s.ok()) {
    return s;
  }
  queue_events_.AppendOrLog(MakeQueueEvent(c, from, v1::QUEUE_EVENT_TYPE_LEFT, actor, now));
  absl::StatusOr<bool> added = index_.Enqueue(c);
  if (!added.ok()) return added.status();
  queue_events_.AppendOrLog(MakeQueueEvent(c, c.pool(), v1::QUEUE_EVENT_TYPE_QUEUED, actor, now));
  return absl::OkStatus();
}

absl::StatusOr<v1::SecondOpinionResponse> Consultation::RequestSecondOpinion(
    const Reader& staff, const v1::SecondOpinionRequest& request) {
  if (absl::Status s = CheckClaimReference(request.case_id(), request.fencing_token()); !s.ok()) return s;
  if (absl::Status s = CheckText("note", request.note(), 1, kMaxNoteCharacters); !s.ok()) return s;
  if (request.specialist_id() == staff.id) {
    return absl::InvalidArgumentError("specialist_id: ask a colleague, not yourself");
  }
  absl::StatusOr<std::string> target = TargetPool(request.pool(), request.specialist_id());
  if (!target.ok()) return target.status();
  const absl::Time now = clock_->Now();
  std::string from;
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    if (absl::Status s = CheckHolder(c, staff.id, request.fencing_token(), now); !s.ok()) return s;
    from = c.claim().pool();
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, staff.id,
                                        absl::StrCat("second opinion asked of ", *target));
        !s.ok()) {
      return s;
    }
    v1::SecondOpinion* opinion = c.add_second_opinions();
    opinion->set_requested_by(staff.id);
    opinion->set_pool(*target);
    opinion->set_specialist_id(request.specialist_id());
    opinion->set_note(request.note());
    *opinion->mutable_requested_at() = ToProtoTimestamp(now);
    c.set_pool(*target);
    c.clear_claim();
    return true;
  });
  if (!stored.ok()) return stored.status();
  if (absl::Status s = MoveInIndex(*stored, from, request.fencing_token(), staff.id, now); !s.ok()) return s;
  v1::Message note = SpecialistMessage(*stored, staff, absl::StrCat("Second opinion requested: ", request.note()), now);
  note.set_author_role(v1::ROLE_SYSTEM);
  if (absl::StatusOr<v1::Message> appended = thread_.Append(note); !appended.ok()) {
    LogWarning(absl::StrCat("case ", stored->case_id(), ": second-opinion note not in the thread: ",
                            appended.status().ToString()));
  }
  v1::SecondOpinionResponse response;
  *response.mutable_case_() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::ReassignResponse> Consultation::Reassign(const Reader& staff, const v1::ReassignRequest& request) {
  if (absl::Status s = CheckCaseId(request.case_id()); !s.ok()) return s;
  if (absl::Status s = CheckText("note", request.note(), 0, kMaxNoteCharacters); !s.ok()) return s;
  absl::StatusOr<std::string> target = TargetPool(request.pool(), request.specialist_id());
  if (!target.ok()) return target.status();
  // A case the caller may not see is answered as missing; one they see but
  // do not supervise is refused.
  absl::StatusOr<v1::Case> before = access_->ReadCase(staff, request.case_id(), CaseRead::kRecord);
  if (!before.ok()) return before.status();
  if (absl::Status s = CheckSupervises(staff, before->pool()); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  std::string from;
  int64_t token = 0;
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    if (c.pool() != before->pool()) return absl::AbortedError("the case moved meanwhile; look again");
    from = c.pool();
    token = 0;
    if (from == *target) {
      return absl::FailedPreconditionError(absl::StrCat("case ", c.case_id(), " is already in pool ", from));
    }
    const std::string note = absl::StrCat("reassigned from ", from, " to ", *target, " by ", staff.id,
                                          request.note().empty() ? "" : ": ", request.note());
    if (c.status() == v1::CASE_STATUS_CLAIMED) {
      token = c.claim().fencing_token();
      if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, staff.id, note); !s.ok()) return s;
      c.clear_claim();
    } else if (c.status() != v1::CASE_STATUS_QUEUED) {
      return absl::FailedPreconditionError(absl::StrCat("case ", c.case_id(), " is ", StatusName(c.status()),
                                                        "; only a queued or claimed case can be reassigned"));
    }
    c.set_pool(*target);
    return true;
  });
  if (!stored.ok()) return stored.status();
  LogInfo(absl::StrCat("case ", stored->case_id(), " reassigned from ", from, " to ", *target, " by ", staff.id));
  if (absl::Status s = MoveInIndex(*stored, from, token, staff.id, now); !s.ok()) return s;
  v1::ReassignResponse response;
  *response.mutable_case_() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::RecordBiopsyOutcomeResponse> Consultation::RecordBiopsyOutcome(
    const Reader& staff, const v1::RecordBiopsyOutcomeRequest& request) {
  if (absl::Status s = CheckCaseId(request.case_id()); !s.ok()) return s;
  if (absl::Status s = ValidateBiopsyOutcome(request.outcome(), *codes_); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    if (absl::Status s = CheckCaseAccess(staff, c, CaseRead::kRecord); !s.ok()) return s;
    if (c.status() != v1::CASE_STATUS_REPORTED && c.status() != v1::CASE_STATUS_CLOSED) {
      return absl::FailedPreconditionError(absl::StrCat("case ", c.case_id(), " is ", StatusName(c.status()),
                                                        "; a biopsy outcome belongs to a reported case"));
    }
    if (c.report().specialist_id() != staff.id && !staff.Supervises(c.pool())) {
      return absl::PermissionDeniedError(
          absl::StrCat("only ", c.report().specialist_id(), ", who signed the report, or a supervisor of pool ",
                       c.pool(), " may record its biopsy outcome"));
    }
    v1::BiopsyOutcome* outcome = c.mutable_report()->mutable_biopsy();
    *outcome = request.outcome();
    outcome->set_recorded_by(staff.id);
    *outcome->mutable_recorded_at() = ToProtoTimestamp(now);
    return true;
  });
  if (!stored.ok()) return stored.status();
  // The record first, then its count: a retry of a call that failed here counts it.
  if (absl::Status s = screening_.CountOutcome(*stored); !s.ok()) return s;
  v1::CaseEvent event = MakeCaseEvent(*stored, v1::EVENT_TYPE_BIOPSY_RECORDED, now);
  *event.mutable_report() = stored->report();
  if (absl::StatusOr<std::string> id = events_.Append(event, now); !id.ok()) return id.status();
  v1::RecordBiopsyOutcomeResponse response;
  *response.mutable_case_() = *std::move(stored);
  return response;
}

}  // namespace telederm::referral
