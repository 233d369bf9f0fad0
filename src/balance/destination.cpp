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

// "text" in double quotes, for messages (built by append: GCC 12 warns falsely on "lit" + string).
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.append(1, '"').append(text).append(1, '"');
  return out;
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

bool parse_capacities(std::string_view text, std::vector<Capacity>& out, std::string& error) {
  std::vector<Capacity> parsed;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;  // "pstn=32;" and ";;" are forgiven
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      error = quoted(item) + " is not name=capacity";
      return false;
    }
    const std::string_view name = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    for (char c : name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
      if (!ok) {
        error = "resource name " + quoted(name) + " has a character other than letters, digits, _ - .";
        return false;
      }
    }
    uint64_t max = 0;
    bool digits = !value.empty() && value.size() <= 10;
    for (char c : value) {
      if (c < '0' || c > '9') digits = false;
      else max = max * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!digits || max > 1000000000) {
      error = "capacity of " + quoted(name) + " must be a number 0..1000000000, got " + quoted(value);
      return false;
    }
    for (const Capacity& c : parsed) {
      if (c.resource == name) {
        error = "resource " + quoted(name) + " is given twice";
        return false;
      }
    }
    parsed.push_back(Capacity{std::string(name), static_cast<uint32_t>(max)});
  }
  if (parsed.empty()) {
    error = "no resource given (expected for example pstn=32;transcoding=10)";
    return false;
  }
  out = std::move(parsed);
  return true;
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
