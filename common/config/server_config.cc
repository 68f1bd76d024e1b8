#include "common/config/server_config.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/logging/log.h"

ABSL_FLAG(std::string, listen, "", "host:port to serve gRPC on (env TELEDERM_LISTEN)");
ABSL_FLAG(std::string, redis, "",
          "Redis host:port, unix:/path/to/redis.sock for a Redis on this host, or "
          "sentinel://host:port,host:port/master_name for a Redis that Redis Sentinel fails over "
          "(env TELEDERM_REDIS; default 127.0.0.1:6379)");
ABSL_FLAG(std::string, data_dir, "",
          "directory for the blob store and local state (env TELEDERM_DATA_DIR; default ./telederm-data)");

ABSL_FLAG(std::string, redis_user, "", "Redis ACL user of this service (env TELEDERM_REDIS_USER)");
ABSL_FLAG(std::string, redis_password_file, "",
          "file holding the Redis user's password (env TELEDERM_REDIS_PASSWORD_FILE); never on the command line");
ABSL_FLAG(int32_t, redis_wait_replicas, 0,
          "intake (SubmitCase) and referral (every call) answer only once this many Redis replicas hold what "
          "was written, else UNAVAILABLE (env TELEDERM_REDIS_WAIT_REPLICAS; 0: does not wait)");
ABSL_FLAG(absl::Duration, redis_wait_timeout, absl::Seconds(1),
          "how long a call waits for --redis_wait_replicas replicas before answering UNAVAILABLE");

namespace telederm {

std::string FlagOrEnv(const std::string& flag_value, const char* env_name, absl::string_view fallback) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0') return env;
  return std::string(fallback);
}

ServerConfig ResolveServerConfig(absl::string_view default_listen) {
  ServerConfig config;
  config.listen = FlagOrEnv(absl::GetFlag(FLAGS_listen), "TELEDERM_LISTEN", default_listen);
  config.redis = FlagOrEnv(absl::GetFlag(FLAGS_redis), "TELEDERM_REDIS", "127.0.0.1:6379");
  config.data_dir = FlagOrEnv(absl::GetFlag(FLAGS_data_dir), "TELEDERM_DATA_DIR", "./telederm-data");
  config.redis_user = FlagOrEnv(absl::GetFlag(FLAGS_redis_user), "TELEDERM_REDIS_USER", "");
  config.redis_wait_replicas = absl::GetFlag(FLAGS_redis_wait_replicas);
  if (std::string env = FlagOrEnv("", "TELEDERM_REDIS_WAIT_REPLICAS", "");
      config.redis_wait_replicas == 0 && !env.empty() && !absl::SimpleAtoi(env, &config.redis_wait_replicas)) {
    LogError(absl::StrCat("TELEDERM_REDIS_WAIT_REPLICAS: \"", env, "\" is not a number"));
  }
  config.redis_wait_timeout = absl::GetFlag(FLAGS_redis_wait_timeout);
  std::string password_file =
      FlagOrEnv(absl::GetFlag(FLAGS_redis_password_file), "TELEDERM_REDIS_PASSWORD_FILE", "");
  if (!password_file.empty()) {
    std::ifstream in(password_file);
    std::getline(in, config.redis_password);
    if (!in) LogError(absl::StrCat("--redis_password_file: cannot read ", password_file));
  }
  return config;
}

}  // namespace telederm
