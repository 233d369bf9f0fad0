// IP address text as SIP carries it, to and from binary, without allocation: dotted IPv4, and
// IPv6 with or without brackets ("[2001:db8::1]" in Via and URI hosts, bare in received=).
// The packet path reads addresses out of Via and URIs and writes them into received= parameters.
#pragma once

#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ipv4_text.hpp"

namespace siplb::dataplane {

// Parses IPv6 text, brackets optional. False when it is anything else.
inline bool parse_ipv6_text(const char* p, std::size_t n, uint8_t* out) {
  if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
    ++p;
    n -= 2;
  }
  char buf[INET6_ADDRSTRLEN];
  if (n == 0 || n >= sizeof(buf)) return false;
  std::memcpy(buf, p, n);
  buf[n] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1;
}

// Writes IPv6 text (RFC 5952 form, no brackets) into out (at least INET6_ADDRSTRLEN octets).
inline std::size_t format_ipv6_text(const uint8_t* ip, char* out) {
  if (!inet_ntop(AF_INET6, ip, out, INET6_ADDRSTRLEN)) return 0;
  return std::strlen(out);
}

}  // namespace siplb::dataplane
