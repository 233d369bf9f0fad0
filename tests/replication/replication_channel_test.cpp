// Two replication channels in one process over real TCP on 127.0.0.1 (see meson.build).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "channel.hpp"
#include "frame_auth.hpp"

namespace siplb::control::replication {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Polls `condition` every millisecond for at most `limit`.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return condition();
}

// Stands in for siplbd's control thread: runs posted callbacks in order; can be held (paused).
class ControlThread {
 public:
  ControlThread() : thread_([this] { run(); }) {}
  ~ControlThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      paused_ = false;
    }
    wake_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_all();
  }
  void pause(bool paused) {
    {
      std::lock_guard lock(mutex_);
      paused_ = paused;
    }
    wake_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || (!paused_ && !tasks_.empty()); });
      if (stopping_) return;
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool paused_ = false, stopping_ = false;
  std::thread thread_;
};

// What a node received from its peer (touched on its control thread, read by the test).
struct Received {
  std::mutex mutex;
  std::vector<Record> records;  // applied, in order (snapshot and live)
  int sync_begins = 0, sync_ends_completed = 0, sync_ends_abandoned = 0;
  std::size_t size() {
    std::lock_guard lock(mutex);
    return records.size();
  }
  std::vector<Record> copy() {
    std::lock_guard lock(mutex);
    return records;
  }
};

const std::string kKey = "0123456789abcdef0123456789abcdef-test-key";

Settings base_settings(uint32_t node, uint32_t peer, uint16_t peer_port, std::string key = kKey) {
  Settings s;
  s.node_id = node;
  s.peer_node_id = peer;
  s.listen_address = "127.0.0.1";
  s.listen_port = 0;
  s.peer_address = "127.0.0.1";
  s.peer_port = peer_port;
  s.key = std::move(key);
  s.ring_capacity = 1 << 16;
  s.reconnect_interval = 30ms;
  s.handshake_timeout = 2s;
  s.sync_stall_timeout = 2s;
  s.chunk_records = 256;
  return s;
}

// One node: its control thread, what it received, its channel (destroyed first).
struct Node {
  Received received;
  ControlThread control;
  std::unique_ptr<Channel> channel;

  Node(Settings settings, SnapshotProvider snapshot = {}) {
    Handlers h;
    h.apply = [this](const Record& r) {
      std::lock_guard lock(received.mutex);
      received.records.push_back(r);
    };
    h.sync_begin = [this](const SyncStart&) {
      std::lock_guard lock(received.mutex);
      ++received.sync_begins;
    };
    h.sync_end = [this](bool completed, uint64_t) {
      std::lock_guard lock(received.mutex);
      ++(completed ? received.sync_ends_completed : received.sync_ends_abandoned);
    };
    h.snapshot = std::move(snapshot);
    h.post_to_control = [this](std::function<void()> task) { control.post(std::move(task)); };
    std::string error;
    channel = Channel::create(std::move(settings), std::move(h), error);
    EXPECT_TRUE(channel) << error;
  }
  ~Node() { channel.reset(); }
  ChannelStats stats() const { return channel->stats(); }
  bool streaming() const { return stats().state == LinkState::streaming; }
};

// B (node 2) accepts, A (node 1) connects to it.
struct Pair {
  std::unique_ptr<Node> b, a;
  explicit Pair(Settings a_settings = base_settings(1, 2, 0), Settings b_settings = base_settings(2, 1, 0),
                SnapshotProvider a_snapshot = {}, SnapshotProvider b_snapshot = {}) {
    b = std::make_unique<Node>(b_settings, b_snapshot);
    a_settings.peer_port = b->channel->listen_port();
    a = std::make_unique<Node>(a_settings, a_snapshot);
  }
  // Connected and past the first full sync each way (a fresh receiver always gets one).
  bool up() {
    return eventually([&] {
      return a->streaming() && b->streaming() && a->stats().full_syncs_received_completed >= 1 &&
             b->stats().full_syncs_received_completed >= 1;
    });
  }
};

