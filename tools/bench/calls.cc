#include "tools/bench/calls.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/case_state/timestamps.h"
#include "common/redis/stream.h"
#include "tests/e2e/api.h"
#include "tests/e2e/credentials.h"
#include "tools/bench/bare_services.h"

namespace telederm::bench {
namespace {

class UploadReactor final : public grpc::ClientWriteReactor<v1::UploadImageRequest> {
 public:
  UploadReactor(v1::IntakeService::Stub& stub, const Identity& identity, std::shared_ptr<const std::string> bytes,
                const std::string& sha256, size_t chunk_bytes, v1::ImageRef* image, Done done,
                bool bare_decode)
      : context_(ContextFor(identity, absl::Seconds(60))),
        bytes_(std::move(bytes)),
        chunk_bytes_(chunk_bytes),
        image_(image),
        done_(std::move(done)) {
    if (bare_decode) context_->AddMetadata(kBareDecodeMetadata, "1");
    stub.async()->UploadImage(context_.get(), &response_, this);
    v1::UploadImageHeader* header = request_.mutable_header();
    header->set_sha256(sha256);
    header->set_size_bytes(static_cast<int64_t>(bytes_->size()));
    header->set_content_type("image/png");
    header->set_modality(v1::MODALITY_DERMOSCOPY);
    StartWrite(&request_);
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return;  // OnDone follows with the status
    if (offset_ >= bytes_->size()) {
      StartWritesDone();
      return;
    }
    request_.set_chunk(bytes_->substr(offset_, chunk_bytes_));
    offset_ += chunk_bytes_;
    StartWrite(&request_);
  }

  void OnDone(const grpc::Status& status) override {
    if (status.ok() && image_ != nullptr) *image_ = response_.image();
    if (!status.ok() && !reported_error_.exchange(true)) {
      std::fprintf(stderr, "UploadImage: %s\n", status.error_message().c_str());
    }
    done_(status.ok());
    delete this;
  }

