#ifndef TELEDERM_TESTS_HARNESS_TEMP_DIR_H_
#define TELEDERM_TESTS_HARNESS_TEMP_DIR_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace telederm::testing {

// Creates a new, empty directory $TMPDIR/<prefix>XXXXXX (TMPDIR defaults to
// /tmp) and returns its absolute path. The caller owns it and removes it.
absl::StatusOr<std::string> MakeTempDir(std::string_view prefix);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_TEMP_DIR_H_