Record binding(int i, uint32_t origin = 1) {
  return Record::put(Kind::binding, "aor:" + std::to_string(i), "contact-" + std::to_string(i), {uint64_t(i), origin});
}

SnapshotProvider vector_snapshot(std::shared_ptr<std::vector<Record>> state) {
  return [state] {
    auto position = std::make_shared<std::size_t>(0);
    Snapshot snapshot;
    snapshot.total_records = state->size();
    snapshot.next = [state, position](Record& out) {
      if (*position >= state->size()) return false;
      out = (*state)[(*position)++];
      return true;
    };
    return snapshot;
  };
}

TEST(ReplicationChannel, RecordsArriveInOrderAndAreAcked) {
  Pair pair;
  ASSERT_TRUE(pair.up());
  // A fresh receiver is first brought up to date by a (here empty) full sync.
  EXPECT_EQ(pair.b->stats().full_syncs_received_completed, 1u);
  std::vector<Record> sent;
  for (int i = 1; i <= 200; ++i) {
    Record r = i % 5 == 0 ? Record::erase(Kind::dialog, "call-" + std::to_string(i), {uint64_t(i), 1}) : binding(i);
    sent.push_back(r);
    EXPECT_EQ(pair.a->channel->append(r), uint64_t(i));
  }
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 200; }));
  EXPECT_EQ(pair.b->received.copy(), sent);
  const ChannelStats a = pair.a->stats(), b = pair.b->stats();
  EXPECT_EQ(a.records_appended, 200u);
  EXPECT_EQ(a.records_sent, 200u);
  EXPECT_EQ(a.lag_records, 0u);
  EXPECT_EQ(a.lag_ms, 0u);
  EXPECT_EQ(b.records_received, 200u);
  EXPECT_EQ(b.records_applied, 200u);
  EXPECT_GT(a.bytes_sent, 200u * 20);
  EXPECT_EQ(a.auth_failures + b.auth_failures + a.parse_failures + b.parse_failures, 0u);
  const Record erased = pair.b->received.copy()[4];
  EXPECT_EQ(erased.operation, Operation::erase);
  EXPECT_TRUE(erased.value.empty());
}

TEST(ReplicationChannel, BothDirectionsShareOneConnection) {
  Pair pair;
  ASSERT_TRUE(pair.up());
  for (int i = 1; i <= 50; ++i) {
    pair.a->channel->append(binding(i, 1));
    pair.b->channel->append(binding(1000 + i, 2));
  }
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 50 && pair.b->stats().last_acked_seq == 50; }));
  EXPECT_EQ(pair.b->received.copy().front(), binding(1, 1));
  EXPECT_EQ(pair.a->received.copy().back(), binding(1050, 2));
  EXPECT_EQ(pair.a->stats().connections, 1u);
  EXPECT_EQ(pair.b->stats().connections, 1u);
}

TEST(ReplicationChannel, ReconnectResumesFromTheRing) {
  Pair pair;
  ASSERT_TRUE(pair.up());
  for (int i = 1; i <= 50; ++i) pair.a->channel->append(binding(i));
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 50; }));
  pair.a->channel->drop_connection_for_test();
  ASSERT_TRUE(eventually([&] { return !pair.a->streaming(); }));
  for (int i = 51; i <= 100; ++i) pair.a->channel->append(binding(i));  // queued while down
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 100; }));
  std::vector<Record> expected;
  for (int i = 1; i <= 100; ++i) expected.push_back(binding(i));
  EXPECT_EQ(pair.b->received.copy(), expected);  // each once, in order
  const ChannelStats a = pair.a->stats(), b = pair.b->stats();
  EXPECT_EQ(a.reconnects, 1u);
  EXPECT_EQ(a.full_syncs_sent, 1u) << "resumed, not re-synced";  // the first connection's only
  EXPECT_EQ(b.full_syncs_received, 1u);
}

