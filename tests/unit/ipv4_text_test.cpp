// Dotted-quad text of the packet path (dataplane/ipv4_text.hpp): formatting agrees with
// inet_ntop for every octet value in every position, and parsing reads it back.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ipv4_text.hpp"

namespace siplb::dataplane {
namespace {

std::string formatted(uint32_t ip_be) {
  char out[16];
  std::size_t n = format_ipv4_text(ip_be, out);
  return {out, n};
}

std::string reference(uint32_t ip_be) {
  char out[INET_ADDRSTRLEN];
  in_addr a;
  a.s_addr = ip_be;
  return inet_ntop(AF_INET, &a, out, sizeof out);
}

TEST(Ipv4Text, FormatsAsInetNtop) {
  const uint8_t others[] = {0, 1, 9, 10, 99, 100, 199, 255};
  for (unsigned v = 0; v < 256; ++v) {
    for (int position = 0; position < 4; ++position) {
      for (uint8_t other : others) {
        uint8_t octets[4] = {other, other, other, other};
        octets[position] = static_cast<uint8_t>(v);
        uint32_t ip_be;
        std::memcpy(&ip_be, octets, 4);
        std::string text = formatted(ip_be);
        ASSERT_EQ(text, reference(ip_be));
        uint32_t back = 0;
        ASSERT_TRUE(parse_ipv4_text(text.data(), text.size(), back)) << text;
        EXPECT_EQ(back, ip_be) << text;
      }
    }
  }
}

TEST(Ipv4Text, LongestTextFitsSixteenOctets) {
  char out[17];
  std::memset(out, 'x', sizeof out);
  EXPECT_EQ(format_ipv4_text(0xffffffffu, out), 15u);
  EXPECT_EQ(std::string(out, 15), "255.255.255.255");
  EXPECT_EQ(out[16], 'x');  // nothing written past the 16 octets
}

}  // namespace
}  // namespace siplb::dataplane
