// Least-loaded selection (Selector::select_least_loaded) over a LoadBoard: absolute and relative
// free capacity, several resources, random ties, priority tiers that spill over when full,
// overcommit, capacity changes by rebuilding, and the board's all-or-nothing, never-negative
// counting, also with threads racing for the last unit.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "siplb/balance/load_board.hpp"
#include "siplb/balance/selector.hpp"

namespace siplb::balance {
namespace {

Destination dest(int n, std::string capacity, int32_t priority = 0, DestinationState state = DestinationState::active) {
  Destination d;
  d.uri = "sip:10.0.0." + std::to_string(n) + ":5060";
  d.address.ip = net::IpAddress::v4(0x0a000000u + static_cast<uint32_t>(n));
  d.address.port = 5060;
  d.priority = priority;
  d.state = state;
  std::string error;
  if (!capacity.empty()) {
    EXPECT_TRUE(parse_capacities(capacity, d.capacities, error)) << error;
  }
  return d;
}

struct Fixture {
  std::unique_ptr<const Selector> selector;
  LoadBoard board;
  WorkerSelectState state;
  Fixture(std::vector<Destination> destinations, std::vector<std::string> resources,
          LoadMode mode = LoadMode::absolute, bool overcommit = false)
      : board(destinations.size()) {
    DestinationSet set;
    set.id = 1;
    set.algorithm = Algorithm::least_loaded;
    set.destinations = std::move(destinations);
    set.resources = std::move(resources);
    set.load_mode = mode;
    set.overcommit = overcommit;
    BuildOptions options;
    options.resource_names = {"pstn", "transcoding", "calls"};
    std::string error;
    selector = Selector::build({set}, options, &error);
    EXPECT_NE(selector, nullptr) << error;
  }
  int take() { return selector->select_least_loaded(0, board, 0, true, state).index; }
  int peek() { return selector->select_least_loaded(0, board, 0, false, state).index; }
};

TEST(LeastLoaded, AbsoluteModeFillsTheMostFreeFirst) {
  Fixture f({dest(1, "pstn=2"), dest(2, "pstn=5"), dest(3, "pstn=3")}, {"pstn"});
  // Free: 2, 5, 3 -> 2 takes until it has 3 free, then ties with 3 ...
  std::map<int, int> taken;
  for (int i = 0; i < 10; ++i) {
    const int d = f.take();
    ASSERT_GE(d, 0) << "call " << i;
    ++taken[d];
  }
  EXPECT_EQ(taken[0], 2);
  EXPECT_EQ(taken[1], 5);
  EXPECT_EQ(taken[2], 3);
  EXPECT_EQ(f.take(), -1);  // every destination at capacity
  EXPECT_EQ(f.board.used(1, 0), 5u);
}

TEST(LeastLoaded, RelativeModeComparesTheShareLeft) {
  Fixture f({dest(1, "pstn=10"), dest(2, "pstn=100")}, {"pstn"}, LoadMode::relative);
  // 9 calls on the small one leave it 10 % free; the big one is 100 % free.
  uint32_t limits[kMaxResources] = {10};
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(f.board.try_acquire(0, 1, limits, false));
  EXPECT_EQ(f.peek(), 1);
  // 95 calls on the big one: 5 % free < 10 % free.
  uint32_t big[kMaxResources] = {100};
  for (int i = 0; i < 95; ++i) ASSERT_TRUE(f.board.try_acquire(1, 1, big, false));
  EXPECT_EQ(f.peek(), 0);
  // In absolute mode the same loads (1 free vs 5 free) pick the big one.
  Fixture a({dest(1, "pstn=10"), dest(2, "pstn=100")}, {"pstn"}, LoadMode::absolute);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(a.board.try_acquire(0, 1, limits, false));
  for (int i = 0; i < 95; ++i) ASSERT_TRUE(a.board.try_acquire(1, 1, big, false));
  EXPECT_EQ(a.peek(), 1);
}

TEST(LeastLoaded, SeveralResourcesUseTheScarcest) {
  // A call takes pstn and transcoding; destination 2 has more pstn but little transcoding.
  Fixture f({dest(1, "pstn=10;transcoding=10"), dest(2, "pstn=50;transcoding=2"), dest(3, "pstn=50")},
            {"pstn", "transcoding"});
  const Selection s = f.selector->select_least_loaded(0, f.board, 0, true, f.state);
  EXPECT_EQ(s.index, 0);  // min(10,10)=10 > min(50,2)=2; destination 3 lacks transcoding
  EXPECT_EQ(s.resources, 0b11);
  EXPECT_EQ(f.board.used(0, 0), 1u);
  EXPECT_EQ(f.board.used(0, 1), 1u);
  for (int i = 0; i < 30; ++i) f.take();
  EXPECT_EQ(f.board.used(2, 0), 0u) << "a destination without transcoding is never chosen";
}

TEST(LeastLoaded, TiesAreBrokenAtRandom) {
  Fixture f({dest(1, "pstn=100"), dest(2, "pstn=100"), dest(3, "pstn=100"), dest(4, "pstn=100")}, {"pstn"});
  std::map<int, int> seen;
  for (int i = 0; i < 4000; ++i) ++seen[f.peek()];  // equal loads: nothing taken
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& [d, n] : seen) EXPECT_NEAR(n, 1000, 200) << "destination " << d;
}

TEST(LeastLoaded, OnlyActiveDestinationsAreCandidates) {
  Fixture f({dest(1, "pstn=100", 0, DestinationState::inactive), dest(2, "pstn=1"),
             dest(3, "pstn=100", 0, DestinationState::disabled)},
            {"pstn"});
  EXPECT_EQ(f.take(), 1);
  EXPECT_EQ(f.take(), -1);
}

TEST(LeastLoaded, FullTierSpillsToTheNextPriority) {
  Fixture f({dest(1, "pstn=2", 10), dest(2, "pstn=100", 0)}, {"pstn"});
  EXPECT_EQ(f.take(), 0);
  EXPECT_EQ(f.take(), 0);
  EXPECT_EQ(f.take(), 1);  // the preferred tier is full
}

TEST(LeastLoaded, OvercommitKeepsChoosingTheLeastLoaded) {
  Fixture f({dest(1, "pstn=1"), dest(2, "pstn=2")}, {"pstn"}, LoadMode::absolute, true);
  for (int i = 0; i < 3; ++i) ASSERT_GE(f.take(), 0);
  EXPECT_GE(f.take(), 0) << "overcommit: a call beyond capacity still goes";
  EXPECT_EQ(f.board.used(0, 0) + f.board.used(1, 0), 4u);
}

TEST(LeastLoaded, CapacityChangeAppliesToTheNextCall) {
  // The board keeps the live load; a new selector (a reload) brings new capacities.
  LoadBoard board(2);
  WorkerSelectState state;
  auto build = [](const char* c1, const char* c2) {
    DestinationSet set;
    set.id = 1;
    set.algorithm = Algorithm::least_loaded;
    set.destinations = {dest(1, c1), dest(2, c2)};
    set.resources = {"pstn"};
    BuildOptions options;
    options.resource_names = {"pstn"};
    return Selector::build({set}, options);
  };
  auto before = build("pstn=1", "pstn=1");
  EXPECT_GE(before->select_least_loaded(0, board, 0, true, state).index, 0);
  EXPECT_GE(before->select_least_loaded(0, board, 0, true, state).index, 0);
  EXPECT_EQ(before->select_least_loaded(0, board, 0, true, state).index, -1);
  auto after = build("pstn=1", "pstn=5");
  EXPECT_EQ(after->select_least_loaded(0, board, 0, true, state).index, 1);
}

TEST(LeastLoaded, NotLeastLoadedOrOutOfRange) {
  Fixture f({dest(1, "pstn=1")}, {"pstn"});
  EXPECT_EQ(f.selector->select_least_loaded(5, f.board, 0, true, f.state).index, -1);
  auto maglev = Selector::build({DestinationSet{1, "m", Algorithm::maglev, {dest(1, "")}, {}, {}, false}});
  ASSERT_NE(maglev, nullptr);
  EXPECT_EQ(maglev->select_least_loaded(0, f.board, 0, true, f.state).index, -1);
  EXPECT_EQ(maglev->resource_mask(0), 0);
}

TEST(LeastLoaded, BuildRejectsUnknownResources) {
  DestinationSet set;
  set.id = 1;
  set.algorithm = Algorithm::least_loaded;
  set.destinations = {dest(1, "pstn=1")};
  set.resources = {"pstn"};
  std::string error;
  EXPECT_EQ(Selector::build({set}, BuildOptions{}, &error), nullptr);
  EXPECT_NE(error.find("pstn"), std::string::npos) << error;
}

TEST(LoadBoard, AllOrNothingAndNeverNegative) {
  LoadBoard board(1);
  uint32_t limits[kMaxResources] = {5, 1};
  EXPECT_TRUE(board.try_acquire(0, 0b11, limits, false));
  EXPECT_FALSE(board.try_acquire(0, 0b11, limits, false));  // resource 1 full
  EXPECT_EQ(board.used(0, 0), 1u) << "the unit of resource 0 was given back";
  board.release(0, 0b11);
  board.release(0, 0b11);  // one release too many: counted, not applied
  EXPECT_EQ(board.used(0, 0), 0u);
  EXPECT_EQ(board.used(0, 1), 0u);
  EXPECT_EQ(board.underflows(), 2u);
}

TEST(LoadBoard, RacingThreadsNeverExceedCapacity) {
  LoadBoard board(1);
  uint32_t limits[kMaxResources] = {1000};
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        if (board.try_acquire(0, 1, limits, false)) granted.fetch_add(1);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 1000);
  EXPECT_EQ(board.used(0, 0), 1000u);
}

TEST(Capacities, ParsesOpenSipsResourceLists) {
  std::vector<Capacity> c;
  std::string error;
  ASSERT_TRUE(parse_capacities("pstn=32;transcoding=10", c, error)) << error;
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].resource, "pstn");
  EXPECT_EQ(c[0].max, 32u);
  EXPECT_EQ(c[1].resource, "transcoding");
  EXPECT_EQ(c[1].max, 10u);
  ASSERT_TRUE(parse_capacities(" calls=0 ;", c, error)) << error;
  EXPECT_EQ(c.size(), 1u);
  for (const char* bad : {"", "pstn", "=3", "pstn=x", "pstn=-1", "pstn=1;pstn=2", "p s=1", "pstn=99999999999"}) {
    std::vector<Capacity> out;
    EXPECT_FALSE(parse_capacities(bad, out, error)) << bad;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace siplb::balance
