#include "common/fhir/fhir_bundle.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/blob/blob_store.h"
#include "common/case_state/timestamps.h"

namespace telederm::fhir {
namespace {

using json = nlohmann::json;

// "CASE_TYPE_SUSPECTED_SKIN_TUMOUR" with prefix "CASE_TYPE_" -> "suspected-skin-tumour".
std::string LocalCode(const std::string& enum_name, absl::string_view prefix) {
  absl::string_view name = enum_name;
  if (absl::StartsWith(name, prefix)) name.remove_prefix(prefix.size());
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", "-"}});
}

// "suspected-skin-tumour" -> "Suspected skin tumour".
std::string Display(const std::string& code) {
  std::string display = absl::StrReplaceAll(code, {{"-", " "}});
  if (!display.empty()) display[0] = absl::ascii_toupper(display[0]);
  return display;
}

json Coding(absl::string_view system, absl::string_view code, absl::string_view display) {
  json coding = {{"system", system}, {"code", code}};
  if (!display.empty()) coding["display"] = display;
  return coding;
}

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

std::string DateTime(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()); }
std::string DateTime(const google::protobuf::Timestamp& t) { return DateTime(FromProtoTimestamp(t)); }

// A deterministic "urn:uuid:" for one resource of one case: SHA-256 of both,
// shaped as an RFC 9562 version 8 (custom) uuid.
std::string Uuid(absl::string_view case_id, absl::string_view resource) {
  std::string hex = Sha256Hex(absl::StrCat("telederm-fhir/", case_id, "/", resource)).substr(0, 32);
  hex[12] = '8';
  hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
  return absl::StrCat("urn:uuid:", hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

json Ref(const std::string& full_url) { return json{{"reference", full_url}}; }

// SNOMED CT body structures for the sites that have an unambiguous one.
std::optional<std::pair<const char*, const char*>> SnomedBodySite(v1::BodySite site) {
  switch (site) {
    case v1::BODY_SITE_SCALP: return {{"41695006", "Scalp structure"}};
    case v1::BODY_SITE_FACE: return {{"89545001", "Face structure"}};
    case v1::BODY_SITE_EAR: return {{"117590005", "Ear structure"}};
    case v1::BODY_SITE_NECK: return {{"45048000", "Neck structure"}};
    case v1::BODY_SITE_CHEST: return {{"51185008", "Thoracic structure"}};
    case v1::BODY_SITE_ABDOMEN: return {{"113345001", "Abdominal structure"}};
    case v1::BODY_SITE_BACK: return {{"77568009", "Structure of back of trunk"}};
    case v1::BODY_SITE_UPPER_ARM: return {{"40983000", "Structure of upper arm"}};
    case v1::BODY_SITE_FOREARM: return {{"14975008", "Forearm structure"}};
    case v1::BODY_SITE_HAND: return {{"85562004", "Hand structure"}};
    case v1::BODY_SITE_THIGH: return {{"68367000", "Thigh structure"}};
    case v1::BODY_SITE_LOWER_LEG: return {{"30021000", "Structure of lower leg"}};
    case v1::BODY_SITE_FOOT: return {{"56459004", "Foot structure"}};
    case v1::BODY_SITE_NAIL: return {{"72651009", "Nail structure"}};
    default: return std::nullopt;
  }
}

json BodySite(v1::BodySite site) {
  const std::string code = LocalCode(v1::BodySite_Name(site), "BODY_SITE_");
  json codeable = {{"coding", json::array()}, {"text", Display(code)}};
  if (auto snomed = SnomedBodySite(site)) codeable["coding"].push_back(Coding(kSnomedSystem, snomed->first, snomed->second));
  codeable["coding"].push_back(Coding(kBodySiteSystem, code, Display(code)));
  return codeable;
}

// DICOM modality codes: XC external-camera photography, DMS dermoscopy, US ultrasound.
json Modality(v1::Modality modality) {
  const std::string code = LocalCode(v1::Modality_Name(modality), "MODALITY_");
  json codeable = {{"coding", json::array()}, {"text", Display(code)}};
  switch (modality) {
    case v1::MODALITY_CLINICAL_OVERVIEW:
    case v1::MODALITY_CLINICAL_CLOSE_UP:
      codeable["coding"].push_back(Coding(kDicomSystem, "XC", "External-camera Photography"));
      break;
    case v1::MODALITY_DERMOSCOPY: codeable["coding"].push_back(Coding(kDicomSystem, "DMS", "Dermoscopy")); break;
    case v1::MODALITY_ULTRASOUND: codeable["coding"].push_back(Coding(kDicomSystem, "US", "Ultrasound")); break;
    default: break;
  }
  codeable["coding"].push_back(Coding(kModalitySystem, code, Display(code)));
  return codeable;
}

std::string Gender(v1::Sex sex) {
  switch (sex) {
    case v1::SEX_FEMALE: return "female";
    case v1::SEX_MALE: return "male";
    case v1::SEX_OTHER: return "other";
    default: return "unknown";
  }
}

json Entry(const std::string& full_url, json resource) {
  return json{{"fullUrl", full_url}, {"resource", std::move(resource)}};
}

json Identifier(absl::string_view system, absl::string_view value) {
  return json{{"system", system}, {"value", value}};
}

json Annotation(const std::string& text) { return json{{"text", text}}; }

}  // namespace

std::string PriorityOf(v1::Urgency urgency) {
  switch (urgency) {
    case v1::URGENCY_URGENT: return "asap";
    case v1::URGENCY_SOON: return "urgent";
    default: return "routine";
  }
}

std::string TaskStatusOf(v1::CaseStatus status) {
  switch (status) {
    case v1::CASE_STATUS_RECEIVED: return "requested";
    case v1::CASE_STATUS_SCREENING: return "received";
    case v1::CASE_STATUS_QUEUED: return "ready";
    case v1::CASE_STATUS_CLAIMED: return "in-progress";
    case v1::CASE_STATUS_NEEDS_INFO: return "on-hold";
    case v1::CASE_STATUS_REPORTED:
    case v1::CASE_STATUS_CLOSED: return "completed";
    default: return "requested";
  }
}

namespace {

// The references every resource of one case's bundle points through, and one
// builder per FHIR resource. Practitioners are collected as the builders name
// them, so each appears once at the end of the bundle.
class BundleBuilder {
 public:
  BundleBuilder(const v1::Case& c)
      : c_(c),
        s_(c.submission()),
        id_(c.case_id()),
        patient_url_(Uuid(id_, "Patient")),
        clinic_url_(Uuid(id_, "Organization/clinic")),
        request_url_(Uuid(id_, "ServiceRequest")),
        task_url_(Uuid(id_, "Task")),
        pool_url_(Uuid(id_, "CareTeam/pool")),
        screening_url_(Uuid(id_, "Observation/pre-screening")),
        analyzer_url_(Uuid(id_, "Device/analyzer")),
        report_url_(Uuid(id_, "DiagnosticReport/report")),
        urgency_(c.urgency() != v1::URGENCY_UNSPECIFIED ? c.urgency() : c.triage().tier()) {
    // By position as well as digest: the same photo may come twice (say as
    // dermoscopy and as close-up), and a bundle's fullUrls are unique (bdl-7).
    for (int i = 0; i < s_.images_size(); ++i) {
      media_urls_.push_back(Uuid(id_, absl::StrCat("Media/", i, "/", s_.images(i).sha256())));
    }
  }

  json Build(const std::vector<v1::Message>& messages, absl::Time generated_at) {
    json entries = json::array();
    entries.push_back(Entry(patient_url_, Patient()));
    entries.push_back(Entry(clinic_url_, ClinicOrganization()));
    entries.push_back(Entry(request_url_, ServiceRequest()));
    entries.push_back(Entry(task_url_, Task()));
    if (!c_.pool().empty()) entries.push_back(Entry(pool_url_, PoolCareTeam()));
    for (int i = 0; i < s_.images_size(); ++i) entries.push_back(Entry(media_urls_[i], Media(i)));
    if (IsSet(c_.triage().screened_at()) || !c_.triage().analyzer_name().empty()) {
      entries.push_back(Entry(screening_url_, ScreeningObservation()));
      entries.push_back(Entry(analyzer_url_, AnalyzerDevice()));
    }
    const v1::Report& r = c_.report();
    if (!r.diagnosis_text().empty() && IsSet(r.reported_at())) {
      entries.push_back(Entry(report_url_, ConsultReport()));
      if (!r.biopsy().histology_text().empty()) {
        entries.push_back(Entry(Uuid(id_, "DiagnosticReport/histology"), HistologyReport()));
      }
    }
    for (const v1::Message& m : messages) {
      entries.push_back(Entry(Uuid(id_, absl::StrCat("Communication/", m.message_id())), Communication(m)));
    }
    for (const std::string& specialist : practitioners_) {
      entries.push_back(Entry(PractitionerUrl(specialist), Practitioner(specialist)));
    }
    // Resource ids: the uuid part of each fullUrl.
    for (json& entry : entries) entry["resource"]["id"] = entry["fullUrl"].get<std::string>().substr(9);
    return json{{"resourceType", "Bundle"},
                {"id", Uuid(id_, "Bundle").substr(9)},
                {"meta", {{"lastUpdated", DateTime(generated_at)}}},
                {"identifier", Identifier(kCaseIdSystem, id_)},
                {"type", "collection"},
                {"timestamp", DateTime(generated_at)},
                {"entry", std::move(entries)}};
  }

 private:
  std::string PractitionerUrl(const std::string& specialist) const { return Uuid(id_, "Practitioner/" + specialist); }

  // A reference to the specialist's Practitioner, which the bundle then holds.
  json PractitionerRef(const std::string& specialist) {
    if (std::find(practitioners_.begin(), practitioners_.end(), specialist) == practitioners_.end()) {
      practitioners_.push_back(specialist);
    }
    return Ref(PractitionerUrl(specialist));
  }

  // De-identified: no name, birth date, address or contact.
  json Patient() const {
    json patient = {
        {"resourceType", "Patient"},
        {"meta",
         {{"security",
           {Coding("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "PSEUDED", "pseudonymized")}}}},
        {"identifier",
         {Identifier(absl::StrCat(kClinicIdSystem, ":", c_.clinic_id(), ":patient"), s_.patient().reference())}},
        {"gender", Gender(s_.patient().sex())},
        {"managingOrganization", Ref(clinic_url_)},
        {"extension",
         {{{"url", "https://telederm.example/fhir/StructureDefinition/age-years"},
           {"valueAge",
            {{"value", s_.patient().age_years()}, {"unit", "a"}, {"system", "http://unitsofmeasure.org"}, {"code", "a"}}}}}}};
    if (s_.patient().fitzpatrick_type() > 0) {
      patient["extension"].push_back({{"url", "https://telederm.example/fhir/StructureDefinition/fitzpatrick-skin-type"},
                                      {"valueInteger", s_.patient().fitzpatrick_type()}});
    }
    return patient;
  }

  json ClinicOrganization() const {
    return {{"resourceType", "Organization"},
            {"identifier", {Identifier(kClinicIdSystem, c_.clinic_id())}},
            {"name", c_.clinic_id()}};
  }

  // The referral the clinic made.
  json ServiceRequest() const {
    const std::string case_type = LocalCode(v1::CaseType_Name(s_.type()), "CASE_TYPE_");
    json reason = {{"coding", {Coding(kCaseTypeSystem, case_type, Display(case_type))}}, {"text", Display(case_type)}};
    if (s_.type() == v1::CASE_TYPE_ACNE && s_.acne_severity_grade() > 0) {
      reason["text"] = absl::StrCat("Acne, clinic's severity grade ", s_.acne_severity_grade(), " of 4");
    }
    const bool answered = c_.status() == v1::CASE_STATUS_REPORTED || c_.status() == v1::CASE_STATUS_CLOSED;
    json request = {{"resourceType", "ServiceRequest"},
                    {"identifier", {Identifier(kCaseIdSystem, id_)}},
                    {"status", answered ? "completed" : "active"},
                    {"intent", "order"},
                    {"priority", PriorityOf(urgency_)},
                    {"code", {{"text", "Store-and-forward teledermatology consultation"}}},
                    {"performerType",
                     {{"coding", {Coding(kSnomedSystem, "18803008", "Dermatologist")}}, {"text", "Dermatologist"}}},
                    {"subject", Ref(patient_url_)},
                    {"requester", Ref(clinic_url_)},
                    {"reasonCode", {reason}},
                    {"bodySite", {BodySite(s_.lesion().body_site())}}};
    if (IsSet(c_.received_at())) request["authoredOn"] = DateTime(c_.received_at());
    if (!s_.clinical_question().empty()) request["note"] = {Annotation(s_.clinical_question())};
    if (s_.consent_to_teleconsultation()) {
      request["patientInstruction"] = "The patient consented to a teleconsultation.";
    }
    if (!media_urls_.empty()) {
      request["supportingInfo"] = json::array();
      for (const std::string& url : media_urls_) request["supportingInfo"].push_back(Ref(url));
    }
    return request;
  }

  // Where the request stands in the specialists' queue.
  json Task() {
    const std::string status = LocalCode(v1::CaseStatus_Name(c_.status()), "CASE_STATUS_");
    json task = {{"resourceType", "Task"},
                 {"identifier", {Identifier(kCaseIdSystem, id_)}},
                 {"basedOn", {Ref(request_url_)}},
                 {"status", TaskStatusOf(c_.status())},
                 {"businessStatus", {{"coding", {Coding(kCaseStatusSystem, status, Display(status))}}}},
                 {"intent", "order"},
                 {"priority", PriorityOf(urgency_)},
                 {"focus", Ref(request_url_)},
                 {"for", Ref(patient_url_)},
                 {"requester", Ref(clinic_url_)}};
    if (IsSet(c_.received_at())) task["authoredOn"] = DateTime(c_.received_at());
    if (c_.history_size() > 0 && IsSet(c_.history(c_.history_size() - 1).at())) {
      task["lastModified"] = DateTime(c_.history(c_.history_size() - 1).at());
    }
    if (IsSet(c_.due_at())) task["restriction"] = {{"period", {{"end", DateTime(c_.due_at())}}}};
    if (c_.status() == v1::CASE_STATUS_CLAIMED && !c_.claim().specialist_id().empty()) {
      task["owner"] = PractitionerRef(c_.claim().specialist_id());
    } else if ((c_.status() == v1::CASE_STATUS_REPORTED || c_.status() == v1::CASE_STATUS_CLOSED) &&
               !c_.report().specialist_id().empty()) {
      task["owner"] = PractitionerRef(c_.report().specialist_id());
    } else if (!c_.pool().empty()) {
      task["owner"] = Ref(pool_url_);
    }
    if (urgency_ != v1::URGENCY_UNSPECIFIED) {
      const std::string tier = LocalCode(v1::Urgency_Name(urgency_), "URGENCY_");
      task["input"] = {{{"type", {{"text", "urgency tier"}}},
                        {"valueCodeableConcept", {{"coding", {Coding(kUrgencySystem, tier, Display(tier))}}}}}};
    }
    return task;
  }

  json PoolCareTeam() const {
    return {{"resourceType", "CareTeam"},
            {"identifier", {Identifier(kPoolSystem, c_.pool())}},
            {"status", "active"},
            {"name", c_.pool()}};
  }

  // The i-th image of the case.
  json Media(int i) const {
    const v1::ImageRef& image = s_.images(i);
    json attachment = {{"contentType", image.content_type().empty() ? "image/jpeg" : image.content_type()},
                       {"title", absl::StrCat("image ", i + 1, " (sha256 ", image.sha256(), ")")}};
    if (image.size_bytes() > 0) attachment["size"] = image.size_bytes();
    json media = {{"resourceType", "Media"},
                  {"identifier", {Identifier(kImageSha256System, image.sha256())}},
                  {"basedOn", {Ref(request_url_)}},
                  {"status", "completed"},
                  {"type", {{"coding", {Coding("http://terminology.hl7.org/CodeSystem/media-type", "image", "Image")}}}},
                  {"modality", Modality(image.modality())},
                  {"subject", Ref(patient_url_)},
                  {"bodySite", BodySite(s_.lesion().body_site())},
                  {"content", attachment}};
    if (IsSet(c_.received_at())) media["issued"] = DateTime(c_.received_at());
    return media;
  }

  // The pre-screening, made by the analyzer (a Device) from the images.
  json ScreeningObservation() const {
    const v1::TriageResult& t = c_.triage();
    json observation = {
        {"resourceType", "Observation"},
        {"status", "final"},
        {"category",
         {{{"coding", {Coding("http://terminology.hl7.org/CodeSystem/observation-category", "exam", "Exam")}}}}},
        {"code",
         {{"coding", {Coding(kPreScreeningSystem, "malignancy-risk", "Pre-screening malignancy risk")}},
          {"text", "AI pre-screening: risk of skin malignancy (orders the queue; never the last word)"}}},
        {"subject", Ref(patient_url_)},
        {"basedOn", {Ref(request_url_)}},
        {"focus", {Ref(request_url_)}},
        {"device", Ref(analyzer_url_)},
        {"method",
         {{"coding", {{{"system", kPreScreeningSystem},
                       {"code", t.analyzer_name().empty() ? "unknown" : t.analyzer_name()},
                       {"version", t.analyzer_version()}}}},
          {"text", absl::StrCat(t.analyzer_name(), " ", t.analyzer_version())}}}};
    if (IsSet(t.screened_at())) observation["effectiveDateTime"] = DateTime(t.screened_at());
    if (!media_urls_.empty()) {
      observation["derivedFrom"] = json::array();
      for (const std::string& url : media_urls_) observation["derivedFrom"].push_back(Ref(url));
    }
    if (t.screened()) {
      observation["valueQuantity"] = {{"value", t.risk_score()}, {"unit", "probability"},
                                      {"system", "http://unitsofmeasure.org"}, {"code", "1"}};
    } else {
      observation["dataAbsentReason"] = {
          {"coding", {Coding("http://terminology.hl7.org/CodeSystem/data-absent-reason", "error", "Error")}},
          {"text", absl::StrCat("not screened: ", t.not_screened_reason(), "; a specialist looks at it urgently")}};
    }
    for (const v1::SuspectedDiagnosis& d : t.suspected_diagnoses()) {
      observation["component"].push_back(
          {{"code", {{"coding", {Coding(kPreScreeningSystem, absl::StrCat("suspected-", d.name()), "")}},
                     {"text", absl::StrCat("suspected ", d.name())}}},
           {"valueQuantity",
            {{"value", d.score()}, {"unit", "probability"}, {"system", "http://unitsofmeasure.org"}, {"code", "1"}}}});
    }
    // A component, not `interpretation`: that element's extensible value set
    // (high, low, abnormal, ...) has no code for a queue's urgency tier.
    if (t.tier() != v1::URGENCY_UNSPECIFIED) {
      const std::string tier = LocalCode(v1::Urgency_Name(t.tier()), "URGENCY_");
      observation["component"].push_back(
          {{"code", {{"coding", {Coding(kPreScreeningSystem, "urgency-tier", "Urgency tier")}}, {"text", "urgency tier"}}},
           {"valueCodeableConcept", {{"coding", {Coding(kUrgencySystem, tier, Display(tier))}}}}});
    }
    json notes = json::array();
    for (const v1::ExplanationItem& item : t.explanation()) {
      notes.push_back(Annotation(absl::StrCat(item.source(), ": ", item.text())));
    }
    if (!notes.empty()) observation["note"] = std::move(notes);
    return observation;
  }

  json AnalyzerDevice() const {
    const v1::TriageResult& t = c_.triage();
    return {{"resourceType", "Device"},
            {"status", "active"},
            {"deviceName", {{{"name", t.analyzer_name()}, {"type", "model-name"}}}},
            {"version", {{{"value", t.analyzer_version()}}}}};
  }

  // The specialist's signed report.
  json ConsultReport() {
    const v1::Report& r = c_.report();
    std::string conclusion = r.diagnosis_text();
    if (r.management() != v1::MANAGEMENT_UNSPECIFIED) {
      absl::StrAppend(&conclusion, ". Management: ",
                      Display(LocalCode(v1::Management_Name(r.management()), "MANAGEMENT_")));
      if (r.management_interval() > 0) absl::StrAppend(&conclusion, " (", r.management_interval(), ")");
    }
    if (!r.follow_up().empty()) absl::StrAppend(&conclusion, ". Follow-up: ", r.follow_up());
    json report = {{"resourceType", "DiagnosticReport"},
                   {"identifier", {Identifier(kCaseIdSystem, id_)}},
                   {"basedOn", {Ref(request_url_)}},
                   {"status", "final"},
                   {"code", {{"coding", {Coding(kLoincSystem, "11488-4", "Consult note")}},
                             {"text", "Teledermatology report"}}},
                   {"subject", Ref(patient_url_)},
                   {"issued", DateTime(r.reported_at())},
                   {"effectiveDateTime", DateTime(r.reported_at())},
                   {"performer", {PractitionerRef(r.specialist_id())}},
                   {"resultsInterpreter", {PractitionerRef(r.specialist_id())}},
                   {"conclusion", conclusion}};
    if (!r.icd10_code().empty()) {
      // No display: ICD-10's is the WHO title, not the specialist's wording, which is the text.
      report["conclusionCode"] = {{{"coding", {Coding(kIcd10System, r.icd10_code(), "")}},
                                   {"text", r.diagnosis_text()}}};
    }
    if (r.management() != v1::MANAGEMENT_UNSPECIFIED) {
      const std::string management = LocalCode(v1::Management_Name(r.management()), "MANAGEMENT_");
      report["conclusionCode"].push_back({{"coding", {Coding(kManagementSystem, management, Display(management))}}});
    }
    if (!media_urls_.empty()) {
      report["media"] = json::array();
      for (const std::string& url : media_urls_) report["media"].push_back({{"link", Ref(url)}});
    }
    return report;
  }

  // The histology of the biopsy or excision the specialist recorded.
  json HistologyReport() const {
    const v1::BiopsyOutcome& biopsy = c_.report().biopsy();
    json histology = {{"resourceType", "DiagnosticReport"},
                      {"basedOn", {Ref(request_url_)}},
                      {"status", "final"},
                      {"code", {{"text", "Histology of the biopsy or excision"}}},
                      {"subject", Ref(patient_url_)},
                      {"conclusion", biopsy.histology_text()}};
    if (IsSet(biopsy.recorded_at())) histology["issued"] = DateTime(biopsy.recorded_at());
    if (!biopsy.icd10_code().empty()) {
      histology["conclusionCode"] = {{{"coding", {Coding(kIcd10System, biopsy.icd10_code(), "")}},
                                      {"text", biopsy.histology_text()}}};
    }
    return histology;
  }

  // One message of the consult thread.
  json Communication(const v1::Message& m) {
    const bool from_clinic = m.author_role() == v1::ROLE_CLINIC;
    json sender = from_clinic ? Ref(clinic_url_) : PractitionerRef(m.author_id());
    json recipient = Ref(clinic_url_);
    if (from_clinic) {
      recipient = !c_.claim().specialist_id().empty() ? PractitionerRef(c_.claim().specialist_id())
                  : !c_.pool().empty()                ? Ref(pool_url_)
                                                      : json();
    }
    json communication = {{"resourceType", "Communication"},
                          {"identifier", {Identifier(kMessageIdSystem, m.message_id())}},
                          {"basedOn", {Ref(request_url_)}},
                          {"partOf", {Ref(task_url_)}},
                          {"status", "completed"},
                          {"subject", Ref(patient_url_)},
                          {"about", {Ref(request_url_)}},
                          {"sender", sender},
                          {"payload", json::array()}};
    if (!recipient.is_null()) communication["recipient"] = {recipient};
    if (m.info_request() || m.info_answer()) {
      communication["category"] = {{{"text", m.info_request() ? "request for information" : "answer"}}};
    }
    if (IsSet(m.sent_at())) communication["sent"] = DateTime(m.sent_at());
    if (m.read() && IsSet(m.read_at())) communication["received"] = DateTime(m.read_at());
    if (!m.text().empty()) communication["payload"].push_back({{"contentString", m.text()}});
    for (const v1::ImageRef& image : m.attachments()) {
      json attachment = {{"contentType", image.content_type().empty() ? "image/jpeg" : image.content_type()},
                         {"title", absl::StrCat("sha256 ", image.sha256())}};
      if (image.size_bytes() > 0) attachment["size"] = image.size_bytes();
      communication["payload"].push_back({{"contentAttachment", attachment}});
    }
    return communication;
  }

  json Practitioner(const std::string& specialist) const {
    return {{"resourceType", "Practitioner"}, {"identifier", {Identifier(kSpecialistIdSystem, specialist)}}};
  }

  const v1::Case& c_;
  const v1::CaseSubmission& s_;
  const std::string& id_;
  const std::string patient_url_, clinic_url_, request_url_, task_url_, pool_url_, screening_url_, analyzer_url_,
      report_url_;
  const v1::Urgency urgency_;
  std::vector<std::string> media_urls_;     // one per image, in order
  std::vector<std::string> practitioners_;  // specialists named anywhere, each once
};

}  // namespace

json CaseToFhirBundle(const v1::Case& c, const std::vector<v1::Message>& messages, absl::Time generated_at) {
  return BundleBuilder(c).Build(messages, generated_at);
}

std::string CaseToFhirBundleJson(const v1::Case& c, const std::vector<v1::Message>& messages,
                                 absl::Time generated_at) {
  return CaseToFhirBundle(c, messages, generated_at).dump();
}

}  // namespace telederm::fhir
