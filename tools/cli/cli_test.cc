#include "tools/cli/cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace telederm::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

CliRun RunWith(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
  std::ostringstream out, err;
  int code = RunCli(
      args,
      [env](const char* name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      },
      out, err);
  return {code, out.str(), err.str()};
}

TEST(CliTest, HelpListsEveryCommandAndExitsZero) {
  CliRun run = RunWith({"--help"});
  EXPECT_EQ(run.exit_code, kExitOk);
  for (const CommandSpec& command : Commands()) EXPECT_THAT(run.out, HasSubstr(command.name));
}

TEST(CliTest, CommandHelpShowsItsFlags) {
  CliRun run = RunWith({"report", "--help"});
  EXPECT_EQ(run.exit_code, kExitOk);
  EXPECT_THAT(run.out, StartsWith("usage: telederm report CASE_ID [flags]"));
  EXPECT_THAT(run.out, HasSubstr("--management M"));
  EXPECT_EQ(RunWith({"help", "claim"}).exit_code, kExitOk);
}

TEST(CliTest, NoCommandIsAUsageError) {
  CliRun run = RunWith({});
  EXPECT_EQ(run.exit_code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("usage: telederm"));
}

TEST(CliTest, UnknownCommandPrintsUsageAndExitsTwo) {
  CliRun run = RunWith({"claimm"});
  EXPECT_EQ(run.exit_code, kExitUsage);
  EXPECT_THAT(run.err, StartsWith("error: unknown command 'claimm'\n"));
  EXPECT_THAT(run.err, HasSubstr("usage: telederm [global flags] COMMAND"));
}

TEST(CliTest, UnknownFlagPrintsTheCommandsUsageAndExitsTwo) {
  CliRun run = RunWith({"claim", "--pooll", "x"});
  EXPECT_EQ(run.exit_code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("unknown flag --pooll for 'claim'"));
  EXPECT_THAT(run.err, HasSubstr("usage: telederm claim"));
}

TEST(CliTest, ClinicCommandWithoutClinicIdIsAUsageError) {
  CliRun run = RunWith({"cases"});
  EXPECT_EQ(run.exit_code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("pass --clinic ID or set TELEDERM_CLINIC"));
}

TEST(CliTest, SpecialistCommandWithoutSpecialistIdIsAUsageError) {
  CliRun run = RunWith({"queue"}, {{"TELEDERM_CLINIC", "clinic-1"}});
  EXPECT_EQ(run.exit_code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("pass --specialist ID or set TELEDERM_SPECIALIST"));
}

TEST(CliTest, BadEnumValueIsAUsageErrorBeforeAnyCall) {
  CliRun run = RunWith({"--specialist", "s1", "report", "c-1", "--token", "3", "--diagnosis", "d", "--icd10",
                     "L82", "--management", "wait"});
  EXPECT_EQ(run.exit_code, kExitUsage);
  EXPECT_THAT(run.err, StartsWith("error: --management: unknown management 'wait'"));
}

TEST(CliTest, UnreachableServiceIsNamedWithItsAddress) {
  // Nothing listens on port 1: the connection is refused at once, no server needed.
  CliRun run = RunWith({"--clinic", "clinic-1", "--intake", "127.0.0.1:1", "--deadline", "5s", "cases"});
  EXPECT_EQ(run.exit_code, kExitFailure);
  EXPECT_THAT(run.err, StartsWith("error: UNAVAILABLE: could not reach the intake service at 127.0.0.1:1"));
  EXPECT_THAT(run.err, HasSubstr("check that it is running"));
}

TEST(CliTest, MissingImageFileFailsBeforeAnyUpload) {
  CliRun run = RunWith({"--clinic", "clinic-1", "--intake", "127.0.0.1:1", "upload", "/nonexistent/x.jpg",
                     "--modality", "dermoscopy"});
  EXPECT_EQ(run.exit_code, kExitFailure);
  EXPECT_EQ(run.err, "error: NOT_FOUND: cannot open image file '/nonexistent/x.jpg'\n");
}

}  // namespace
}  // namespace telederm::cli
