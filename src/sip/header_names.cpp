// Header-name and method lookups: full and compact names, case-insensitive (RFC 3261 7.3.3).
#include <array>
#include <cstring>

#include "scan.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::sip {
namespace {

struct NameEntry {
  std::string_view full;
  char compact;
};

constexpr NameEntry kHeaderNames[] = {
#define SIPLB_X(e, full, compact) {full, compact},
    SIPLB_SIP_HEADERS(SIPLB_X)
#undef SIPLB_X
};

constexpr std::size_t kLongestName = 24;

// Candidates bucketed by name length, so a lookup compares against a handful of names.
struct NameIndex {
  uint8_t by_length[kLongestName + 1][8] = {};
  uint8_t count[kLongestName + 1] = {};
  HeaderId compact[128] = {};
  std::array<std::array<char, kLongestName>, kHeaderIdCount> lower = {};

  constexpr NameIndex() {
    for (std::size_t id = 1; id < kHeaderIdCount; ++id) {
      auto name = kHeaderNames[id].full;
      by_length[name.size()][count[name.size()]++] = static_cast<uint8_t>(id);
      for (std::size_t i = 0; i < name.size(); ++i) {
        char ch = name[i];
        lower[id][i] = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch | 0x20) : ch;
      }
      if (char c = kHeaderNames[id].compact) {
        compact[static_cast<uint8_t>(c)] = static_cast<HeaderId>(id);
        compact[static_cast<uint8_t>(c - 'a' + 'A')] = static_cast<HeaderId>(id);
      }
    }
  }
};
constexpr NameIndex kIndex{};

constexpr std::string_view kMethodNames[] = {
#define SIPLB_X(e, s) s,
    SIPLB_SIP_METHODS(SIPLB_X)
#undef SIPLB_X
};

}  // namespace

HeaderId header_id_from_name(std::string_view name) {
  std::size_t n = name.size();
  if (n == 1) {
    auto c = static_cast<uint8_t>(name[0]);
    return c < 128 ? kIndex.compact[c] : HeaderId::other;
  }
  if (n == 0 || n > kLongestName) return HeaderId::other;
  for (uint8_t i = 0; i < kIndex.count[n]; ++i) {
    uint8_t id = kIndex.by_length[n][i];
    if (scan::iequals_lower(name.data(), n, std::string_view(kIndex.lower[id].data(), n)))
      return static_cast<HeaderId>(id);
  }
  return HeaderId::other;
}

std::string_view header_full_name(HeaderId id) {
  return kHeaderNames[static_cast<std::size_t>(id)].full;
}

Method method_from_text(std::string_view text) {
  // Methods are case-sensitive; compare length first, then the octets.
  for (std::size_t i = 1; i < std::size(kMethodNames); ++i)
    if (kMethodNames[i].size() == text.size() &&
        std::memcmp(kMethodNames[i].data(), text.data(), text.size()) == 0)
      return static_cast<Method>(i);
  return Method::extension;
}

std::string_view method_name(Method m) { return kMethodNames[static_cast<std::size_t>(m)]; }

}  // namespace siplb::sip
