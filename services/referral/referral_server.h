#ifndef TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVER_H_
#define TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVER_H_

#include "common/clock/clock.h"

namespace telederm::referral {

// Runs telederm-referral with the flags absl::ParseCommandLine has read
// (docs/REFERRAL.md lists them) until SIGTERM; the exit code of the process.
// `clock` is the time of the workflow (due times, leases, escalation):
// RealClock() in production; token expiry always uses the real clock.
int RunReferralServer(ClockPtr clock);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVER_H_