TEST(ReplicationChannel, RestartedReceiverGetsFullSyncThenLiveRecords) {
  auto state = std::make_shared<std::vector<Record>>();
  for (int i = 1; i <= 3000; ++i) state->push_back(binding(i));
  Pair pair(base_settings(1, 2, 0), base_settings(2, 1, 0), vector_snapshot(state));
  ASSERT_TRUE(pair.up());
  ASSERT_TRUE(eventually([&] { return pair.b->received.size() == 3000; }));  // the first full sync
  const uint16_t b_port = pair.b->channel->listen_port();
  pair.b.reset();  // B restarts: it knows nothing, and A's ring must bridge nothing
  Settings b_settings = base_settings(2, 1, 0);
  b_settings.listen_port = b_port;
  pair.b = std::make_unique<Node>(b_settings);
  ASSERT_TRUE(pair.up());
  ASSERT_TRUE(eventually([&] { return pair.b->received.size() == 3000; }));
  pair.a->channel->append(binding(5000));
  ASSERT_TRUE(eventually([&] { return pair.b->received.size() == 3001; }));
  EXPECT_EQ(pair.b->received.copy().back(), binding(5000));
  EXPECT_EQ(pair.a->stats().full_syncs_sent_completed, 2u);
}

TEST(ReplicationChannel, RingOverflowForcesFullSyncWhileLiveChangesQueue) {
  auto state = std::make_shared<std::vector<Record>>();
  for (int i = 1; i <= 2000; ++i) state->push_back(binding(i));
  Settings a_settings = base_settings(1, 2, 0);
  a_settings.ring_capacity = 16;
  a_settings.reconnect_interval = 200ms;
  // A slow snapshot: live records appended meanwhile must queue and follow it.
  std::atomic<int> provider_calls{0};
  SnapshotProvider slow = [state, &provider_calls] {
    ++provider_calls;
    Snapshot s = vector_snapshot(state)();
    auto inner = s.next;
    s.next = [inner, n = std::make_shared<int>(0)](Record& out) {
      if (++*n % 500 == 0) std::this_thread::sleep_for(20ms);
      return inner(out);
    };
    return s;
  };
  Pair pair(a_settings, base_settings(2, 1, 0), slow);
  ASSERT_TRUE(pair.up());
  ASSERT_TRUE(eventually([&] { return pair.b->received.size() == 2000; }));
  pair.a->channel->drop_connection_for_test();
  ASSERT_TRUE(eventually([&] { return !pair.a->streaming(); }));
  for (int i = 1; i <= 40; ++i) pair.a->channel->append(binding(10000 + i));  // 40 > 16: overwritten
  ASSERT_TRUE(eventually([&] { return pair.a->stats().state == LinkState::syncing; }));
  for (int i = 41; i <= 45; ++i) pair.a->channel->append(binding(10000 + i));  // during the sync
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 45 && pair.b->received.size() == 4005; }));
  const std::vector<Record> got = pair.b->received.copy();
  // Second sync: the 2000 snapshot records, then the 5 live ones appended during it, in order.
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(got[2000 + i], (*state)[i]);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[4000 + i], binding(10041 + i));
  EXPECT_GE(pair.a->stats().ring_overwritten, 24u);
  EXPECT_EQ(pair.b->stats().full_syncs_received_completed, 2u);
  std::lock_guard lock(pair.b->received.mutex);
  EXPECT_EQ(pair.b->received.sync_begins, 2);
  EXPECT_EQ(pair.b->received.sync_ends_completed, 2);
  EXPECT_EQ(provider_calls.load(), 2);
}

