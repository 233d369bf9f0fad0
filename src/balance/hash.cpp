// siplb hash v1. Input is consumed 16 octets at a time: each block (two little-endian words x, y)
// is compressed by a folded 64x64->128 multiply, (x ^ k1) * (y ^ k2) with the high half XORed onto
// the low half, and the result is XORed onto the state after the state itself was multiplied by an
// odd constant (a bijection, so no block can erase what came before). The last 1..16 octets are
// read as two possibly overlapping words; the length is folded in last and an xorshift-multiply
// finalizer spreads every input bit over all output bits.
//
// Every constant has at least three octets >= 0x80, so a block of ASCII text (all SIP keys) can
// never cancel a constant and zero the product.
#include <bit>
#include <cstring>

#include "hash.hpp"
#include "siplb/balance/selector.hpp"

namespace siplb::balance {
namespace {

constexpr uint64_t kBlockX = 0x8d95aaf52c5286a1;
constexpr uint64_t kBlockY = 0xb4b65eccc12980df;
constexpr uint64_t kState = 0xdb0259a0a16367cb;
constexpr uint64_t kInit = 0x1fff0e08c3981c8b;
constexpr uint64_t kLength = 0x6c91cac621fb849b;
constexpr uint64_t kFinal1 = 0xc0cda6964424d747;
constexpr uint64_t kFinal2 = 0x62f6b54473e40c71;

inline uint64_t load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

inline uint64_t load32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

inline uint64_t fold_multiply(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t absorb(uint64_t state, uint64_t x, uint64_t y) {
  return (state * kState) ^ fold_multiply(x ^ kBlockX, y ^ kBlockY);
}

}  // namespace

uint64_t hash_bytes(const void* data, std::size_t size, uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t n = size;
  uint64_t state = seed ^ kInit;
  while (n > 16) {
    state = absorb(state, load64(p), load64(p + 8));
    p += 16;
    n -= 16;
  }
  uint64_t x = 0;
  uint64_t y = 0;
  if (n >= 8) {
    x = load64(p);
    y = load64(p + n - 8);
  } else if (n >= 4) {
    x = load32(p);
    y = load32(p + n - 4);
  } else if (n > 0) {
    x = uint64_t{p[0]} | uint64_t{p[n / 2]} << 8 | uint64_t{p[n - 1]} << 16;
  }
  state = absorb(state, x, y);
  uint64_t h = fold_multiply(state ^ kLength, static_cast<uint64_t>(size) ^ kFinal2);
  h ^= h >> 32;
  h *= kFinal1;
  h ^= h >> 29;
  h *= kFinal2;
  h ^= h >> 32;
  return h;
}

uint64_t hash_key(std::string_view text) { return hash_bytes(text.data(), text.size(), kKeyHashSeed); }

}  // namespace siplb::balance
