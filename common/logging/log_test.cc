#include "common/logging/log.h"

#include <gtest/gtest.h>

namespace telederm {
namespace {

const char kTime[] = "2024-05-01T10:00:00.000Z";

TEST(LogLineTest, TextLineIsUnchangedByTheJsonMode) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, Severity::kWarning, kTime, "triage", "case c-01HZY3J5Q8W2X7V4K9M6N0P1R2 slow", {}),
            "2024-05-01T10:00:00.000Z WARN triage: case c-01HZY3J5Q8W2X7V4K9M6N0P1R2 slow");
}

TEST(LogLineTest, JsonLineCarriesTheCaseIdTheMessageNames) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, Severity::kInfo, kTime, "intake",
                          "case c-01HZY3J5Q8W2X7V4K9M6N0P1R2 received from clinic k-3", {}),
            R"({"ts":"2024-05-01T10:00:00.000Z","level":"INFO","component":"intake",)"
            R"("msg":"case c-01HZY3J5Q8W2X7V4K9M6N0P1R2 received from clinic k-3",)"
            R"("case_id":"c-01HZY3J5Q8W2X7V4K9M6N0P1R2"})");
}

TEST(LogLineTest, JsonEscapesQuotesControlCharactersAndAddsFields) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, Severity::kError, kTime, "referral", "bad \"x\"\n\x01",
                          {{"pool", "general"}}),
            R"({"ts":"2024-05-01T10:00:00.000Z","level":"ERROR","component":"referral",)"
            R"("msg":"bad \"x\"\n\u0001","pool":"general"})");
}

TEST(LogLineTest, ScopedCaseIdWinsOverTheMessageAndEndsWithItsScope) {
  {
    ScopedLogCaseId scoped("c-01HZY3J5Q8W2X7V4K9M6N0P1R3");
    EXPECT_EQ(FormatLogLine(LogFormat::kJson, Severity::kInfo, kTime, "triage", "screened", {}),
              R"({"ts":"2024-05-01T10:00:00.000Z","level":"INFO","component":"triage","msg":"screened",)"
              R"("case_id":"c-01HZY3J5Q8W2X7V4K9M6N0P1R3"})");
  }
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, Severity::kInfo, kTime, "triage", "screened", {}),
            R"({"ts":"2024-05-01T10:00:00.000Z","level":"INFO","component":"triage","msg":"screened"})");
}

TEST(LogLineTest, WordsThatMerelyStartWithCDashAreNotCaseIds) {
  std::string line = FormatLogLine(LogFormat::kJson, Severity::kInfo, kTime, "intake", "clinic c-short abc-01HZY3J5Q8W2X7V4K9M6N0P1R2", {});
  EXPECT_EQ(line.find("case_id"), std::string::npos) << line;
}

TEST(LogFormatTest, ParsesTextAndJsonOnly) {
  LogFormat format;
  EXPECT_TRUE(ParseLogFormat("json", &format));
  EXPECT_EQ(format, LogFormat::kJson);
  EXPECT_TRUE(ParseLogFormat("text", &format));
  EXPECT_EQ(format, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml", &format));
}

TEST(LogTimeTest, MatchesTheFullFormatWithinASecondAndAcrossSeconds) {
  const absl::Time start = absl::FromUnixMillis(1714557599998);  // 2024-05-01T09:59:59.998Z
  for (absl::Time t : {start, start + absl::Milliseconds(1), start + absl::Milliseconds(2),
                       start + absl::Microseconds(2999), start + absl::Milliseconds(1500), start,
                       absl::FromUnixMillis(-1), absl::UnixEpoch()}) {
    EXPECT_EQ(FormatLogTime(t), absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()));
  }
  EXPECT_EQ(FormatLogTime(start), "2024-05-01T09:59:59.998Z");
}

}  // namespace
}  // namespace telederm
