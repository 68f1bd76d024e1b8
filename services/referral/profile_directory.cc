#include "services/referral/profile_directory.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"

namespace telederm::referral {
namespace {

bool IsValidLanguage(absl::string_view language) {
  if (language.size() < 2 || language.size() > 8) return false;
  for (char c : language) {
    if (!absl::ascii_islower(c) && c != '-') return false;
  }
  return true;
}

absl::Status CheckList(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& values,
                       bool (*valid)(absl::string_view), absl::string_view expected) {
  for (int i = 0; i < values.size(); ++i) {
    if (!valid(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "]: '", values[i], "' is not ", expected));
    }
  }
  return absl::OkStatus();
}

bool IsValidRegion(absl::string_view region) { return IsValidExternalId(region, 64); }

template <typename Message>
absl::StatusOr<std::vector<Message>> ReadAll(redis::Client& redis, const char* key) {
  absl::StatusOr<redis::Reply> reply = redis.Command({"HGETALL", key});
  if (!reply.ok()) return reply.status();
  std::vector<Message> out;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    Message message;
    if (!message.ParseFromString(reply->elements[i + 1].str)) {
      return absl::DataLossError(absl::StrCat(key, " entry ", reply->elements[i].str, " does not parse"));
    }
    out.push_back(std::move(message));
  }
  return out;
}

template <typename Message>
absl::StatusOr<std::optional<Message>> ReadOne(redis::Client& redis, const char* key, absl::string_view field) {
  absl::StatusOr<redis::Reply> reply = redis.Command({"HGET", key, std::string(field)});
  if (!reply.ok()) return reply.status();
  if (reply->IsNil()) return std::optional<Message>();
  Message message;
  if (!message.ParseFromString(reply->str)) {
    return absl::DataLossError(absl::StrCat(key, " entry ", field, " does not parse"));
  }
  return std::optional<Message>(std::move(message));
}

absl::Status Write(redis::Client& redis, const char* key, const std::string& field,
                   const google::protobuf::Message& message) {
  return redis.Command({"HSET", key, field, message.SerializeAsString()}).status();
}

}  // namespace

bool IsValidPoolName(absl::string_view pool) {
  return IsValidExternalId(pool, 64) && !absl::StrContains(pool, ':');
}

ProfileDirectory::ProfileDirectory(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::StatusOr<v1::SpecialistProfile> ProfileDirectory::PutSpecialist(v1::SpecialistProfile profile) {
  if (!IsValidExternalId(profile.specialist_id(), 64)) {
    return absl::InvalidArgumentError("profile.specialist_id: 1..64 characters of A-Z a-z 0-9 . _ : -");
  }
  if (profile.display_name().size() > 200) return absl::InvalidArgumentError("profile.display_name: at most 200");
  if (profile.pools().empty()) return absl::InvalidArgumentError("profile.pools: a specialist works in 1 pool or more");
  if (absl::Status s = CheckList("profile.pools", profile.pools(), IsValidPoolName, "a pool name"); !s.ok()) return s;
  if (absl::Status s = CheckList("profile.supervises", profile.supervises(), IsValidPoolName, "a pool name");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckList("profile.languages", profile.languages(), IsValidLanguage,
                                 "a language tag like en or pt-br");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Write(*redis_, keys::kDirectorySpecialists, profile.specialist_id(), profile); !s.ok()) {
    return s;
  }
  return profile;
}

absl::StatusOr<std::optional<v1::SpecialistProfile>> ProfileDirectory::GetSpecialist(absl::string_view specialist_id) {
  return ReadOne<v1::SpecialistProfile>(*redis_, keys::kDirectorySpecialists, specialist_id);
}

absl::StatusOr<std::vector<v1::SpecialistProfile>> ProfileDirectory::ListSpecialists() {
  absl::StatusOr<std::vector<v1::SpecialistProfile>> all =
      ReadAll<v1::SpecialistProfile>(*redis_, keys::kDirectorySpecialists);
  if (all.ok()) {
    std::sort(all->begin(), all->end(),
              [](const auto& a, const auto& b) { return a.specialist_id() < b.specialist_id(); });
  }
  return all;
}

absl::StatusOr<bool> ProfileDirectory::DeleteSpecialist(absl::string_view specialist_id) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"HDEL", keys::kDirectorySpecialists, std::string(specialist_id)});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::StatusOr<v1::PoolProfile> ProfileDirectory::PutPool(v1::PoolProfile pool) {
  if (!IsValidPoolName(pool.name())) {
    return absl::InvalidArgumentError("pool.name: 1..64 characters of A-Z a-z 0-9 . _ -");
  }
  if (pool.specialty() == v1::SPECIALTY_UNSPECIFIED || !v1::Specialty_IsValid(pool.specialty())) {
    return absl::InvalidArgumentError(
        "pool.specialty: choose GENERAL_DERMATOLOGY, DERMATO_ONCOLOGY or PAEDIATRIC_DERMATOLOGY");
  }
  if (pool.description().size() > 500) return absl::InvalidArgumentError("pool.description: at most 500");
  if (absl::Status s = CheckList("pool.regions", pool.regions(), IsValidRegion, "a region id"); !s.ok()) return s;
  if (absl::Status s = CheckList("pool.languages", pool.languages(), IsValidLanguage, "a language tag like en");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Write(*redis_, keys::kDirectoryPools, pool.name(), pool); !s.ok()) return s;
  return pool;
}

