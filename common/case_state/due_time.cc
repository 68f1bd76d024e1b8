#include "common/case_state/due_time.h"

namespace telederm {

absl::Time DueTime(absl::Time received, v1::Urgency urgency, const ServiceLevelTargets& targets) {
  switch (urgency) {
    case v1::URGENCY_SOON: return received + targets.soon;
    case v1::URGENCY_ROUTINE: return received + targets.routine;
    case v1::URGENCY_URGENT:
    default: return received + targets.urgent;
  }
}

}  // namespace telederm