TEST(ReplicationChannel, StalledSyncTimesOutAndRetries) {
  auto state = std::make_shared<std::vector<Record>>();
  for (int i = 1; i <= 100; ++i) state->push_back(binding(i));
  // The first snapshot blocks after 10 records until released (or 10 s); later ones do not.
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto calls = std::make_shared<std::atomic<int>>(0);
  SnapshotProvider blocking = [state, release, calls] {
    const bool block = ++*calls == 1;
    Snapshot s = vector_snapshot(state)();
    auto inner = s.next;
    s.next = [inner, block, release, n = std::make_shared<int>(0)](Record& out) {
      if (block && ++*n == 10) {
        const auto deadline = Clock::now() + 10s;
        while (!*release && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
      }
      return inner(out);
    };
    return s;
  };
  Settings a_settings = base_settings(1, 2, 0);
  a_settings.sync_stall_timeout = 150ms;
  a_settings.chunk_records = 4;  // the first chunks get through before the stall
  Settings b_settings = base_settings(2, 1, 0);
  b_settings.sync_stall_timeout = 150ms;
  Pair pair(a_settings, b_settings, blocking);
  ASSERT_TRUE(eventually([&] { return pair.b->stats().full_syncs_received_completed == 1; }));
  *release = true;
  const ChannelStats a = pair.a->stats(), b = pair.b->stats();
  EXPECT_GE(a.sync_timeouts + b.sync_timeouts, 1u);
  EXPECT_GE(a.full_syncs_sent, 2u);
  EXPECT_GE(a.reconnects, 1u);
  EXPECT_EQ(*calls, 2);
  std::lock_guard lock(pair.b->received.mutex);
  EXPECT_EQ(pair.b->received.sync_ends_abandoned, 1);
  EXPECT_EQ(pair.b->received.sync_ends_completed, 1);
  // The abandoned sync's first chunks, then the whole retried one.
  ASSERT_GE(pair.b->received.records.size(), 100u);
  const std::vector<Record> tail(pair.b->received.records.end() - 100, pair.b->received.records.end());
  EXPECT_EQ(tail, *state);
}

TEST(ReplicationChannel, WrongKeyFailsTheHandshakeAndIsCounted) {
  Pair pair(base_settings(1, 2, 0, kKey), base_settings(2, 1, 0, std::string(40, 'x')));
  ASSERT_TRUE(eventually([&] { return pair.b->stats().auth_failures >= 2; }));  // every retry fails
  pair.a->channel->append(binding(1));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(pair.b->received.size(), 0u);
  EXPECT_EQ(pair.a->stats().connections, 0u);
  EXPECT_EQ(pair.b->stats().connections, 0u);
  EXPECT_NE(pair.b->stats().last_error.find("authentication"), std::string::npos) << pair.b->stats().last_error;
}

TEST(ReplicationChannel, ReplayedFrameIsRefusedCountedAndClosesTheConnection) {
  Pair pair;
  ASSERT_TRUE(pair.up());
  for (int i = 1; i <= 10; ++i) pair.a->channel->append(binding(i));
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 10; }));
  pair.a->channel->replay_last_frame_for_test();
  ASSERT_TRUE(eventually([&] { return pair.b->stats().auth_failures == 1; }));
  ASSERT_TRUE(eventually([&] { return pair.a->stats().reconnects == 1 && pair.up(); }));
  for (int i = 11; i <= 20; ++i) pair.a->channel->append(binding(i));
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 20; }));
  std::vector<Record> expected;
  for (int i = 1; i <= 20; ++i) expected.push_back(binding(i));
  EXPECT_EQ(pair.b->received.copy(), expected);  // nothing applied twice
}

TEST(ReplicationChannel, CorruptedFramesAreRefusedAndCounted) {
  Pair pair;
  ASSERT_TRUE(pair.up());
  pair.a->channel->corrupt_next_frame_for_test(20);  // a byte in the body: the tag fails
  pair.a->channel->append(binding(1));
  ASSERT_TRUE(eventually([&] { return pair.b->stats().auth_failures == 1; }));
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 1; }));  // resent after reconnect
  ASSERT_TRUE(pair.up());
  pair.a->channel->corrupt_next_frame_for_test(0);  // the length: the frame does not parse
  pair.a->channel->append(binding(2));
  ASSERT_TRUE(eventually([&] { return pair.b->stats().parse_failures == 1; }));
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 2; }));
  EXPECT_EQ(pair.b->received.copy(), (std::vector<Record>{binding(1), binding(2)}));
  EXPECT_EQ(pair.b->stats().auth_failures, 1u);
}

