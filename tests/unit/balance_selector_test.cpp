// Selector (src/balance/selector.cpp) and the algorithm/state names (destination.cpp): priority
// tiers, every algorithm, fallbacks, -1 when nothing is selectable, build errors, and that
// select() does not allocate.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "siplb/balance/selector.hpp"

// Counts heap allocations so that a test can prove select() makes none. Kept out of line so that
// the compiler does not pair an inlined malloc/free against its own idea of new/delete.
namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  std::abort();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace siplb::balance {
namespace {

Destination dest(int n, uint16_t weight = 1, int32_t priority = 0, DestinationState state = DestinationState::active) {
  Destination d;
  d.uri = "sip:10.0.0." + std::to_string(n) + ":5060";
  d.address.ip = net::IpAddress::v4(0x0a000000u + static_cast<uint32_t>(n));
  d.address.port = 5060;
  d.weight = weight;
  d.priority = priority;
  d.state = state;
  return d;
}

DestinationSet set_of(uint32_t id, Algorithm algorithm, std::vector<Destination> destinations) {
  DestinationSet s;
  s.id = id;
  s.name = std::to_string(id);
  s.algorithm = algorithm;
  s.destinations = std::move(destinations);
  return s;
}

std::unique_ptr<const Selector> build_one(Algorithm algorithm, std::vector<Destination> destinations,
                                          BuildOptions options = {}) {
  std::string error;
  auto s = Selector::build({set_of(1, algorithm, std::move(destinations))}, options, &error);
  EXPECT_NE(s, nullptr) << error;
  return s;
}

// Counts by index over `n` selections with distinct Call-IDs (and the other keys alike).
std::map<int32_t, int> count_selections(const Selector& s, int n, WorkerSelectState& state, bool with_keys = true) {
  std::map<int32_t, int> counts;
  for (int i = 0; i < n; ++i) {
    const std::string k = std::to_string(i) + "@client.example.com";
    SelectionKey key;
    if (with_keys) key = {k, k, k, k, k};
    ++counts[s.select(0, key, state).index];
  }
  return counts;
}

TEST(AlgorithmNames, RoundTripAndNumbers) {
  const Algorithm all[] = {Algorithm::hash_call_id, Algorithm::hash_from_uri, Algorithm::hash_to_uri,
                           Algorithm::hash_request_uri, Algorithm::round_robin, Algorithm::hash_auth_user,
                           Algorithm::random, Algorithm::weighted, Algorithm::maglev};
  for (Algorithm a : all) {
    Algorithm parsed = Algorithm::random;
    ASSERT_TRUE(algorithm_from_text(algorithm_name(a), parsed)) << algorithm_name(a);
    EXPECT_EQ(parsed, a);
  }
  Algorithm a = Algorithm::maglev;
  EXPECT_TRUE(algorithm_from_text("4", a));
  EXPECT_EQ(a, Algorithm::round_robin);
  EXPECT_TRUE(algorithm_from_text("0", a));
  EXPECT_EQ(a, Algorithm::hash_call_id);
  EXPECT_TRUE(algorithm_from_text("9", a));
  EXPECT_EQ(a, Algorithm::weighted);
  EXPECT_TRUE(algorithm_from_text("10", a));  // Kamailio's call load distribution
  EXPECT_EQ(a, Algorithm::least_loaded);
  EXPECT_TRUE(algorithm_from_text("Hash-Call-ID", a));
  EXPECT_EQ(a, Algorithm::hash_call_id);
  EXPECT_EQ(algorithm_name(Algorithm::hash_auth_user), "hash-auth-user");
  a = Algorithm::maglev;
  for (const char* bad : {"", "7", "8", "11", "04", "-1", "maglevv", "round_robin", " 4"}) {
    EXPECT_FALSE(algorithm_from_text(bad, a)) << bad;
    EXPECT_EQ(a, Algorithm::maglev);
  }
}

TEST(StateNames, NamesAndLetters) {
  EXPECT_EQ(state_name(DestinationState::active), "active");
  EXPECT_EQ(state_name(DestinationState::inactive), "inactive");
  EXPECT_EQ(state_name(DestinationState::probing), "probing");
  EXPECT_EQ(state_name(DestinationState::disabled), "disabled");
  EXPECT_EQ(state_letter(DestinationState::active), 'a');
  EXPECT_EQ(state_letter(DestinationState::inactive), 'i');
  EXPECT_EQ(state_letter(DestinationState::probing), 'p');
  EXPECT_EQ(state_letter(DestinationState::disabled), 'd');
  EXPECT_TRUE(is_selectable(DestinationState::active));
  EXPECT_TRUE(is_selectable(DestinationState::probing));
  EXPECT_FALSE(is_selectable(DestinationState::inactive));
  EXPECT_FALSE(is_selectable(DestinationState::disabled));
}

TEST(Selector, FindSet) {
  auto s = Selector::build({set_of(30, Algorithm::random, {dest(1)}), set_of(7, Algorithm::maglev, {dest(2)}),
                            set_of(12, Algorithm::round_robin, {dest(3)})});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->set_count(), 3u);
  EXPECT_EQ(s->find_set(30), 0);
  EXPECT_EQ(s->find_set(7), 1);
  EXPECT_EQ(s->find_set(12), 2);
  EXPECT_EQ(s->find_set(8), -1);
  EXPECT_EQ(s->find_set(0), -1);
  WorkerSelectState state;
  EXPECT_EQ(s->select(s->find_set(12), {}, state).address.ip, net::IpAddress::v4(0x0a000003));
}

TEST(Selector, BuildErrors) {
  std::string error;
  EXPECT_EQ(Selector::build({set_of(1, Algorithm::maglev, {dest(1)})}, BuildOptions{65536}, &error), nullptr);
  EXPECT_EQ(error, "maglev table size 65536 is not a prime");
  EXPECT_EQ(Selector::build({set_of(1, Algorithm::maglev, {dest(1)}), set_of(1, Algorithm::random, {dest(2)})}, {}, &error),
            nullptr);
  EXPECT_EQ(error, "set id 1 given twice");
  EXPECT_EQ(Selector::build({set_of(4, Algorithm::maglev, {dest(1), dest(2), dest(3), dest(4)})}, BuildOptions{3}, &error),
            nullptr);
  EXPECT_EQ(error, "set 4: maglev table size 3 is smaller than its 4 candidates");
  // Non-hashing sets need no table, so a small size does not matter to them.
  EXPECT_NE(Selector::build({set_of(4, Algorithm::random, {dest(1), dest(2), dest(3), dest(4)})}, BuildOptions{3}, &error),
            nullptr);
  // Without an error string it still fails cleanly.
  EXPECT_EQ(Selector::build({}, BuildOptions{1}), nullptr);
  auto empty = Selector::build({});
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->set_count(), 0u);
}

