// 16-digit hex text of the packet path (dataplane/hex_text.hpp) against snprintf.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <string>

#include "hex_text.hpp"

namespace siplb::dataplane {
namespace {

void expect_as_printf(uint64_t v) {
  char want[17];
  std::snprintf(want, sizeof want, "%016" PRIx64, v);
  char got[17] = {};
  format_hex64(v, got);
  ASSERT_EQ(std::string(got, 16), std::string(want, 16)) << v;
}

TEST(HexText, EveryDigitInEveryPosition) {
  for (int position = 0; position < 16; ++position)
    for (uint64_t d = 0; d < 16; ++d) {
      expect_as_printf(d << (4 * position));
      expect_as_printf(~(uint64_t{0xf} << (4 * position)) | (d << (4 * position)));
    }
}

TEST(HexText, ManyValues) {
  uint64_t v = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 100000; ++i) {
    expect_as_printf(v);
    v = v * 6364136223846793005ull + 1442695040888963407ull;
  }
  expect_as_printf(0);
  expect_as_printf(~uint64_t{0});
}

}  // namespace
}  // namespace siplb::dataplane
