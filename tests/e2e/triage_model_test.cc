// telederm-triage and its lesion model at start: a model that cannot be loaded
// stops the service with a message naming it, never a silent fall-back to the
// rules alone.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/credentials.h"
#include "tests/harness/child_process.h"
#include "tests/harness/net.h"
#include "tests/harness/temp_dir.h"

namespace telederm::testing {
namespace {

// Runs telederm-triage with `model_flag` until it exits; returns its exit code and log.
std::pair<int, std::string> RunTriage(const std::string& dir, const std::string& model_flag) {
  const std::string log = dir + "/triage.log";
  std::ofstream(dir + "/token-keys") << kTestTokenKeys;
  auto child = ChildProcess::Spawn(
      {TELEDERM_TRIAGE_BIN, absl::StrCat("--listen=127.0.0.1:", FreeLoopbackPort()),
       absl::StrCat("--metrics_listen=127.0.0.1:", FreeLoopbackPort()), absl::StrCat("--data_dir=", dir),
       "--redis=127.0.0.1:1", "--plaintext_for_development", absl::StrCat("--token_keys=", dir, "/token-keys"),
       model_flag},
      {}, log);
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return {-1, ""};
  absl::StatusOr<int> code = (*child)->Wait(absl::Seconds(30));
  EXPECT_TRUE(code.ok()) << code.status();
  std::ifstream in(log);
  std::ostringstream text;
  text << in.rdbuf();
  return {code.ok() ? *code : -1, text.str()};
}

TEST(TriageModelTest, MissingModelStopsTheServiceWithAMessageNamingIt) {
  absl::StatusOr<std::string> dir = MakeTempDir("telederm-triage-model");
  ASSERT_TRUE(dir.ok()) << dir.status();
  auto [code, log] = RunTriage(*dir, "--model=" + *dir + "/missing.onnx");
  EXPECT_EQ(code, 2) << log;
  EXPECT_TRUE(absl::StrContains(log, absl::StrCat("cannot load the lesion model ", *dir, "/missing.onnx"))) << log;
  EXPECT_TRUE(absl::StrContains(log, "--model=none screens dermoscopy images with the rules alone")) << log;
  std::filesystem::remove_all(*dir);
}

TEST(TriageModelTest, UnreadableModelStopsTheService) {
  absl::StatusOr<std::string> dir = MakeTempDir("telederm-triage-model");
  ASSERT_TRUE(dir.ok()) << dir.status();
  std::ofstream(*dir + "/broken.onnx") << "not an ONNX model";
  std::ofstream(*dir + "/broken.onnx.sidecar") << "classes = benign, malignant\nmalignant = malignant\n"
                                                  "input_width = 64\ninput_height = 64\n";
  auto [code, log] = RunTriage(*dir, "--model=" + *dir + "/broken.onnx");
  EXPECT_EQ(code, 2) << log;
  EXPECT_TRUE(absl::StrContains(log, absl::StrCat("cannot load the lesion model ", *dir, "/broken.onnx"))) << log;
  std::filesystem::remove_all(*dir);
}

// The dermoscopy model named as the close-up model: its sidecar says which
// images it was validated on, and triage refuses to use it for the others.
TEST(TriageModelTest, AModelForTheOtherModalityStopsTheServiceNamingTheSetting) {
  absl::StatusOr<std::string> dir = MakeTempDir("telederm-triage-model");
  ASSERT_TRUE(dir.ok()) << dir.status();
  const std::string dermoscopy = std::string(TELEDERM_MODELS_DIR) + "/lesion-dermoscopy.onnx";
  auto [code, log] = RunTriage(*dir, "--closeup_model=" + dermoscopy);
  EXPECT_EQ(code, 2) << log;
  EXPECT_TRUE(absl::StrContains(log, absl::StrCat("the lesion model ", dermoscopy,
                                                  " is for dermoscopy images (its sidecar says so), not for "
                                                  "clinical_close_up images (set it with --closeup_model or "
                                                  "TELEDERM_CLOSEUP_MODEL;")))
      << log;
  std::filesystem::remove_all(*dir);
}

}  // namespace
}  // namespace telederm::testing
