#ifndef TELEDERM_TESTS_HARNESS_TRAILERS_H_
#define TELEDERM_TESTS_HARNESS_TRAILERS_H_

#include <string>

#include <grpcpp/grpcpp.h>

namespace telederm::testing {

// The trailing metadata `key` a finished call carried (e.g. a retry hint),
// or "(none)".
inline std::string Trailer(const grpc::ClientContext& context, const std::string& key) {
  auto found = context.GetServerTrailingMetadata().find(key);
  if (found == context.GetServerTrailingMetadata().end()) return "(none)";
  return std::string(found->second.data(), found->second.size());
}

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_TRAILERS_H_
