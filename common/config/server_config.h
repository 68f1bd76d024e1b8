#ifndef TELEDERM_COMMON_CONFIG_SERVER_CONFIG_H_
#define TELEDERM_COMMON_CONFIG_SERVER_CONFIG_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

// Flags every telederm server takes. Each falls back to an environment
// variable when not given on the command line, then to a loopback default.
ABSL_DECLARE_FLAG(std::string, listen);     // TELEDERM_LISTEN
ABSL_DECLARE_FLAG(std::string, redis);      // TELEDERM_REDIS
ABSL_DECLARE_FLAG(std::string, data_dir);   // TELEDERM_DATA_DIR
ABSL_DECLARE_FLAG(std::string, redis_user);  // TELEDERM_REDIS_USER
ABSL_DECLARE_FLAG(std::string, redis_password_file);  // TELEDERM_REDIS_PASSWORD_FILE
ABSL_DECLARE_FLAG(int32_t, redis_wait_replicas);  // TELEDERM_REDIS_WAIT_REPLICAS
ABSL_DECLARE_FLAG(absl::Duration, redis_wait_timeout);

namespace telederm {

struct ServerConfig {
  std::string listen;    // host:port the gRPC server binds
  std::string redis;     // host:port, unix:/path of its socket, or sentinel://... (redis::Endpoint::Parse)
  std::string data_dir;  // blob store root and other local state
  std::string redis_user;      // Redis ACL user (deploy/redis/users.acl); empty: default user
  std::string redis_password;  // read from the password file; empty: no AUTH
  // Replicas that must hold an acknowledged case before intake answers
  // (redis::ClientOptions::wait_replicas; docs/DELIVERY.md, "Failover").
  int redis_wait_replicas = 0;
  absl::Duration redis_wait_timeout;
};

// Resolves flag > environment > default for the common server settings.
// `default_listen` differs per service (intake :50051, triage :50052, referral :50053).
ServerConfig ResolveServerConfig(absl::string_view default_listen);

// flag_value if non-empty, else the environment variable if set and non-empty, else fallback.
std::string FlagOrEnv(const std::string& flag_value, const char* env_name, absl::string_view fallback);

}  // namespace telederm

#endif  // TELEDERM_COMMON_CONFIG_SERVER_CONFIG_H_
