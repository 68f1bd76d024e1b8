#ifndef TELEDERM_SERVICES_REFERRAL_ROUTING_H_
#define TELEDERM_SERVICES_REFERRAL_ROUTING_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// What routing knows besides the case (ProfileDirectory::ReadRouting reads it in one
// round trip): every pool, sorted by name, and the profile of each clinic it
// was read for (nullopt: the clinic has no profile).
struct Routing {
  std::vector<v1::PoolProfile> pools;
  std::map<std::string, std::optional<v1::ClinicProfile>> clinics;

  // The clinic's profile; nullopt when it has none or was not read.
  std::optional<v1::ClinicProfile> ClinicOf(const std::string& clinic_id) const {
    auto it = clinics.find(clinic_id);
    return it == clinics.end() ? std::nullopt : it->second;
  }
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_ROUTING_H_
