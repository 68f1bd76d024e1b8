#include "tools/cli/case_summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/cli/output.h"
#include "tools/cli/vocabulary.h"

namespace telederm::cli {
namespace {

std::string PatientLine(const v1::Patient& patient) {
  std::string line = absl::StrCat("patient: ", patient.reference(), ", ", patient.age_years(), " y, ",
                                  SexWord(patient.sex()));
  if (patient.fitzpatrick_type() != 0) absl::StrAppend(&line, ", Fitzpatrick ", patient.fitzpatrick_type());
  std::vector<std::string> risk = RiskFactorWords(patient.risk_factors());
  absl::StrAppend(&line, "; risk: ", risk.empty() ? "none recorded" : absl::StrJoin(risk, ", "));
  return line;
}

std::string LesionLine(const v1::Lesion& lesion) {
  std::string line = absl::StrCat("lesion: ", BodySiteWord(lesion.body_site()));
  if (lesion.largest_diameter_mm() > 0) {
    absl::StrAppend(&line, absl::StrFormat(", %g mm", lesion.largest_diameter_mm()));
  }
  if (lesion.duration_days() > 0) absl::StrAppend(&line, ", ", lesion.duration_days(), " days");
  std::vector<std::string> evolved = EvolutionWords(lesion.evolution());
  std::vector<std::string> symptoms = SymptomWords(lesion.symptoms());
  absl::StrAppend(&line, "; evolved: ", evolved.empty() ? "no" : absl::StrJoin(evolved, ", "));
  absl::StrAppend(&line, "; symptoms: ", symptoms.empty() ? "none" : absl::StrJoin(symptoms, ", "));
  return line;
}

std::string ImageText(const v1::ImageRef& image) {
  std::string text = absl::StrCat(ModalityWord(image.modality()), " ", image.sha256());
  if (image.pixel_size_mm() > 0) absl::StrAppend(&text, absl::StrFormat(" (%g mm/px)", image.pixel_size_mm()));
  return text;
}

std::vector<std::string> ReportLines(const v1::Report& report) {
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat("report: ", report.diagnosis_text(), " (ICD-10 ", report.icd10_code(), ")"));
  std::string management = absl::StrCat("  management: ", ManagementWord(report.management()));
  if (report.management_interval() != 0) {
    absl::StrAppend(&management, ", interval ", report.management_interval(),
                    report.management() == v1::MANAGEMENT_FOLLOW_UP_PHOTO ? " weeks" : " days");
  }
  lines.push_back(management);
  if (!report.follow_up().empty()) lines.push_back(absl::StrCat("  follow-up: ", report.follow_up()));
  if (!report.free_text().empty()) lines.push_back(absl::StrCat("  note: ", report.free_text()));
  lines.push_back(absl::StrCat("  by: ", report.specialist_id().empty() ? "-" : report.specialist_id(), " at ",
                               FormatTime(report.reported_at())));
  return lines;
}

}  // namespace

std::vector<std::string> FormatTriageLines(const v1::TriageResult& triage) {
  std::vector<std::string> lines;
  lines.push_back(absl::StrFormat("risk: %.2f", triage.risk_score()));
  lines.push_back(absl::StrCat("tier: ", UrgencyWord(triage.tier())));
  std::string screened = absl::StrCat("screened: ", YesNo(triage.screened()));
  if (!triage.screened() && !triage.not_screened_reason().empty()) {
    absl::StrAppend(&screened, " (", triage.not_screened_reason(), ")");
  }
  lines.push_back(screened);
  lines.push_back(absl::StrCat("analyzer: ", triage.analyzer_name().empty() ? "-" : triage.analyzer_name(), " ",
                               triage.analyzer_version().empty() ? "-" : triage.analyzer_version()));
  lines.push_back(absl::StrCat("screened_at: ", FormatTime(triage.screened_at())));
  for (const v1::SuspectedDiagnosis& suspected : triage.suspected_diagnoses()) {
    lines.push_back(absl::StrFormat("suspected: %s %.2f", suspected.name(), suspected.score()));
  }
  for (const v1::ExplanationItem& item : triage.explanation()) {
    lines.push_back(absl::StrFormat("explanation: [%s] %+.2f %s", item.source(), item.weight(), item.text()));
  }
  return lines;
}

std::vector<std::string> FormatCaseSummary(const v1::Case& c) {
  const v1::CaseSubmission& submission = c.submission();
  std::vector<std::string> lines;
  std::string type = absl::StrCat("type: ", CaseTypeWord(submission.type()));
  if (submission.acne_severity_grade() != 0) {
    absl::StrAppend(&type, " (grade ", submission.acne_severity_grade(), ")");
  }
  lines.push_back(type);
  lines.push_back(PatientLine(submission.patient()));
  lines.push_back(LesionLine(submission.lesion()));
  lines.push_back(absl::StrCat("question: ", submission.clinical_question()));
  std::vector<std::string> images;
  for (const v1::ImageRef& image : submission.images()) images.push_back(ImageText(image));
  lines.push_back(absl::StrCat("images: ", images.empty() ? "none" : absl::StrJoin(images, ", ")));
  lines.push_back(absl::StrCat("received: ", FormatTime(c.received_at())));
  if (c.urgency() != v1::URGENCY_UNSPECIFIED) {
    lines.push_back(absl::StrCat("urgency: ", UrgencyWord(c.urgency()), ", due ", FormatTime(c.due_at()),
                                 ", pool ", c.pool().empty() ? "-" : c.pool()));
  }
  if (c.has_triage()) {
    lines.push_back("triage:");
    for (const std::string& line : FormatTriageLines(c.triage())) lines.push_back(absl::StrCat("  ", line));
  } else {
    lines.push_back("triage: not yet screened");
  }
  if (c.has_claim() && !c.claim().specialist_id().empty()) {
    lines.push_back(absl::StrCat("claim: ", c.claim().specialist_id(), " token ", c.claim().fencing_token(),
                                 " until ", FormatTime(c.claim().lease_expires_at())));
  }
  if (c.has_report()) {
    for (std::string& line : ReportLines(c.report())) lines.push_back(std::move(line));
  }
  if (!c.history().empty()) {
    lines.push_back("history:");
    for (const v1::StatusChange& change : c.history()) {
      std::string line = absl::StrCat("  ", FormatTime(change.at()), " ", CaseStatusWord(change.from()), " -> ",
                                      CaseStatusWord(change.to()), " by ",
                                      change.actor().empty() ? "-" : change.actor());
      if (!change.note().empty()) absl::StrAppend(&line, ": ", change.note());
      lines.push_back(line);
    }
  }
  return lines;
}

std::string FormatClaimLine(const std::string& verb, const std::string& case_id, const v1::Claim& claim) {
  return absl::StrCat(verb, " ", case_id, " token=", claim.fencing_token(),
                      " lease_expires=", FormatTime(claim.lease_expires_at()),
                      " pool=", claim.pool().empty() ? "-" : claim.pool());
}

}  // namespace telederm::cli
