// parse_ip / format_ip (src/net/address.cpp): accepted and refused forms, RFC 5952 output, and a
// cross-check against the C library's inet_pton / inet_ntop on many addresses.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include "siplb/net/address.hpp"

namespace siplb::net {
namespace {

IpAddress v6(std::initializer_list<uint16_t> words) {
  IpAddress a;
  a.family = Family::ipv6;
  std::size_t i = 0;
  for (uint16_t w : words) {
    a.bytes[i++] = static_cast<uint8_t>(w >> 8);
    a.bytes[i++] = static_cast<uint8_t>(w);
  }
  return a;
}

TEST(ParseIp, Ipv4) {
  const auto a = parse_ip("10.1.2.254");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->v4_host_order(), 0x0a0102feu);
  EXPECT_EQ(*a, IpAddress::v4(0x0a0102fe));
  EXPECT_EQ(parse_ip("0.0.0.0"), IpAddress::v4(0));
  EXPECT_EQ(parse_ip("255.255.255.255"), IpAddress::v4(0xffffffff));
}

TEST(ParseIp, Ipv4Refused) {
  for (const char* text : {"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.1000", "01.2.3.4", "1.2.3.00",
                           "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1.2.3.-4",
                           "[1.2.3.4]", "1.2.3.4:5060", "1.2.3.4/24", "0x1.2.3.4"}) {
    EXPECT_FALSE(parse_ip(text).has_value()) << text;
  }
}

TEST(ParseIp, Ipv6) {
  EXPECT_EQ(parse_ip("::"), v6({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(parse_ip("::1"), v6({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(parse_ip("1::"), v6({1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(parse_ip("2001:db8::1"), v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(parse_ip("2001:DB8:0:0:8:800:200C:417A"), v6({0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a}));
  EXPECT_EQ(parse_ip("1:2:3:4:5:6:7:8"), v6({1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(parse_ip("1:2:3:4:5:6:7::"), v6({1, 2, 3, 4, 5, 6, 7, 0}));
  EXPECT_EQ(parse_ip("::2:3:4:5:6:7:8"), v6({0, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(parse_ip("fe80::1:2"), v6({0xfe80, 0, 0, 0, 0, 0, 1, 2}));
  EXPECT_EQ(parse_ip("0001:0db8:0000::00ff"), v6({1, 0xdb8, 0, 0, 0, 0, 0, 0xff}));
  EXPECT_EQ(parse_ip("::ffff:10.0.0.1"), v6({0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001}));
  EXPECT_EQ(parse_ip("1:2:3:4:5:6:1.2.3.4"), v6({1, 2, 3, 4, 5, 6, 0x0102, 0x0304}));
  EXPECT_EQ(parse_ip("::1.2.3.4"), v6({0, 0, 0, 0, 0, 0, 0x0102, 0x0304}));
  EXPECT_EQ(parse_ip("[2001:db8::1]"), v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(parse_ip("[::]"), v6({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(parse_ip("::1")->is_v6());
}

TEST(ParseIp, Ipv6Refused) {
  for (const char* text : {":", ":::", "::::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8",
                           "1::2::3", "12345::", ":1::", "1:", "1::2:", ":1:2:3:4:5:6:7:8", "g::1",
                           "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5", "::256.1.1.1", "1.2.3.4::",
                           "::1.2.3.4:5", "[::1", "::1]", "[]", "[1.2.3.4]", "[[::1]]", "fe80::1%eth0",
                           ":: 1", "[::1]:5060"}) {
    EXPECT_FALSE(parse_ip(text).has_value()) << text;
  }
}

TEST(FormatIp, Ipv4) {
  EXPECT_EQ(format_ip(IpAddress::v4(0x0a0102fe)), "10.1.2.254");
  EXPECT_EQ(format_ip(IpAddress::v4(0)), "0.0.0.0");
  EXPECT_EQ(format_ip(IpAddress::v4(0xffffffff)), "255.255.255.255");
  EXPECT_EQ(format_ip(IpAddress::v4(0x64090a00)), "100.9.10.0");
}

TEST(FormatIp, Ipv6Rfc5952) {
  EXPECT_EQ(format_ip(v6({0, 0, 0, 0, 0, 0, 0, 0})), "::");
  EXPECT_EQ(format_ip(v6({0, 0, 0, 0, 0, 0, 0, 1})), "::1");
  EXPECT_EQ(format_ip(v6({1, 0, 0, 0, 0, 0, 0, 0})), "1::");
  EXPECT_EQ(format_ip(v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})), "2001:db8::1");
  // 4.1: no leading zeros; 4.3: lower case.
  EXPECT_EQ(format_ip(v6({0x2001, 0x0db8, 0xABCD, 0x00ef, 1, 2, 3, 4})), "2001:db8:abcd:ef:1:2:3:4");
  // 4.2.2: a single zero group is not compressed.
  EXPECT_EQ(format_ip(v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1})), "2001:db8:0:1:1:1:1:1");
  // 4.2.1 / 4.2.3: the longest run; the first of equal runs.
  EXPECT_EQ(format_ip(v6({0x2001, 0, 0, 1, 0, 0, 0, 1})), "2001:0:0:1::1");
  EXPECT_EQ(format_ip(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1})), "2001:db8::1:0:0:1");
  EXPECT_EQ(format_ip(v6({1, 2, 3, 4, 5, 6, 7, 0})), "1:2:3:4:5:6:7:0");
  EXPECT_EQ(format_ip(v6({1, 2, 3, 4, 5, 6, 0, 0})), "1:2:3:4:5:6::");
  EXPECT_EQ(format_ip(v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff})),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  // 5: IPv4-mapped addresses keep the dotted quad.
  EXPECT_EQ(format_ip(v6({0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001})), "::ffff:10.0.0.1");
}

TEST(FormatIp, NoneAndBuffer) {
  EXPECT_EQ(format_ip(IpAddress{}), "");
  char buffer[kIpTextMax];
  std::memset(buffer, 'x', sizeof buffer);
  EXPECT_EQ(format_ip(IpAddress{}, buffer), 0u);
  EXPECT_EQ(buffer[0], '\0');
  const IpAddress longest = v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff});
  EXPECT_EQ(format_ip(longest, buffer), 39u);
  EXPECT_STREQ(buffer, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_EQ(format_ip(IpAddress::v4(0x01020304), buffer), 7u);
  EXPECT_STREQ(buffer, "1.2.3.4");
}

// Random addresses with runs of zero groups, formatted by us and by inet_ntop, then parsed back.
TEST(FormatIp, AgreesWithInetNtopAndRoundTrips) {
  std::mt19937_64 rng(20240601);
  for (int round = 0; round < 20000; ++round) {
    IpAddress a;
    a.family = Family::ipv6;
    for (auto& b : a.bytes) b = static_cast<uint8_t>(rng());
    // Zero some groups so that runs of every length and position occur.
    const uint64_t zero_mask = rng();
    for (int w = 0; w < 8; ++w) {
      if (zero_mask >> w & 1) a.bytes[2 * w] = a.bytes[2 * w + 1] = 0;
      if ((zero_mask >> (8 + w) & 3) == 0) a.bytes[2 * w] = 0;  // short groups too
    }
    if (round % 50 == 0) {  // IPv4-mapped
      std::memset(a.bytes.data(), 0, 10);
      a.bytes[10] = a.bytes[11] = 0xff;
    }
    const std::string ours = format_ip(a);
    // glibc writes ::a.b.c.d (the deprecated IPv4-compatible form) where RFC 5952 does not.
    const bool ipv4_compatible = std::all_of(a.bytes.begin(), a.bytes.begin() + 12, [](uint8_t b) { return b == 0; }) &&
                                 (a.bytes[12] | a.bytes[13]) != 0;
    if (!ipv4_compatible) {
      char theirs[INET6_ADDRSTRLEN];
      ASSERT_NE(inet_ntop(AF_INET6, a.bytes.data(), theirs, sizeof theirs), nullptr);
      EXPECT_EQ(ours, theirs);
    }
    const auto back = parse_ip(ours);
    ASSERT_TRUE(back.has_value()) << ours;
    EXPECT_EQ(*back, a) << ours;
  }
  for (int round = 0; round < 2000; ++round) {
    const IpAddress a = IpAddress::v4(static_cast<uint32_t>(rng()));
    const std::string ours = format_ip(a);
    char theirs[INET_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, a.bytes.data(), theirs, sizeof theirs), nullptr);
    EXPECT_EQ(ours, theirs);
    EXPECT_EQ(parse_ip(ours), a);
  }
}

// Every text inet_pton accepts we accept with the same bytes, and the other way round; the
// exceptions are documented (leading zeros in IPv4 parts, brackets).
TEST(ParseIp, AgreesWithInetPton) {
  const char* texts[] = {"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.0.0.0", "1.2.3", "::", "::1", "1::",
                         "2001:db8::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", "::ffff:1.2.3.4",
                         "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "12345::", ":::", "1:", "::1.2.3",
                         "fe80::", "FE80::ABCD", "0:0:0:0:0:0:0:0", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8"};
  for (const char* text : texts) {
    unsigned char theirs[16];
    const bool is_v6 = std::strchr(text, ':') != nullptr;
    const bool pton_ok = inet_pton(is_v6 ? AF_INET6 : AF_INET, text, theirs) == 1;
    const auto ours = parse_ip(text);
    EXPECT_EQ(ours.has_value(), pton_ok) << text;
    if (ours && pton_ok) {
      EXPECT_EQ(std::memcmp(ours->bytes.data(), theirs, is_v6 ? 16 : 4), 0) << text;
    }
  }
}

}  // namespace
}  // namespace siplb::net
