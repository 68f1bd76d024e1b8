#include "common/fhir/fhir_bundle.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "common/fhir/fhir_test_case.h"

namespace telederm::fhir {
namespace {

using json = nlohmann::json;

const absl::Time kNow = kReceived + absl::Hours(3);

std::vector<json> ResourcesOf(const json& bundle, const std::string& type) {
  std::vector<json> found;
  for (const json& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == type) found.push_back(entry["resource"]);
  }
  return found;
}

json OnlyResource(const json& bundle, const std::string& type) {
  std::vector<json> found = ResourcesOf(bundle, type);
  EXPECT_EQ(found.size(), 1u) << type;
  return found.empty() ? json() : found[0];
}

// fullUrl -> resource type
std::map<std::string, std::string> FullUrls(const json& bundle) {
  std::map<std::string, std::string> urls;
  for (const json& entry : bundle["entry"]) urls[entry["fullUrl"]] = entry["resource"]["resourceType"];
  return urls;
}

void CollectReferences(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "reference" && it->is_string()) out.push_back(*it);
      CollectReferences(*it, out);
    }
  } else if (node.is_array()) {
    for (const json& element : node) CollectReferences(element, out);
  }
}

std::string TypeOf(const json& bundle, const json& reference) {
  return FullUrls(bundle)[reference["reference"].get<std::string>()];
}

bool HasCoding(const json& codeable, const std::string& system, const std::string& code) {
  for (const json& coding : codeable["coding"]) {
    if (coding["system"] == system && coding["code"] == code) return true;
  }
  return false;
}

TEST(FhirBundleTest, ReportedCaseIsACollectionWithEveryResourceAndNoDanglingReference) {
  json bundle = CaseToFhirBundle(ReportedMelanomaCase(), QuestionAndAnswer("c-01HWX5Q3T8S2G6VJ5ZK7N4M9PA"), kNow);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  EXPECT_EQ(bundle["identifier"]["value"], "c-01HWX5Q3T8S2G6VJ5ZK7N4M9PA");
  EXPECT_EQ(bundle["timestamp"], "2024-05-01T13:00:00.000Z");

  std::map<std::string, int> counts;
  for (const json& entry : bundle["entry"]) {
    const std::string full_url = entry["fullUrl"];
    EXPECT_EQ(full_url.rfind("urn:uuid:", 0), 0u) << full_url;
    EXPECT_EQ(entry["resource"]["id"], full_url.substr(9));
    ++counts[entry["resource"]["resourceType"]];
  }
  EXPECT_EQ(counts, (std::map<std::string, int>{{"Patient", 1},
                                                {"Organization", 1},
                                                {"ServiceRequest", 1},
                                                {"Task", 1},
                                                {"CareTeam", 1},
                                                {"Media", 2},
                                                {"Observation", 1},
                                                {"Device", 1},
                                                {"DiagnosticReport", 1},
                                                {"Communication", 2},
                                                {"Practitioner", 1}}));
  EXPECT_EQ(FullUrls(bundle).size(), bundle["entry"].size()) << "fullUrls are unique";

  std::vector<std::string> references;
  CollectReferences(bundle, references);
  EXPECT_GT(references.size(), 20u);
  for (const std::string& reference : references) {
    EXPECT_TRUE(FullUrls(bundle).contains(reference)) << "dangling reference " << reference;
  }
}

// The validator's bdl-7: a photo sent twice (the same digest) is two Media
// with two fullUrls, and the references name each.
TEST(FhirBundleTest, SamePhotoTwiceIsTwoMediaWithDistinctFullUrls) {
  v1::Case c = ReportedMelanomaCase();
  v1::ImageRef again = c.submission().images(0);
  again.set_modality(v1::MODALITY_CLINICAL_CLOSE_UP);
  *c.mutable_submission()->add_images() = again;
  json bundle = CaseToFhirBundle(c, {}, kNow);
  EXPECT_EQ(ResourcesOf(bundle, "Media").size(), 3u);
  EXPECT_EQ(FullUrls(bundle).size(), bundle["entry"].size());
  json request = OnlyResource(bundle, "ServiceRequest");
  ASSERT_EQ(request["supportingInfo"].size(), 3u);
  EXPECT_NE(request["supportingInfo"][0], request["supportingInfo"][2]);
}

