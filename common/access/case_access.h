#ifndef TELEDERM_COMMON_ACCESS_CASE_ACCESS_H_
#define TELEDERM_COMMON_ACCESS_CASE_ACCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/caller/caller.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// The one rule of who may see a case (docs/SECURITY.md, "Who sees a case").
// Every service, the FHIR export and image reads ask it; nobody writes their own.

// What a caller is reading of a case. The rule is the same for each kind
// except where a comment in case_access.cc says otherwise; the kind is part
// of the decision so that the table test covers every read.
enum class CaseRead {
  kRecord,      // the case record, its status, its report
  kTriage,      // the pre-screening result
  kThread,      // the consult thread (list, mark read)
  kImages,      // the images and thumbnails
  kFhirExport,  // the whole case as a FHIR Bundle
};

// A caller as the access rule sees them: a Caller plus what the staff
// directory says (the pools a specialist works and supervises). A value type.
struct Reader {
  Caller::Role role = Caller::Role::kClinic;
  std::string id;                       // clinic id, specialist id or administrator id
  std::vector<std::string> pools;       // specialists: pools they work, their direct pool included
  std::vector<std::string> supervises;  // specialists: pools they supervise (from their stored profile)
  bool has_profile = false;             // specialists: a stored profile decided pools and supervises
  bool break_glass = false;             // administrators: a stated reason came with the call

  bool WorksIn(absl::string_view pool) const;
  bool Supervises(absl::string_view pool) const;
};

// The pool where cases addressed to one specialist wait: "direct:<id>".
std::string DirectPool(absl::string_view specialist_id);

// Pure: OK when `reader` may do `what` on `c`; NOT_FOUND ("no case <id>")
// otherwise, the same answer as for a case that does not exist, so that ids
// and pools cannot be probed.
absl::Status CheckCaseAccess(const Reader& reader, const v1::Case& c, CaseRead what);

// Resolves callers into Readers and reads cases through the rule.
// Thread-safe: holds only the thread-safe redis::Client.
class CaseAccess {
 public:
  explicit CaseAccess(std::shared_ptr<redis::Client> redis);

  // The Reader behind `caller`. A specialist with a stored profile
  // (directory:{staff}:specialists) gets its pools and supervised pools, and
  // the call's pools are ignored; without one (development set-ups) the
  // caller's pools, supervising nothing. Either way their direct pool is added.
  absl::StatusOr<Reader> Resolve(const Caller& caller) const;

  // The case `case_id` when `reader` may do `what` on it. INVALID_ARGUMENT
  // when case_id is not a case id; NOT_FOUND when there is no such case or the
  // reader may not see it (one answer for both); UNAVAILABLE while Redis is away.
  absl::StatusOr<v1::Case> ReadCase(const Reader& reader, absl::string_view case_id, CaseRead what) const;

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_ACCESS_CASE_ACCESS_H_
