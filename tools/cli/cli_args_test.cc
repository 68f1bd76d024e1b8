#include "tools/cli/cli_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace telederm::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CommandLineTest, FlagsTakeValuesInBothForms) {
  absl::StatusOr<CommandLine> line =
      ParseCommandLine({"--clinic", "c1", "upload", "photo.jpg", "--modality=dermoscopy", "--json"});
  ASSERT_TRUE(line.ok()) << line.status();
  ASSERT_NE(line->command(), nullptr);
  EXPECT_STREQ(line->command()->name, "upload");
  EXPECT_EQ(line->positional(), "photo.jpg");
  EXPECT_EQ(line->Value("modality"), "dermoscopy");
  EXPECT_EQ(line->Value("clinic"), "c1");
  EXPECT_TRUE(line->Has("json"));
}

TEST(CommandLineTest, RepeatableFlagKeepsEveryValueInOrder) {
  absl::StatusOr<CommandLine> line =
      ParseCommandLine({"submit", "--image", "a.jpg:dermoscopy", "--image", "b.png:clinical-overview"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(line->Values("image"), ElementsAre("a.jpg:dermoscopy", "b.png:clinical-overview"));
}

TEST(CommandLineTest, UnknownCommandIsRefused) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({"sumbit"});
  EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(line.status().message(), "unknown command 'sumbit'");
}

TEST(CommandLineTest, FlagOfAnotherCommandIsRefusedNamingTheCommand) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({"queue", "--token", "3"});
  EXPECT_EQ(line.status().message(), "unknown flag --token for 'queue'");
}

TEST(CommandLineTest, CommandFlagBeforeTheCommandIsRefusedWithAHint) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({"--pool", "p", "queue"});
  EXPECT_THAT(std::string(line.status().message()), HasSubstr("go after the command name"));
}

TEST(CommandLineTest, MissingValueAndRepeatedFlagAreRefused) {
  EXPECT_EQ(ParseCommandLine({"upload", "x.jpg", "--modality"}).status().message(),
            "--modality: needs a value (M)");
  EXPECT_EQ(ParseCommandLine({"submit", "--age", "3", "--age", "4"}).status().message(),
            "--age: given more than once");
}

TEST(CommandLineTest, MissingPositionalIsRefusedUnlessHelpIsAsked) {
  EXPECT_EQ(ParseCommandLine({"case"}).status().message(), "'case' needs CASE_ID");
  absl::StatusOr<CommandLine> help = ParseCommandLine({"case", "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->help());
}

TEST(CommandLineTest, SecondPositionalIsRefused) {
  EXPECT_EQ(ParseCommandLine({"case", "a", "b"}).status().message(), "unexpected argument 'b' for 'case'");
}

TEST(CommandLineTest, IntValueChecksNumberAndRange) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({"submit", "--age", "forty", "--acne-grade", "7"});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(IntValue(*line, "age", 0, 0, 120).status().message(), "--age: 'forty' is not a whole number");
  EXPECT_EQ(IntValue(*line, "acne-grade", 0, 1, 4).status().message(), "--acne-grade: 7 is out of range 1..4");
  EXPECT_EQ(*IntValue(*line, "fitzpatrick", 0, 1, 6), 0);
}

TEST(GlobalOptionsTest, FlagsWinOverEnvironmentWhichWinsOverDefaults) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({"--intake", "10.0.0.1:1", "cases"});
  ASSERT_TRUE(line.ok());
  absl::StatusOr<GlobalOptions> options = ResolveGlobalOptions(
      *line, FakeEnv({{"TELEDERM_INTAKE", "ignored:2"}, {"TELEDERM_CLINIC", "clinic-7"},
                      {"TELEDERM_POOLS", "general,paediatric"}}));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->intake_address, "10.0.0.1:1");
  EXPECT_EQ(options->triage_address, "127.0.0.1:50052");
  EXPECT_EQ(options->referral_address, "127.0.0.1:50053");
  EXPECT_EQ(options->clinic_id, "clinic-7");
  EXPECT_EQ(options->pools, "general,paediatric");
  EXPECT_EQ(options->deadline, absl::Seconds(30));
  EXPECT_FALSE(options->json);
}

TEST(GlobalOptionsTest, DeadlineMustBeAPositiveDuration) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({"--deadline", "soon", "cases"});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(ResolveGlobalOptions(*line, FakeEnv({})).status().code(), absl::StatusCode::kInvalidArgument);
  line = ParseCommandLine({"--deadline", "2m", "cases"});
  EXPECT_EQ(ResolveGlobalOptions(*line, FakeEnv({}))->deadline, absl::Minutes(2));
}

}  // namespace
}  // namespace telederm::cli
