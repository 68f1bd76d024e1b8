#include "tests/e2e/offset_clock.h"

#include <fstream>

namespace telederm::testing {
namespace {

class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::string path) : path_(std::move(path)) {}

  absl::Time Now() const override {
    long long offset_ms = 0;
    std::ifstream in(path_);
    if (in) in >> offset_ms;
    return absl::Now() + absl::Milliseconds(in ? offset_ms : 0);
  }

 private:
  const std::string path_;
};

}  // namespace

ClockPtr OffsetClockFromFile(std::string path) { return std::make_shared<OffsetClock>(std::move(path)); }

}  // namespace telederm::testing
