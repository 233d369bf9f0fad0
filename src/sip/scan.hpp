// Octet classes and scanning helpers shared by the parser, the accessors and the writer.
// Internal to src/sip; header-only so the hot loops inline. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSSE3__)
#include <tmmintrin.h>
#endif
#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace siplb::sip::scan {

enum CharClass : uint8_t {
  kToken = 1,     // RFC 3261 token: alphanum and -.!%*_+`'~
  kLws = 2,       // SP, HT, CR, LF: linear white space once a field is delimited
  kDigit = 4,
  kHostChar = 8,  // hostname and IPv4 octets: alphanum - . _
  kUriStop = 16,  // octets that may not appear in a URI: SP, HT, CR, LF, other CTLs, < > "
  kParamValue = 32,  // a Via gen-value as a token, a host or an IPv6 reference: token : [ ]
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
    for (int i = 0; i < 256; ++i)
      if (c[i] & kToken) c[i] |= kParamValue;
    for (char v : std::string_view(":[]")) c[static_cast<uint8_t>(v)] |= kParamValue;
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

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// iequals_lower for a `lower` text whose every octet has bit 0x20 set (lower-case letters, '-',
// digits): compares 8 or 4 octets at a time with overlapping loads that stay inside both texts.
inline bool iequals_lower_words(const char* s, const char* lower, std::size_t n) {
  constexpr uint64_t k64 = 0x2020202020202020ull;
  constexpr uint32_t k32 = 0x20202020u;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8)
      if ((load64(s + i) | k64) != load64(lower + i)) return false;
    return (load64(s + n - 8) | k64) == load64(lower + n - 8);
  }
  if (n >= 4)
    return (load32(s) | k32) == load32(lower) && (load32(s + n - 4) | k32) == load32(lower + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if ((static_cast<uint8_t>(s[i]) | 0x20) != static_cast<uint8_t>(lower[i])) return false;
  return true;
}

#if defined(__SSE2__)
inline __m128i load16(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
#endif

// First octet in [p, end) that `block_hits` marks (a 16-bit mask for the 16 octets of a block) or,
// in ranges shorter than a block, that `is_hit` accepts; end when there is none. After the last
// whole block, one block ending at `end` covers the rest (its octets already checked are shifted
// out), so no octet outside [p, end) is read. A range shorter than a block is scanned the same way
// when the caller names a `floor` such that [floor, end) is readable and holds 16 octets (the
// message the range lies in); without one it takes a byte loop.
template <class BlockHits, class IsHit>
inline const char* find_first(const char* p, const char* end, BlockHits block_hits, IsHit is_hit,
                              const char* floor = nullptr) {
#if defined(__SSE2__)
  if (end - p >= 16) {
    for (;;) {
      unsigned mask = block_hits(load16(p));
      if (mask) return p + __builtin_ctz(mask);
      p += 16;
      if (end - p <= 16) break;
    }
  } else if (!floor || end - floor < 16) {
    while (p < end && !is_hit(*p)) ++p;
    return p;
  }
  if (p == end) return end;
  const char* last = end - 16;
  unsigned mask = block_hits(load16(last)) >> (p - last);
  return mask ? p + __builtin_ctz(mask) : end;
#else
  (void)block_hits;
  (void)floor;
  while (p < end && !is_hit(*p)) ++p;
  return p;
#endif
}

// First octet in [p, end) that ends a Via parameter value: ';', ',', SP, HT, CR or LF, or one
// that cannot be in it ('<', '>', '"': the caller rejects the value); or end.
// Reads up to `readable` (>= end, the end of the buffer) so that the last block is still scanned
// 16 octets at a time; a hit past `end` counts as end.
inline const char* find_param_end(const char* p, const char* end, const char* readable) {
#if defined(__SSE2__)
  const __m128i semi = _mm_set1_epi8(';');
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i sp = _mm_set1_epi8(' ');
  const __m128i ctl = _mm_set1_epi8(0x0e);  // HT, CR, LF are all below 0x0e
  const __m128i lt = _mm_set1_epi8('<');
  const __m128i gt = _mm_set1_epi8('>');
  const __m128i quote = _mm_set1_epi8('"');
  while (readable - p >= 16 && p < end) {
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Octets below 0x0e compare as signed: those above 0x7f are negative, so exclude them.
    __m128i low = _mm_andnot_si128(_mm_cmplt_epi8(b, _mm_setzero_si128()), _mm_cmplt_epi8(b, ctl));
    __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, lt), _mm_cmpeq_epi8(b, gt)),
                               _mm_cmpeq_epi8(b, quote));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, semi), _mm_cmpeq_epi8(b, comma)),
                               _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, sp), low), bad));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask) return p + __builtin_ctz(mask) < end ? p + __builtin_ctz(mask) : end;
    p += 16;
  }
  if (p >= end) return end;
