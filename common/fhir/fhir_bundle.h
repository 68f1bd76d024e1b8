#ifndef TELEDERM_COMMON_FHIR_FHIR_BUNDLE_H_
#define TELEDERM_COMMON_FHIR_FHIR_BUNDLE_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "telederm/v1/case.pb.h"

namespace telederm::fhir {

// Code systems of telederm's own codes (enum names, lower case with dashes).
inline constexpr char kCaseTypeSystem[] = "https://telederm.example/fhir/CodeSystem/case-type";
inline constexpr char kBodySiteSystem[] = "https://telederm.example/fhir/CodeSystem/body-site";
inline constexpr char kModalitySystem[] = "https://telederm.example/fhir/CodeSystem/modality";
inline constexpr char kCaseStatusSystem[] = "https://telederm.example/fhir/CodeSystem/case-status";
inline constexpr char kUrgencySystem[] = "https://telederm.example/fhir/CodeSystem/urgency";
inline constexpr char kManagementSystem[] = "https://telederm.example/fhir/CodeSystem/management";
inline constexpr char kPreScreeningSystem[] = "https://telederm.example/fhir/CodeSystem/pre-screening";
// Identifier systems.
inline constexpr char kCaseIdSystem[] = "urn:telederm:case";
inline constexpr char kClinicIdSystem[] = "urn:telederm:clinic";
inline constexpr char kSpecialistIdSystem[] = "urn:telederm:specialist";
inline constexpr char kPoolSystem[] = "urn:telederm:pool";
inline constexpr char kImageSha256System[] = "urn:telederm:image-sha256";
inline constexpr char kMessageIdSystem[] = "urn:telederm:message";
// External code systems.
inline constexpr char kSnomedSystem[] = "http://snomed.info/sct";
inline constexpr char kIcd10System[] = "http://hl7.org/fhir/sid/icd-10";
inline constexpr char kLoincSystem[] = "http://loinc.org";
inline constexpr char kDicomSystem[] = "http://dicom.nema.org/resources/ontology/DCM";

// The case as a FHIR R4 Bundle of type "collection" (docs/FHIR.md has the
// mapping). Every reference is a "urn:uuid:" fullUrl of another entry of the
// same bundle; the uuids are derived from the case id, so exporting the same
// case twice gives the same ids. The patient is de-identified: the clinic's
// pseudonymous reference, sex, age in years and skin type only. `messages`
// is the case's consult thread, oldest first. Pure function; thread-safe.
nlohmann::json CaseToFhirBundle(const v1::Case& c, const std::vector<v1::Message>& messages,
                                absl::Time generated_at);

// The same, serialised (compact JSON).
std::string CaseToFhirBundleJson(const v1::Case& c, const std::vector<v1::Message>& messages,
                                 absl::Time generated_at);

// FHIR request priority of an urgency tier: URGENT -> "asap", SOON ->
// "urgent", ROUTINE (and unknown) -> "routine".
std::string PriorityOf(v1::Urgency urgency);
// FHIR Task.status of a case status (received -> "requested", screening ->
// "received", queued -> "ready", claimed -> "in-progress", needs_info ->
// "on-hold", reported and closed -> "completed").
std::string TaskStatusOf(v1::CaseStatus status);

}  // namespace telederm::fhir

#endif  // TELEDERM_COMMON_FHIR_FHIR_BUNDLE_H_
