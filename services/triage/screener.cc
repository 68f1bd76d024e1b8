#include "services/triage/screener.h"

#include <algorithm>
#include <exception>
#include <future>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/case_state/timestamps.h"
#include "services/triage/clinical_risk.h"

namespace telederm::triage {
namespace {

bool ScreensImagesForMalignancy(v1::CaseType type) {
  return type == v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR || type == v1::CASE_TYPE_OTHER;
}

v1::ExplanationItem Item(absl::string_view source, absl::string_view text, double weight = 0) {
  v1::ExplanationItem item;
  item.set_source(std::string(source));
  item.set_text(std::string(text));
  item.set_weight(weight);
  return item;
}

// Rash and acne: urgency from what would make a dermatologist see them sooner.
double NonTumourRisk(const v1::CaseSubmission& s, std::vector<v1::ExplanationItem>& explanation) {
  double risk = 0.1;
  if (s.type() == v1::CASE_TYPE_ACNE && s.acne_severity_grade() >= 4) {
    explanation.push_back(Item("clinical", "severe acne (grade 4): scarring risk, treat soon"));
    risk = std::max(risk, 0.4);
  }
  if (s.type() == v1::CASE_TYPE_INFLAMMATORY_RASH &&
      (s.lesion().symptoms().ulceration() || s.lesion().symptoms().bleeding())) {
    explanation.push_back(Item("clinical", "rash with ulceration or bleeding"));
    risk = std::max(risk, 0.4);
  }
  if (s.type() == v1::CASE_TYPE_INFLAMMATORY_RASH && s.patient().risk_factors().immunosuppressed()) {
    explanation.push_back(Item("clinical", "rash in an immunosuppressed patient"));
    risk = std::max(risk, 0.4);
  }
  return risk;
}

}  // namespace

Screener::Screener(AnalyzerPtr analyzer, BlobStorePtr blobs, ScreeningOptions options)
    : analyzer_(std::move(analyzer)),
      blobs_(std::move(blobs)),
      options_(options),
      analysis_pool_(options.analysis_threads) {}

Screener::~Screener() {
  analysis_pool_.stop();
  analysis_pool_.join();
}

std::vector<v1::AnalyzerInfo> Screener::Analyzers() const {
  v1::AnalyzerInfo clinical;
  clinical.set_name(kClinicalRulesName);
  clinical.set_version(kClinicalRulesVersion);
  clinical.set_description("weighted 7-point checklist (NICE NG12) plus age and history factors");
  return {clinical, analyzer_->info()};
}

v1::Urgency Screener::TierFor(double risk) const {
  if (risk >= options_.urgent_from) return v1::URGENCY_URGENT;
  if (risk >= options_.soon_from) return v1::URGENCY_SOON;
  return v1::URGENCY_ROUTINE;
}

absl::StatusOr<ImageFinding> Screener::AnalyzeWithTimeout(std::shared_ptr<const std::string> bytes,
                                                          const v1::ImageRef& image, double form_risk) const {
  // Shared with the task, so a task still running after a timeout writes into
  // state it co-owns rather than into a dead stack frame.
  if (analyses_in_flight_.fetch_add(1) >= options_.max_analyses_in_flight) {
    analyses_in_flight_.fetch_sub(1);
    return absl::ResourceExhaustedError(absl::StrCat("image analysis is saturated (", options_.max_analyses_in_flight,
                                                     " analyses still running past their time limit)"));
  }
  auto promise = std::make_shared<std::promise<absl::StatusOr<ImageFinding>>>();
  std::future<absl::StatusOr<ImageFinding>> future = promise->get_future();
  // The pool is joined before the screener goes, so the task may use `this`.
  boost::asio::post(analysis_pool_, [this, promise, bytes, image, form_risk, analyzer = analyzer_] {
    try {
      promise->set_value(analyzer->Analyze(*bytes, image, form_risk));
    } catch (const std::exception& e) {
      promise->set_value(absl::InternalError(absl::StrCat("analyzer threw: ", e.what())));
    } catch (...) {
      promise->set_value(absl::InternalError("analyzer threw an unknown exception"));
    }
    analyses_in_flight_.fetch_sub(1);
  });
  if (future.wait_for(absl::ToChronoMilliseconds(options_.analysis_timeout)) != std::future_status::ready) {
    return absl::DeadlineExceededError(
        absl::StrCat("analysis took longer than ", absl::FormatDuration(options_.analysis_timeout)));
  }
  return future.get();
}

v1::TriageResult Screener::Screen(const v1::Case& c, absl::Time now) const {
  const v1::CaseSubmission& submission = c.submission();
  v1::TriageResult result;
  v1::AnalyzerInfo image_analyzer = analyzer_->info();
  result.set_analyzer_name(absl::StrCat(kClinicalRulesName, "+", image_analyzer.name()));
  result.set_analyzer_version(absl::StrCat(kClinicalRulesVersion, "+", image_analyzer.version()));
  *result.mutable_screened_at() = ToProtoTimestamp(now);

  ClinicalAssessment clinical = AssessClinicalRisk(submission);
  std::vector<v1::ExplanationItem> explanation = clinical.explanation;
  double risk = clinical.risk;
  std::vector<std::string> unjudged;  // why images could not be judged

  if (!ScreensImagesForMalignancy(submission.type())) {
    risk = std::max(risk, NonTumourRisk(submission, explanation));
    explanation.push_back(Item("system", "images not analysed: the image analyzer is for skin tumours"));
  } else {
    double worst_image_risk = -1;
    bool form_weighed = false;  // an image's risk already weighs the form's
    for (const v1::ImageRef& image : submission.images()) {
      std::string source = absl::StrCat("image:", image.sha256());
      if (!analyzer_->ReadsImages()) {  // benchmark mode: nothing to read, nothing that could hang
        absl::StatusOr<ImageFinding> finding = analyzer_->Analyze("", image, clinical.risk);
        std::string why = "the analyzer does not read images";
        if (!finding.ok()) why = std::string(finding.status().message());
        if (finding.ok() && !finding->analysable) why = finding->not_analysable_reason;
        unjudged.push_back(absl::StrCat("image ", image.sha256().substr(0, 12), ": ", why));
        continue;
      }
      absl::StatusOr<std::optional<std::string>> bytes = blobs_->Get(image.sha256());
      if (!bytes.ok() || !bytes->has_value()) {
        unjudged.push_back(absl::StrCat("image ", image.sha256().substr(0, 12), " could not be read",
                                        bytes.ok() ? "" : absl::StrCat(": ", bytes.status().message())));
        continue;
      }
      // Shared, not copied: the task may outlive this call (timeout).
      absl::StatusOr<ImageFinding> finding =
          AnalyzeWithTimeout(std::make_shared<const std::string>(std::move(**bytes)), image, clinical.risk);
      if (!finding.ok()) {
        unjudged.push_back(absl::StrCat("image ", image.sha256().substr(0, 12), ": ", finding.status().message()));
        continue;
      }
      if (!finding->analysable) {
        unjudged.push_back(absl::StrCat("image ", image.sha256().substr(0, 12), ": ", finding->not_analysable_reason));
        continue;
      }
      for (const std::string& text : finding->explanation) explanation.push_back(Item(source, text));
      form_weighed = form_weighed || finding->weighs_form_risk;
      // The most suspicious image decides.
      if (finding->risk > worst_image_risk) {
        worst_image_risk = finding->risk;
        result.clear_suspected_diagnoses();
        for (const auto& d : finding->suspected_diagnoses) *result.add_suspected_diagnoses() = d;
      }
    }
    if (worst_image_risk >= 0 && form_weighed) {
      // A model fitted with the form weighed it (docs/TRIAGE.md): its risk
      // replaces the form's rule, which it was fitted to improve on.
      explanation.push_back(Item("system", absl::StrFormat("image risk %.2f decides: the lesion model's calibration "
                                                           "already weighs the form risk %.2f",
                                                           worst_image_risk, clinical.risk)));
      risk = worst_image_risk;
    } else if (worst_image_risk >= 0) {
      explanation.push_back(Item("system", absl::StrFormat("image risk %.2f, form risk %.2f: the higher decides",
                                                           worst_image_risk, clinical.risk)));
      risk = std::max(risk, worst_image_risk);
    }
  }

  for (v1::ExplanationItem& item : explanation) *result.add_explanation() = std::move(item);
  if (!unjudged.empty()) {
    // Invariant 4: a human looks, soon.
    result.set_screened(false);
    result.set_not_screened_reason(absl::StrJoin(unjudged, "; "));
    result.set_tier(v1::URGENCY_URGENT);
    result.set_risk_score(risk);
    // The reason is stored once, in not_screened_reason (every reader shows
    // it: CLI, FHIR); repeating it here cost ~90 B of every such case record.
    *result.add_explanation() = Item("system", kNotScreenedExplanation);
    return result;
  }
  result.set_screened(true);
  result.set_risk_score(risk);
  result.set_tier(TierFor(risk));
  return result;
}

}  // namespace telederm::triage
