#include "services/intake/clinic_consult.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/access/case_access.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "common/redis/stream.h"

namespace telederm::intake {
namespace {

constexpr size_t kMaxMessageCharacters = 4000;
constexpr int kMaxAttachments = 8;
constexpr int kMaxImagesPerCase = 16;

size_t CountCodePoints(absl::string_view text) {
  size_t count = 0;
  for (unsigned char byte : text) count += (byte & 0xC0) != 0x80;
  return count;
}

// The last change moved the case out of needs_info on this clinic's answer.
bool JustAnswered(const v1::Case& c, const std::string& clinic_id) {
  if (c.history_size() == 0) return false;
  const v1::StatusChange& last = c.history(c.history_size() - 1);
  return last.from() == v1::CASE_STATUS_NEEDS_INFO && last.actor() == clinic_id;
}

}  // namespace

ClinicConsult::ClinicConsult(std::shared_ptr<redis::Client> redis, BlobStorePtr blobs, ClockPtr clock,
                             absl::Duration image_retention)
    : redis_(redis), blobs_(std::move(blobs)), clock_(std::move(clock)), cases_(redis), events_(redis),
      thread_(redis), images_(redis, clock_, image_retention) {}

absl::StatusOr<v1::Case> ClinicConsult::OwnCase(const std::string& clinic_id, const std::string& case_id) {
  return CaseAccess(redis_).ReadCase(Reader{.role = Caller::Role::kClinic, .id = clinic_id}, case_id, CaseRead::kThread);
}

absl::Status ClinicConsult::HandOn(const v1::Case& c) {
  const char* stream = c.status() == v1::CASE_STATUS_SCREENING ? keys::kIntakeStream : keys::kTriagedStream;
  return redis::StreamAppend(*redis_, stream, {{"case_id", c.case_id()}}).status();
}

absl::StatusOr<v1::ClinicMessageResponse> ClinicConsult::SendMessage(const std::string& clinic_id,
                                                                     const v1::ClinicMessageRequest& request) {
  if (CountCodePoints(request.text()) > kMaxMessageCharacters) {
    return absl::InvalidArgumentError(absl::StrCat("text: at most ", kMaxMessageCharacters, " characters"));
  }
  if (absl::StripAsciiWhitespace(request.text()).empty() && request.attachments().empty()) {
    return absl::InvalidArgumentError("text: write a message or attach an image");
  }
  if (request.attachments_size() > kMaxAttachments) {
    return absl::InvalidArgumentError(absl::StrCat("attachments: at most ", kMaxAttachments, " per message"));
  }
  absl::StatusOr<v1::Case> current = OwnCase(clinic_id, request.case_id());
  if (!current.ok()) return current.status();
  if (current->status() == v1::CASE_STATUS_CLOSED) {
    return absl::FailedPreconditionError(absl::StrCat("case ", request.case_id(),
                                                      " is closed; submit a new case for a new question"));
  }
  const absl::Time now = clock_->Now();
  v1::Message message;
  message.set_case_id(request.case_id());
  message.set_author_id(clinic_id);
  message.set_author_role(v1::ROLE_CLINIC);
  message.set_text(request.text());
  *message.mutable_sent_at() = ToProtoTimestamp(now);
  for (int i = 0; i < request.attachments_size(); ++i) {
    v1::ImageRef image = request.attachments(i);
    if (!IsValidSha256Hex(image.sha256())) {
      return absl::InvalidArgumentError(absl::StrCat("attachments[", i, "].sha256: 64 lower-case hex characters"));
    }
    if (image.modality() == v1::MODALITY_UNSPECIFIED || !v1::Modality_IsValid(image.modality())) {
      return absl::InvalidArgumentError(absl::StrCat("attachments[", i, "].modality: say what the image is"));
    }
    *message.add_attachments() = std::move(image);
  }
  // Uploaded by this clinic (and so through the quality gate) before it can be attached.
  if (absl::Status s = images_.SetSizesOfOwnImages(*blobs_, clinic_id, "attachments", *message.mutable_attachments());
      !s.ok()) {
    return s;
  }

  bool answered = false;
  absl::StatusOr<v1::Case> stored = cases_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    answered = false;
    if (c.status() != v1::CASE_STATUS_NEEDS_INFO) return false;
    if (message.attachments_size() > 0) {
      if (c.submission().images_size() + message.attachments_size() > kMaxImagesPerCase) {
        return absl::InvalidArgumentError(absl::StrCat("attachments: a case holds at most ", kMaxImagesPerCase,
                                                       " images and this one has ", c.submission().images_size()));
      }
      for (const v1::ImageRef& image : message.attachments()) *c.mutable_submission()->add_images() = image;
      if (c.has_triage()) *c.add_earlier_triage() = c.triage();
      c.clear_triage();
      if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_SCREENING, now, clinic_id, "answered with new images");
          !s.ok()) {
        return s;
      }
    } else if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, clinic_id, "answered"); !s.ok()) {
      return s;
    }
    // Referral restarts the clock and places the case (ResumeAfterAnswer):
    // info_requested_at stays until it has.
    answered = true;
    return true;
  });
  if (!stored.ok()) return stored.status();
  message.set_info_answer(answered);

  // The record first, then the hand-over, then the thread and the events. A
  // retry of the same message after a crash in between finds the case just
  // answered and hands it on again (both consumers are idempotent).
  if (answered || JustAnswered(*stored, clinic_id)) {
    if (stored->status() == v1::CASE_STATUS_SCREENING || stored->status() == v1::CASE_STATUS_QUEUED) {
      if (absl::Status s = HandOn(*stored); !s.ok()) return s;
    }
  }
  absl::StatusOr<v1::Message> appended = thread_.Append(message);
  if (!appended.ok()) return appended.status();
  v1::CaseEvent event = MakeCaseEvent(*stored, v1::EVENT_TYPE_MESSAGE, now);
  *event.mutable_message() = *appended;
  if (absl::StatusOr<std::string> id = events_.Append(event, now); !id.ok()) return id.status();
  if (answered) {
    LogInfo(absl::StrCat("case ", stored->case_id(), " answered by clinic ", clinic_id, "; now ",
                         StatusName(stored->status())));
  }
  v1::ClinicMessageResponse response;
  *response.mutable_message() = *std::move(appended);
  response.set_status(stored->status());
  return response;
}

