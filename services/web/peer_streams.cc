#include "services/web/peer_streams.h"

namespace telederm::web {

std::unique_ptr<PeerStreams::Slot> PeerStreams::Acquire(const std::string& peer) {
  absl::MutexLock lock(&mutex_);
  int& open = open_[peer];
  if (open >= max_per_peer_) return nullptr;
  ++open;
  return std::make_unique<Slot>(this, peer);
}

void PeerStreams::Release(const std::string& peer) {
  absl::MutexLock lock(&mutex_);
  auto it = open_.find(peer);
  if (it == open_.end()) return;
  if (--it->second <= 0) open_.erase(it);
}

}  // namespace telederm::web