TEST(Selector, NothingSelectable) {
  WorkerSelectState state;
  const SelectionKey key{"call@x", "sip:a@x", "sip:b@x", "sip:b@y", "alice"};
  for (Algorithm a : {Algorithm::maglev, Algorithm::hash_call_id, Algorithm::round_robin, Algorithm::random,
                      Algorithm::weighted, Algorithm::hash_auth_user}) {
    auto s = build_one(a, {dest(1, 1, 0, DestinationState::inactive), dest(2, 1, 0, DestinationState::disabled),
                           dest(3, 0, 0, DestinationState::active)});
    EXPECT_EQ(s->select(0, key, state).index, -1) << algorithm_name(a);
    EXPECT_EQ(s->select_by_hash(0, 12345).index, -1) << algorithm_name(a);
    auto none = build_one(a, {});
    EXPECT_EQ(none->select(0, key, state).index, -1);
    // Out-of-range positions.
    EXPECT_EQ(s->select(-1, key, state).index, -1);
    EXPECT_EQ(s->select(1, key, state).index, -1);
    EXPECT_EQ(s->select_by_hash(1, 1).index, -1);
  }
}

TEST(Selector, PriorityTiers) {
  WorkerSelectState state;
  // Priority 10 holds positions 1 and 3; 5 holds 0 and 2.
  std::vector<Destination> ds = {dest(1, 1, 5), dest(2, 1, 10), dest(3, 1, 5), dest(4, 1, 10)};
  for (Algorithm a : {Algorithm::maglev, Algorithm::round_robin, Algorithm::random, Algorithm::weighted}) {
    auto s = build_one(a, ds);
    const auto counts = count_selections(*s, 2000, state);
    EXPECT_EQ(counts.size(), 2u) << algorithm_name(a);
    EXPECT_GT(counts.count(1), 0u);
    EXPECT_GT(counts.count(3), 0u);

    // Top tier down (one inactive, one weight 0): the next tier takes over.
    auto down = ds;
    down[1].state = DestinationState::inactive;
    down[3].weight = 0;
    s = build_one(a, down);
    const auto lower = count_selections(*s, 2000, state);
    EXPECT_EQ(lower.size(), 2u) << algorithm_name(a);
    EXPECT_GT(lower.count(0), 0u);
    EXPECT_GT(lower.count(2), 0u);

    // A probing destination still counts as up: it alone carries its tier.
    down[1].state = DestinationState::probing;
    s = build_one(a, down);
    const auto probing = count_selections(*s, 500, state);
    ASSERT_EQ(probing.size(), 1u) << algorithm_name(a);
    EXPECT_EQ(probing.begin()->first, 1);
  }
  // Negative priorities order too.
  auto s = build_one(Algorithm::random, {dest(1, 1, -5), dest(2, 1, -1)});
  EXPECT_EQ(count_selections(*s, 100, state), (std::map<int32_t, int>{{1, 100}}));
}