#endif
  while (p < end && *p != ';' && *p != ',' && *p != ' ' && *p != '<' && *p != '>' && *p != '"' &&
         !(static_cast<uint8_t>(*p) < 0x0e))
    ++p;
  return p;
}

// First LF in [p, end), or end. Compares 32 (AVX2) or 16 (SSE2) octets at a time; never reads
// past `end`.
inline const char* find_lf(const char* p, const char* end) {
#if defined(__AVX2__)
  const __m256i lf32 = _mm256_set1_epi8('\n');
  while (end - p >= 32) {
    __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    unsigned mask = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(block, lf32)));
    if (mask) return p + __builtin_ctz(mask);
    p += 32;
  }
#endif
  return find_first(
      p, end,
      [](__m128i b) { return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8('\n')))); },
      [](char c) { return c == '\n'; });
}

// First octet in [p, end) that ends a header name: ':', SP, HT, CR or LF; or end.
inline const char* find_name_end(const char* p, const char* end) {
  return find_first(
      p, end,
      [](__m128i b) {
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(':')), _mm_cmpeq_epi8(b, _mm_set1_epi8(' '))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(b, _mm_set1_epi8('\r'))),
                         _mm_cmpeq_epi8(b, _mm_set1_epi8('\n'))));
        return static_cast<unsigned>(_mm_movemask_epi8(hit));
      },
      [](char c) { return c == ':' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// Where a header line's name ends (the first ':', SP, HT, CR or LF) and its first LF, both at or
// after p. With AVX2 one 32-octet block usually holds both; longer lines continue with the scans
// above. The block test takes every octet up to SP as a stop (one compare instead of four); the
// rare other control octet is passed over afterwards.
struct NameAndLineEnd {
  const char* name_end;
  const char* lf;
};
inline NameAndLineEnd find_name_end_and_lf(const char* p, const char* end) {
#if defined(__AVX2__)
  if (end - p >= 32) {
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    unsigned lf = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, _mm256_set1_epi8('\n'))));
    __m256i up_to_space = _mm256_cmpeq_epi8(_mm256_min_epu8(b, _mm256_set1_epi8(' ')), b);
    __m256i stops = _mm256_or_si256(up_to_space, _mm256_cmpeq_epi8(b, _mm256_set1_epi8(':')));
    unsigned stop = static_cast<unsigned>(_mm256_movemask_epi8(stops));
    const char* name_end = stop ? p + __builtin_ctz(stop) : find_name_end(p + 32, end);
    if (name_end < end && static_cast<uint8_t>(*name_end) < ' ' && !is_lws(*name_end))
      name_end = find_name_end(name_end + 1, end);
    return {name_end, lf ? p + __builtin_ctz(lf) : find_lf(p + 32, end)};
  }
#endif
  const char* name_end = find_name_end(p, end);
  return {name_end, find_lf(name_end, end)};
}

// First octet in [p, end) that may not appear in a Request-URI (kUriStop: CTLs, SP, DEL, <, >, ").
inline const char* find_uri_stop(const char* p, const char* end) {
  return find_first(
      p, end,
      [](__m128i b) {
        // b <= 0x20 unsigned: CTLs and SP.
        __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(b, _mm_set1_epi8(' ')), b);
        __m128i hit = _mm_or_si128(
            _mm_or_si128(low, _mm_cmpeq_epi8(b, _mm_set1_epi8(0x7f))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('<')), _mm_cmpeq_epi8(b, _mm_set1_epi8('>'))),
                         _mm_cmpeq_epi8(b, _mm_set1_epi8('"'))));
        return static_cast<unsigned>(_mm_movemask_epi8(hit));
      },
      [](char c) { return is(c, kUriStop); });
}

// True when the word holds an octet equal to those of `pattern` (one octet repeated): the exact
// zero-octet test applied to w ^ pattern.
inline bool word_has_octet(uint64_t w, uint64_t pattern) {
  uint64_t x = w ^ pattern;
  return ((x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull) != 0;
}

// True when [p, end) holds no CR or LF (text that may go into a header line as it is). The part
// after the last full 16-octet block is checked with overlapping loads inside [p, end).
inline bool has_no_line_break(const char* p, const char* end) {
  std::size_t n = static_cast<std::size_t>(end - p);
#if defined(__SSE2__)
  if (n >= 16) {
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    auto clean = [&](const char* q) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      return _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, lf))) == 0;
    };
    for (; end - p > 16; p += 16)
      if (!clean(p)) return false;
    return clean(end - 16);
  }
#endif
  constexpr uint64_t kCr = 0x0d0d0d0d0d0d0d0dull;
  constexpr uint64_t kLf = 0x0a0a0a0a0a0a0a0aull;
  auto clean = [&](uint64_t w) { return !word_has_octet(w, kCr) && !word_has_octet(w, kLf); };
  if (n >= 8) {
    for (; end - p > 8; p += 8)
      if (!clean(load64(p))) return false;
    return clean(load64(end - 8));
  }
  if (n >= 4) return clean(load32(p)) && clean(load32(end - 4));
  for (; p < end; ++p)
    if (*p == '\r' || *p == '\n') return false;
  return true;
}

