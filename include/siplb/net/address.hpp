// IPv4/IPv6 socket addresses as the balancer stores them: plain values, network byte order
// inside, comparable and hashable. Pure data; any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siplb::net {

enum class Family : uint8_t { none, ipv4, ipv6 };

struct IpAddress {
  Family family = Family::none;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 octets, network order

  static IpAddress v4(uint32_t host_order) {
    IpAddress a;
    a.family = Family::ipv4;
    a.bytes[0] = static_cast<uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<uint8_t>(host_order);
    return a;
  }
  uint32_t v4_host_order() const {
    return uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 | bytes[3];
  }
  bool is_v4() const { return family == Family::ipv4; }
  bool is_v6() const { return family == Family::ipv6; }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct SocketAddress {
  IpAddress ip;
  uint16_t port = 0;  // host order
  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

// Room format_ip(a, out) needs: the longest IPv6 text and a NUL (INET6_ADDRSTRLEN).
inline constexpr std::size_t kIpTextMax = 46;

// Parses dotted IPv4 ("10.0.0.1": four decimal parts 0..255, no leading zeros) or RFC 4291 IPv6
// text ("2001:db8::1", "::ffff:10.0.0.1"), the IPv6 form optionally in brackets ("[::1]"). The
// whole view must be the address: no port, no zone index ("%eth0"), no spaces. nullopt when
// malformed. Any thread; allocates nothing.
std::optional<IpAddress> parse_ip(std::string_view text);
// Writes the address as text: IPv4 dotted, IPv6 in RFC 5952 canonical form (lower case, no leading
// zeros, "::" for the longest run of two or more zero groups, the first when tied; IPv4-mapped
// addresses as "::ffff:a.b.c.d"), without brackets. Family::none gives "". Control plane.
std::string format_ip(const IpAddress& a);
// The same into a caller buffer of at least kIpTextMax octets; NUL-terminates and returns the
// length without the NUL. No allocation; any thread.
std::size_t format_ip(const IpAddress& a, char* out);

}  // namespace siplb::net
