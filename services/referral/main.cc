// telederm-referral: the specialists' queue (docs/REFERRAL.md).
#include "absl/flags/parse.h"
#include "common/clock/clock.h"
#include "services/referral/referral_server.h"

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return telederm::referral::RunReferralServer(telederm::RealClock());
}
