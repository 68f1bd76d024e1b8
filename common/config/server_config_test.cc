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

TEST(ParseDurationSettingTest, AcceptsHoursAndRefusesNonsenseNamingTheSetting) {
  EXPECT_EQ(*ParseDurationSetting("urgent_target", "24h"), absl::Hours(24));
  auto bad = ParseDurationSetting("urgent_target", "soon");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("urgent_target"), absl::string_view::npos);
}

}  // namespace
}  // namespace telederm
