#ifndef TELEDERM_TESTS_HARNESS_FILES_H_
#define TELEDERM_TESTS_HARNESS_FILES_H_

#include <string>

namespace telederm::testing {

// The whole file at `path`, as bytes; empty when it cannot be read (the test
// that needed it then fails on its own assertions, naming what it expected).
std::string ReadFileBytes(const std::string& path);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_FILES_H_
