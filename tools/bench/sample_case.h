#ifndef TELEDERM_TOOLS_BENCH_SAMPLE_CASE_H_
#define TELEDERM_TOOLS_BENCH_SAMPLE_CASE_H_

#include <string>

#include "absl/time/time.h"
#include "telederm/v1/case.pb.h"

namespace telederm::bench {

// The pool every benchmark case goes to (referral's default pool).
inline constexpr char kBenchPool[] = "general";

// A suspected-tumour submission with one image, as a clinic sends it.
v1::CaseSubmission SampleSubmission(const std::string& patient_reference, const v1::ImageRef& image);

// A case record as referral leaves it in the queue (QUEUED, not screened,
// URGENT, with its history and triage result), for filling the queue
// directly and for the bare services' canned responses.
v1::Case SampleQueuedCase(const std::string& case_id, const std::string& clinic_id, const std::string& pool,
                          absl::Time received, absl::Time due);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_SAMPLE_CASE_H_