absl::StatusOr<v1::ListMessagesResponse> ClinicConsult::ListMessages(const std::string& clinic_id,
                                                                     const v1::ListMessagesRequest& request) {
  absl::StatusOr<v1::Case> c = OwnCase(clinic_id, request.case_id());
  if (!c.ok()) return c.status();
  absl::StatusOr<std::vector<v1::Message>> messages = thread_.List(request.case_id());
  if (!messages.ok()) return messages.status();
  v1::ListMessagesResponse response;
  for (v1::Message& m : *messages) *response.add_messages() = std::move(m);
  return response;
}

absl::Status ClinicConsult::MarkRead(const std::string& clinic_id, const v1::MarkReadRequest& request) {
  absl::StatusOr<v1::Case> c = OwnCase(clinic_id, request.case_id());
  if (!c.ok()) return c.status();
  return thread_.MarkRead(request.case_id(), v1::ROLE_CLINIC, request.message_id(), clock_->Now());
}

absl::StatusOr<v1::AcknowledgeReportResponse> ClinicConsult::AcknowledgeReport(
    const std::string& clinic_id, const v1::AcknowledgeReportRequest& request) {
  absl::StatusOr<v1::Case> c = OwnCase(clinic_id, request.case_id());
  if (!c.ok()) return c.status();
  const absl::Time now = clock_->Now();
  bool closed_now = false;
  absl::StatusOr<v1::Case> stored = cases_.Update(request.case_id(), [&](v1::Case& record) -> absl::StatusOr<bool> {
    closed_now = false;
    if (record.status() == v1::CASE_STATUS_CLOSED) return false;  // a retry
    if (record.status() != v1::CASE_STATUS_REPORTED) {
      return absl::FailedPreconditionError(absl::StrCat("case ", record.case_id(), " is ",
                                                        StatusName(record.status()),
                                                        "; only a reported case can be acknowledged"));
    }
    if (absl::Status s = TransitionCase(record, v1::CASE_STATUS_CLOSED, now, clinic_id, "report acknowledged");
        !s.ok()) {
      return s;
    }
    closed_now = true;
    return true;
  });
  if (!stored.ok()) return stored.status();
  if (closed_now || stored->status() == v1::CASE_STATUS_CLOSED) {
    // At least once: a retry after a lost response sends the event again.
    if (absl::StatusOr<std::string> id = events_.Append(MakeCaseEvent(*stored, v1::EVENT_TYPE_CLOSED, now), now);
        !id.ok()) {
      return id.status();
    }
  }
  v1::AcknowledgeReportResponse response;
  *response.mutable_case_() = *std::move(stored);
  return response;
}

}  // namespace telederm::intake
