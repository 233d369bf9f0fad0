// The balancer's byte hash ("siplb hash v1"): the function behind hash_key() (selector.hpp) and the
// Maglev permutations (maglev.hpp). Its values are part of the cluster contract: two siplb nodes,
// or one node before and after an upgrade, must hash a Call-ID alike so that they pick the same
// destination; a change of the algorithm or its constants is a breaking change (the unit tests pin
// expected values). Not keyed: it spreads honest keys well, it is no defence against a client that
// searches for colliding keys. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace siplb::balance {

// Seeds that give independent hash functions over the same bytes.
inline constexpr uint64_t kKeyHashSeed = 0;                       // hash_key()
inline constexpr uint64_t kMaglevOffsetSeed = 0x3f84d5b5b5470917;  // Maglev permutation offset
inline constexpr uint64_t kMaglevSkipSeed = 0x243f6a8885a308d3;    // Maglev permutation skip

// 64-bit hash of `size` octets at `data`. The same on every little- and big-endian host (words are
// read little-endian). No allocation.
uint64_t hash_bytes(const void* data, std::size_t size, uint64_t seed);

}  // namespace siplb::balance
