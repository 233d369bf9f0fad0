// Dotted-quad IPv4 text to and from network-order integers, without allocation: the packet path
// reads addresses out of Via and URIs and writes them into received= parameters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace siplb::dataplane {

// Parses exactly "a.b.c.d" (no leading/trailing octets). False when it is anything else.
inline bool parse_ipv4_text(const char* p, std::size_t n, uint32_t& out_be) {
  const char* e = p + n;
  uint8_t octets[4];
  for (int i = 0; i < 4; ++i) {
    if (p == e || *p < '0' || *p > '9') return false;
    unsigned v = 0;
    int digits = 0;
    while (p < e && *p >= '0' && *p <= '9') {
      v = v * 10 + static_cast<unsigned>(*p++ - '0');
      if (++digits > 3 || v > 255) return false;
    }
    octets[i] = static_cast<uint8_t>(v);
    if (i < 3) {
      if (p == e || *p != '.') return false;
      ++p;
    }
  }
  if (p != e) return false;
  std::memcpy(&out_be, octets, 4);
  return true;
}

// Decimal text of each octet value, with its length: formatting an address is four table reads.
struct Ipv4OctetText {
  char digits[3];
  uint8_t length;
};
inline constexpr auto kIpv4OctetText = [] {
  struct {
    Ipv4OctetText of[256];
  } t{};
  for (unsigned v = 0; v < 256; ++v) {
    Ipv4OctetText& o = t.of[v];
    if (v >= 100) o.digits[o.length++] = static_cast<char>('0' + v / 100);
    if (v >= 10) o.digits[o.length++] = static_cast<char>('0' + v / 10 % 10);
    o.digits[o.length++] = static_cast<char>('0' + v % 10);
  }
  return t;
}();

// Writes "a.b.c.d" into out (at least 16 octets: each octet's text is stored 4 octets at a time,
// and the last store may reach one octet past the 15 of the longest text); returns the length.
inline std::size_t format_ipv4_text(uint32_t ip_be, char* out) {
  uint8_t o[4];
  std::memcpy(o, &ip_be, 4);
  std::size_t n = 0;
  for (int i = 0; i < 4; ++i) {
    const Ipv4OctetText& t = kIpv4OctetText.of[o[i]];
    std::memcpy(out + n, &t, 4);  // the digits and one spare octet, which the '.' overwrites
    n += t.length;
    out[n++] = '.';
  }
  return n - 1;  // without the last '.'
}

}  // namespace siplb::dataplane
