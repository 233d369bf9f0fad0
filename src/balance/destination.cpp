// Names of the balancing algorithms and destination states, for configuration, siplbctl and
// logs. Pure functions; any thread.
#include "siplb/balance/destination.hpp"

namespace siplb::balance {
namespace {

struct AlgorithmInfo {
  Algorithm algorithm;
  std::string_view name;
  int number;
};

constexpr AlgorithmInfo kAlgorithms[] = {
#define SIPLB_X(e, name, number) {Algorithm::e, name, number},
    SIPLB_ALGORITHMS(SIPLB_X)
#undef SIPLB_X
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view algorithm_name(Algorithm a) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.algorithm == a) return info.name;
  }
  return "unknown";
}

bool algorithm_from_text(std::string_view text, Algorithm& out) {
  // A number: exactly the decimal digits of one of the OpenSIPS/Kamailio algorithm numbers.
  if (!text.empty() && text.size() <= 3 && text.find_first_not_of("0123456789") == text.npos) {
    if (text.size() > 1 && text[0] == '0') return false;
    int number = 0;
    for (char c : text) number = number * 10 + (c - '0');
    for (const AlgorithmInfo& info : kAlgorithms) {
      if (info.number >= 0 && info.number == number) {
        out = info.algorithm;
        return true;
      }
    }
    return false;
  }
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (iequals(text, info.name)) {
      out = info.algorithm;
      return true;
    }
  }
  return false;
}

std::string_view state_name(DestinationState s) {
  switch (s) {
    case DestinationState::active: return "active";
    case DestinationState::inactive: return "inactive";
    case DestinationState::probing: return "probing";
    case DestinationState::disabled: return "disabled";
  }
  return "unknown";
}

char state_letter(DestinationState s) {
  switch (s) {
    case DestinationState::active: return 'a';
    case DestinationState::inactive: return 'i';
    case DestinationState::probing: return 'p';
    case DestinationState::disabled: return 'd';
  }
  return '?';
}

}  // namespace siplb::balance
