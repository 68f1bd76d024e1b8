#include "tools/bench/bare_services.h"

#include <algorithm>
#include <iostream>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/imaging/quality.h"
#include "common/server/call_queue.h"
#include "common/server/grpc_server.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "tools/bench/sample_case.h"

namespace telederm::bench {
namespace {

// The same numbers as IntakeOptions and ReferralServiceImpl's defaults.
constexpr int kRpcThreads = 8;
constexpr int kMaxQueuedCalls = 256;

class BareUpload final : public grpc::ServerReadReactor<v1::UploadImageRequest> {
 public:
  BareUpload(boost::asio::thread_pool& pool, v1::UploadImageResponse* response, bool decode)
      : pool_(pool), response_(response), decode_(decode) {
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    boost::asio::post(pool_, [this, ok] {
      if (ok) {
        if (request_.has_header()) {
          sha256_ = request_.header().sha256();
          if (decode_) image_.reserve(static_cast<size_t>(std::max<int64_t>(0, request_.header().size_bytes())));
        }
        bytes_ += static_cast<int64_t>(request_.chunk().size());
        if (decode_) image_.append(request_.chunk());
        StartRead(&request_);
        return;
      }
      if (decode_) {
        absl::StatusOr<imaging::WorkingImage> decoded = imaging::DecodeWorkingImage(image_);
        if (!decoded.ok()) {
          Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(decoded.status().message())));
          return;
        }
      }
      response_->mutable_image()->set_sha256(sha256_);
      response_->mutable_image()->set_size_bytes(bytes_);
      response_->set_upload_id(std::string(26, 'u'));
      Finish(grpc::Status::OK);
    });
  }
  void OnDone() override { delete this; }

 private:
  boost::asio::thread_pool& pool_;
  v1::UploadImageResponse* response_;
  v1::UploadImageRequest request_;
  const bool decode_;
  std::string sha256_;
  std::string image_;  // the bytes, when decode_
  int64_t bytes_ = 0;
};

class BareIntake final : public v1::IntakeService::CallbackService {
 public:
  grpc::ServerUnaryReactor* SubmitCase(grpc::CallbackServerContext* context, const v1::SubmitCaseRequest*,
                                       v1::SubmitCaseResponse* response) override {
    return RunQueued(context, calls_, [response] {
      response->set_case_id("c-20261126-0000000000000000");
      response->set_status(v1::CASE_STATUS_RECEIVED);
      return absl::OkStatus();
    });
  }
  grpc::ServerReadReactor<v1::UploadImageRequest>* UploadImage(grpc::CallbackServerContext* context,
                                                               v1::UploadImageResponse* response) override {
    const bool decode = context->client_metadata().count(kBareDecodeMetadata) > 0;
    return new BareUpload(calls_.pool(), response, decode);
  }

 private:
  CallQueue calls_{kRpcThreads, kMaxQueuedCalls};
};

class BareReferral final : public v1::ReferralService::CallbackService {
 public:
  BareReferral() {
    const absl::Time now = absl::Now();
    v1::Case c = SampleQueuedCase("c-20261126-0000000000000000", "bench-clinic-0", kBenchPool, now, now + absl::Hours(24));
    c.set_status(v1::CASE_STATUS_CLAIMED);
    v1::Claim* claim = c.mutable_claim();
    claim->set_specialist_id("bench-specialist-0");
    claim->set_pool(kBenchPool);
    claim->set_fencing_token(1);
    *claim_.mutable_claim() = *claim;
    *claim_.mutable_case_() = c;
    for (int i = 0; i < 500; ++i) {
      v1::QueueEntry* entry = page_.add_entries();
      entry->set_case_id(absl::StrCat("c-20261126-", 1000000000000000 + i));
      entry->set_clinic_id("bench-clinic-0");
      entry->set_pool(kBenchPool);
      entry->set_urgency(v1::URGENCY_URGENT);
      *entry->mutable_received_at() = c.received_at();
      *entry->mutable_due_at() = c.due_at();
      entry->set_case_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    }
  }
  grpc::ServerUnaryReactor* ClaimNext(grpc::CallbackServerContext* context, const v1::ClaimNextRequest*,
                                      v1::ClaimNextResponse* response) override {
    return RunQueued(context, calls_, [this, response] {
      *response = claim_;
      return absl::OkStatus();
    });
  }
  grpc::ServerUnaryReactor* ListQueue(grpc::CallbackServerContext* context, const v1::ListQueueRequest* request,
                                      v1::ListQueueResponse* response) override {
    return RunQueued(context, calls_, [this, request, response] {
      const int n = request->page_size() == 0 ? 50 : std::min(request->page_size(), 500);
      response->mutable_entries()->CopyFrom(page_.entries());
      response->mutable_entries()->DeleteSubrange(n, page_.entries_size() - n);
      response->set_next_page_token(absl::StrCat("o:", n));
      return absl::OkStatus();
    });
  }

 private:
  v1::ClaimNextResponse claim_;
  v1::ListQueueResponse page_;
  CallQueue calls_{kRpcThreads, kMaxQueuedCalls};
};

}  // namespace

int ServeBare(const std::string& listen) {
  BareIntake intake;
  BareReferral referral;
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(listen, {&intake, &referral});
  if (!server.ok()) {
    std::cerr << "telederm-bench --serve_bare: " << server.status() << "\n";
    return 1;
  }
  (*server)->SetServing(true);
  std::cout << "bare services listening on port " << (*server)->port() << std::endl;
  WaitForTerminationSignal();
  (*server)->Shutdown(absl::Seconds(2));
  return 0;
}

}  // namespace telederm::bench
