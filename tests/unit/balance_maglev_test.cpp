// Maglev tables (src/balance/maglev.cpp): balance, weights, independence from configuration order,
// and the disruption when a destination leaves: about 1/N of the keys move, almost none of the
// keys the leaver did not hold, and the moved keys spread over all the others (OpenSIPS and
// Kamailio hash modulo the live count, or hand a dead destination's keys to one neighbour).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "../../src/balance/hash.hpp"
#include "../../src/balance/maglev.hpp"
#include "siplb/balance/selector.hpp"

namespace siplb::balance {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::vector<std::string> uris(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back("sip:10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":5060");
  return out;
}

std::vector<MaglevMember> members_of(const std::vector<std::string>& ids, std::vector<uint32_t> weights = {}) {
  std::vector<MaglevMember> m;
  for (std::size_t i = 0; i < ids.size(); ++i) m.push_back({ids[i], weights.empty() ? 1u : weights[i]});
  return m;
}

std::vector<uint32_t> slot_counts(const std::vector<uint16_t>& table, std::size_t members) {
  std::vector<uint32_t> counts(members);
  for (uint16_t m : table) ++counts.at(m);
  return counts;
}

TEST(Maglev, IsPrime) {
  EXPECT_FALSE(is_prime(0));
  EXPECT_FALSE(is_prime(1));
  EXPECT_TRUE(is_prime(2));
  EXPECT_TRUE(is_prime(3));
  EXPECT_FALSE(is_prime(4));
  EXPECT_TRUE(is_prime(65537));
  EXPECT_FALSE(is_prime(65536));
  EXPECT_TRUE(is_prime(655373));
  EXPECT_FALSE(is_prime(65535));
  EXPECT_TRUE(is_prime(4294967291u));
  EXPECT_FALSE(is_prime(4294967295u));
}

TEST(Maglev, Errors) {
  const auto ids = uris(3);
  std::vector<uint16_t> table{1, 2, 3};
  EXPECT_EQ(build_maglev_table(members_of(ids), 65536, table), MaglevError::size_not_prime);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(build_maglev_table(members_of(ids), 2, table), MaglevError::too_small);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(build_maglev_table(members_of(ids), 3, table), MaglevError::none);
  EXPECT_EQ(table.size(), 3u);
  // Nothing to choose: an empty table, not an error.
  EXPECT_EQ(build_maglev_table({}, 65537, table), MaglevError::none);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(build_maglev_table(members_of(ids, {0, 0, 0}), 65537, table), MaglevError::none);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(maglev_error_name(MaglevError::too_small), "too_small");
}

TEST(Maglev, EqualMembersShareEvenly) {
  for (std::size_t n : {1u, 2u, 3u, 5u, 8u, 64u, 1000u}) {
    const auto ids = uris(n);
    std::vector<uint16_t> table;
    ASSERT_EQ(build_maglev_table(members_of(ids), kMaglevDefaultTableSize, table), MaglevError::none);
    ASSERT_EQ(table.size(), kMaglevDefaultTableSize);
    const double ideal = double{kMaglevDefaultTableSize} / n;
    for (uint32_t c : slot_counts(table, n)) EXPECT_NEAR(c, ideal, std::max(1.0, ideal * 0.01)) << n;
  }
}

TEST(Maglev, WeightsAreRespected) {
  const auto ids = uris(5);
  const std::vector<uint32_t> weights = {1, 2, 3, 0, 10};
  std::vector<uint16_t> table;
  ASSERT_EQ(build_maglev_table(members_of(ids, weights), kMaglevDefaultTableSize, table), MaglevError::none);
  const auto counts = slot_counts(table, ids.size());
  EXPECT_EQ(counts[3], 0u) << "weight 0 gets no slot";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const double ideal = double{kMaglevDefaultTableSize} * weights[i] / 16.0;
    EXPECT_NEAR(counts[i], ideal, ideal * 0.01 + 1) << i;
  }
  // Extreme ratios still give the light member its share.
  ASSERT_EQ(build_maglev_table(members_of(uris(2), {1000, 1}), kMaglevDefaultTableSize, table), MaglevError::none);
  EXPECT_NEAR(slot_counts(table, 2)[1], kMaglevDefaultTableSize / 1001.0, 2);
}

// Two nodes (or one node after a reload) listing the same destinations in another order build the
// same table: slot by slot, the same identity.
TEST(Maglev, IndependentOfMemberOrder) {
  const auto ids = uris(12);
  std::vector<uint32_t> weights = {1, 1, 2, 3, 1, 1, 5, 1, 1, 2, 1, 1};
  std::vector<uint16_t> reference;
  ASSERT_EQ(build_maglev_table(members_of(ids, weights), 4099, reference), MaglevError::none);
  std::vector<std::size_t> order(ids.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 rng(3);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::string> shuffled_ids;
    std::vector<uint32_t> shuffled_weights;
    for (std::size_t i : order) {
      shuffled_ids.push_back(ids[i]);
      shuffled_weights.push_back(weights[i]);
    }
    std::vector<uint16_t> table;
    ASSERT_EQ(build_maglev_table(members_of(shuffled_ids, shuffled_weights), 4099, table), MaglevError::none);
    for (std::size_t s = 0; s < table.size(); ++s) ASSERT_EQ(shuffled_ids[table[s]], ids[reference[s]]) << s;
  }
}

// Pinned: the table for a fixed configuration. A change means nodes of different versions would
// disagree on every key; treat it as a breaking change.
TEST(Maglev, PinnedTable) {
  const auto ids = uris(5);
  std::vector<uint16_t> table;
  ASSERT_EQ(build_maglev_table(members_of(ids), kMaglevDefaultTableSize, table), MaglevError::none);
  std::vector<uint8_t> bytes;  // little-endian, so that the digest is the same on every host
  for (uint16_t e : table) {
    bytes.push_back(static_cast<uint8_t>(e));
    bytes.push_back(static_cast<uint8_t>(e >> 8));
  }
  const uint64_t digest = hash_bytes(bytes.data(), bytes.size(), 0);
  EXPECT_EQ(digest, 0x299782748a272be7ull) << std::hex << digest;
  const std::vector<uint16_t> head(table.begin(), table.begin() + 8);
  EXPECT_EQ(head, (std::vector<uint16_t>{1, 2, 3, 2, 4, 0, 4, 2}));
}

struct Disruption {
  double moved = 0;                 // share of all keys whose member changed
  double moved_not_removed = 0;     // share of the keys not held by the removed member that moved
  std::vector<uint32_t> moved_to;   // by member (original positions): where the removed member's keys went
  uint32_t moved_keys = 0;
};

// Keys are random 64-bit hashes of random Call-IDs; `removed` leaves the member list.
Disruption measure_removal(const std::vector<std::string>& ids, const std::vector<uint32_t>& weights, std::size_t removed,
                           uint32_t table_size, uint32_t keys) {
  std::vector<uint16_t> before, after;
  EXPECT_EQ(build_maglev_table(members_of(ids, weights), table_size, before), MaglevError::none);
  std::vector<std::string> rest_ids;
  std::vector<uint32_t> rest_weights, rest_position;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i == removed) continue;
    rest_ids.push_back(ids[i]);
    rest_weights.push_back(weights[i]);
    rest_position.push_back(static_cast<uint32_t>(i));
  }
  EXPECT_EQ(build_maglev_table(members_of(rest_ids, rest_weights), table_size, after), MaglevError::none);
  Disruption d;
  d.moved_to.assign(ids.size(), 0);
  std::mt19937_64 rng(99);
  uint32_t not_removed = 0, moved_not_removed = 0, moved = 0;
  for (uint32_t k = 0; k < keys; ++k) {
    const uint64_t h = hash_key(std::to_string(rng()) + "@pc33.atlanta.example.com");
    const uint32_t a = before[maglev_slot(h, table_size)];
    const uint32_t b = rest_position[after[maglev_slot(h, table_size)]];
    if (a != b) ++moved;
    if (a == removed) {
      ++d.moved_to[b];
    } else {
      ++not_removed;
      if (a != b) ++moved_not_removed;
    }
  }
  d.moved = double(moved) / keys;
  d.moved_not_removed = double(moved_not_removed) / not_removed;
  d.moved_keys = moved;
  return d;
}

