#ifndef TELEDERM_SERVICES_INTAKE_CLINIC_CASE_INDEX_H_
#define TELEDERM_SERVICES_INTAKE_CLINIC_CASE_INDEX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis/client.h"

namespace telederm::intake {

// The clinic's cases in the order intake stored them, for ListCases: a LIST of
// case ids (keys::ClinicCaseList), oldest first, then, older still, the ZSET
// of the older layout, which nothing writes (keys::ClinicCases, case id ->
// received ms). A list entry costs about 30 B of Redis memory, a ZSET member about 120 B.
// Stateless; safe for concurrent use.

// Appends a case that was just stored under a fresh id (it cannot be indexed yet).
std::vector<std::string> AppendToClinicCasesCommand(absl::string_view clinic_id, absl::string_view case_id);

// Appends the case unless the list or the earlier ZSET already holds it (a
// retry that completes an earlier attempt). Reply 1 when appended, 0 if not.
std::vector<std::string> AppendToClinicCasesOnceCommand(absl::string_view clinic_id, absl::string_view case_id);

// Up to `count` case ids, newest first, skipping the `offset` newest.
absl::StatusOr<std::vector<std::string>> ClinicCasesNewestFirst(redis::Client& redis, absl::string_view clinic_id,
                                                                int64_t offset, int64_t count);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_CLINIC_CASE_INDEX_H_