// First octet in [p, end) that matters when splitting header values: ',', '"', '<' or '>'.
inline const char* find_value_delimiter(const char* p, const char* end) {
  return find_first(
      p, end,
      [](__m128i b) {
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(',')), _mm_cmpeq_epi8(b, _mm_set1_epi8('"'))),
            _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('<')), _mm_cmpeq_epi8(b, _mm_set1_epi8('>'))));
        return static_cast<unsigned>(_mm_movemask_epi8(hit));
      },
      [](char c) { return c == ',' || c == '"' || c == '<' || c == '>'; });
}

// True when [p, end) holds no SP, HT, CR or LF.
inline bool has_no_lws(const char* p, const char* end) {
  return find_first(
             p, end,
             [](__m128i b) {
               __m128i hit = _mm_or_si128(
                   _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(b, _mm_set1_epi8('\t'))),
                   _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(b, _mm_set1_epi8('\n'))));
               return static_cast<unsigned>(_mm_movemask_epi8(hit));
             },
             [](char c) { return is_lws(c); }) == end;
}

// A class of kChars as two 16-entry nibble tables, so that 16 octets are classified with two
// shuffles: octet (h << 4 | l) is in the class when lo[l] & hi[h] != 0, where lo[l] has bit h set
// for each such octet and hi[h] = 1 << h for h < 8. Octets from 0x80 (h >= 8) are in no class.
struct NibbleTables {
  alignas(16) uint8_t lo[16] = {};
  alignas(16) uint8_t hi[16] = {};
};
constexpr NibbleTables nibble_tables(uint8_t cls) {
  NibbleTables t;
  for (int c = 0; c < 128; ++c)
    if (kChars.c[c] & cls) t.lo[c & 15] = static_cast<uint8_t>(t.lo[c & 15] | (1u << (c >> 4)));
  for (int h = 0; h < 8; ++h) t.hi[h] = static_cast<uint8_t>(1u << h);
  return t;
}
// Indexed by the bit number of a single-bit class.
inline constexpr NibbleTables kNibbleTables[6] = {nibble_tables(1), nibble_tables(2), nibble_tables(4),
                                                  nibble_tables(8), nibble_tables(16), nibble_tables(32)};

// First octet in [p, end) outside the single-bit class `cls`, or end.
// `floor`: see find_first.
inline const char* skip_class(const char* p, const char* end, uint8_t cls, const char* floor = nullptr) {
#if defined(__SSSE3__)
  const NibbleTables& t = kNibbleTables[__builtin_ctz(cls)];
  const __m128i lo = _mm_load_si128(reinterpret_cast<const __m128i*>(t.lo));
  const __m128i hi = _mm_load_si128(reinterpret_cast<const __m128i*>(t.hi));
  return find_first(
      p, end,
      [&](__m128i b) {
        const __m128i nibble = _mm_set1_epi8(0x0f);
        __m128i in = _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(b, nibble)),
                                   _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(b, 4), nibble)));
        return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(in, _mm_setzero_si128())));
      },
      [cls](char c) { return !is(c, cls); }, floor);
#else
  (void)floor;
  while (p < end && is(*p, cls)) ++p;
  return p;
#endif
}

// First octet in [p, end) equal to `c`, or end.
inline const char* find_octet(const char* p, const char* end, char c, const char* floor = nullptr) {
  return find_first(
      p, end,
      [c](__m128i b) { return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8(c)))); },
      [c](char x) { return x == c; }, floor);
}

inline const char* skip_lws(const char* p, const char* end) {
  while (p < end && is_lws(*p)) ++p;
  return p;
}
inline const char* trim_lws_back(const char* begin, const char* p) {
  while (p > begin && is_lws(p[-1])) --p;
  return p;
}
inline const char* skip_token(const char* p, const char* end) { return skip_class(p, end, kToken); }

// Parses 1*DIGIT at [p, end) into `out`, saturating at `limit`. Returns the octet after the
// digits, or nullptr when there is no digit. `overflow` is set when the value exceeded `limit`.
inline const char* parse_uint(const char* p, const char* end, uint64_t limit, uint64_t& out,
                              bool& overflow) {
  const char* start = p;
  uint64_t v = 0;
  overflow = false;
  // Up to 19 digits cannot wrap 64 bits: no check per digit, one against the limit at the end.
  const char* fast_end = end - p > 19 ? p + 19 : end;
  while (p < fast_end && is_digit(*p)) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  if (p == start) return nullptr;
  if (v > limit) {
    overflow = true;
    v = limit + 1;  // stays above the limit without wrapping however many digits follow
  }
  while (p < end && is_digit(*p)) {  // a 20th digit and more: rare, saturating
    v = v * 10 + static_cast<uint64_t>(*p - '0');
    if (v > limit) {
      overflow = true;
      v = limit + 1;
    }
    ++p;
  }
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
