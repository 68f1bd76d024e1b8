#ifndef TELEDERM_TESTS_HARNESS_HARNESS_H_
#define TELEDERM_TESTS_HARNESS_HARNESS_H_

// Everything in telederm::testing, for tests that want it all.
#include "tests/harness/child_process.h"
#include "tests/harness/net.h"
#include "tests/harness/redis_server.h"
#include "tests/harness/sentinel_redis.h"
#include "tests/harness/temp_dir.h"

#endif  // TELEDERM_TESTS_HARNESS_HARNESS_H_
