#include "common/auth/anonymous_refusals.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

#include "absl/strings/match.h"

namespace telederm::auth {
namespace {

constexpr char kListCases[] = "/telederm.v1.IntakeService/ListCases";
const absl::Status kNoToken = absl::UnauthenticatedError("no bearer token: send 'authorization: Bearer <token>'");

// Every series of the refusals counter: {reason, method} -> value.
std::map<std::pair<std::string, std::string>, double> Series(prometheus::Registry& registry) {
  std::map<std::pair<std::string, std::string>, double> out;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != "telederm_auth_anonymous_refusals_total") continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::string reason, method;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        (label.name == "reason" ? reason : method) = label.value;
      }
      out[{reason, method}] = metric.counter.value;
    }
  }
  return out;
}

TEST(AnonymousRefusalsTest, EachRefusalIsCountedByReasonAndMethodAndAMadeUpPathIsUnknown) {
  prometheus::Registry registry;
  AnonymousRefusals refusals(&registry, std::make_shared<SimulatedClock>(absl::FromUnixSeconds(1700000000)));
  for (int i = 0; i < 3; ++i) refusals.Record(AnonymousRefusal::kNoToken, kListCases, kNoToken);
  refusals.Record(AnonymousRefusal::kBadSignature, kListCases,
                  absl::UnauthenticatedError("bearer token refused: signature does not match"));
  refusals.Record(AnonymousRefusal::kNoToken, "/made.up/Path\r\n", kNoToken);
  const std::map<std::pair<std::string, std::string>, double> expected = {
      {{"no_token", "IntakeService/ListCases"}, 3},
      {{"bad_signature", "IntakeService/ListCases"}, 1},
      {{"no_token", "unknown"}, 1},
  };
  EXPECT_EQ(Series(registry), expected);
  EXPECT_EQ(refusals.Count(AnonymousRefusal::kNoToken), 4);
}

TEST(AnonymousRefusalsTest, AtMostOneLogLinePerReasonPerSecondSayingHowManySinceTheLast) {
  auto clock = std::make_shared<SimulatedClock>(absl::FromUnixSeconds(1700000000));
  AnonymousRefusals refusals(nullptr, clock);
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 100; ++i) refusals.Record(AnonymousRefusal::kNoToken, kListCases, kNoToken);
  clock->Advance(absl::Milliseconds(999));
  refusals.Record(AnonymousRefusal::kNoToken, kListCases, kNoToken);
  clock->Advance(absl::Milliseconds(1));
  refusals.Record(AnonymousRefusal::kNoToken, kListCases, kNoToken);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2) << log;
  EXPECT_TRUE(absl::StrContains(log, "refused 1 call without a verifiable identity (no_token) since the last such "
                                     "line; latest: IntakeService/ListCases: no bearer token"))
      << log;
  EXPECT_TRUE(absl::StrContains(log, "refused 101 calls without a verifiable identity (no_token)")) << log;
}

TEST(AnonymousRefusalsTest, VerificationFailuresAreSortedIntoReasons) {
  auto of = [](const char* message) { return AnonymousRefusalOf(absl::UnauthenticatedError(message)); };
  EXPECT_EQ(of("bearer token refused: expired"), AnonymousRefusal::kExpired);
  EXPECT_EQ(of("bearer token refused: issued in the future"), AnonymousRefusal::kExpired);
  EXPECT_EQ(of("bearer token refused: signature does not match"), AnonymousRefusal::kBadSignature);
  EXPECT_EQ(of("bearer token refused: signed by an unknown key"), AnonymousRefusal::kBadSignature);
  EXPECT_EQ(of("bearer token refused: algorithm is not HS256"), AnonymousRefusal::kBadSignature);
  EXPECT_EQ(of("bearer token refused: not base64url"), AnonymousRefusal::kMalformed);
}

}  // namespace
}  // namespace telederm::auth
