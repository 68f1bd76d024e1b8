#ifndef TELEDERM_SERVICES_TRIAGE_SCREENER_H_
#define TELEDERM_SERVICES_TRIAGE_SCREENER_H_

#include <atomic>
#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "absl/time/time.h"
#include "common/blob/blob_store.h"
#include "services/triage/analyzer.h"
#include "telederm/v1/case.pb.h"

namespace telederm::triage {

struct ScreeningOptions {
  // Risk thresholds of the tiers; they match common/imaging's suspicion levels
  // (TDS 4.75 -> 0.35 suspicious, TDS 5.45 -> 0.6 highly suspicious).
  double soon_from = 0.35;
  double urgent_from = 0.6;
  absl::Duration analysis_timeout = absl::Seconds(10);  // per image
  int analysis_threads = 2;
  // Analyses queued or running at once. One that timed out keeps its thread
  // until it ends; beyond this bound an image is not queued behind hung
  // analyses but judged "not analysed" at once, so its case goes to a human.
  int max_analyses_in_flight = 8;
};

// The last explanation item of a case that was not screened. The reason itself
// is in TriageResult.not_screened_reason only (stored once).
inline constexpr char kNotScreenedExplanation[] = "NOT SCREENED: sent to a specialist as urgent";

// Decides a case's triage result from its form and its images. Never fails:
// whatever goes wrong (an image missing from the blob store, an analyzer
// error, exception or timeout, an image the analyzer cannot judge) yields a
// result with screened = false and tier URGENT, with the reason
// (ARCHITECTURE.md invariant 4). Thread-safe.
class Screener {
 public:
  Screener(AnalyzerPtr analyzer, BlobStorePtr blobs, ScreeningOptions options);
  ~Screener();

  v1::TriageResult Screen(const v1::Case& c, absl::Time now) const;

  // The analyzers in use: the clinical rules and the image analyzer.
  std::vector<v1::AnalyzerInfo> Analyzers() const;

 private:
  // Runs the analyzer on one image with the timeout; an exception becomes INTERNAL.
  absl::StatusOr<ImageFinding> AnalyzeWithTimeout(std::shared_ptr<const std::string> bytes,
                                                  const v1::ImageRef& image, double form_risk) const;
  v1::Urgency TierFor(double risk) const;

  const AnalyzerPtr analyzer_;
  const BlobStorePtr blobs_;
  const ScreeningOptions options_;
  mutable boost::asio::thread_pool analysis_pool_;
  mutable std::atomic<int> analyses_in_flight_{0};
};

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_SCREENER_H_