 private:
  static inline std::atomic<bool> reported_error_{false};
  std::unique_ptr<grpc::ClientContext> context_;
  std::shared_ptr<const std::string> bytes_;
  size_t chunk_bytes_;
  size_t offset_ = 0;
  v1::ImageRef* image_;
  Done done_;
  v1::UploadImageRequest request_;
  v1::UploadImageResponse response_;
};

// The first error of each kind goes to stderr, so a failing run says why.
void ReportFirstError(const char* method, const grpc::Status& status) {
  static std::atomic<int> reported{0};
  if (!status.ok() && reported.fetch_add(1) < 5) {
    std::fprintf(stderr, "%s: %d %s\n", method, status.error_code(), status.error_message().c_str());
  }
}

}  // namespace

std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& address, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    args.SetInt("telederm.bench.channel", i);
    args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
    channels.push_back(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

// Longer than any run (every loop stops at its time limit).
constexpr absl::Duration kTokenLifetime = absl::Hours(6);

Identity Clinic(const std::string& clinic_id) {
  return Identity{false, clinic_id, "",
                  testing::TestToken(auth::Role::kClinic, absl::StrCat("device-of-", clinic_id), clinic_id,
                                     kTokenLifetime)};
}

Identity Specialist(const std::string& specialist_id, const std::string& pool) {
  return Identity{true, specialist_id, pool,
                  testing::TestToken(auth::Role::kSpecialist, specialist_id, pool, kTokenLifetime)};
}

std::unique_ptr<grpc::ClientContext> ContextFor(const Identity& identity, absl::Duration deadline) {
  return testing::WithToken(identity.token, deadline);
}

void StartSubmit(v1::IntakeService::Stub& stub, const Identity& identity, v1::SubmitCaseRequest request,
                 std::string* case_id, Done done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::SubmitCaseRequest request;
    v1::SubmitCaseResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context = ContextFor(identity, absl::Seconds(30));
  call->request = std::move(request);
  stub.async()->SubmitCase(call->context.get(), &call->request, &call->response,
                           [call, case_id, done = std::move(done)](grpc::Status status) {
                             ReportFirstError("SubmitCase", status);
                             if (status.ok() && case_id != nullptr) *case_id = call->response.case_id();
                             done(status.ok());
                           });
}

void StartUpload(v1::IntakeService::Stub& stub, const Identity& identity, std::shared_ptr<const std::string> bytes,
                 const std::string& sha256, size_t chunk_bytes, v1::ImageRef* image, Done done, bool bare_decode) {
  new UploadReactor(stub, identity, std::move(bytes), sha256, chunk_bytes, image, std::move(done), bare_decode);
}

void StartClaimNext(v1::ReferralService::Stub& stub, const Identity& identity, const std::string& pool, Done done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::ClaimNextRequest request;
    v1::ClaimNextResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context = ContextFor(identity, absl::Seconds(30));
  call->request.set_pool(pool);
  stub.async()->ClaimNext(call->context.get(), &call->request, &call->response,
                          [call, done = std::move(done)](grpc::Status status) {
                            ReportFirstError("ClaimNext", status);
                            done(status.ok());
                          });
}

void StartListQueue(v1::ReferralService::Stub& stub, const Identity& identity, const std::string& pool,
                    int page_size, Done done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::ListQueueRequest request;
    v1::ListQueueResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context = ContextFor(identity, absl::Seconds(30));
  call->request.set_pool(pool);
  call->request.set_page_size(page_size);
  stub.async()->ListQueue(call->context.get(), &call->request, &call->response,
                          [call, done = std::move(done)](grpc::Status status) {
                            ReportFirstError("ListQueue", status);
                            done(status.ok() && call->response.entries_size() > 0);
                          });
}

namespace {

// When the case of a QUEUED event was in the specialist queue at the latest.
// The event's id is the stream id Redis gave its XADD ("<ms>-<seq>", Redis's
// clock, same host), and referral appends the event only after the pipeline
// that wrote the case's queue entry has been answered. The id is truncated to
// the millisecond, so 1 ms is added: the bound is never early. (The event's
// `at` is earlier still: referral takes it before storing the case.)
absl::Time InQueueBy(const v1::CaseEvent& event) {
  std::optional<std::pair<uint64_t, uint64_t>> id = redis::ParseStreamId(event.event_id());
  if (!id) return FromProtoTimestamp(event.at());
  return absl::FromUnixMillis(static_cast<int64_t>(id->first)) + absl::Milliseconds(1);
}

}  // namespace

class QueuedWatcher::Reactor final : public grpc::ClientReadReactor<v1::CaseEvent> {
 public:
  Reactor(v1::IntakeService::Stub& stub, const Identity& identity, absl::Duration deadline)
      : context_(ContextFor(identity, deadline)) {
    stub.async()->WatchEvents(context_.get(), &request_, this);
    StartRead(&event_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (event_.type() == v1::EVENT_TYPE_QUEUED) {
      const absl::Time now = absl::Now();
      const absl::Time in_queue_by = InQueueBy(event_);
      absl::MutexLock lock(&mu_);
      queued_.try_emplace(event_.case_id(), std::make_pair(now, in_queue_by));
    }
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& status) override {
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) ReportFirstError("WatchEvents", status);
    done_.Notify();
  }
  void Cancel() {
    context_->TryCancel();
    done_.WaitForNotificationWithTimeout(absl::Seconds(10));
  }
  bool Done() const { return done_.HasBeenNotified(); }

  absl::Mutex mu_;
  // case id -> (arrival here, in the queue by: InQueueBy)
  absl::flat_hash_map<std::string, std::pair<absl::Time, absl::Time>> queued_ ABSL_GUARDED_BY(mu_);

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  v1::WatchEventsRequest request_;
  v1::CaseEvent event_;
  absl::Notification done_;
};

QueuedWatcher::QueuedWatcher(v1::IntakeService::Stub& stub, const Identity& identity, absl::Duration deadline)
    : reactor_(new Reactor(stub, identity, deadline)) {}

QueuedWatcher::~QueuedWatcher() {
  reactor_->Cancel();
  if (reactor_->Done()) delete reactor_;  // else leaked: gRPC may still call it
}

bool QueuedWatcher::QueuedAt(const std::string& case_id, absl::Time* at, absl::Time* in_queue_by) {
  absl::MutexLock lock(&reactor_->mu_);
  auto it = reactor_->queued_.find(case_id);
  if (it == reactor_->queued_.end()) return false;
  *at = it->second.first;
  if (in_queue_by != nullptr) *in_queue_by = it->second.second;
  return true;
}

int64_t QueuedWatcher::queued() {
  absl::MutexLock lock(&reactor_->mu_);
  return static_cast<int64_t>(reactor_->queued_.size());
}

}  // namespace telederm::bench
