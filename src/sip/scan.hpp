// Octet classes and scanning helpers shared by the parser, the accessors and the writer.
// Internal to src/sip; header-only so the hot loops inline. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace siplb::sip::scan {

enum CharClass : uint8_t {
  kToken = 1,     // RFC 3261 token: alphanum and -.!%*_+`'~
  kLws = 2,       // SP, HT, CR, LF: linear white space once a field is delimited
  kDigit = 4,
  kHostChar = 8,  // hostname and IPv4 octets: alphanum - . _
  kUriStop = 16,  // octets that may not appear in a URI: SP, HT, CR, LF, other CTLs, < > "
};

struct CharTable {
  uint8_t c[256] = {};
  constexpr CharTable() {
    for (int i = 0; i < 256; ++i) {
      bool alnum = (i >= '0' && i <= '9') || (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z');
      if (alnum) c[i] |= kToken | kHostChar;
      if (i >= '0' && i <= '9') c[i] |= kDigit;
      if (i < 0x20 || i == 0x7f || i == ' ' || i == '<' || i == '>' || i == '"') c[i] |= kUriStop;
    }
    for (char t : std::string_view("-.!%*_+`'~")) c[static_cast<uint8_t>(t)] |= kToken;
    for (char h : std::string_view("-._")) c[static_cast<uint8_t>(h)] |= kHostChar;
    for (char w : std::string_view(" \t\r\n")) c[static_cast<uint8_t>(w)] |= kLws;
  }
};
inline constexpr CharTable kChars{};

inline bool is(char ch, uint8_t cls) { return kChars.c[static_cast<uint8_t>(ch)] & cls; }
inline bool is_token(char ch) { return is(ch, kToken); }
inline bool is_lws(char ch) { return is(ch, kLws); }
inline bool is_digit(char ch) { return static_cast<unsigned>(ch - '0') < 10; }
inline bool is_sp_ht(char ch) { return ch == ' ' || ch == '\t'; }

// ASCII case-insensitive equality of `s` with a lower-case literal. Valid for the literals used
// here (letters, digits, '-'): or-ing 0x20 maps only an upper-case letter onto its lower case.
inline bool iequals_lower(const char* s, std::size_t n, std::string_view lower) {
  if (n != lower.size()) return false;
  for (std::size_t i = 0; i < n; ++i)
    if ((static_cast<uint8_t>(s[i]) | 0x20) != static_cast<uint8_t>(lower[i])) return false;
  return true;
}

// First LF in [p, end), or end. SSE2 compares 16 octets at a time; never reads past `end`.
inline const char* find_lf(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, lf)));
    if (mask) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && *p != '\n') ++p;
  return p;
}

inline const char* skip_lws(const char* p, const char* end) {
  while (p < end && is_lws(*p)) ++p;
  return p;
}
inline const char* trim_lws_back(const char* begin, const char* p) {
  while (p > begin && is_lws(p[-1])) --p;
  return p;
}
inline const char* skip_token(const char* p, const char* end) {
  while (p < end && is_token(*p)) ++p;
  return p;
}

// Parses 1*DIGIT at [p, end) into `out`, saturating at `limit`. Returns the octet after the
// digits, or nullptr when there is no digit. `overflow` is set when the value exceeded `limit`.
inline const char* parse_uint(const char* p, const char* end, uint64_t limit, uint64_t& out,
                              bool& overflow) {
  const char* start = p;
  uint64_t v = 0;
  overflow = false;
  while (p < end && is_digit(*p)) {
    v = v * 10 + static_cast<uint64_t>(*p - '0');
    if (v > limit) {
      overflow = true;
      v = limit + 1;  // stays above the limit without wrapping however many digits follow
    }
    ++p;
  }
  if (p == start) return nullptr;
  out = v;
  return p;
}

// Skips a quoted-string starting at the opening quote; returns the octet after the closing quote
// or nullptr when it is not terminated. Backslash escapes one octet (RFC 3261 25.1 quoted-pair).
inline const char* skip_quoted(const char* p, const char* end) {
  ++p;
  while (p < end) {
    if (*p == '\\') {
      p += 2;
      continue;
    }
    if (*p == '"') return p + 1;
    ++p;
  }
  return nullptr;
}

}  // namespace siplb::sip::scan