TEST(FhirBundleTest, PatientIsDeIdentified) {
  json patient = OnlyResource(CaseToFhirBundle(ReportedMelanomaCase(), {}, kNow), "Patient");
  EXPECT_EQ(patient["identifier"][0]["value"], "KR03-0119");
  EXPECT_EQ(patient["identifier"][0]["system"], "urn:telederm:clinic:clinic-kisumu-03:patient");
  EXPECT_EQ(patient["gender"], "female");
  EXPECT_EQ(patient["meta"]["security"][0]["code"], "PSEUDED");
  for (const char* field : {"name", "birthDate", "address", "telecom", "photo", "contact"}) {
    EXPECT_FALSE(patient.contains(field)) << field;
  }
  EXPECT_EQ(patient["extension"][0]["valueAge"]["value"], 34);
  EXPECT_EQ(patient["extension"][1]["valueInteger"], 3);
}

TEST(FhirBundleTest, ServiceRequestCarriesRequesterPriorityReasonAndBodySite) {
  json bundle = CaseToFhirBundle(ClaimedMelanomaCase(), {}, kNow);
  json request = OnlyResource(bundle, "ServiceRequest");
  EXPECT_EQ(request["status"], "active");
  EXPECT_EQ(request["intent"], "order");
  EXPECT_EQ(request["priority"], "asap");
  EXPECT_EQ(TypeOf(bundle, request["requester"]), "Organization");
  EXPECT_EQ(TypeOf(bundle, request["subject"]), "Patient");
  EXPECT_TRUE(HasCoding(request["reasonCode"][0], kCaseTypeSystem, "suspected-skin-tumour"));
  EXPECT_TRUE(HasCoding(request["bodySite"][0], kSnomedSystem, "14975008"));
  EXPECT_TRUE(HasCoding(request["bodySite"][0], kBodySiteSystem, "forearm"));
  EXPECT_EQ(request["authoredOn"], "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(request["note"][0]["text"], "Pigmented lesion noticed by her partner. Benign?");
  EXPECT_EQ(request["supportingInfo"].size(), 2u);
}

TEST(FhirBundleTest, TaskShowsQueueStateOwnerAndDueTime) {
  json bundle = CaseToFhirBundle(ClaimedMelanomaCase(), {}, kNow);
  json task = OnlyResource(bundle, "Task");
  EXPECT_EQ(task["status"], "in-progress");
  EXPECT_TRUE(HasCoding(task["businessStatus"], kCaseStatusSystem, "claimed"));
  EXPECT_EQ(task["restriction"]["period"]["end"], "2024-05-02T10:00:00.000Z");
  EXPECT_EQ(TypeOf(bundle, task["owner"]), "Practitioner");
  EXPECT_EQ(OnlyResource(bundle, "Practitioner")["identifier"][0]["value"], "dr-achieng");
  EXPECT_EQ(TypeOf(bundle, task["focus"]), "ServiceRequest");
  EXPECT_EQ(task["lastModified"], "2024-05-01T10:30:00.000Z");

  v1::Case queued = ClaimedMelanomaCase();
  queued.set_status(v1::CASE_STATUS_QUEUED);
  queued.clear_claim();
  json queued_bundle = CaseToFhirBundle(queued, {}, kNow);
  json queued_task = OnlyResource(queued_bundle, "Task");
  EXPECT_EQ(queued_task["status"], "ready");
  EXPECT_EQ(TypeOf(queued_bundle, queued_task["owner"]), "CareTeam");
  EXPECT_EQ(OnlyResource(queued_bundle, "CareTeam")["name"], "general");
  EXPECT_TRUE(ResourcesOf(queued_bundle, "Practitioner").empty());
  EXPECT_TRUE(ResourcesOf(queued_bundle, "DiagnosticReport").empty());
}

TEST(FhirBundleTest, MediaPerImageWithModalityBodySiteAndSize) {
  json bundle = CaseToFhirBundle(ClaimedMelanomaCase(), {}, kNow);
  std::vector<json> media = ResourcesOf(bundle, "Media");
  ASSERT_EQ(media.size(), 2u);
  EXPECT_TRUE(HasCoding(media[0]["modality"], kDicomSystem, "DMS"));
  EXPECT_TRUE(HasCoding(media[0]["modality"], kModalitySystem, "dermoscopy"));
  EXPECT_EQ(media[0]["content"]["size"], 123456);
  EXPECT_EQ(media[0]["content"]["contentType"], "image/jpeg");
  EXPECT_EQ(media[0]["identifier"][0]["value"], std::string(64, 'a'));
  EXPECT_TRUE(HasCoding(media[0]["bodySite"], kSnomedSystem, "14975008"));
  EXPECT_EQ(media[0]["status"], "completed");
  EXPECT_TRUE(HasCoding(media[1]["modality"], kDicomSystem, "XC"));
  EXPECT_EQ(media[1]["content"]["size"], 654321);
  EXPECT_EQ(TypeOf(bundle, media[1]["subject"]), "Patient");
}

TEST(FhirBundleTest, PreScreeningObservationNamesTheAnalyzerAndIsDerivedFromTheImages) {
  json bundle = CaseToFhirBundle(ClaimedMelanomaCase(), {}, kNow);
  json observation = OnlyResource(bundle, "Observation");
  EXPECT_EQ(observation["status"], "final");
  EXPECT_EQ(observation["method"]["coding"][0]["code"], "telederm-lesion-analyzer");
  EXPECT_EQ(observation["method"]["coding"][0]["version"], "1.3.0");
  EXPECT_EQ(observation["valueQuantity"]["value"], 0.82);
  ASSERT_EQ(observation["derivedFrom"].size(), 2u);
  for (const json& reference : observation["derivedFrom"]) EXPECT_EQ(TypeOf(bundle, reference), "Media");
  ASSERT_EQ(observation["component"].size(), 2u);
  EXPECT_EQ(observation["component"][0]["valueQuantity"]["value"], 0.82);
  EXPECT_TRUE(HasCoding(observation["component"][1]["code"], kPreScreeningSystem, "urgency-tier"));
  EXPECT_TRUE(HasCoding(observation["component"][1]["valueCodeableConcept"], kUrgencySystem, "urgent"));
  EXPECT_FALSE(observation.contains("interpretation"));
  EXPECT_EQ(observation["effectiveDateTime"], "2024-05-01T10:00:03.000Z");
  EXPECT_EQ(TypeOf(bundle, observation["device"]), "Device");
  EXPECT_EQ(OnlyResource(bundle, "Device")["version"][0]["value"], "1.3.0");
}

TEST(FhirBundleTest, UnscreenedCaseHasNoRiskValueButTheReason) {
  v1::Case c = ClaimedMelanomaCase();
  c.mutable_triage()->set_screened(false);
  c.mutable_triage()->set_not_screened_reason("images could not be analysed");
  json observation = OnlyResource(CaseToFhirBundle(c, {}, kNow), "Observation");
  EXPECT_FALSE(observation.contains("valueQuantity"));
  EXPECT_EQ(observation["dataAbsentReason"]["coding"][0]["code"], "error");
  EXPECT_NE(observation["dataAbsentReason"]["text"].get<std::string>().find("images could not be analysed"),
            std::string::npos);
}

TEST(FhirBundleTest, DiagnosticReportHasIcd10CodeConclusionAndSigner) {
  json bundle = CaseToFhirBundle(ReportedMelanomaCase(), {}, kNow);
  json report = OnlyResource(bundle, "DiagnosticReport");
  EXPECT_EQ(report["status"], "final");
  EXPECT_TRUE(HasCoding(report["code"], kLoincSystem, "11488-4"));
  EXPECT_TRUE(HasCoding(report["conclusionCode"][0], kIcd10System, "C43.6"));
  EXPECT_TRUE(HasCoding(report["conclusionCode"][1], kManagementSystem, "urgent-in-person-referral"));
  EXPECT_EQ(report["conclusion"],
            "Melanoma of the upper limb, suspected. Management: Urgent in person referral (14). Follow-up: Excision "
            "biopsy at the district hospital");
  EXPECT_EQ(report["issued"], "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(TypeOf(bundle, report["performer"][0]), "Practitioner");
  EXPECT_EQ(report["media"].size(), 2u);
  json task = OnlyResource(bundle, "Task");
  EXPECT_EQ(task["status"], "completed");
  EXPECT_EQ(OnlyResource(bundle, "ServiceRequest")["status"], "completed");
}

TEST(FhirBundleTest, CommunicationPerMessageWithSenderRecipientAndPayload) {
  json bundle = CaseToFhirBundle(ReportedMelanomaCase(), QuestionAndAnswer("c-01HWX5Q3T8S2G6VJ5ZK7N4M9PA"), kNow);
  std::vector<json> messages = ResourcesOf(bundle, "Communication");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(TypeOf(bundle, messages[0]["sender"]), "Practitioner");
  EXPECT_EQ(TypeOf(bundle, messages[0]["recipient"][0]), "Organization");
  EXPECT_EQ(messages[0]["payload"][0]["contentString"], "Has it bled?");
  EXPECT_EQ(messages[0]["category"][0]["text"], "request for information");
  EXPECT_EQ(messages[0]["sent"], "2024-05-01T10:40:00.000Z");
  EXPECT_EQ(messages[0]["identifier"][0]["value"], "1714560000000-0");
  EXPECT_EQ(TypeOf(bundle, messages[1]["sender"]), "Organization");
  EXPECT_EQ(messages[1]["payload"][1]["contentAttachment"]["size"], 2048);
  EXPECT_EQ(TypeOf(bundle, messages[1]["about"][0]), "ServiceRequest");
}

TEST(FhirBundleTest, SameCaseGivesSameIdsAndOtherCasesOthers) {
  json first = CaseToFhirBundle(ClaimedMelanomaCase(), {}, kNow);
  json again = CaseToFhirBundle(ClaimedMelanomaCase(), {}, kNow + absl::Hours(1));
  json other = CaseToFhirBundle(ClaimedMelanomaCase("c-01HWX5Q3T8S2G6VJ5ZK7N4M9PB"), {}, kNow);
  EXPECT_EQ(first["entry"], again["entry"]);
  EXPECT_NE(first["entry"][0]["fullUrl"], other["entry"][0]["fullUrl"]);
  const std::string uuid = first["entry"][0]["resource"]["id"];
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '8');  // RFC 9562 version 8
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
}

TEST(FhirBundleTest, PriorityAndTaskStatusMappings) {
  EXPECT_EQ(PriorityOf(v1::URGENCY_URGENT), "asap");
  EXPECT_EQ(PriorityOf(v1::URGENCY_SOON), "urgent");
  EXPECT_EQ(PriorityOf(v1::URGENCY_ROUTINE), "routine");
  EXPECT_EQ(PriorityOf(v1::URGENCY_UNSPECIFIED), "routine");
  EXPECT_EQ(TaskStatusOf(v1::CASE_STATUS_RECEIVED), "requested");
  EXPECT_EQ(TaskStatusOf(v1::CASE_STATUS_SCREENING), "received");
  EXPECT_EQ(TaskStatusOf(v1::CASE_STATUS_QUEUED), "ready");
  EXPECT_EQ(TaskStatusOf(v1::CASE_STATUS_CLAIMED), "in-progress");
  EXPECT_EQ(TaskStatusOf(v1::CASE_STATUS_NEEDS_INFO), "on-hold");
  EXPECT_EQ(TaskStatusOf(v1::CASE_STATUS_REPORTED), "completed");
  EXPECT_EQ(TaskStatusOf(v1::CASE_STATUS_CLOSED), "completed");
}

}  // namespace
}  // namespace telederm::fhir
