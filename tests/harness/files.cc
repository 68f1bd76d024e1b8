#include "tests/harness/files.h"

#include <fstream>
#include <sstream>

namespace telederm::testing {

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace telederm::testing
