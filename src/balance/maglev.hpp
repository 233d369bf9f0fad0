// Maglev consistent-hash lookup tables (Eisenbud et al., "Maglev: A Fast and Reliable Software
// Network Load Balancer", NSDI 2016, section 3.4), weighted. The control plane builds a table when
// it builds a Selector; workers only read it (maglev_slot + one load). Internal to the balance
// module: selector.cpp, the unit tests and the benchmarks use it.
//
// Properties the rest of siplb relies on:
//  - each member's preference list (a permutation of the slots) comes from two hashes of its
//    identity (the destination URI), never its position, and members are filled in identity
//    order, so every node and every reload that sees the same members builds the same table
//    whatever order the configuration lists them in;
//  - a member of weight w gets about w / (sum of weights) of the slots; weight 0 gets none;
//  - when a member leaves, the slots it held are shared out over all the others (each next in
//    line in its own permutation), and only a small fraction of the other slots change owner.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace siplb::balance {

inline constexpr uint32_t kMaglevDefaultTableSize = 65537;
// Table entries are 16-bit member positions.
inline constexpr std::size_t kMaglevMaxMembers = 65535;

struct MaglevMember {
  std::string_view identity;  // stable across nodes and reloads: the destination URI
  uint32_t weight = 1;        // relative share of the slots; 0 = none
};

enum class MaglevError : uint8_t {
  none,
  size_not_prime,   // table_size is not a prime (the permutations would not visit every slot)
  too_many_members, // more than kMaglevMaxMembers members
  too_small,        // table_size below the number of members with a weight
};
std::string_view maglev_error_name(MaglevError e);

// True when n is a prime (deterministic trial division; control plane, n < 2^32).
bool is_prime(uint32_t n);

// Fills `table` with `table_size` entries, each the position in `members` of the member that owns
// the slot. When no member has a weight the table is left empty (nothing to choose). On error
// `table` is left empty and the error says why. Control plane: allocates; O(table_size * log) for
// equal weights, O(table_size * members) at worst.
MaglevError build_maglev_table(std::span<const MaglevMember> members, uint32_t table_size,
                               std::vector<uint16_t>& table);

// The slot of a 64-bit key hash in a table of `table_size` entries (multiply-high range
// reduction: uniform for uniform hashes, no division). Any thread.
inline uint32_t maglev_slot(uint64_t key_hash, uint32_t table_size) {
  return static_cast<uint32_t>((static_cast<unsigned __int128>(key_hash) * table_size) >> 64);
}

}  // namespace siplb::balance
