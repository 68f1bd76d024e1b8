#ifndef TELEDERM_SERVICES_WEB_PEER_STREAMS_H_
#define TELEDERM_SERVICES_WEB_PEER_STREAMS_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace telederm::web {

// Counts the long-lived calls (event and queue streams, uploads, image reads)
// each client address holds open, so one address cannot take every stream the
// services allow. Thread-safe.
class PeerStreams {
 public:
  explicit PeerStreams(int max_per_peer) : max_per_peer_(max_per_peer) {}

  // Held while a stream is open; releases its place when destroyed.
  class Slot {
   public:
    Slot(PeerStreams* owner, std::string peer) : owner_(owner), peer_(std::move(peer)) {}
    ~Slot() { owner_->Release(peer_); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    PeerStreams* owner_;
    std::string peer_;
  };

  // A place for one more stream of `peer`, or null when it holds the most.
  std::unique_ptr<Slot> Acquire(const std::string& peer);
  int max_per_peer() const { return max_per_peer_; }

 private:
  void Release(const std::string& peer);

  const int max_per_peer_;
  absl::Mutex mutex_;
  std::map<std::string, int> open_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_PEER_STREAMS_H_
