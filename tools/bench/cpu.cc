#include "tools/bench/cpu.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace telederm::bench {

CpuSeconds ClientCpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6, usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6};
}

CpuSeconds ProcessCpu(const std::string& binary, const std::string& marker) {
  CpuSeconds total;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    std::ifstream cmdline(entry.path() / "cmdline", std::ios::binary);
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(binary) == std::string::npos || args.find(marker) == std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<std::string> fields = absl::StrSplit(line.substr(close + 2), ' ');
    // After "pid (comm) ": state is field 3, utime 14, stime 15.
    if (fields.size() < 13) continue;
    total.user += std::stod(fields[11]) / ticks;
    total.sys += std::stod(fields[12]) / ticks;
  }
  return total;
}

std::string CpuSplitNote(const CpuSeconds& used, double n) {
  return absl::StrFormat("user %.0f us, sys %.0f us", used.user / n * 1e6, used.sys / n * 1e6);
}

}  // namespace telederm::bench