absl::StatusOr<std::vector<v1::PoolProfile>> ProfileDirectory::ListPools() {
  absl::StatusOr<std::vector<v1::PoolProfile>> all = ReadAll<v1::PoolProfile>(*redis_, keys::kDirectoryPools);
  if (all.ok()) std::sort(all->begin(), all->end(), [](const auto& a, const auto& b) { return a.name() < b.name(); });
  return all;
}

absl::StatusOr<v1::ClinicProfile> ProfileDirectory::PutClinic(v1::ClinicProfile clinic) {
  if (!IsValidExternalId(clinic.clinic_id(), 64)) {
    return absl::InvalidArgumentError("clinic.clinic_id: 1..64 characters of A-Z a-z 0-9 . _ : -");
  }
  if (!clinic.region().empty() && !IsValidRegion(clinic.region())) {
    return absl::InvalidArgumentError("clinic.region: 1..64 characters of A-Z a-z 0-9 . _ : -");
  }
  if (!clinic.language().empty() && !IsValidLanguage(clinic.language())) {
    return absl::InvalidArgumentError("clinic.language: a language tag like en or pt-br");
  }
  if (absl::Status s = Write(*redis_, keys::kDirectoryClinics, clinic.clinic_id(), clinic); !s.ok()) return s;
  return clinic;
}

absl::StatusOr<std::optional<v1::ClinicProfile>> ProfileDirectory::GetClinic(absl::string_view clinic_id) {
  return ReadOne<v1::ClinicProfile>(*redis_, keys::kDirectoryClinics, clinic_id);
}

absl::StatusOr<std::vector<v1::ClinicProfile>> ProfileDirectory::ListClinics() {
  absl::StatusOr<std::vector<v1::ClinicProfile>> all = ReadAll<v1::ClinicProfile>(*redis_, keys::kDirectoryClinics);
  if (all.ok()) {
    std::sort(all->begin(), all->end(), [](const auto& a, const auto& b) { return a.clinic_id() < b.clinic_id(); });
  }
  return all;
}

absl::StatusOr<Routing> ProfileDirectory::ReadRouting(const std::set<std::string>& clinic_ids) {
  std::vector<std::vector<std::string>> commands = {{"HGETALL", keys::kDirectoryPools}};
  if (!clinic_ids.empty()) {
    std::vector<std::string> hmget = {"HMGET", keys::kDirectoryClinics};
    hmget.insert(hmget.end(), clinic_ids.begin(), clinic_ids.end());
    commands.push_back(std::move(hmget));
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const absl::StatusOr<redis::Reply>& reply : *replies) {
    if (!reply.ok()) return reply.status();
  }
  Routing routing;
  const redis::Reply& pools = *(*replies)[0];
  for (size_t i = 0; i + 1 < pools.elements.size(); i += 2) {
    v1::PoolProfile pool;
    if (!pool.ParseFromString(pools.elements[i + 1].str)) {
      return absl::DataLossError(absl::StrCat(keys::kDirectoryPools, " entry ", pools.elements[i].str, " does not parse"));
    }
    routing.pools.push_back(std::move(pool));
  }
  std::sort(routing.pools.begin(), routing.pools.end(), [](const auto& a, const auto& b) { return a.name() < b.name(); });
  if (clinic_ids.empty()) return routing;
  const redis::Reply& clinics = *(*replies)[1];
  if (clinics.elements.size() != clinic_ids.size()) {
    return absl::InternalError(absl::StrCat("unexpected HMGET reply: ", clinics.DebugString()));
  }
  size_t i = 0;
  for (const std::string& clinic_id : clinic_ids) {
    const redis::Reply& profile = clinics.elements[i++];
    std::optional<v1::ClinicProfile>& clinic = routing.clinics[clinic_id];
    if (profile.IsNil()) continue;
    clinic.emplace();
    if (!clinic->ParseFromString(profile.str)) {
      return absl::DataLossError(absl::StrCat(keys::kDirectoryClinics, " entry ", clinic_id, " does not parse"));
    }
  }
  return routing;
}

absl::StatusOr<std::vector<std::string>> ProfileDirectory::SupervisorsOf(absl::string_view pool) {
  absl::StatusOr<std::vector<v1::SpecialistProfile>> all = ListSpecialists();
  if (!all.ok()) return all.status();
  std::vector<std::string> supervisors;
  for (const v1::SpecialistProfile& profile : *all) {
    if (std::find(profile.supervises().begin(), profile.supervises().end(), pool) != profile.supervises().end()) {
      supervisors.push_back(profile.specialist_id());
    }
  }
  return supervisors;
}

}  // namespace telederm::referral
