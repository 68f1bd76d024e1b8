// The `telederm` command-line client against the real stack (redis-server and
// the three service binaries), as a clinic worker, a dermatologist and an
// operator type it: every command's printed line is what docs/CLI.md promises,
// and the state it reports is the state the services hold.
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/auth/claims.h"
#include "common/blob/blob_store.h"
#include "tests/e2e/api.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"
#include "tests/harness/files.h"
#include "tests/harness/temp_dir.h"
#include "tools/cli/admin_commands.h"
#include "tools/cli/cli.h"

namespace telederm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kMelanoma = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0026266.jpg";

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines() const { return absl::StrSplit(out, '\n', absl::SkipEmpty()); }
};

// The `key=value` field of a printed line, or "" when it has none.
std::string Field(const std::string& line, const std::string& key) {
  for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    if (absl::StartsWith(word, key + "=")) return std::string(word.substr(key.size() + 1));
  }
  return "";
}

// The n-th whitespace-separated word of a line.
std::string Word(const std::string& line, size_t n) {
  std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  return n < words.size() ? words[n] : "";
}

class CliWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
  }

  // Runs `telederm ARGS` with the stack's addresses and `token`.
  CliRun Telederm(const std::string& token, std::vector<std::string> args) {
    std::vector<std::string> full = {"--intake",     stack_->address(Service::kIntake),
                                     "--triage",     stack_->address(Service::kTriage),
                                     "--referral",   stack_->address(Service::kReferral),
                                     "--auth-token", token};
    full.insert(full.end(), args.begin(), args.end());
    return Run(full, /*admin=*/false);
  }

  // Runs `telederm admin ARGS` against the stack's referral (SecurityService).
  CliRun TeledermAdmin(std::vector<std::string> args) {
    args.insert(args.end(), {"--service", stack_->address(Service::kReferral), "--auth-token", admin_});
    return Run(args, /*admin=*/true);
  }

  static CliRun Run(const std::vector<std::string>& args, bool admin) {
    std::ostringstream out, err;
    auto no_environment = [](const char*) -> std::optional<std::string> { return std::nullopt; };
    CliRun run;
    run.exit_code = admin ? cli::RunAdminCommand(args, no_environment, out, err)
                          : cli::RunCli(args, no_environment, out, err);
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  // True once the dermatologist's `queue` lists the case (triage has screened it).
  bool WaitUntilQueued(const std::string& case_id) {
    return WaitUntil(
        [&] {
          CliRun queue = Telederm(dermatologist_, {"queue"});
          return queue.exit_code == 0 && absl::StrContains(queue.out, case_id);
        },
        absl::Seconds(30));
  }

  std::vector<std::string> SubmitArgs(const std::string& patient) {
    return {"submit",     "--type",    "tumour",  "--patient",  patient,       "--age",      "58",
            "--sex",      "female",    "--site",  "back",       "--diameter-mm", "7.5",      "--evolved",
            "size,colour", "--question", "Suspected melanoma?", "--consent", "--image", kMelanoma + ":dermoscopy"};
  }

  std::unique_ptr<Stack> stack_;
  const std::string clinic_ = TestToken(auth::Role::kClinic, "tablet-7", "clinic-lakeside-2");
  const std::string other_clinic_ = TestToken(auth::Role::kClinic, "tablet-9", "clinic-hillside-5");
  const std::string dermatologist_ = TestToken(auth::Role::kSpecialist, "dr-okoro", "general");
  const std::string admin_ = TestToken(auth::Role::kAdmin, "ops-1");
};