TEST(Selector, SelectionCarriesTheAddress) {
  WorkerSelectState state;
  auto s = build_one(Algorithm::maglev, {dest(1), dest(2), dest(3)});
  for (int i = 0; i < 100; ++i) {
    const std::string call_id = std::to_string(i) + "-call";
    const Selection sel = s->select(0, SelectionKey{call_id, {}, {}, {}, {}}, state);
    ASSERT_GE(sel.index, 0);
    EXPECT_EQ(sel.address.ip, net::IpAddress::v4(0x0a000001u + static_cast<uint32_t>(sel.index)));
    EXPECT_EQ(sel.address.port, 5060);
  }
}

// Each hashing algorithm keys on its own field, through the Maglev table, and only on it.
TEST(Selector, HashAlgorithmsUseTheirField) {
  const std::vector<Destination> ds = {dest(1), dest(2), dest(3), dest(4), dest(5)};
  struct Case {
    Algorithm algorithm;
    std::string_view SelectionKey::*field;
  };
  const Case cases[] = {{Algorithm::hash_call_id, &SelectionKey::call_id},
                        {Algorithm::maglev, &SelectionKey::call_id},
                        {Algorithm::hash_from_uri, &SelectionKey::from_uri},
                        {Algorithm::hash_to_uri, &SelectionKey::to_uri},
                        {Algorithm::hash_request_uri, &SelectionKey::request_uri},
                        {Algorithm::hash_auth_user, &SelectionKey::auth_user}};
  for (const Case& c : cases) {
    auto s = build_one(c.algorithm, ds);
    WorkerSelectState state;
    std::map<int32_t, int> counts;
    for (int i = 0; i < 5000; ++i) {
      const std::string value = "sip:user" + std::to_string(i) + "@example.com";
      const std::string other = "noise" + std::to_string(i * 7919);
      SelectionKey key{other, other, other, other, other};
      key.*(c.field) = value;
      const Selection sel = s->select(0, key, state);
      EXPECT_EQ(sel.index, s->select_by_hash(0, hash_key(value)).index) << algorithm_name(c.algorithm);
      // The other fields do not matter.
      SelectionKey changed{"x", "y", "z", "w", "v"};
      changed.*(c.field) = value;
      EXPECT_EQ(s->select(0, changed, state).index, sel.index) << algorithm_name(c.algorithm);
      ++counts[sel.index];
    }
    ASSERT_EQ(counts.size(), 5u) << algorithm_name(c.algorithm);
    for (const auto& [index, n] : counts) EXPECT_NEAR(n, 1000, 150) << algorithm_name(c.algorithm) << " " << index;
  }
}

TEST(Selector, EmptyHashKeyFallsBackToRoundRobin) {
  for (Algorithm a : {Algorithm::hash_auth_user, Algorithm::hash_call_id, Algorithm::maglev, Algorithm::hash_from_uri,
                      Algorithm::hash_to_uri, Algorithm::hash_request_uri}) {
    auto s = build_one(a, {dest(1), dest(2), dest(3)});
    WorkerSelectState state;
    int32_t previous = s->select(0, {}, state).index;
    for (int i = 0; i < 9; ++i) {
      const int32_t index = s->select(0, {}, state).index;
      EXPECT_EQ(index, (previous + 1) % 3) << algorithm_name(a);
      previous = index;
    }
  }
  // hash-auth-user: requests without credentials cycle, those with credentials stick.
  auto s = build_one(Algorithm::hash_auth_user, {dest(1), dest(2), dest(3)});
  WorkerSelectState state;
  const SelectionKey with_user{"call-1", "sip:a@x", "sip:b@x", "sip:b@x", "alice"};
  const int32_t alice = s->select(0, with_user, state).index;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s->select(0, with_user, state).index, alice);
  const SelectionKey without_user{"call-1", "sip:a@x", "sip:b@x", "sip:b@x", {}};
  std::map<int32_t, int> counts;
  for (int i = 0; i < 30; ++i) ++counts[s->select(0, without_user, state).index];
  EXPECT_EQ(counts, (std::map<int32_t, int>{{0, 10}, {1, 10}, {2, 10}}));
}

