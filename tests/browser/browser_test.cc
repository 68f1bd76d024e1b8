// The console (services/web/static) in a real headless Chromium, driven by
// console_test.py through Selenium, against the real stack: Redis and the three
// services (Stack) with telederm-web in front of them on a free loopback port
// (plaintext: loopback only, as the services in tests). One test per scenario;
// each step's screenshot goes to build/tests/browser/screenshots/<scenario>/.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"
#include "tests/harness/child_process.h"
#include "tests/harness/files.h"
#include "tests/harness/net.h"

namespace telederm::testing {
namespace {

const std::string kScript = std::string(TELEDERM_SOURCE_DIR) + "/tests/browser/console_test.py";
// HAM10000 dermoscopy samples (tests/data/cases/ATTRIBUTION.md).
const std::string kSamples = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/";
const std::string kMelanoma = kSamples + "ISIC_0025248.jpg";  // melanoma: URGENT by rules and lesion model
const std::string kNaevus = kSamples + "ISIC_0024311.jpg";    // naevus: TDS in the benign range

// A JPEG of at least `min_bytes` made from `source`: upscaled to 4000x3000 with
// a little sensor-like noise (an upscale alone compresses too well), at the
// lowest JPEG quality that reaches the size. Returns its path, "" on failure.
std::string MakeLargeJpeg(const std::string& source, const std::string& path, size_t min_bytes) {
  cv::Mat image = cv::imread(source, cv::IMREAD_COLOR);
  if (image.empty()) return "";
  cv::Mat large;
  cv::resize(image, large, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
  cv::Mat noise(large.size(), CV_16SC3);
  cv::randn(noise, 0, 4);
  cv::Mat noisy;
  large.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(large, CV_8UC3);
  for (int quality = 90; quality <= 100; ++quality) {
    std::vector<uchar> bytes;
    cv::imencode(".jpg", large, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
    if (bytes.size() >= min_bytes) {
      return cv::imwrite(path, large, {cv::IMWRITE_JPEG_QUALITY, quality}) ? path : "";
    }
  }
  return "";
}

class BrowserConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
      ASSERT_EQ(access(tool, X_OK), 0) << tool << " is missing: deploy/install-deps.sh installs it";
    }
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    port_ = FreeLoopbackPort();
    web_log_ = stack_->data_dir() + "/web.log";
    auto web = ChildProcess::Spawn(
        {TELEDERM_WEB_BIN, absl::StrCat("--listen=127.0.0.1:", port_),
         "--intake=" + stack_->address(Service::kIntake), "--triage=" + stack_->address(Service::kTriage),
         "--referral=" + stack_->address(Service::kReferral), "--plaintext_for_development",
         absl::StrCat("--static_dir=", TELEDERM_SOURCE_DIR, "/services/web/static"),
         absl::StrCat("--icd10_table=", TELEDERM_SOURCE_DIR, "/services/referral/data/icd10_skin.tsv")},
        {}, web_log_);
    ASSERT_TRUE(web.ok()) << web.status();
    web_ = std::move(*web);
    absl::Status listening = WaitForPort(port_, absl::Seconds(60));
    ASSERT_TRUE(listening.ok()) << listening << "\n" << FileTail(web_log_);
  }

  // Runs one scenario of console_test.py with the console's URL and `args`,
  // prints its output, and returns its exit status.
  int RunScenario(const std::string& scenario, const std::vector<std::string>& args) {
    const std::string dir = absl::StrCat(TELEDERM_BROWSER_OUTPUT_DIR, "/", scenario);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::vector<std::string> argv = {"/usr/bin/python3", kScript, "--scenario=" + scenario,
                                     absl::StrCat("--url=http://127.0.0.1:", port_, "/"), "--screenshots=" + dir};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = dir + "/output.log";
    auto script = ChildProcess::Spawn(argv, {}, log);
    if (!script.ok()) {
      ADD_FAILURE() << script.status();
      return -1;
    }
    absl::StatusOr<int> exit_code = (*script)->Wait(absl::Minutes(8));
    std::cout << ReadFileBytes(log) << std::flush;
    if (!exit_code.ok() || *exit_code != 0) {
      std::cout << "--- telederm-web log:\n" << FileTail(web_log_) << "\n--- intake log:\n"
                << stack_->LogTail(Service::kIntake) << "\n--- referral log:\n"
                << stack_->LogTail(Service::kReferral) << std::endl;
    }
    return exit_code.ok() ? *exit_code : -1;
  }

  static std::string ClinicToken(const std::string& clinic) {
    return "--clinic-token=" + TestToken(auth::Role::kClinic, "tablet-" + clinic, clinic);
  }
  static std::string SpecialistToken() {
    return "--specialist-token=" + TestToken(auth::Role::kSpecialist, "dr-achieng", "general");
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<ChildProcess> web_;
  std::string web_log_;
  int port_ = 0;
};

TEST_F(BrowserConsoleTest, ClinicSendsCasesSpecialistSeesSuspiciousFirstReportsAndClinicAcknowledges) {
  EXPECT_EQ(RunScenario("consult", {ClinicToken("clinic-kisumu"), SpecialistToken(), "--image=" + kMelanoma,
                                    "--benign-image=" + kNaevus}),
            0);
}

TEST_F(BrowserConsoleTest, SecondClinicSeesNoneOfTheFirstClinicsCasesOrImages) {
  EXPECT_EQ(RunScenario("isolation", {ClinicToken("clinic-kisumu"),
                                      "--other-clinic-token=" + TestToken(auth::Role::kClinic, "tablet-nakuru",
                                                                          "clinic-nakuru"),
                                      "--image=" + kMelanoma}),
            0);
}

TEST_F(BrowserConsoleTest, HtmlInAClinicalQuestionIsShownAsText) {
  EXPECT_EQ(RunScenario("html-as-text", {ClinicToken("clinic-kisumu"), SpecialistToken(), "--image=" + kMelanoma}), 0);
}

TEST_F(BrowserConsoleTest, ExpiredTokenSendsThePageBackToSignInWithAClearMessage) {
  // TestToken issues a minute in the past: valid for 30 s, it expired 30 s ago.
  const std::string expired = TestToken(auth::Role::kSpecialist, "dr-achieng", "general", absl::Seconds(30));
  ASSERT_FALSE(expired.empty());
  EXPECT_EQ(RunScenario("expired-token", {"--expired-token=" + expired}), 0);
}

// Measured, not asserted: the script prints "MEASURED: ..." with the time.
TEST_F(BrowserConsoleTest, FourMegabyteImageAppearsOnTheCasePage) {
  const std::string large = MakeLargeJpeg(kMelanoma, stack_->data_dir() + "/large-melanoma.jpg", 4'000'000);
  ASSERT_FALSE(large.empty()) << "could not make the 4 MB JPEG from " << kMelanoma;
  EXPECT_EQ(RunScenario("large-image", {ClinicToken("clinic-kisumu"), SpecialistToken(), "--large-image=" + large}),
            0);
}

}  // namespace
}  // namespace telederm::testing
