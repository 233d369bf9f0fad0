// 64-bit values as 16 lower-case hex digits (our Via branches, reply To-tags), eight digits per
// word operation instead of a table read per digit.
#pragma once

#include <cstdint>
#include <cstring>

namespace siplb::dataplane {

// Writes the 16 hex digits of v, most significant first, to out (no terminator).
inline void format_hex64(uint64_t v, char* out) {
  for (int half = 0; half < 2; ++half) {
    uint64_t x = (v >> (half == 0 ? 32 : 0)) & 0xffffffffu;
    // One nibble per byte: byte k (from the least significant) gets nibble k.
    x = ((x & 0xffff0000u) << 16) | (x & 0xffffu);
    x = ((x & 0x0000ff000000ff00ull) << 8) | (x & 0x000000ff000000ffull);
    x = ((x & 0x00f000f000f000f0ull) << 4) | (x & 0x000f000f000f000full);
    // '0' + n, and 'a' - 10 + n where n >= 10 (n + 6 carries into bit 4 exactly then).
    uint64_t letters = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;
    x += 0x3030303030303030ull + letters * ('a' - '0' - 10);
    x = __builtin_bswap64(x);  // the most significant digit first in memory
    std::memcpy(out + 8 * half, &x, 8);
  }
}

}  // namespace siplb::dataplane
