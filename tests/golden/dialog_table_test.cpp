// The shared dialog table (dataplane/dialog_table.cpp) on real DPDK structures (EAL with
// --no-huge): creation, lookups, every ending releasing resources exactly once, expiry by sweep,
// the capacity limit, and a churn of a million dialogs by two threads racing to end the same
// dialogs (BYE from both sides) while a third sweeps expired ones, with QSBR key reclamation.
// Run under AddressSanitizer by the ASan build of the suite (tools/test.sh).
#include <gtest/gtest.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <atomic>
#include <thread>
#include <vector>

#include "../../dataplane/dialog_table.hpp"
#include "golden_fixture.hpp"

namespace siplb::dataplane {
namespace {

using dialog::EndReason;
using dialog::Event;
using dialog::Phase;

struct Rcu {
  rte_rcu_qsbr* v = nullptr;
  explicit Rcu(uint32_t threads) {
    golden::test_pool();  // starts EAL
    v = static_cast<rte_rcu_qsbr*>(rte_zmalloc("test_rcu", rte_rcu_qsbr_get_memsize(threads), RTE_CACHE_LINE_SIZE));
    EXPECT_NE(v, nullptr);
    if (v) {
      EXPECT_EQ(rte_rcu_qsbr_init(v, threads), 0);
    }
  }
  ~Rcu() { rte_free(v); }
};

std::unique_ptr<DialogTable> make_table(uint32_t capacity, rte_rcu_qsbr* rcu, balance::LoadBoard* board,
                                        dialog::Timeouts timeouts = {1000000, 2000000, 0}) {
  if (!golden::test_pool()) return nullptr;  // starts EAL
  static int serial = 0;
  DialogSettings settings;
  settings.capacity = capacity;
  settings.timeouts = timeouts;
  return DialogTable::create(("dt_test_" + std::to_string(serial++)).c_str(), settings, rcu, board, 0);
}

const uint32_t kLimits[balance::kMaxResources] = {1000000, 1000000};

TEST(DialogTable, EveryEndingReleasesOnce) {
  Rcu rcu(1);
  balance::LoadBoard board(2);
  auto table = make_table(1024, rcu.v, &board);
  ASSERT_NE(table, nullptr);
  struct Case {
    Event first;   // after the INVITE (and the 2xx when confirmed)
    bool confirmed;
    EndReason reason;
  };
  const Case cases[] = {
      {Event::bye_caller, true, EndReason::bye_caller}, {Event::bye_callee, true, EndReason::bye_callee},
      {Event::cancel, false, EndReason::cancel},        {Event::failure, false, EndReason::rejected},
  };
  uint64_t key = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(dialog::end_reason_name(c.reason));
    const DialogKey k{key, key + 100};
    ++key;
    ASSERT_TRUE(board.try_acquire(1, 0b11, kLimits, false));
    int32_t slot = -1;
    ASSERT_EQ(table->begin(k, 1, 0b11, 1, 10, slot), DialogTable::Begin::created);
    EXPECT_EQ(table->find(k), slot);
    EXPECT_EQ(table->destination(slot), 1);
    if (c.confirmed) {
      EXPECT_TRUE(table->apply(slot, k, Event::success, 11).confirmed);
      EXPECT_FALSE(table->apply(slot, k, Event::success, 12).confirmed) << "retransmitted 2xx";
      EXPECT_EQ(table->phase(slot), Phase::confirmed);
    }
    const auto change = table->apply(slot, k, c.first, 13);
    EXPECT_TRUE(change.ended);
    EXPECT_EQ(change.reason, c.reason);
    EXPECT_EQ(board.used(1, 0), 0u);
    EXPECT_EQ(board.used(1, 1), 0u);
    EXPECT_EQ(table->find(k), -1);
    // The same event again (a retransmission) and any other: nothing more is released.
    EXPECT_FALSE(table->apply(slot, k, c.first, 14).ended);
    EXPECT_FALSE(table->apply(slot, k, Event::bye_callee, 14).ended);
  }
  EXPECT_EQ(board.underflows(), 0u);
  EXPECT_EQ(table->live(), 0u);
}

TEST(DialogTable, RetransmittedInviteFindsTheLiveDialog) {
  Rcu rcu(1);
  balance::LoadBoard board(2);
  auto table = make_table(1024, rcu.v, &board);
  ASSERT_NE(table, nullptr);
  int32_t slot = -1, again = -1;
  ASSERT_EQ(table->begin({7, 8}, 0, 1, 1, 0, slot), DialogTable::Begin::created);
  EXPECT_EQ(table->begin({7, 8}, 1, 1, 1, 0, again), DialogTable::Begin::exists);
  EXPECT_EQ(again, slot);
  EXPECT_EQ(table->destination(again), 0) << "the first choice stands";
  EXPECT_EQ(table->live(), 1u);
}

TEST(DialogTable, SweepEndsExpiredDialogs) {
  Rcu rcu(1);
  balance::LoadBoard board(1);
  // early: 100, lifetime: 1000, idle: 300 (in the units given to begin/apply/sweep).
  auto table = make_table(1024, rcu.v, &board, {100, 1000, 300});
  ASSERT_NE(table, nullptr);
  int32_t early = -1, answered = -1, idle = -1;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(board.try_acquire(0, 1, kLimits, false));
  ASSERT_EQ(table->begin({1, 1}, 0, 1, 1, 0, early), DialogTable::Begin::created);
  ASSERT_EQ(table->begin({2, 2}, 0, 1, 1, 0, answered), DialogTable::Begin::created);
  ASSERT_EQ(table->begin({3, 3}, 0, 1, 1, 0, idle), DialogTable::Begin::created);
  table->apply(answered, {2, 2}, Event::success, 50);
  table->apply(idle, {3, 3}, Event::success, 50);
  uint64_t ends[dialog::kEndReasonCount] = {};
  const uint32_t all = table->slot_count();
  EXPECT_EQ(table->sweep(99, all, ends), 0u);
  EXPECT_EQ(table->sweep(100, all, ends), 1u);  // the unanswered INVITE
  EXPECT_EQ(ends[static_cast<int>(EndReason::early_timeout)], 1u);
  table->apply(answered, {2, 2}, Event::in_dialog_request, 340);  // keeps it from idling out
  EXPECT_EQ(table->sweep(350, all, ends), 1u);                     // idle since 50
  EXPECT_EQ(ends[static_cast<int>(EndReason::idle_timeout)], 1u);
  EXPECT_EQ(table->sweep(1000, all, ends), 1u);  // lifetime: the BYE never came
  EXPECT_EQ(ends[static_cast<int>(EndReason::lifetime)], 1u);
  EXPECT_EQ(board.used(0, 0), 0u);
  EXPECT_EQ(table->live(), 0u);
}

TEST(DialogTable, FullTableRefusesAndKeepsLiveDialogs) {
  Rcu rcu(1);
  auto table = make_table(1024, rcu.v, nullptr);
  ASSERT_NE(table, nullptr);
  int32_t slot;
  for (uint64_t k = 0; k < 1024; ++k) ASSERT_EQ(table->begin({k, 0}, 0, 0, 1, 0, slot), DialogTable::Begin::created);
  EXPECT_EQ(table->begin({5000, 0}, 0, 0, 1, 0, slot), DialogTable::Begin::full);
  EXPECT_EQ(table->live(), 1024u);
  for (uint64_t k = 0; k < 1024; ++k) EXPECT_GE(table->find({k, 0}), 0);
  // One ends: there is room again (the key position comes back after the grace period).
  const int32_t first = table->find({0, 0});
  EXPECT_TRUE(table->apply(first, {0, 0}, Event::bye_caller, 1).ended);
  EXPECT_EQ(table->begin({5000, 0}, 0, 0, 1, 0, slot), DialogTable::Begin::created);
}

// A million dialogs: thread t creates dialogs i with i % 2 == t (taking a unit on the board),
// and both threads try to end every dialog a little later (BYE from each side) while a third
// thread sweeps the ones whose short lifetime ran out. Each dialog must be ended exactly once
// whoever wins, every unit must come back, and the table must be empty at the end.
TEST(DialogTable, ChurnOfAMillionDialogsAcrossThreads) {
  constexpr uint64_t kDialogs = 1000000;
  constexpr uint64_t kLag = 512;  // how far behind creation the ends run
  constexpr uint16_t kDestinations = 4;
  Rcu rcu(3);
  balance::LoadBoard board(kDestinations);
  const uint64_t tsc_per_us = rte_get_tsc_hz() / 1000000;
  auto table = make_table(65536, rcu.v, &board, {2000 * tsc_per_us, 2000 * tsc_per_us, 0});
  ASSERT_NE(table, nullptr);
  std::atomic<uint64_t> created{0}, ended_by_bye{0}, refused{0};
  std::atomic<bool> workers_done{false};
  auto key_of = [](uint64_t i) { return DialogKey{i * 0x9e3779b97f4a7c15ull + 1, i}; };
  // rte_hash's multi-writer mode keeps free-slot caches per lcore: writers must have an lcore id
  // (siplbd's workers and control thread are EAL lcores; these test threads register for one).
  auto worker = [&](unsigned t) {
    EXPECT_EQ(rte_thread_register(), 0);
    rte_rcu_qsbr_thread_register(rcu.v, t);
    rte_rcu_qsbr_thread_online(rcu.v, t);
    uint64_t mine_created = 0, mine_ended = 0, mine_refused = 0;
    for (uint64_t i = 0; i < kDialogs + kLag; ++i) {
      if (i < kDialogs && i % 2 == t) {
        const auto destination = static_cast<uint16_t>(i % kDestinations);
        if (board.try_acquire(destination, 1, kLimits, false)) {
          int32_t slot;
          if (table->begin(key_of(i), destination, 1, 1, rte_rdtsc(), slot) == DialogTable::Begin::created) {
            ++mine_created;
          } else {
            board.release(destination, 1);
            ++mine_refused;
          }
        }
      }
      if (i >= kLag) {
        const uint64_t j = i - kLag;
        const DialogKey k = key_of(j);
        const int32_t slot = table->find(k);
        if (slot >= 0) {
          table->apply(slot, k, Event::success, rte_rdtsc());
          if (table->apply(slot, k, t == 0 ? Event::bye_caller : Event::bye_callee, rte_rdtsc()).ended)
            ++mine_ended;
        }
      }
      if ((i & 63) == 0) rte_rcu_qsbr_quiescent(rcu.v, t);
    }
    created += mine_created;
    ended_by_bye += mine_ended;
    refused += mine_refused;
    rte_rcu_qsbr_thread_offline(rcu.v, t);
    rte_rcu_qsbr_thread_unregister(rcu.v, t);
    rte_thread_unregister();
  };
  uint64_t swept = 0;
  std::thread sweeper([&] {
    EXPECT_EQ(rte_thread_register(), 0);
    rte_rcu_qsbr_thread_register(rcu.v, 2);
    rte_rcu_qsbr_thread_online(rcu.v, 2);
    uint64_t ends[dialog::kEndReasonCount] = {};
    while (!workers_done.load()) {  // as siplbd's control thread: a budget per tick
      swept += table->sweep(rte_rdtsc(), 1024, ends);
      rte_rcu_qsbr_quiescent(rcu.v, 2);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    rte_rcu_qsbr_thread_offline(rcu.v, 2);
    rte_rcu_qsbr_thread_unregister(rcu.v, 2);
    rte_thread_unregister();
  });
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  workers_done = true;
  sweeper.join();
  // What no thread ended (a BYE that looked before its INVITE was recorded): the lifetime does.
  uint64_t ends[dialog::kEndReasonCount] = {};
  const uint64_t later = rte_rdtsc() + 10000 * tsc_per_us;
  swept += table->sweep(later, table->slot_count(), ends);

  EXPECT_EQ(created.load() + refused.load(), kDialogs);
  EXPECT_EQ(ended_by_bye.load() + swept, created.load()) << "every dialog ended exactly once";
  EXPECT_GT(ended_by_bye.load(), 0u);
  EXPECT_EQ(table->live(), 0u);
  for (uint16_t d = 0; d < kDestinations; ++d) EXPECT_EQ(board.used(d, 0), 0u) << "destination " << d;
  EXPECT_EQ(board.underflows(), 0u);
  std::vector<uint32_t> per_destination(kDestinations);
  table->count_by_destination(per_destination.data(), per_destination.size());
  for (uint32_t n : per_destination) EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace siplb::dataplane