TEST_F(CliWorkflowTest, ClinicSubmitsDermatologistReportsClinicAcknowledgesAllThroughTheCli) {
  // The clinic submits; the same command again is the same case, not a second one.
  CliRun submitted = Telederm(clinic_, SubmitArgs("P-0042"));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string submit_line = submitted.lines().back();
  ASSERT_THAT(submit_line, StartsWith("submitted c-"));
  const std::string case_id = Word(submit_line, 1);
  EXPECT_EQ(Field(submit_line, "duplicate"), "no");
  CliRun again = Telederm(clinic_, SubmitArgs("P-0042"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Word(again.lines().back(), 1), case_id);
  EXPECT_EQ(Field(again.lines().back(), "duplicate"), "yes");
  EXPECT_EQ(Field(again.lines().back(), "idempotency_key"), Field(submit_line, "idempotency_key"));

  // Triage puts it in the dermatologist's queue; the queue table names it.
  ASSERT_TRUE(WaitUntilQueued(case_id)) << stack_->LogTail(Service::kTriage) << stack_->LogTail(Service::kReferral);
  CliRun triage = Telederm(dermatologist_, {"triage", case_id});
  ASSERT_EQ(triage.exit_code, 0) << triage.err;
  EXPECT_THAT(triage.out, HasSubstr(case_id));

  // Claim, a note to the clinic, the report.
  CliRun claimed = Telederm(dermatologist_, {"claim"});
  ASSERT_EQ(claimed.exit_code, 0) << claimed.err;
  const std::string claim_line = claimed.lines().front();
  ASSERT_THAT(claim_line, StartsWith("claimed " + case_id));
  const std::string token = Field(claim_line, "token");
  ASSERT_FALSE(token.empty()) << claim_line;

  CliRun note = Telederm(dermatologist_, {"message", case_id, "--token", token, "--text", "Looking at it now"});
  ASSERT_EQ(note.exit_code, 0) << note.err;
  EXPECT_THAT(note.out, StartsWith("sent "));
  CliRun messages = Telederm(clinic_, {"messages", case_id});
  ASSERT_EQ(messages.exit_code, 0) << messages.err;
  EXPECT_THAT(messages.out, HasSubstr("Looking at it now"));
  EXPECT_THAT(messages.out, HasSubstr("dr-okoro"));

  CliRun reported = Telederm(dermatologist_, {"report", case_id, "--token", token, "--diagnosis",
                                              "Atypical pigmented lesion, suspicious for melanoma", "--icd10",
                                              "D48.5", "--management", "urgent-referral", "--interval", "14"});
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  EXPECT_EQ(reported.out, "reported " + case_id + " status=reported\n");

  // The clinic hears of it, reads it, acknowledges; the case is closed.
  CliRun watched = Telederm(clinic_, {"watch", "--until-reported", case_id, "--timeout", "30s"});
  EXPECT_EQ(watched.exit_code, 0) << watched.err;
  EXPECT_THAT(watched.out, HasSubstr(case_id));
  CliRun acknowledged = Telederm(clinic_, {"ack", case_id});
  ASSERT_EQ(acknowledged.exit_code, 0) << acknowledged.err;
  EXPECT_EQ(acknowledged.out, "acknowledged " + case_id + " status=closed\n");
  CliRun shown = Telederm(clinic_, {"case", case_id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("D48.5"));

  // The case as FHIR, for the district hospital's record.
  CliRun fhir = Telederm(clinic_, {"fhir", case_id});
  ASSERT_EQ(fhir.exit_code, 0) << fhir.err;
  EXPECT_THAT(fhir.out, HasSubstr("\"resourceType\":\"Bundle\""));

  // An operator reads the record only by breaking glass, with a reason.
  CliRun curious = Telederm(admin_, {"fhir", case_id});
  EXPECT_EQ(curious.exit_code, 1);
  EXPECT_THAT(curious.err, HasSubstr("PERMISSION_DENIED"));
  CliRun break_glass =
      Telederm(admin_, {"fhir", case_id, "--reason", "Clinic reports the report is missing; ticket 4411"});
  ASSERT_EQ(break_glass.exit_code, 0) << break_glass.err;
  EXPECT_THAT(break_glass.out, HasSubstr("\"resourceType\":\"Bundle\""));

  // The operator sees who touched the case, and why they looked.
  CliRun audit = TeledermAdmin({"audit", "--case", case_id});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("tablet-7"));
  EXPECT_THAT(audit.out, HasSubstr("dr-okoro"));
  EXPECT_THAT(audit.out, HasSubstr("ticket 4411"));
}

TEST_F(CliWorkflowTest, BiopsyOutcomeReachesTheOperatorsScreeningReport) {
  CliRun submitted = Telederm(clinic_, SubmitArgs("P-0043"));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string case_id = Word(submitted.lines().back(), 1);
  ASSERT_TRUE(WaitUntilQueued(case_id)) << stack_->LogTail(Service::kTriage) << stack_->LogTail(Service::kReferral);
  CliRun claimed = Telederm(dermatologist_, {"claim"});
  ASSERT_EQ(claimed.exit_code, 0) << claimed.err;
  const std::string token = Field(claimed.lines().front(), "token");
  CliRun reported = Telederm(dermatologist_, {"report", case_id, "--token", token, "--diagnosis",
                                              "Suspected melanoma", "--icd10", "D48.5", "--management", "excise"});
  ASSERT_EQ(reported.exit_code, 0) << reported.err;

  // Reported, no histology yet: counted as waiting for it, nowhere else.
  CliRun waiting = Telederm(admin_, {"screening-report"});
  ASSERT_EQ(waiting.exit_code, 0) << waiting.err;
  EXPECT_THAT(waiting.out, HasSubstr("\nreported=1 with_outcome=0 without_outcome=1 "));

  CliRun biopsy = Telederm(dermatologist_, {"biopsy", case_id, "--histology", "Superficial spreading melanoma",
                                            "--icd10", "C43.5"});
  ASSERT_EQ(biopsy.exit_code, 0) << biopsy.err;
  // The sample melanoma is screened URGENT: one true positive, no benign case.
  CliRun report = Telederm(admin_, {"screening-report"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::vector<std::string> lines = report.lines();
  ASSERT_GE(lines.size(), 9u) << report.out;
  EXPECT_EQ(lines[0], "cases received on any day (UTC)");
  EXPECT_EQ(lines[1], "reported=1 with_outcome=1 without_outcome=0 (cases without a biopsy outcome are not "
                      "counted below)");
  EXPECT_THAT(lines[2], StartsWith("TIER"));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[3], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"urgent", "1", "1"}));
  EXPECT_THAT(lines[7], StartsWith("SPLIT"));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[8], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"all", "1", "1", "1/1=100.0%", "20.7-100.0%", "-", "-", "all"}));
  ASSERT_EQ(lines.size(), 12u) << report.out;  // all, skin type, modality, analyzer
  EXPECT_THAT(lines[9], StartsWith("fitzpatrick"));
  EXPECT_EQ(Word(lines[9], 7), "unrecorded");
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[10], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"modality", "1", "1", "1/1=100.0%", "20.7-100.0%", "-", "-", "dermoscopy"}));
  EXPECT_THAT(lines[11], StartsWith("analyzer"));

  CliRun json = Telederm(admin_, {"screening-report", "--json", "--from", "2000-01-01"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"from_date\":\"2000-01-01\""));
  EXPECT_THAT(json.out, HasSubstr("\"cases_with_outcome\":\"1\""));

  CliRun bad_date = Telederm(admin_, {"screening-report", "--from", "yesterday"});
  EXPECT_EQ(bad_date.exit_code, 1);
  EXPECT_THAT(bad_date.err, HasSubstr("from_date: must be a date YYYY-MM-DD, got 'yesterday'"));
  CliRun refused = Telederm(dermatologist_, {"screening-report"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("PERMISSION_DENIED"));
  CliRun audit = TeledermAdmin({"audit", "--user", "ops-1"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("GetScreeningReport"));
}

TEST_F(CliWorkflowTest, ClinicAndDermatologistWriteTheCasesImagesCheckedAndAPartialFileResumed) {
  CliRun submitted = Telederm(clinic_, SubmitArgs("P-0044"));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string case_id = Word(submitted.lines().back(), 1);
  const std::string image = ReadFileBytes(kMelanoma);
  const std::string sha256 = Sha256Hex(image);
  const std::string dir = *MakeTempDir("telederm-cli-images");
  const std::string path = dir + "/" + sha256 + ".jpg";

  CliRun written = Telederm(clinic_, {"image", case_id, "--out", dir});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, absl::StrCat("wrote ", path, " sha256=", sha256, " bytes=", image.size(), "\n"));
  EXPECT_EQ(ReadFileBytes(path), image);
  CliRun again = Telederm(clinic_, {"image", case_id, "--out", dir});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, absl::StrCat("kept ", path, " sha256=", sha256, " bytes=", image.size(), "\n"));

  CliRun thumbnail = Telederm(clinic_, {"image", case_id, "--out", dir, "--thumbnail"});
  ASSERT_EQ(thumbnail.exit_code, 0) << thumbnail.err;
  const std::string thumbnail_bytes = ReadFileBytes(dir + "/" + sha256 + ".thumb.jpg");
  EXPECT_THAT(thumbnail.out, StartsWith(absl::StrCat("wrote ", dir, "/", sha256, ".thumb.jpg sha256=",
                                                     Sha256Hex(thumbnail_bytes), " bytes=")));
  EXPECT_TRUE(absl::StartsWith(thumbnail_bytes, "\xFF\xD8\xFF"));
  EXPECT_LT(thumbnail_bytes.size(), image.size());

  // A download cut short resumes from the partial file's size.
  const std::string resumed_dir = *MakeTempDir("telederm-cli-resume");
  std::ofstream(resumed_dir + "/" + sha256 + ".part", std::ios::binary) << image.substr(0, 100000);
  CliRun resumed = Telederm(clinic_, {"image", case_id, "--out", resumed_dir});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Field(resumed.lines().back(), "resumed_from"), "100000");
  EXPECT_EQ(ReadFileBytes(resumed_dir + "/" + sha256 + ".jpg"), image);
  EXPECT_FALSE(std::filesystem::exists(resumed_dir + "/" + sha256 + ".part"));
  // A partial file that is not the image's beginning fails the digest check: removed, never renamed.
  const std::string damaged_dir = *MakeTempDir("telederm-cli-damaged");
  std::ofstream(damaged_dir + "/" + sha256 + ".part", std::ios::binary) << std::string(100000, 'x');
  CliRun damaged = Telederm(clinic_, {"image", case_id, "--out", damaged_dir});
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_EQ(damaged.err, absl::StrCat("error: DATA_LOSS: the bytes received for ", sha256,
                                      " do not match their SHA-256; the partial file was removed: run the command "
                                      "again to fetch it afresh\n"));
  EXPECT_FALSE(std::filesystem::exists(damaged_dir + "/" + sha256 + ".part"));
  EXPECT_FALSE(std::filesystem::exists(damaged_dir + "/" + sha256 + ".jpg"));
  ASSERT_EQ(Telederm(clinic_, {"image", case_id, "--out", damaged_dir}).exit_code, 0);
  EXPECT_EQ(ReadFileBytes(damaged_dir + "/" + sha256 + ".jpg"), image);

  CliRun peek = Telederm(other_clinic_, {"image", case_id, "--out", dir + "/peek"});
  EXPECT_EQ(peek.exit_code, 1);
  EXPECT_THAT(peek.err, HasSubstr("NOT_FOUND"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/peek/" + sha256 + ".jpg"));

  // The dermatologist of the case's pool, once triage has queued it.
  ASSERT_TRUE(WaitUntilQueued(case_id)) << stack_->LogTail(Service::kTriage) << stack_->LogTail(Service::kReferral);
  const std::string dermatologist_dir = *MakeTempDir("telederm-cli-dermatologist");
  CliRun read = Telederm(dermatologist_, {"image", case_id, "--out", dermatologist_dir});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out,
            absl::StrCat("wrote ", dermatologist_dir, "/", sha256, ".jpg sha256=", sha256, " bytes=", image.size(), "\n"));
  EXPECT_EQ(ReadFileBytes(dermatologist_dir + "/" + sha256 + ".jpg"), image);
  for (const std::string& made : {dir, resumed_dir, damaged_dir, dermatologist_dir}) std::filesystem::remove_all(made);
}

TEST_F(CliWorkflowTest, AnotherClinicCannotSeeTheCaseAndTheCliSaysSoWithExitOne) {
  CliRun submitted = Telederm(clinic_, SubmitArgs("P-0043"));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string case_id = Word(submitted.lines().back(), 1);

  CliRun peek = Telederm(other_clinic_, {"case", case_id});
  EXPECT_EQ(peek.exit_code, 1);
  EXPECT_TRUE(peek.out.empty()) << peek.out;
  EXPECT_THAT(peek.err, StartsWith("error: "));
  EXPECT_THAT(peek.err, ::testing::AnyOf(HasSubstr("NOT_FOUND"), HasSubstr("PERMISSION_DENIED")));

  CliRun listing = Telederm(other_clinic_, {"cases"});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_THAT(listing.out, ::testing::Not(HasSubstr(case_id)));
}

TEST_F(CliWorkflowTest, WithoutATokenEveryCallIsRefusedAsUnauthenticated) {
  CliRun anonymous = Run({"--intake", stack_->address(Service::kIntake), "--clinic", "clinic-lakeside-2", "cases"},
                         /*admin=*/false);
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.err, HasSubstr("UNAUTHENTICATED"));
}

}  // namespace
}  // namespace telederm::testing
