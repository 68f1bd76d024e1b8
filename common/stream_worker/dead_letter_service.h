#ifndef TELEDERM_COMMON_STREAM_WORKER_DEAD_LETTER_SERVICE_H_
#define TELEDERM_COMMON_STREAM_WORKER_DEAD_LETTER_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "common/server/call_queue.h"
#include "common/stream_worker/dead_letters.h"
#include "telederm/v1/delivery.grpc.pb.h"

namespace telederm {

// The operators' gRPC service over the dead-letter streams of `streams`
// (the pipeline's streams; any other is INVALID_ARGUMENT). Administrators
// only. Work runs on its own two threads, at most 32 calls in hand (beyond:
// RESOURCE_EXHAUSTED with a retry hint). Thread-safe; destroy it after the
// server that serves it has shut down.
class DeadLetterServiceImpl final : public v1::DeadLetterService::CallbackService {
 public:
  DeadLetterServiceImpl(std::shared_ptr<redis::Client> redis, std::vector<std::string> streams);
  ~DeadLetterServiceImpl() override;

  grpc::ServerUnaryReactor* ListDeadLetters(grpc::CallbackServerContext* context,
                                            const v1::ListDeadLettersRequest* request,
                                            v1::ListDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* GetDeadLetter(grpc::CallbackServerContext* context,
                                          const v1::GetDeadLetterRequest* request, v1::DeadLetter* response) override;
  grpc::ServerUnaryReactor* ReplayDeadLetter(grpc::CallbackServerContext* context,
                                             const v1::ReplayDeadLetterRequest* request,
                                             v1::ReplayDeadLetterResponse* response) override;

 private:
  absl::Status CheckStream(const std::string& stream) const;

  DeadLetterBox box_;
  const std::vector<std::string> streams_;
  CallQueue calls_{2, 32};
};

// The proto form of a dead letter.
v1::DeadLetter ToProto(const DeadLetter& letter);

}  // namespace telederm

#endif  // TELEDERM_COMMON_STREAM_WORKER_DEAD_LETTER_SERVICE_H_
