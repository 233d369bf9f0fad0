// Weighted Maglev table construction (see maglev.hpp for the contract).
//
// Member i's preference list is slot (offset_i + j * skip_i) mod M for j = 0, 1, ..., with
// offset_i = h1(identity) mod M and skip_i = h2(identity) mod (M - 1) + 1; M prime makes every
// list a permutation of all M slots. Filling goes in rounds over the members in identity order:
// each round a member earns credit equal to its weight and, once its credit reaches the largest
// weight, spends that much to claim the next still-free slot of its list. The heaviest members claim
// one slot per round, a member of half that weight one every other round, and so on, until all
// slots are taken; weight 0 never earns credit.
#include <algorithm>

#include "hash.hpp"
#include "maglev.hpp"

namespace siplb::balance {
namespace {

constexpr uint32_t kFree = UINT32_MAX;

struct Builder {
  uint32_t member = 0;  // position in the caller's members
  uint32_t weight = 0;
  uint64_t credit = 0;
  uint32_t next = 0;    // next slot of its preference list to try
  uint32_t skip = 1;
};

}  // namespace

std::string_view maglev_error_name(MaglevError e) {
  switch (e) {
    case MaglevError::none: return "none";
    case MaglevError::size_not_prime: return "size_not_prime";
    case MaglevError::too_many_members: return "too_many_members";
    case MaglevError::too_small: return "too_small";
  }
  return "unknown";
}

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint64_t d = 3; d * d <= n; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}

MaglevError build_maglev_table(std::span<const MaglevMember> members, uint32_t table_size,
                               std::vector<uint16_t>& table) {
  table.clear();
  if (members.size() > kMaglevMaxMembers) return MaglevError::too_many_members;
  if (!is_prime(table_size)) return MaglevError::size_not_prime;

  std::vector<Builder> builders;
  builders.reserve(members.size());
  uint32_t max_weight = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].weight == 0) continue;
    Builder b;
    b.member = static_cast<uint32_t>(i);
    b.weight = members[i].weight;
    builders.push_back(b);
    max_weight = std::max(max_weight, b.weight);
  }
  if (builders.empty()) return MaglevError::none;
  if (builders.size() > table_size) return MaglevError::too_small;

  // Identity order, so that the table does not depend on the order of the configuration. Equal
  // identities (a configuration error the loader rejects) fall back to position order.
  std::sort(builders.begin(), builders.end(), [&](const Builder& a, const Builder& b) {
    const std::string_view ia = members[a.member].identity;
    const std::string_view ib = members[b.member].identity;
    if (ia != ib) return ia < ib;
    return a.member < b.member;
  });
  for (Builder& b : builders) {
    const std::string_view id = members[b.member].identity;
    b.next = static_cast<uint32_t>(hash_bytes(id.data(), id.size(), kMaglevOffsetSeed) % table_size);
    b.skip = static_cast<uint32_t>(hash_bytes(id.data(), id.size(), kMaglevSkipSeed) % (table_size - 1) + 1);
  }

  std::vector<uint32_t> owner(table_size, kFree);
  uint32_t filled = 0;
  while (filled < table_size) {
    for (Builder& b : builders) {
      b.credit += b.weight;
      if (b.credit < max_weight) continue;
      b.credit -= max_weight;
      uint32_t slot = b.next;
      while (owner[slot] != kFree) {
        slot += b.skip;
        if (slot >= table_size) slot -= table_size;
      }
      owner[slot] = b.member;
      slot += b.skip;
      if (slot >= table_size) slot -= table_size;
      b.next = slot;
      if (++filled == table_size) break;
    }
  }

  table.resize(table_size);
  for (uint32_t s = 0; s < table_size; ++s) table[s] = static_cast<uint16_t>(owner[s]);
  return MaglevError::none;
}

}  // namespace siplb::balance