TEST(Maglev, RemovingOneOfFiveMovesOnlyItsKeysSpreadOverAllOthers) {
  const auto ids = uris(5);
  const std::vector<uint32_t> weights(5, 1);
  for (std::size_t removed = 0; removed < ids.size(); ++removed) {
    const Disruption d = measure_removal(ids, weights, removed, kMaglevDefaultTableSize, 100000);
    EXPECT_NEAR(d.moved, 1.0 / 5, 0.02) << removed;
    EXPECT_LT(d.moved_not_removed, 0.02) << removed;
    const uint32_t removed_keys = [&] {
      uint32_t s = 0;
      for (uint32_t c : d.moved_to) s += c;
      return s;
    }();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i == removed) continue;
      const double share = double(d.moved_to[i]) / removed_keys;
      EXPECT_GT(share, 0.15) << "removed " << removed << ", member " << i << " got too few of its keys";
      EXPECT_LT(share, 0.40) << "removed " << removed << ", member " << i << " got too many of its keys";
    }
  }
}

TEST(Maglev, RemovalWithWeightsAndManyMembers) {
  const auto ids = uris(64);
  std::vector<uint32_t> weights(64, 1);
  for (std::size_t i = 0; i < 64; i += 4) weights[i] = 3;
  const Disruption d = measure_removal(ids, weights, 8, kMaglevDefaultTableSize, 100000);
  EXPECT_NEAR(d.moved, 3.0 / (48 + 16 * 3), 0.01);
  EXPECT_LT(d.moved_not_removed, 0.02);
}

TEST(Maglev, BuildTimeIsReasonable) {
  const double budget_ms = kSanitized ? 500 : 50;
  const auto ids = uris(64);
  std::vector<uint16_t> table;
  double best_ms = 1e9;
  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(build_maglev_table(members_of(ids), kMaglevDefaultTableSize, table), MaglevError::none);
    best_ms = std::min(best_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  EXPECT_LT(best_ms, budget_ms);
}

}  // namespace
}  // namespace siplb::balance