TEST(ReplicationChannel, PeerAckWaitsUntilThePeerApplied) {
  Pair pair;
  ASSERT_TRUE(pair.up());
  pair.b->control.pause(true);  // B receives but cannot apply
  const uint64_t seq = pair.a->channel->append(binding(1));
  auto acked = std::make_shared<std::atomic<int>>(0);  // 1 true, -1 false
  auto applied_when_acked = std::make_shared<std::atomic<std::size_t>>(0);
  Node* b = pair.b.get();
  pair.a->channel->when_acked(seq, 5s, [acked, applied_when_acked, b](bool ok) {
    applied_when_acked->store(b->received.size());
    *acked = ok ? 1 : -1;
  });
  ASSERT_TRUE(eventually([&] { return pair.b->stats().records_received == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(*acked, 0) << "acked before B applied";
  EXPECT_EQ(pair.a->stats().lag_records, 1u);
  pair.b->control.pause(false);
  ASSERT_TRUE(eventually([&] { return *acked != 0; }));
  EXPECT_EQ(*acked, 1);
  EXPECT_EQ(*applied_when_acked, 1u);
  // Already acknowledged: at once.
  auto again = std::make_shared<std::atomic<int>>(0);
  pair.a->channel->when_acked(seq, 5s, [again](bool ok) { *again = ok ? 1 : -1; });
  ASSERT_TRUE(eventually([&] { return *again != 0; }));
  EXPECT_EQ(*again, 1);
}

TEST(ReplicationChannel, StatsShowLagWhileThePeerIsAwayAndAckTimesOut) {
  // B's port, then B gone: A connects to nothing and its records wait in the ring.
  uint16_t b_port = 0;
  {
    Node probe(base_settings(2, 1, 0));
    b_port = probe.channel->listen_port();
  }
  Node a(base_settings(1, 2, b_port));
  for (int i = 1; i <= 10; ++i) a.channel->append(binding(i));
  auto timed_out = std::make_shared<std::atomic<int>>(0);
  a.channel->when_acked(10, 60ms, [timed_out](bool ok) { *timed_out = ok ? 1 : -1; });
  ASSERT_TRUE(eventually([&] { return a.stats().connect_failures >= 2; }));
  std::this_thread::sleep_for(30ms);
  ChannelStats s = a.stats();
  EXPECT_EQ(s.state, LinkState::connecting);
  EXPECT_EQ(s.records_appended, 10u);
  EXPECT_EQ(s.lag_records, 10u);
  EXPECT_GE(s.lag_ms, 30u);
  EXPECT_NE(s.last_error.find("connect"), std::string::npos) << s.last_error;
  ASSERT_TRUE(eventually([&] { return *timed_out != 0; }));
  EXPECT_EQ(*timed_out, -1);
  // B comes back on its port: everything flows and the lag drains.
  Settings b_settings = base_settings(2, 1, 0);
  b_settings.listen_port = b_port;
  Node b(b_settings);
  ASSERT_TRUE(eventually([&] { return a.stats().last_acked_seq == 10; }));
  s = a.stats();
  EXPECT_EQ(s.lag_records, 0u);
  EXPECT_EQ(s.lag_ms, 0u);
  EXPECT_EQ(s.state, LinkState::streaming);
  EXPECT_EQ(b.received.size(), 10u);
}

TEST(ReplicationChannel, TenThousandRecordsSanity) {
  Pair pair;
  ASSERT_TRUE(pair.up());
  const auto start = Clock::now();
  for (int i = 1; i <= 10000; ++i) {
    pair.a->channel->append(Record::put(Kind::binding, "sip:user" + std::to_string(i) + "@example.com",
                                        std::string(150, 'v'), {uint64_t(i), 1}));
  }
  ASSERT_TRUE(eventually([&] { return pair.a->stats().last_acked_seq == 10000; }, 30s));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::vector<Record> got = pair.b->received.copy();
  ASSERT_EQ(got.size(), 10000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(got[i].version.counter, uint64_t(i + 1));
  std::printf("10k records appended, applied and acked in %.1f ms (%.0f records/s)\n", seconds * 1e3, 10000 / seconds);
}

}  // namespace
}  // namespace siplb::control::replication
