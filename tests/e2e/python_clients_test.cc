// examples/python against the real services: the Python clinic client uploads
// and submits a case and waits for it to be queued; the Python specialist
// client lists the queue, claims the case and reports it; the clinic client
// reads the report and exports the case as FHIR. The stubs were generated
// from proto/ at build time (TELEDERM_PY_STUBS); the interpreter is Debian's.
#include <array>
#include <cstdio>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"

namespace telederm::testing {
namespace {

const std::string kExamples = std::string(TELEDERM_SOURCE_DIR) + "/examples/python/";
const std::string kMelanoma = std::string(TELEDERM_SOURCE_DIR) + "/tests/data/cases/ISIC_0025248.jpg";  // URGENT by rules and model

struct ScriptRun {
  int exit_code = -1;
  std::string out;  // stdout, then stderr
  // The JSON objects of stdout, one per line.
  std::vector<nlohmann::json> lines() const {
    std::vector<nlohmann::json> objects;
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (absl::StartsWith(line, "{")) {
        nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!object.is_discarded()) objects.push_back(object);
      }
    }
    return objects;
  }
};

// /usr/bin/python3 SCRIPT ARGS 2>&1 (the python3 first on PATH may not be Debian's).
ScriptRun Python(const std::string& script, const std::vector<std::string>& args) {
  std::string command = absl::StrCat("/usr/bin/python3 ", kExamples, script, " --stubs ", TELEDERM_PY_STUBS);
  for (const std::string& arg : args) absl::StrAppend(&command, " '", arg, "'");
  absl::StrAppend(&command, " 2>&1");
  ScriptRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  for (size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) run.out.append(buffer.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(PythonClientsTest, ClinicSubmitsSpecialistReportsClinicReadsReportAndExportsFhir) {
  auto stack = Stack::Start();
  ASSERT_TRUE(stack.ok()) << stack.status();
  const std::string intake = (*stack)->address(Service::kIntake);
  const std::string referral = (*stack)->address(Service::kReferral);
  // Tokens as the services verify them (the Stack runs with tokens, plaintext on loopback).
  const std::vector<std::string> clinic = {
      "--intake", intake, "--clinic", "clinic-python-1", "--token",
      TestToken(auth::Role::kClinic, "device-of-clinic-python-1", "clinic-python-1")};
  auto with = [](std::vector<std::string> base, const std::vector<std::string>& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };

  ScriptRun submit = Python("clinic_client.py", with(clinic, {"submit", "--image", kMelanoma + ":dermoscopy", "--patient",
                                                        "py-0001", "--wait-queued", "60"}));
  ASSERT_EQ(submit.exit_code, 0) << submit.out << (*stack)->LogTail(Service::kTriage);
  std::vector<nlohmann::json> lines = submit.lines();
  ASSERT_EQ(lines.size(), 3u) << submit.out;
  EXPECT_GT(lines[0]["size_bytes"].get<int64_t>(), 0);
  const std::string case_id = lines[1]["case_id"];
  EXPECT_EQ(lines[2]["status"], "CASE_STATUS_QUEUED") << submit.out;
  EXPECT_EQ(lines[2]["urgency"], "URGENCY_URGENT") << submit.out;

  const std::vector<std::string> specialist = {"--referral", referral, "--specialist", "dr-python", "--token",
                                                TestToken(auth::Role::kSpecialist, "dr-python", "general")};
  ScriptRun queue = Python("specialist_client.py", with(specialist, {"queue"}));
  ASSERT_EQ(queue.exit_code, 0) << queue.out;
  ASSERT_EQ(queue.lines().size(), 1u) << queue.out;
  EXPECT_EQ(queue.lines()[0]["case_id"], case_id);

  ScriptRun report = Python("specialist_client.py",
                      with(specialist, {"claim-and-report", "--case", case_id, "--diagnosis",
                                        "Melanocytic naevus, trunk", "--icd10", "D22.5", "--management", "REASSURE"}));
  ASSERT_EQ(report.exit_code, 0) << report.out << (*stack)->LogTail(Service::kReferral);
  EXPECT_EQ(report.lines().back()["status"], "CASE_STATUS_REPORTED") << report.out;

  ScriptRun read = Python("clinic_client.py", with(clinic, {"wait-report", case_id, "--timeout-s", "30"}));
  ASSERT_EQ(read.exit_code, 0) << read.out;
  EXPECT_EQ(read.lines()[0]["icd10_code"], "D22.5");
  EXPECT_EQ(read.lines()[0]["specialist"], "dr-python");

  ScriptRun fhir = Python("clinic_client.py", with(clinic, {"fhir", case_id}));
  ASSERT_EQ(fhir.exit_code, 0) << fhir.out;
  nlohmann::json bundle = nlohmann::json::parse(fhir.out);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  bool icd10 = false;
  for (const auto& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == "DiagnosticReport") {
      icd10 = entry["resource"]["conclusionCode"][0]["coding"][0]["code"] == "D22.5";
    }
  }
  EXPECT_TRUE(icd10) << fhir.out;

  // Errors: the gRPC code on stderr, exit status 1.
  ScriptRun empty = Python("specialist_client.py", with(specialist, {"claim"}));
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(empty.out, "error: NOT_FOUND")) << empty.out;
  ScriptRun other = Python("clinic_client.py", {"--intake", intake, "--clinic", "clinic-python-2", "--token",
                                          TestToken(auth::Role::kClinic, "device-2", "clinic-python-2"), "status",
                                          case_id});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(other.out, "error: NOT_FOUND")) << other.out;
}

}  // namespace
}  // namespace telederm::testing