TEST(Selector, SelectByHashOnlyForHashingSets) {
  for (Algorithm a : {Algorithm::round_robin, Algorithm::random, Algorithm::weighted}) {
    auto s = build_one(a, {dest(1), dest(2)});
    EXPECT_EQ(s->select_by_hash(0, 42).index, -1) << algorithm_name(a);
  }
}

TEST(Selector, RoundRobinCycles) {
  auto s = build_one(Algorithm::round_robin, {dest(1), dest(2, 1, 0, DestinationState::inactive), dest(3), dest(4, 5), dest(5)});
  WorkerSelectState state;
  state.seed(3);
  // Candidates are positions 0, 2, 3, 4, in that order, whatever the weights.
  const std::vector<int32_t> cycle = {0, 2, 3, 4};
  const int32_t first = s->select(0, {}, state).index;
  std::size_t at = static_cast<std::size_t>(std::find(cycle.begin(), cycle.end(), first) - cycle.begin());
  ASSERT_LT(at, cycle.size());
  for (int i = 0; i < 40; ++i) {
    at = (at + 1) % cycle.size();
    EXPECT_EQ(s->select(0, {}, state).index, cycle[at]);
  }
}

TEST(Selector, RoundRobinPerSetAndPerWorker) {
  std::vector<DestinationSet> sets;
  for (uint32_t id = 0; id < 70; ++id) sets.push_back(set_of(id, Algorithm::round_robin, {dest(1), dest(2)}));
  auto s = Selector::build(sets);
  ASSERT_NE(s, nullptr);
  // Interleaved sets with their own entries each cycle strictly.
  WorkerSelectState state;
  int32_t last0 = s->select(0, {}, state).index;
  int32_t last1 = s->select(1, {}, state).index;
  for (int i = 0; i < 20; ++i) {
    const int32_t a = s->select(0, {}, state).index;
    const int32_t b = s->select(1, {}, state).index;
    EXPECT_NE(a, last0);
    EXPECT_NE(b, last1);
    last0 = a;
    last1 = b;
  }
  // Sets 0 and 64 share an entry: interleaved, each still reaches both destinations evenly.
  std::map<int32_t, int> c0, c64;
  for (int i = 0; i < 4000; ++i) {
    ++c0[s->select(0, {}, state).index];
    ++c64[s->select(64, {}, state).index];
  }
  EXPECT_NEAR(c0[0], 2000, 200);
  EXPECT_NEAR(c64[0], 2000, 200);
  // Workers with different seeds do not all start on the same destination.
  std::map<int32_t, int> starts;
  for (uint64_t worker = 0; worker < 64; ++worker) {
    WorkerSelectState w;
    w.seed(worker);
    ++starts[s->select(5, {}, w).index];
  }
  EXPECT_EQ(starts.size(), 2u);
}

TEST(Selector, RandomIsUniform) {
  auto s = build_one(Algorithm::random, {dest(1), dest(2, 7), dest(3), dest(4, 1, 0, DestinationState::disabled)});
  WorkerSelectState state;
  state.seed(1);
  const auto counts = count_selections(*s, 60000, state);
  ASSERT_EQ(counts.size(), 3u);
  for (int32_t i : {0, 1, 2}) EXPECT_NEAR(counts.at(i), 20000, 600) << i;  // weights do not matter
  // Different seeds, different sequences; same seed, same sequence.
  WorkerSelectState a, b, c;
  a.seed(1);
  b.seed(2);
  c.seed(1);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 300; ++i) {
    const int32_t x = s->select(0, {}, a).index;
    same_ab += x == s->select(0, {}, b).index;
    same_ac += x == s->select(0, {}, c).index;
  }
  EXPECT_LT(same_ab, 150);
  EXPECT_EQ(same_ac, 300);
}

