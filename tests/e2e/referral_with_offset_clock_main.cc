// telederm-referral-offset-clock: telederm-referral on the wall clock plus the
// milliseconds in --test_clock_file (offset_clock.h), for e2e tests that move
// time forward; built only for the tests, never installed.
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "services/referral/referral_server.h"
#include "tests/e2e/offset_clock.h"

ABSL_FLAG(std::string, test_clock_file, "", "add the milliseconds in this file to the workflow's clock");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return telederm::referral::RunReferralServer(
      telederm::testing::OffsetClockFromFile(absl::GetFlag(FLAGS_test_clock_file)));
}
