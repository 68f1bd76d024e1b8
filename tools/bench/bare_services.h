#ifndef TELEDERM_TOOLS_BENCH_BARE_SERVICES_H_
#define TELEDERM_TOOLS_BENCH_BARE_SERVICES_H_

#include <string>

namespace telederm::bench {

// The ceilings' server: IntakeService and ReferralService with the same
// protos, the same server set-up (common/server GrpcServer, callback API) and
// the same threading (unary work and upload chunks on a CallQueue of 8
// threads, 256 calls), but no Redis, no token check, no disk: SubmitCase
// answers a fixed response, UploadImage counts the bytes (the bare
// client-streaming transfer), ClaimNext and ListQueue answer canned responses
// of the size the real service returns.
//
// An UploadImage call carrying kBareDecodeMetadata also keeps the bytes and,
// when the stream ends, decodes them as intake's quality gate does
// (imaging::DecodeWorkingImage with the gate's default thresholds): the
// stream-plus-decode ceiling. Nothing else: no checks, no hash, no disk.
//
// Serves on `listen` until SIGTERM or SIGINT; returns the exit status.
int ServeBare(const std::string& listen);

inline constexpr char kBareDecodeMetadata[] = "telederm-bench-decode";

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_BARE_SERVICES_H_
