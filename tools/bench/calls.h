#ifndef TELEDERM_TOOLS_BENCH_CALLS_H_
#define TELEDERM_TOOLS_BENCH_CALLS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "tools/bench/driver.h"

// Asynchronous (callback API) calls for the bench: each starts at once and
// reports through a Done callback; none blocks the caller.
namespace telederm::bench {

// `count` channels to `address`, each its own TCP connection, so that many
// concurrent calls are not serialised on one HTTP/2 connection.
std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& address, int count);

// Who a call is made as: a clinic, or a specialist of one pool, with one
// bearer token for all its calls, as a real device keeps its token (minted as
// tests/e2e's AsClinic and AsSpecialist mint theirs, with the keys every
// Stack's services verify). A fresh token per call would cost each call a
// signature here and a full verification in the service, which no device
// causes.
struct Identity {
  bool specialist = false;
  std::string id;
  std::string pool;
  std::string token;
};
Identity Clinic(const std::string& clinic_id);
Identity Specialist(const std::string& specialist_id, const std::string& pool);
std::unique_ptr<grpc::ClientContext> ContextFor(const Identity& identity, absl::Duration deadline);

// SubmitCase; `case_id` (may be null) receives the new case's id before `done` runs.
void StartSubmit(v1::IntakeService::Stub& stub, const Identity& identity, v1::SubmitCaseRequest request,
                 std::string* case_id, Done done);

// UploadImage of `bytes` (header, then `chunk_bytes` pieces); `image` (may be
// null) receives the stored reference before `done` runs. `bare_decode` asks
// the bare server for its stream-plus-decode ceiling (bare_services.h).
void StartUpload(v1::IntakeService::Stub& stub, const Identity& identity, std::shared_ptr<const std::string> bytes,
                 const std::string& sha256, size_t chunk_bytes, v1::ImageRef* image, Done done,
                 bool bare_decode = false);

void StartClaimNext(v1::ReferralService::Stub& stub, const Identity& identity, const std::string& pool, Done done);
void StartListQueue(v1::ReferralService::Stub& stub, const Identity& identity, const std::string& pool,
                    int page_size, Done done);

// Follows one clinic's WatchEvents and notes when each case's QUEUED event
// arrives. Thread-safe. Cancels the stream when destroyed.
class QueuedWatcher {
 public:
  QueuedWatcher(v1::IntakeService::Stub& stub, const Identity& identity, absl::Duration deadline);
  ~QueuedWatcher();
  // The time the QUEUED event of `case_id` arrived, if it has; and, if
  // `in_queue_by` is given, the time by which the case was in the specialist
  // queue: its event's stream id, rounded up to the next millisecond (Redis
  // gave it when referral appended the event, after writing the queue entry;
  // same host, same clock).
  bool QueuedAt(const std::string& case_id, absl::Time* at, absl::Time* in_queue_by = nullptr);
  int64_t queued();

 private:
  class Reactor;
  Reactor* reactor_;  // owned; deleted once the stream is done
};

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_CALLS_H_
