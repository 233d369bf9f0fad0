// Replication channel over loopback (control/replication/): live records streamed A -> B (appended,
// sent, applied and acknowledged), and a full sync of 1M binding-like records (~150-byte values)
// from a snapshot provider. Both nodes in this process; apply only counts (the channel's cost,
// not a table's). Callbacks run on each node's I/O thread (no post_to_control).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "channel.hpp"

namespace {

using namespace siplb::control::replication;
using namespace std::chrono_literals;

const std::string kKey = "bench-key-0123456789abcdef0123456789abcdef";

Settings settings(uint32_t node, uint32_t peer, uint16_t peer_port) {
  Settings s;
  s.node_id = node;
  s.peer_node_id = peer;
  s.peer_port = peer_port;
  s.key = kKey;
  s.ring_capacity = std::size_t{1} << 21;
  s.reconnect_interval = 20ms;
  s.sync_stall_timeout = 30s;
  s.chunk_records = 1024;
  return s;
}

Record binding(uint64_t i) {
  return Record::put(Kind::binding, "sip:user" + std::to_string(i) + "@example.com", std::string(150, 'c'), {i, 1});
}

template <typename Condition>
bool wait_for(Condition condition, std::chrono::seconds limit = 120s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50us);
  }
  return true;
}

struct Counting {
  std::atomic<uint64_t> applied{0};
  std::atomic<int> syncs_done{0};
  Handlers handlers(SnapshotProvider snapshot = {}) {
    Handlers h;
    h.apply = [this](const Record&) { applied.fetch_add(1, std::memory_order_relaxed); };
    h.sync_end = [this](bool completed, uint64_t) { syncs_done += completed ? 1 : 0; };
    h.snapshot = std::move(snapshot);
    return h;
  }
};

// Records per second from append() on A to the ack on A (B applied them), batches of range(0).
void BM_replication_stream(benchmark::State& state) {
  const uint64_t batch = static_cast<uint64_t>(state.range(0));
  Counting b_count, a_count;
  std::string error;
  auto b = Channel::create(settings(2, 1, 0), b_count.handlers(), error);
  auto a = Channel::create(settings(1, 2, b->listen_port()), a_count.handlers(), error);
  if (!wait_for([&] { return b_count.syncs_done >= 1 && a->stats().state == LinkState::streaming; }, 10s)) {
    state.SkipWithError("no connection");
    return;
  }
  uint64_t next = 1;
  for (auto _ : state) {
    for (uint64_t i = 0; i < batch; ++i) a->append(binding(next++));
    if (!wait_for([&] { return a->stats().last_acked_seq == next - 1; })) {
      state.SkipWithError("not acknowledged");
      return;
    }
  }
  const ChannelStats s = a->stats();
  state.SetItemsProcessed(static_cast<int64_t>(next - 1));
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(next - 1), benchmark::Counter::kIsRate);
  state.counters["wire_B/record"] = static_cast<double>(s.bytes_sent) / static_cast<double>(next - 1);
}
BENCHMARK(BM_replication_stream)->Arg(1000)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);

// A full sync of range(0) records from a generating provider to a fresh B: B connecting to the
// sync's end applied on B.
void BM_replication_full_sync(benchmark::State& state) {
  const uint64_t records = static_cast<uint64_t>(state.range(0));
  SnapshotProvider provider = [records] {
    auto position = std::make_shared<uint64_t>(0);
    Snapshot snapshot;
    snapshot.total_records = records;
    snapshot.next = [records, position](Record& out) {
      if (*position >= records) return false;
      out = binding(++*position);
      return true;
    };
    return snapshot;
  };
  uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Counting a_count, b_count;
    std::string error;
    auto b = Channel::create(settings(2, 1, 0), b_count.handlers(), error);
    state.ResumeTiming();
    auto a = Channel::create(settings(1, 2, b->listen_port()), a_count.handlers(provider), error);
    if (!wait_for([&] { return b_count.syncs_done >= 1; })) {
      state.SkipWithError("full sync did not finish");
      return;
    }
    state.PauseTiming();
    bytes = a->stats().sync_bytes_sent;
    if (b_count.applied != records) state.SkipWithError("wrong record count");
    a.reset();
    b.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(records * state.iterations()));
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(records * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["sync_MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_replication_full_sync)->Arg(1000000)->Iterations(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
