#ifndef TELEDERM_COMMON_REDIS_SENTINEL_H_
#define TELEDERM_COMMON_REDIS_SENTINEL_H_

// Internal to telederm::redis: finding the master through Redis Sentinel.
// Do not include from outside common/redis.

#include <memory>

#include "absl/status/statusor.h"
#include "common/redis/client.h"
#include "common/redis/connection.h"
#include "common/redis/endpoint.h"

namespace telederm::redis::internal {

// Asks the sentinels of `options.endpoint` (is_sentinel()), in their order,
// for the address of the master named `options.endpoint.master_name`
// (SENTINEL get-master-addr-by-name); the first that names one is believed.
// Sentinels are reached without AUTH, each within connect_timeout.
// UNAVAILABLE with every sentinel's answer when none names a master.
absl::StatusOr<Endpoint> AskSentinelsForMaster(const ClientOptions& options);

// Opens a connection to `master` as Connection::Open does (AUTH with the
// options' user) and checks with ROLE that it is a master now: a server that
// has become a replica is refused (UNAVAILABLE), so nothing is written to a
// replica.
absl::StatusOr<std::unique_ptr<Connection>> OpenMaster(const ClientOptions& options, const Endpoint& master);

}  // namespace telederm::redis::internal

#endif  // TELEDERM_COMMON_REDIS_SENTINEL_H_
