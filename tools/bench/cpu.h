// CPU time of the processes a bench run measures, split into user and kernel
// (system) time: on 2 shared cores every scenario is CPU-bound, and the split
// shows how much of a call's cost is round trips and thread hand-offs (system
// calls, wake-ups) rather than our code.
#ifndef TELEDERM_TOOLS_BENCH_CPU_H_
#define TELEDERM_TOOLS_BENCH_CPU_H_

#include <string>

namespace telederm::bench {

struct CpuSeconds {
  double user = 0;
  double sys = 0;
  double total() const { return user + sys; }
  CpuSeconds operator-(const CpuSeconds& earlier) const { return {user - earlier.user, sys - earlier.sys}; }
};

// This process (the bench client).
CpuSeconds ClientCpu();

// The processes whose command line contains both `binary` and `marker` (the
// Stack's data directory, or the bare server's address: only this run's).
CpuSeconds ProcessCpu(const std::string& binary, const std::string& marker);

// "user 12 us, sys 34 us" per one of `n`: the note of a CPU figure.
std::string CpuSplitNote(const CpuSeconds& used, double n);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_CPU_H_