TEST(Selector, WeightedFollowsWeights) {
  auto s = build_one(Algorithm::weighted, {dest(1, 1), dest(2, 2), dest(3, 0), dest(4, 3), dest(5, 4, 0, DestinationState::inactive)});
  WorkerSelectState state;
  state.seed(5);
  const auto counts = count_selections(*s, 60000, state);
  ASSERT_EQ(counts.size(), 3u) << "weight 0 and inactive are never chosen";
  EXPECT_NEAR(counts.at(0), 10000, 500);
  EXPECT_NEAR(counts.at(1), 20000, 700);
  EXPECT_NEAR(counts.at(3), 30000, 800);
}

TEST(Selector, MaglevFollowsWeights) {
  auto s = build_one(Algorithm::maglev, {dest(1, 1), dest(2, 2), dest(3, 0), dest(4, 3)});
  std::map<int32_t, int> counts;
  std::mt19937_64 rng(8);
  for (int i = 0; i < 60000; ++i) ++counts[s->select_by_hash(0, rng()).index];
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_NEAR(counts.at(0), 10000, 500);
  EXPECT_NEAR(counts.at(1), 20000, 700);
  EXPECT_NEAR(counts.at(3), 30000, 800);
}

// The same destinations in another order pick the same destination (by URI) for every key.
TEST(Selector, HashingAgreesAcrossConfigurationOrder) {
  std::vector<Destination> ds = {dest(1), dest(2, 2), dest(3), dest(4), dest(5, 3), dest(6)};
  std::vector<Destination> reversed(ds.rbegin(), ds.rend());
  auto a = build_one(Algorithm::hash_call_id, ds);
  auto b = build_one(Algorithm::hash_call_id, reversed);
  std::mt19937_64 rng(4);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t h = rng();
    ASSERT_EQ(ds[a->select_by_hash(0, h).index].uri, reversed[b->select_by_hash(0, h).index].uri);
  }
}

// A destination going down moves only its own keys, spread over all the others.
TEST(Selector, DestinationDownMovesOnlyItsKeys) {
  std::vector<Destination> ds = {dest(1), dest(2), dest(3), dest(4), dest(5)};
  auto before = build_one(Algorithm::maglev, ds);
  ds[1].state = DestinationState::inactive;
  auto after = build_one(Algorithm::maglev, ds);
  std::mt19937_64 rng(12);
  int moved_others = 0, others = 0, moved = 0;
  std::map<int32_t, int> to;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t h = rng();
    const int32_t x = before->select_by_hash(0, h).index;
    const int32_t y = after->select_by_hash(0, h).index;
    ASSERT_NE(y, 1);
    moved += x != y;
    if (x == 1) {
      ++to[y];
    } else {
      ++others;
      moved_others += x != y;
    }
  }
  EXPECT_NEAR(moved / 100000.0, 0.2, 0.02);
  EXPECT_LT(moved_others / double(others), 0.02);
  ASSERT_EQ(to.size(), 4u);
  for (const auto& [index, n] : to) EXPECT_LT(n, 0.4 * 20000) << index;
}

TEST(Selector, SelectDoesNotAllocate) {
  std::vector<DestinationSet> sets;
  uint32_t id = 0;
  for (Algorithm a : {Algorithm::hash_call_id, Algorithm::hash_from_uri, Algorithm::hash_to_uri, Algorithm::hash_request_uri,
                      Algorithm::round_robin, Algorithm::hash_auth_user, Algorithm::random, Algorithm::weighted,
                      Algorithm::maglev}) {
    sets.push_back(set_of(id++, a, {dest(1), dest(2, 3), dest(3)}));
  }
  auto s = Selector::build(sets);
  ASSERT_NE(s, nullptr);
  WorkerSelectState state;
  const SelectionKey key{"a84b4c76e66710@pc33.atlanta.com", "sip:alice@atlanta.com", "sip:bob@biloxi.com",
                         "sip:bob@192.0.2.4", "alice"};
  int64_t sum = 0;
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    for (int32_t p = 0; p < static_cast<int32_t>(s->set_count()); ++p) {
      sum += s->select(p, key, state).index;
      sum += s->select(p, {}, state).index;
      sum += s->select_by_hash(p, static_cast<uint64_t>(i)).index;
    }
    sum += s->find_set(static_cast<uint32_t>(i % 12));
  }
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_NE(sum, 0);
}

}  // namespace
}  // namespace siplb::balance
