#include "tools/cli/vocabulary.h"

#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/case_state/state_machine.h"

namespace telederm::cli {
namespace {

template <typename Enum>
struct Word {
  const char* word;
  Enum value;
};

template <typename Enum, size_t N>
std::string AcceptedWords(const std::array<Word<Enum>, N>& words) {
  std::vector<std::string> list;
  for (const Word<Enum>& w : words) list.push_back(w.word);
  return absl::StrJoin(list, ", ");
}

template <typename Enum, size_t N>
absl::StatusOr<Enum> Parse(const std::array<Word<Enum>, N>& words, absl::string_view what,
                           absl::string_view text) {
  for (const Word<Enum>& w : words) {
    if (text == w.word) return w.value;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown ", what, " '", text,
                                                 "'; expected one of: ", AcceptedWords(words)));
}

template <typename Enum, size_t N>
std::string Name(const std::array<Word<Enum>, N>& words, Enum value) {
  for (const Word<Enum>& w : words) {
    if (w.value == value) return w.word;
  }
  return "-";
}

constexpr std::array<Word<v1::CaseType>, 4> kCaseTypes = {{
    {"tumour", v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR},
    {"rash", v1::CASE_TYPE_INFLAMMATORY_RASH},
    {"acne", v1::CASE_TYPE_ACNE},
    {"other", v1::CASE_TYPE_OTHER},
}};

constexpr std::array<Word<v1::Sex>, 4> kSexes = {{
    {"female", v1::SEX_FEMALE},
    {"male", v1::SEX_MALE},
    {"other", v1::SEX_OTHER},
    {"unknown", v1::SEX_UNKNOWN},
}};

constexpr std::array<Word<v1::BodySite>, 17> kBodySites = {{
    {"scalp", v1::BODY_SITE_SCALP},       {"face", v1::BODY_SITE_FACE},
    {"ear", v1::BODY_SITE_EAR},           {"neck", v1::BODY_SITE_NECK},
    {"chest", v1::BODY_SITE_CHEST},       {"abdomen", v1::BODY_SITE_ABDOMEN},
    {"back", v1::BODY_SITE_BACK},         {"upper-arm", v1::BODY_SITE_UPPER_ARM},
    {"forearm", v1::BODY_SITE_FOREARM},   {"hand", v1::BODY_SITE_HAND},
    {"thigh", v1::BODY_SITE_THIGH},       {"lower-leg", v1::BODY_SITE_LOWER_LEG},
    {"foot", v1::BODY_SITE_FOOT},         {"genital", v1::BODY_SITE_GENITAL},
    {"nail", v1::BODY_SITE_NAIL},         {"mucosa", v1::BODY_SITE_MUCOSA},
    {"other", v1::BODY_SITE_OTHER},
}};

constexpr std::array<Word<v1::Modality>, 5> kModalities = {{
    {"dermoscopy", v1::MODALITY_DERMOSCOPY},
    {"clinical-overview", v1::MODALITY_CLINICAL_OVERVIEW},
    {"clinical-close-up", v1::MODALITY_CLINICAL_CLOSE_UP},
    {"confocal", v1::MODALITY_CONFOCAL_MICROSCOPY},
    {"ultrasound", v1::MODALITY_ULTRASOUND},
}};

constexpr std::array<Word<v1::Management>, 6> kManagements = {{
    {"reassure", v1::MANAGEMENT_REASSURE},
    {"treat", v1::MANAGEMENT_TREAT},
    {"biopsy", v1::MANAGEMENT_BIOPSY},
    {"excise", v1::MANAGEMENT_EXCISE},
    {"urgent-referral", v1::MANAGEMENT_URGENT_IN_PERSON_REFERRAL},
    {"follow-up-photo", v1::MANAGEMENT_FOLLOW_UP_PHOTO},
}};

constexpr std::array<Word<v1::Urgency>, 3> kUrgencies = {{
    {"urgent", v1::URGENCY_URGENT},
    {"soon", v1::URGENCY_SOON},
    {"routine", v1::URGENCY_ROUTINE},
}};

constexpr std::array<Word<v1::EventType>, 9> kEventTypes = {{
    {"received", v1::EVENT_TYPE_RECEIVED},
    {"screened", v1::EVENT_TYPE_SCREENED},
    {"queued", v1::EVENT_TYPE_QUEUED},
    {"claimed", v1::EVENT_TYPE_CLAIMED},
    {"info-requested", v1::EVENT_TYPE_INFO_REQUESTED},
    {"message", v1::EVENT_TYPE_MESSAGE},
    {"reported", v1::EVENT_TYPE_REPORTED},
    {"closed", v1::EVENT_TYPE_CLOSED},
    {"biopsy-recorded", v1::EVENT_TYPE_BIOPSY_RECORDED},
}};

// A word of a comma-separated set and the bool field it sets.
template <typename Message>
struct SetWord {
  const char* word;
  void (Message::*set)(bool);
  bool (Message::*get)() const;
};

template <typename Message, size_t N>
absl::StatusOr<Message> ParseSet(const std::array<SetWord<Message>, N>& words, absl::string_view what,
                                 absl::string_view list) {
  Message message;
  for (absl::string_view item : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    bool found = false;
    for (const SetWord<Message>& w : words) {
      if (item == w.word) {
        (message.*(w.set))(true);
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> accepted;
      for (const SetWord<Message>& w : words) accepted.push_back(w.word);
      return absl::InvalidArgumentError(absl::StrCat("unknown ", what, " '", item,
                                                     "'; expected a comma-separated list of: ",
                                                     absl::StrJoin(accepted, ", ")));
    }
  }
  return message;
}

template <typename Message, size_t N>
std::vector<std::string> SetWords(const std::array<SetWord<Message>, N>& words, const Message& message) {
  std::vector<std::string> set;
  for (const SetWord<Message>& w : words) {
    if ((message.*(w.get))()) set.push_back(w.word);
  }
  return set;
}

const std::array<SetWord<v1::RiskFactors>, 5> kRiskFactors = {{
    {"personal-melanoma", &v1::RiskFactors::set_personal_history_of_melanoma,
     &v1::RiskFactors::personal_history_of_melanoma},
    {"family-melanoma", &v1::RiskFactors::set_family_history_of_melanoma,
     &v1::RiskFactors::family_history_of_melanoma},
    {"immunosuppressed", &v1::RiskFactors::set_immunosuppressed, &v1::RiskFactors::immunosuppressed},
    {"many-naevi", &v1::RiskFactors::set_many_naevi, &v1::RiskFactors::many_naevi},
    {"sunburn", &v1::RiskFactors::set_sunburn_history, &v1::RiskFactors::sunburn_history},
}};

const std::array<SetWord<v1::Evolution>, 3> kEvolution = {{
    {"size", &v1::Evolution::set_size, &v1::Evolution::size},
    {"shape", &v1::Evolution::set_shape, &v1::Evolution::shape},
    {"colour", &v1::Evolution::set_colour, &v1::Evolution::colour},
}};

const std::array<SetWord<v1::Symptoms>, 6> kSymptoms = {{
    {"itch", &v1::Symptoms::set_itch, &v1::Symptoms::itch},
    {"bleeding", &v1::Symptoms::set_bleeding, &v1::Symptoms::bleeding},
    {"pain", &v1::Symptoms::set_pain, &v1::Symptoms::pain},
    {"ulceration", &v1::Symptoms::set_ulceration, &v1::Symptoms::ulceration},
    {"new", &v1::Symptoms::set_new_lesion, &v1::Symptoms::new_lesion},
    {"inflammation", &v1::Symptoms::set_inflammation, &v1::Symptoms::inflammation},
}};

}  // namespace

absl::StatusOr<v1::CaseType> ParseCaseType(absl::string_view word) {
  return Parse(kCaseTypes, "case type", word);
}
absl::StatusOr<v1::Sex> ParseSex(absl::string_view word) { return Parse(kSexes, "sex", word); }
absl::StatusOr<v1::BodySite> ParseBodySite(absl::string_view word) {
  return Parse(kBodySites, "body site", word);
}
absl::StatusOr<v1::Modality> ParseModality(absl::string_view word) {
  return Parse(kModalities, "modality", word);
}
absl::StatusOr<v1::Management> ParseManagement(absl::string_view word) {
  return Parse(kManagements, "management", word);
}

absl::StatusOr<v1::RiskFactors> ParseRiskFactors(absl::string_view list) {
  return ParseSet(kRiskFactors, "risk factor", list);
}
absl::StatusOr<v1::Evolution> ParseEvolution(absl::string_view list) {
  return ParseSet(kEvolution, "change", list);
}
absl::StatusOr<v1::Symptoms> ParseSymptoms(absl::string_view list) {
  return ParseSet(kSymptoms, "symptom", list);
}

std::string CaseTypeWord(v1::CaseType type) { return Name(kCaseTypes, type); }
std::string SexWord(v1::Sex sex) { return Name(kSexes, sex); }
std::string BodySiteWord(v1::BodySite site) { return Name(kBodySites, site); }
std::string ModalityWord(v1::Modality modality) { return Name(kModalities, modality); }
std::string ManagementWord(v1::Management management) { return Name(kManagements, management); }
std::string UrgencyWord(v1::Urgency urgency) { return Name(kUrgencies, urgency); }
std::string EventTypeWord(v1::EventType type) { return Name(kEventTypes, type); }
std::string CaseStatusWord(v1::CaseStatus status) {
  if (status == v1::CASE_STATUS_UNSPECIFIED) return "-";
  return std::string(StatusName(status));
}

std::vector<std::string> RiskFactorWords(const v1::RiskFactors& risk) { return SetWords(kRiskFactors, risk); }
std::vector<std::string> EvolutionWords(const v1::Evolution& evolution) {
  return SetWords(kEvolution, evolution);
}
std::vector<std::string> SymptomWords(const v1::Symptoms& symptoms) { return SetWords(kSymptoms, symptoms); }

}  // namespace telederm::cli
