#ifndef TELEDERM_TESTS_E2E_DURABILITY_PROBE_H_
#define TELEDERM_TESTS_E2E_DURABILITY_PROBE_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/client.h"

namespace telederm::testing {

// Measures what Redis forgets when it is killed (-9). A thread INCRs a
// counter every `interval` and remembers when each increment was sent and
// whether it was acknowledged; after Redis is back, the counter's value says
// which acknowledged increments survived. Redis executes and logs (AOF)
// commands in one order, so any write acknowledged before a surviving
// increment was sent survived too: the kill's *loss window* starts where the
// first increment after the last survivor was sent, and ends at the kill.
// With appendfsync always the window holds nothing acknowledged; with
// everysec it can hold up to a few seconds of acknowledged writes.
//
// Each kill starts a new counter key (`<prefix>:<epoch>`), so increments
// after a restart never mix with the ones being checked. Thread-safe; drive
// BeforeKill/AfterRestart from the thread that kills Redis.
class DurabilityProbe {
 public:
  struct Kill {
    int index = 0;            // 1 for the first kill of Redis
    absl::Time killed;
    int64_t acknowledged = 0;  // increments Redis acknowledged before the kill
    int64_t survived = 0;      // the counter's value after the restart
    absl::Time window_start;   // writes acknowledged in [window_start, killed] may be lost
    int64_t lost() const { return acknowledged > survived ? acknowledged - survived : 0; }
  };

  DurabilityProbe(std::shared_ptr<redis::Client> redis, absl::Duration interval);
  ~DurabilityProbe();  // stops the thread

  // Call just before Redis is killed: later increments go to a new counter.
  void BeforeKill();
  // Call once Redis has been restarted, with the moment the kill was done:
  // reads the killed epoch's counter, retrying while Redis loads (up to 30 s).
  absl::Status AfterRestart(absl::Time killed);
  void Stop();

  std::vector<Kill> kills() const;
  int64_t lost() const;  // acknowledged increments Redis forgot, over all kills
  // The kill whose loss window holds `t` (an acknowledgement time), if any.
  std::optional<Kill> LossWindowHolding(absl::Time t) const;

 private:
  struct Attempt {
    absl::Time sent;
    int64_t value = 0;  // 0: not acknowledged
  };
  void Run();

  std::shared_ptr<redis::Client> redis_;
  const absl::Duration interval_;
  std::atomic<bool> stop_{false};
  std::atomic<int> epoch_{0};
  mutable absl::Mutex mutex_;
  std::vector<std::vector<Attempt>> attempts_ ABSL_GUARDED_BY(mutex_);  // by epoch
  std::vector<Kill> kills_ ABSL_GUARDED_BY(mutex_);
  int killed_epoch_ ABSL_GUARDED_BY(mutex_) = -1;
  std::thread thread_;
};

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_E2E_DURABILITY_PROBE_H_
