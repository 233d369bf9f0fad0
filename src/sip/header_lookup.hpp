// The header-name table behind header_id_from_name(), as inline code so that the parser's loop
// looks names up without a call. Internal to src/sip; constant data, any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "scan.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::sip::header_lookup {

struct NameEntry {
  std::string_view full;
  char compact;
};

inline constexpr NameEntry kHeaderNames[] = {
#define SIPLB_X(e, full, compact) {full, compact},
    SIPLB_SIP_HEADERS(SIPLB_X)
#undef SIPLB_X
};

inline constexpr std::size_t kLongestName = 24;

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
inline constexpr NameIndex kIndex{};
static_assert(!kIndex.collision, "two known header names share a slot: change name_slot()");


// Header id from a name as written (full or compact, any case); `other` when unknown.
inline HeaderId find(const char* name, std::size_t n) {
  if (n == 1) {
    auto c = static_cast<uint8_t>(name[0]);
    return c < 128 ? kIndex.compact[c] : HeaderId::other;
  }
  if (n == 0 || n > kLongestName) return HeaderId::other;
  uint8_t id = kIndex.slot[name_slot(name, n)];
  if (id != 0 && kHeaderNames[id].full.size() == n &&
      scan::iequals_lower_words(name, kIndex.lower[id].data(), n))
    return static_cast<HeaderId>(id);
  return HeaderId::other;
}

// find() for a name inside a buffer that stays readable up to `readable_end`: the name is then
// compared 16 octets at a time (the octets past it are masked out of the compare).
inline HeaderId find_in_buffer(const char* name, std::size_t n, const char* readable_end) {
#if defined(__SSE2__)
  if (n >= 2 && n <= 16 && readable_end - name >= 16) {
    uint8_t id = kIndex.slot[name_slot(name, n)];
    if (id == 0 || kHeaderNames[id].full.size() != n) return HeaderId::other;
    __m128i text = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(name)), _mm_set1_epi8(0x20));
    __m128i lower = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIndex.lower[id].data()));
    unsigned same = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(text, lower)));
    unsigned want = (1u << n) - 1;
    return (same & want) == want ? static_cast<HeaderId>(id) : HeaderId::other;
  }
#endif
  (void)readable_end;
  return find(name, n);
}

}  // namespace siplb::sip::header_lookup
