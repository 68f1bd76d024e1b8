#include "common/access/case_access.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "telederm/v1/referral.pb.h"
#include "tests/harness/redis_test.h"

namespace telederm {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

constexpr CaseRead kEveryRead[] = {CaseRead::kRecord, CaseRead::kTriage, CaseRead::kThread, CaseRead::kImages,
                                   CaseRead::kFhirExport};

const char* ReadName(CaseRead what) {
  switch (what) {
    case CaseRead::kRecord: return "record";
    case CaseRead::kTriage: return "triage";
    case CaseRead::kThread: return "thread";
    case CaseRead::kImages: return "images";
    case CaseRead::kFhirExport: return "fhir export";
  }
  return "?";
}

v1::Case CaseOf(absl::string_view case_id, v1::CaseStatus status, absl::string_view pool) {
  v1::Case c;
  c.set_case_id(std::string(case_id));
  c.set_clinic_id("clinic-a");
  c.set_status(status);
  c.set_pool(std::string(pool));
  return c;
}

// Every case state a reader meets, all submitted by clinic-a.
std::map<std::string, v1::Case> Cases() {
  std::map<std::string, v1::Case> cases;
  cases["received, no pool yet"] = CaseOf("c-received", v1::CASE_STATUS_RECEIVED, "");
  cases["queued in general"] = CaseOf("c-queued", v1::CASE_STATUS_QUEUED, "general");
  v1::Case held = CaseOf("c-held", v1::CASE_STATUS_CLAIMED, "general");
  held.mutable_claim()->set_specialist_id("s-holder");
  cases["claimed by s-holder"] = held;
  v1::Case other = CaseOf("c-other", v1::CASE_STATUS_CLAIMED, "general");
  other.mutable_claim()->set_specialist_id("s-other");
  cases["claimed by s-other"] = other;
  cases["needs info in general"] = CaseOf("c-needs-info", v1::CASE_STATUS_NEEDS_INFO, "general");
  v1::Case reported = CaseOf("c-reported", v1::CASE_STATUS_REPORTED, "general");
  reported.mutable_report()->set_specialist_id("s-author");
  cases["reported by s-author"] = reported;
  v1::Case closed = reported;
  closed.set_case_id("c-closed");
  closed.set_status(v1::CASE_STATUS_CLOSED);
  cases["closed, reported by s-author"] = closed;
  cases["second opinion asked of s-second"] = CaseOf("c-second", v1::CASE_STATUS_QUEUED, DirectPool("s-second"));
  return cases;
}

Reader Clinic(absl::string_view id) {
  Reader reader;
  reader.role = Caller::Role::kClinic;
  reader.id = std::string(id);
  return reader;
}

// A specialist as CaseAccess::Resolve makes them: their pools plus their direct pool.
Reader Specialist(absl::string_view id, std::vector<std::string> pools, std::vector<std::string> supervises = {}) {
  Reader reader;
  reader.role = Caller::Role::kSpecialist;
  reader.id = std::string(id);
  reader.pools = std::move(pools);
  reader.pools.push_back(DirectPool(id));
  reader.supervises = std::move(supervises);
  reader.has_profile = !reader.supervises.empty();
  return reader;
}

Reader Admin(bool break_glass) {
  Reader reader;
  reader.role = Caller::Role::kAdmin;
  reader.id = "admin-1";
  reader.break_glass = break_glass;
  return reader;
}

const std::set<std::string> kGeneralCases = {"queued in general",     "claimed by s-holder",  "claimed by s-other",
                                             "needs info in general", "reported by s-author", "closed, reported by s-author"};

struct Row {
  std::string who;
  Reader reader;
  std::set<std::string> sees;       // every read of these cases is OK
  bool fhir_export_only = false;    // ... but only CaseRead::kFhirExport
};

std::vector<Row> Table() {
  std::set<std::string> every;
  for (const auto& [name, c] : Cases()) every.insert(name);
  return {
      {"its own clinic", Clinic("clinic-a"), every},
      {"another clinic", Clinic("clinic-b"), {}},
      {"a specialist of the pool", Specialist("s-general", {"general"}), kGeneralCases},
      {"a specialist of another pool", Specialist("s-oncology", {"oncology"}), {}},
      {"the specialist holding the claim", Specialist("s-holder", {"oncology"}), {"claimed by s-holder"}},
      {"the specialist asked for a second opinion", Specialist("s-second", {"oncology"}),
       {"second opinion asked of s-second"}},
      {"the report's author", Specialist("s-author", {"oncology"}),
       {"reported by s-author", "closed, reported by s-author"}},
      {"a supervisor of the pool", Specialist("s-supervisor", {"oncology"}, {"general"}), kGeneralCases},
      {"a supervisor of another pool", Specialist("s-supervisor", {"oncology"}, {"dermato-oncology"}), {}},
      {"an administrator", Admin(false), {}},
      {"an administrator with break glass", Admin(true), every, /*fhir_export_only=*/true},
  };
}

TEST(CheckCaseAccessTest, EveryRoleTimesEveryCaseStateTimesEveryRead) {
  const std::map<std::string, v1::Case> cases = Cases();
  int checked = 0;
  for (const Row& row : Table()) {
    for (const auto& [state, c] : cases) {
      for (CaseRead what : kEveryRead) {
        const bool may = row.sees.count(state) > 0 && (!row.fhir_export_only || what == CaseRead::kFhirExport);
        const absl::Status status = CheckCaseAccess(row.reader, c, what);
        SCOPED_TRACE(absl::StrCat(row.who, " reading the ", ReadName(what), " of a case ", state));
        if (may) {
          EXPECT_TRUE(status.ok()) << status;
        } else {
          EXPECT_EQ(status, absl::NotFoundError(absl::StrCat("no case ", c.case_id())));
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 11 * 8 * 5);
}

// An empty id matches nobody's empty field: a case without a report or claim
// is not the "own" case of a reader without an id.
TEST(CheckCaseAccessTest, AReaderWithoutAnIdSeesNothing) {
  for (const auto& [state, c] : Cases()) {
    EXPECT_EQ(CheckCaseAccess(Clinic(""), c, CaseRead::kRecord).code(), absl::StatusCode::kNotFound) << state;
    Reader specialist = Specialist("", {});
    specialist.pools.clear();
    EXPECT_EQ(CheckCaseAccess(specialist, c, CaseRead::kRecord).code(), absl::StatusCode::kNotFound) << state;
  }
}

class CaseAccessTest : public testing::RedisTest {
 protected:
  void PutProfile(absl::string_view id, std::vector<std::string> pools, std::vector<std::string> supervises) {
    v1::SpecialistProfile profile;
    profile.set_specialist_id(std::string(id));
    for (std::string& p : pools) profile.add_pools(std::move(p));
    for (std::string& p : supervises) profile.add_supervises(std::move(p));
    ASSERT_TRUE(redis_->Command({"HSET", keys::kDirectorySpecialists, std::string(id), profile.SerializeAsString()}).ok());
  }

  v1::Case StoreCase(absl::string_view clinic, absl::string_view pool) {
    v1::Case c;
    c.set_case_id(NewCaseId(kT0));
    c.set_clinic_id(std::string(clinic));
    c.set_status(v1::CASE_STATUS_QUEUED);
    c.set_pool(std::string(pool));
    EXPECT_TRUE(CaseStore(redis_).Create(c).ok());
    return c;
  }

  static Caller SpecialistCaller(absl::string_view id, std::vector<std::string> pools) {
    Caller caller;
    caller.role = Caller::Role::kSpecialist;
    caller.id = std::string(id);
    caller.pools = std::move(pools);
    return caller;
  }
};

TEST_F(CaseAccessTest, AStoredProfileDecidesPoolsAndSupervisionAndTheCallsPoolsAreIgnored) {
  PutProfile("s-1", {"general"}, {"oncology"});
  absl::StatusOr<Reader> reader = CaseAccess(redis_).Resolve(SpecialistCaller("s-1", {"paediatric"}));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->role, Caller::Role::kSpecialist);
  EXPECT_EQ(reader->id, "s-1");
  EXPECT_TRUE(reader->has_profile);
  EXPECT_EQ(reader->pools, (std::vector<std::string>{"general", "direct:s-1"}));
  EXPECT_EQ(reader->supervises, (std::vector<std::string>{"oncology"}));
}

TEST_F(CaseAccessTest, WithoutAProfileTheCallsPoolsDecideAndTheSpecialistSupervisesNothing) {
  absl::StatusOr<Reader> reader = CaseAccess(redis_).Resolve(SpecialistCaller("s-1", {"paediatric"}));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_FALSE(reader->has_profile);
  EXPECT_EQ(reader->pools, (std::vector<std::string>{"paediatric", "direct:s-1"}));
  EXPECT_TRUE(reader->supervises.empty());
}

TEST_F(CaseAccessTest, AClinicOrAdministratorIsTakenAsItIs) {
  Caller clinic;
  clinic.role = Caller::Role::kClinic;
  clinic.id = "clinic-a";
  absl::StatusOr<Reader> reader = CaseAccess(redis_).Resolve(clinic);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->role, Caller::Role::kClinic);
  EXPECT_EQ(reader->id, "clinic-a");
  EXPECT_TRUE(reader->pools.empty());
  EXPECT_FALSE(reader->break_glass);
}

TEST_F(CaseAccessTest, AProfileThatDoesNotParseIsDataLoss) {
  ASSERT_TRUE(redis_->Command({"HSET", keys::kDirectorySpecialists, "s-1", "\xff\xff\xff"}).ok());
  EXPECT_EQ(CaseAccess(redis_).Resolve(SpecialistCaller("s-1", {})).status(),
            absl::DataLossError("directory:{staff}:specialists entry s-1 does not parse"));
}

TEST_F(CaseAccessTest, ReadCaseRefusesWhatIsNotACaseId) {
  EXPECT_EQ(CaseAccess(redis_).ReadCase(Clinic("clinic-a"), "c-*\r\n", CaseRead::kRecord).status(),
            absl::InvalidArgumentError("case_id: not a case id (they look like c-01J...)"));
}

TEST_F(CaseAccessTest, AnotherClinicsCaseIsAnsweredExactlyLikeAMissingOne) {
  const v1::Case theirs = StoreCase("clinic-b", "general");
  const std::string missing = NewCaseId(kT0);
  CaseAccess access(redis_);
  EXPECT_EQ(access.ReadCase(Clinic("clinic-a"), missing, CaseRead::kImages).status(),
            absl::NotFoundError(absl::StrCat("no case ", missing)));
  EXPECT_EQ(access.ReadCase(Clinic("clinic-a"), theirs.case_id(), CaseRead::kImages).status(),
            absl::NotFoundError(absl::StrCat("no case ", theirs.case_id())));
  absl::StatusOr<v1::Case> own = access.ReadCase(Clinic("clinic-b"), theirs.case_id(), CaseRead::kImages);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->case_id(), theirs.case_id());
}

TEST_F(CaseAccessTest, ASupervisorReadsTheCasesOfTheirPoolThroughTheirStoredProfile) {
  PutProfile("s-sup", {"oncology"}, {"general"});
  const v1::Case general = StoreCase("clinic-a", "general");
  const v1::Case paediatric = StoreCase("clinic-a", "paediatric");
  CaseAccess access(redis_);
  absl::StatusOr<Reader> reader = access.Resolve(SpecialistCaller("s-sup", {"paediatric"}));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE(access.ReadCase(*reader, general.case_id(), CaseRead::kThread).ok());
  EXPECT_EQ(access.ReadCase(*reader, paediatric.case_id(), CaseRead::kThread).status(),
            absl::NotFoundError(absl::StrCat("no case ", paediatric.case_id())));
}

}  // namespace
}  // namespace telederm
