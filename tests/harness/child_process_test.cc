#include "tests/harness/child_process.h"

#include <errno.h>
#include <signal.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/temp_dir.h"

namespace telederm::testing {
namespace {

using ::testing::HasSubstr;

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("telederm-child-test-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    log_ = absl::StrCat(dir_, "/child.log");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string log_;
};

TEST_F(ChildProcessTest, ExitCodeIsReported) {
  auto child = ChildProcess::Spawn({"sh", "-c", "exit 3"}, {}, log_);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ((*child)->Wait(absl::Seconds(5)).value(), 3);
  EXPECT_FALSE((*child)->Running());
}

TEST_F(ChildProcessTest, OutputAndErrorsAreAppendedToLogWithExtraEnv) {
  for (int i = 0; i < 2; ++i) {
    auto child = ChildProcess::Spawn(
        {"sh", "-c", "echo \"out=$TELEDERM_TEST_VALUE\"; echo err >&2"},
        {{"TELEDERM_TEST_VALUE", absl::StrCat("v", i)}}, log_);
    ASSERT_TRUE(child.ok()) << child.status();
    ASSERT_EQ((*child)->Wait(absl::Seconds(5)).value(), 0);
  }
  EXPECT_EQ(FileTail(log_), "out=v0\nerr\nout=v1\nerr\n");
}

TEST_F(ChildProcessTest, Kill9EndsARunningChild) {
  auto child = ChildProcess::Spawn({"sleep", "30"}, {}, log_);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE((*child)->Running());
  EXPECT_EQ((*child)->Wait(absl::Milliseconds(20)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE((*child)->Kill9().ok());
  EXPECT_FALSE((*child)->Running());
  EXPECT_EQ((*child)->Wait(absl::ZeroDuration()).value(), 128 + SIGKILL);
  EXPECT_EQ((*child)->Signal(SIGTERM).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ChildProcessTest, SignalIsDelivered) {
  auto child = ChildProcess::Spawn({"sleep", "30"}, {}, log_);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE((*child)->Signal(SIGTERM).ok());
  EXPECT_EQ((*child)->Wait(absl::Seconds(5)).value(), 128 + SIGTERM);
}

TEST_F(ChildProcessTest, DestructorStopsTheChild) {
  pid_t pid;
  {
    auto child = ChildProcess::Spawn({"sleep", "30"}, {}, log_);
    ASSERT_TRUE(child.ok()) << child.status();
    pid = (*child)->pid();
    ASSERT_EQ(kill(pid, 0), 0);
  }
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(ChildProcessTest, MissingProgramIsNotFound) {
  auto child =
      ChildProcess::Spawn({"/nonexistent/telederm-no-such-binary"}, {}, log_);
  EXPECT_EQ(child.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(child.status().message(), HasSubstr("no-such-binary"));
}

}  // namespace
}  // namespace telederm::testing
