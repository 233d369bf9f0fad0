// Text forms of IP addresses: strict parsing of dotted IPv4 and RFC 4291 IPv6 text, and RFC 5952
// canonical formatting. Pure functions; any thread; format_ip(a, out) allocates nothing.
#include <cstring>

#include "siplb/net/address.hpp"

namespace siplb::net {
namespace {

constexpr std::size_t kIpv6Words = 8;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "a.b.c.d", each part 0..255 in decimal without leading zeros (so "010" is not read as octal
// by one tool and decimal by another).
bool parse_v4(std::string_view s, uint8_t* out) {
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned value = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) return false;
    out[part] = static_cast<uint8_t>(value);
  }
  return i == s.size();
}

// RFC 4291 2.2: eight groups of 1..4 hex digits, one "::" standing for one or more zero groups,
// the last 32 bits optionally in dotted IPv4 form.
bool parse_v6(std::string_view s, uint8_t* out) {
  uint16_t words[kIpv6Words] = {};
  std::size_t count = 0;
  int gap = -1;  // index in words where "::" stands
  std::size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    if (count == kIpv6Words) return false;
    const std::size_t start = i;
    unsigned value = 0;
    while (i < s.size() && hex_value(s[i]) >= 0 && i - start < 5) value = value * 16 + hex_value(s[i++]);
    const std::size_t digits = i - start;
    if (digits == 0) return false;
    if (i < s.size() && s[i] == '.') {
      uint8_t v4[4];
      if (count > kIpv6Words - 2 || !parse_v4(s.substr(start), v4)) return false;
      words[count++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      words[count++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    if (digits > 4) return false;
    words[count++] = static_cast<uint16_t>(value);
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;
      gap = static_cast<int>(count);
      ++i;
    } else if (i == s.size()) {
      return false;  // a single trailing ':'
    }
  }
  if (gap < 0) {
    if (count != kIpv6Words) return false;
  } else {
    if (count > kIpv6Words - 1) return false;  // "::" must stand for at least one group
    const std::size_t tail = count - static_cast<std::size_t>(gap);
    const std::size_t shift = kIpv6Words - count;
    for (std::size_t k = 0; k < tail; ++k) {
      const std::size_t from = count - 1 - k;
      words[from + shift] = words[from];
      words[from] = 0;
    }
  }
  for (std::size_t k = 0; k < kIpv6Words; ++k) {
    out[2 * k] = static_cast<uint8_t>(words[k] >> 8);
    out[2 * k + 1] = static_cast<uint8_t>(words[k]);
  }
  return true;
}

std::size_t format_v4(const uint8_t* b, char* out) {
  char* p = out;
  for (int k = 0; k < 4; ++k) {
    if (k > 0) *p++ = '.';
    const unsigned v = b[k];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
  }
  return static_cast<std::size_t>(p - out);
}

char* format_hex_group(unsigned v, char* p) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned nibble = (v >> shift) & 0xf;
    if (nibble != 0 || started || shift == 0) {
      *p++ = kHex[nibble];
      started = true;
    }
  }
  return p;
}

std::size_t format_v6(const uint8_t* b, char* out) {
  unsigned words[kIpv6Words];
  for (std::size_t k = 0; k < kIpv6Words; ++k) words[k] = unsigned{b[2 * k]} << 8 | b[2 * k + 1];
  char* p = out;
  // RFC 5952 5: IPv4-mapped addresses keep the dotted form of their last 32 bits.
  if (words[0] == 0 && words[1] == 0 && words[2] == 0 && words[3] == 0 && words[4] == 0 &&
      words[5] == 0xffff) {
    std::memcpy(p, "::ffff:", 7);
    p += 7;
    p += format_v4(b + 12, p);
    return static_cast<std::size_t>(p - out);
  }
  // RFC 5952 4.2: "::" replaces the longest run of two or more zero groups, the first if tied.
  int best_start = -1;
  int best_len = 1;
  for (int k = 0; k < static_cast<int>(kIpv6Words);) {
    if (words[k] != 0) {
      ++k;
      continue;
    }
    int end = k;
    while (end < static_cast<int>(kIpv6Words) && words[end] == 0) ++end;
    if (end - k > best_len) {
      best_start = k;
      best_len = end - k;
    }
    k = end;
  }
  for (int k = 0; k < static_cast<int>(kIpv6Words); ++k) {
    if (k == best_start) {
      *p++ = ':';
      *p++ = ':';
      k += best_len - 1;
      continue;
    }
    if (k > 0 && k != best_start + best_len) *p++ = ':';
    p = format_hex_group(words[k], p);
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  IpAddress a;
  if (!text.empty() && text.front() == '[') {
    if (text.size() < 2 || text.back() != ']') return std::nullopt;
    if (!parse_v6(text.substr(1, text.size() - 2), a.bytes.data())) return std::nullopt;
    a.family = Family::ipv6;
    return a;
  }
  if (text.find(':') != std::string_view::npos) {
    if (!parse_v6(text, a.bytes.data())) return std::nullopt;
    a.family = Family::ipv6;
    return a;
  }
  if (!parse_v4(text, a.bytes.data())) return std::nullopt;
  a.family = Family::ipv4;
  return a;
}

std::size_t format_ip(const IpAddress& a, char* out) {
  std::size_t n = 0;
  if (a.is_v4()) {
    n = format_v4(a.bytes.data(), out);
  } else if (a.is_v6()) {
    n = format_v6(a.bytes.data(), out);
  }
  out[n] = '\0';
  return n;
}

std::string format_ip(const IpAddress& a) {
  char buffer[kIpTextMax];
  const std::size_t n = format_ip(a, buffer);
  return std::string(buffer, n);
}

}  // namespace siplb::net
