#include "common/config/server_config.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace telederm {
namespace {

TEST(FlagOrEnvTest, FlagWinsOverEnvironmentWhichWinsOverDefault) {
  ::setenv("TELEDERM_TEST_SETTING", "from-env", 1);
  EXPECT_EQ(FlagOrEnv("from-flag", "TELEDERM_TEST_SETTING", "default"), "from-flag");
  EXPECT_EQ(FlagOrEnv("", "TELEDERM_TEST_SETTING", "default"), "from-env");
  ::unsetenv("TELEDERM_TEST_SETTING");
  EXPECT_EQ(FlagOrEnv("", "TELEDERM_TEST_SETTING", "default"), "default");
}

}  // namespace
}  // namespace telederm
