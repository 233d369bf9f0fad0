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

constexpr char lower_ascii(char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch | 0x20) : ch; }

// Slot of a name in a 256-entry table: length, first and last octet (lower-cased). The known
// names land in distinct slots (checked at compile time), so a lookup is one compare.
constexpr uint8_t name_slot(const char* s, std::size_t n) {
  // Or-ing 0x20 lower-cases the letters names start and end with; other octets just map somewhere.
  return static_cast<uint8_t>(n + (static_cast<uint8_t>(s[0]) | 0x20u) * 11u +
                              (static_cast<uint8_t>(s[n - 1]) | 0x20u));
}

struct NameIndex {
  uint8_t slot[256] = {};  // header id, 0 (other) for an empty slot
  HeaderId compact[128] = {};
  std::array<std::array<char, kLongestName>, kHeaderIdCount> lower = {};
  bool collision = false;

  constexpr NameIndex() {
    for (std::size_t id = 1; id < kHeaderIdCount; ++id) {
      auto name = kHeaderNames[id].full;
      for (std::size_t i = 0; i < name.size(); ++i) lower[id][i] = lower_ascii(name[i]);
      uint8_t k = name_slot(name.data(), name.size());
      if (slot[k] != 0) collision = true;
      slot[k] = static_cast<uint8_t>(id);
      if (char c = kHeaderNames[id].compact) {
        compact[static_cast<uint8_t>(c)] = static_cast<HeaderId>(id);
        compact[static_cast<uint8_t>(c - 'a' + 'A')] = static_cast<HeaderId>(id);
      }
    }
  }
};
constexpr NameIndex kIndex{};
static_assert(!kIndex.collision, "two known header names share a slot: change name_slot()");

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
  uint8_t id = kIndex.slot[name_slot(name.data(), n)];
  if (id != 0 && kHeaderNames[id].full.size() == n &&
      scan::iequals_lower_words(name.data(), kIndex.lower[id].data(), n))
    return static_cast<HeaderId>(id);
  return HeaderId::other;
}

std::string_view header_full_name(HeaderId id) {
  return kHeaderNames[static_cast<std::size_t>(id)].full;
}

Method method_from_text(std::string_view text) {
  // Methods are case-sensitive; the first octet and the length pick the only candidate.
  if (text.empty()) return Method::extension;
  Method candidate = Method::extension;
  switch (text[0]) {
    case 'I': candidate = text.size() == 6 ? Method::invite : Method::info; break;
    case 'A': candidate = Method::ack; break;
    case 'B': candidate = Method::bye; break;
    case 'C': candidate = Method::cancel; break;
    case 'O': candidate = Method::options; break;
    case 'R': candidate = text.size() == 8 ? Method::register_ : Method::refer; break;
    case 'P': candidate = text.size() == 5 ? Method::prack : Method::publish; break;
    case 'S': candidate = Method::subscribe; break;
    case 'N': candidate = Method::notify; break;
    case 'M': candidate = Method::message; break;
    case 'U': candidate = Method::update; break;
    default: return Method::extension;
  }
  std::string_view name = kMethodNames[static_cast<std::size_t>(candidate)];
  if (name.size() == text.size() && std::memcmp(name.data(), text.data(), text.size()) == 0)
    return candidate;
  return Method::extension;
}

std::string_view method_name(Method m) { return kMethodNames[static_cast<std::size_t>(m)]; }

}  // namespace siplb::sip
