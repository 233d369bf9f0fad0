// The per-worker transaction table (dataplane/transaction_table.*): lookups, refresh, expiry,
// the capacity limit, and deletion inside probe clusters checked against a std::map model.
// Starts a minimal EAL (no hugepages, no devices) for the table's rte_malloc memory.
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "../../dataplane/transaction_table.hpp"

namespace siplb::dataplane {
namespace {

class TransactionTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string prefix = "--file-prefix=siplb-txn-test-" + std::to_string(getpid());
    std::vector<std::string> args = {"test", "--no-huge", "-m", "64", "--no-pci", "--no-telemetry",
                                     "--log-level=lib.eal:error", prefix, "-l", "0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    eal_ok_ = rte_eal_init(static_cast<int>(argv.size()), argv.data()) >= 0;
  }
  // Stops EAL and removes its runtime folder (/var/run/dpdk/<prefix>): nothing is left behind.
  static void TearDownTestSuite() {
    if (!eal_ok_) return;
    std::string dir = rte_eal_get_runtime_dir();
    rte_eal_cleanup();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  void SetUp() override { ASSERT_TRUE(eal_ok_) << "EAL did not start"; }
  static inline bool eal_ok_ = false;
};

TransactionRoute route_to(uint16_t port) {
  TransactionRoute r;
  r.ip_be = 0x0b00000a;
  r.port = port;
  r.destination = static_cast<uint16_t>(port % 7);
  return r;
}

TEST_F(TransactionTableTest, RemembersRefreshesAndExpires) {
  auto t = TransactionTable::create("txn_basic", 1024, 0);
  ASSERT_TRUE(t);
  TransactionRoute out;
  TransactionKey a{0x1234, 1}, b{0x1234, 2};
  EXPECT_FALSE(t->find(a, 0, out));
  ASSERT_TRUE(t->remember(a, route_to(5060), 100));
  ASSERT_TRUE(t->remember(b, route_to(5070), 100));
  EXPECT_EQ(t->size(), 2u);
  ASSERT_TRUE(t->find(a, 50, out));
  EXPECT_EQ(out.port, 5060);
  ASSERT_TRUE(t->remember(a, route_to(5080), 300));  // refresh: same entry, new route and expiry
  EXPECT_EQ(t->size(), 2u);
  ASSERT_TRUE(t->find(a, 200, out));
  EXPECT_EQ(out.port, 5080);
  EXPECT_FALSE(t->find(b, 200, out));  // expired: gone
  EXPECT_EQ(t->size(), 1u);
  // A sweep looks at a bounded number of entries; enough of them cover the table.
  for (int i = 0; i < 100 && t->size() > 0; ++i) t->sweep(1000, 64);
  EXPECT_EQ(t->size(), 0u);
}

TEST_F(TransactionTableTest, RefusesNewKeysWhenFull) {
  auto t = TransactionTable::create("txn_full", 1024, 0);
  ASSERT_TRUE(t);
  for (uint32_t i = 0; i < 1024; ++i) ASSERT_TRUE(t->remember({0x9e3779b97f4a7c15ull * i, i}, route_to(1), 10));
  EXPECT_FALSE(t->remember({42, 424242}, route_to(1), 10));
  EXPECT_TRUE(t->remember({0, 0}, route_to(2), 10));  // an existing key is still refreshed
  // Sweeping expired entries makes room again.
  for (int i = 0; i < 100 && t->size() > 0; ++i) t->sweep(20, 64);
  EXPECT_EQ(t->size(), 0u);
  EXPECT_TRUE(t->remember({42, 424242}, route_to(1), 10));
}

// Few distinct Call-ID hashes and small CSeq numbers in a small table make long clusters, so
// deletions (by find on expired entries and by sweeps) shift entries across wrap-around too.
TEST_F(TransactionTableTest, AgreesWithAModelUnderChurn) {
  constexpr uint32_t kCapacity = 64;
  auto t = TransactionTable::create("txn_model", kCapacity, 0);
  ASSERT_TRUE(t);
  std::map<std::pair<uint64_t, uint32_t>, std::pair<uint16_t, uint64_t>> model;  // -> port, expiry
  std::mt19937_64 rng(7);
  uint64_t now = 1000;
  for (int step = 0; step < 200000; ++step) {
    now += rng() % 3;
    TransactionKey k{rng() % 5 * 0x5555555555555555ull, static_cast<uint32_t>(rng() % 40)};
    auto mk = std::make_pair(k.call_id_hash, k.cseq_number);
    unsigned op = rng() % 10;
    if (op < 4) {
      // The table may still hold entries the model dropped as expired: only its size says full.
      if (model.count(mk) == 0 && t->size() == kCapacity) continue;
      auto port = static_cast<uint16_t>(rng());
      uint64_t expires = now + rng() % 200;
      ASSERT_TRUE(t->remember(k, route_to(port), expires));
      model[mk] = {port, expires};
    } else if (op < 9) {
      TransactionRoute out;
      bool found = t->find(k, now, out);
      auto it = model.find(mk);
      bool expect = it != model.end() && it->second.second >= now;
      ASSERT_EQ(found, expect) << step;
      if (found) {
        ASSERT_EQ(out.port, it->second.first) << step;
      }
      if (it != model.end() && !expect) model.erase(it);
    } else {
      t->sweep(now, 1 + static_cast<uint32_t>(rng() % 16));
      // Sweeping only removes expired entries, which the model drops lazily: resync those.
      for (auto it = model.begin(); it != model.end();)
        it = it->second.second < now ? model.erase(it) : std::next(it);
    }
    ASSERT_GE(t->size(), model.size()) << step;
    ASSERT_LE(t->size(), kCapacity);
  }
}

}  // namespace
}  // namespace siplb::dataplane
