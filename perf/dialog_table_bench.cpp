// The dialog table of least-loaded calls, two designs at 1M dialogs with 1 and 2 workers:
//   shared   one DialogTable for all workers (siplbd's design): rte_hash in lock-free
//            read-write mode, several writers, key positions reclaimed by DPDK QSBR; each
//            worker works on the dialogs of the packets it received.
//   steered  one single-threaded DialogTable per worker; a dialog belongs to the worker its key
//            hashes to, and a worker hands operations on other workers' dialogs over SP/SC
//            rings in bursts of 32 (what steering packets between workers costs, less the
//            packet's own cache lines moving, which this benchmark does not count).
// Each run inserts 1M dialogs (INVITEs), looks up 2M random live ones (in-dialog requests and
// responses), then ends all 1M (BYE: a lookup and the end), each phase split evenly over the
// workers (EAL lcores) and timed from a common start to the last worker's end; the counters are
// millions of operations per second for the whole table.
//
// BM_dialog_table_packets adds what each design does around a table operation in the pipeline:
// every operation starts from a ~580-byte INVITE written into a buffer (the NIC's DMA), parsed,
// its Call-ID and From-tag hashed into the key. Steered operations hand the buffer itself to the
// owner, which parses it again (its cache lines move between cores): the full price of steering.
//
//   taskset -c 0,1 build/dialog_table_bench --benchmark_repetitions=3
// Needs 2 cores for the 2-worker runs, no hugepages (EAL --no-huge -m 1536) and no NIC.
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_eal.hpp"
#include "../dataplane/dialog_table.hpp"
#include "siplb/balance/selector.hpp"
#include "siplb/sip/accessors.hpp"
#include "siplb/sip/parser.hpp"

namespace {

using siplb::dataplane::DialogKey;
using siplb::dataplane::DialogSettings;
using siplb::dataplane::DialogTable;

constexpr uint32_t kDialogs = 1u << 20;
constexpr uint32_t kLookups = 2u << 20;
constexpr unsigned kMaxWorkers = 2;
constexpr unsigned kBurst = 32;
constexpr unsigned kRingSize = 4096;

bool eal_ready() { return siplb::perf::eal_ready("dtbench", "1536", "0-1"); }

// Dialog i's key: two well-mixed 64-bit halves, as the Call-ID and From-tag hashes are.
DialogKey key_of(uint64_t i) {
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  return {mix(i * 2 + 1), mix(i * 2 + 2)};
}
unsigned owner_of(const DialogKey& k, unsigned workers) { return static_cast<unsigned>(k.call_id_hash >> 32) % workers; }

enum class Op : uint32_t { insert, lookup, end };
struct Request {  // what a worker hands to the owner of a dialog (steered design)
  DialogKey key;
  Op op;
  uint32_t pad;
  const char* packet;  // packet runs: the datagram the owner parses for the key
};

// The INVITE of the packet runs; its Call-ID carries the dialog number in 16 hex digits.
const std::string kInvite =
    "INVITE sip:service@10.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-74bf9-1;rport\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
    "To: <sip:service@10.0.0.1:5060>\r\n"
    "Call-ID: 0000000000000000-4b2f9c1e@10.0.0.10\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:alice@10.0.0.10:5062>\r\n"
    "Max-Forwards: 70\r\n"
    "Subject: Performance Test\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 236\r\n\r\n"
    "v=0\r\no=user1 53655765 2353687637 IN IP4 10.0.0.10\r\ns=-\r\nc=IN IP4 10.0.0.10\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";
const std::size_t kCallIdDigits = kInvite.find("Call-ID: ") + 9;
constexpr std::size_t kBuffers = 16384;  // per worker: more than can be in flight
constexpr std::size_t kBufferSize = 1024;

// The dialog key of a datagram: parse it, hash its Call-ID and From-tag (as the pipeline does).
DialogKey key_of_packet(const char* packet) {
  siplb::sip::Message msg;
  siplb::sip::parse(packet, static_cast<uint32_t>(kInvite.size()), msg);
  siplb::sip::NameAddr from;
  siplb::sip::from_header(msg, from);
  return {siplb::balance::hash_key(msg.text(msg.call_id)), siplb::balance::hash_key(msg.text(from.tag))};
}

// Writes dialog `dialog`'s INVITE into `buffer` (the RX copy) and returns its key.
DialogKey receive(char* buffer, uint64_t dialog) {
  std::memcpy(buffer, kInvite.data(), kInvite.size());
  constexpr char kHex[] = "0123456789abcdef";
  for (int d = 0; d < 16; ++d) buffer[kCallIdDigits + d] = kHex[(dialog >> (60 - 4 * d)) & 0xf];
  return key_of_packet(buffer);
}

// One table operation as a worker does it for a packet.
bool apply(DialogTable& t, const Request& r) {
  switch (r.op) {
    case Op::insert: {
      int32_t slot;
      return t.begin(r.key, 0, 0, 1, 0, slot) == DialogTable::Begin::created;
    }
    case Op::lookup:
      return t.find(r.key) >= 0;
    case Op::end: {
      const int32_t slot = t.find(r.key);
      return slot >= 0 && t.apply(slot, r.key, siplb::dialog::Event::bye_caller, 0).ended;
    }
  }
  return false;
}

struct Run {
  bool steered = false;
  bool packets = false;                                // start each operation from a datagram
  std::vector<std::vector<char>> buffers;              // packets: kBuffers * kBufferSize per worker
  unsigned workers = 1;
  std::vector<std::unique_ptr<DialogTable>> tables;  // shared: one; steered: one per worker
  rte_rcu_qsbr* rcu = nullptr;
  rte_ring* rings[kMaxWorkers][kMaxWorkers] = {};    // [from][to]
  Op op = Op::insert;
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::atomic<uint64_t> executed{0};
  uint64_t total = 0;
  uint64_t ok[kMaxWorkers] = {};
  uint64_t end_tsc[kMaxWorkers] = {};
};

// The dialog of the i-th operation of a phase: inserts and ends walk the dialogs once, lookups
// pick at random.
uint64_t phase_dialog(Op op, uint64_t i) {
  if (op != Op::lookup) return i;
  uint64_t z = (i + 1) * 0x9e3779b97f4a7c15ull;
  z ^= z >> 29;
  return z % kDialogs;
}

int worker_phase(void* arg) {
  auto& run = *static_cast<Run*>(arg);
  const unsigned w = rte_lcore_id() == rte_get_main_lcore() ? 0 : 1;
  if (run.rcu && !run.steered) {
    rte_rcu_qsbr_thread_register(run.rcu, w);
    rte_rcu_qsbr_thread_online(run.rcu, w);
  }
  const uint64_t count = run.op == Op::lookup ? kLookups : kDialogs;
  uint64_t done = 0, ok = 0;
  Request out[kMaxWorkers][kBurst];
  unsigned pending[kMaxWorkers] = {};
  auto drain = [&] {
    uint64_t n = 0;
    if (!run.steered) return n;
    for (unsigned from = 0; from < run.workers; ++from) {
      if (from == w) continue;
      Request in[kBurst];
      const unsigned got = rte_ring_dequeue_burst_elem(run.rings[from][w], in, sizeof(Request), kBurst, nullptr);
      for (unsigned k = 0; k < got; ++k) {
        if (in[k].packet) in[k].key = key_of_packet(in[k].packet);  // the owner parses it again
        ok += apply(*run.tables[w], in[k]);
      }
      n += got;
    }
    return n;
  };
  auto flush = [&](unsigned to) {
    unsigned sent = 0;
    while (sent < pending[to]) {
      sent += rte_ring_enqueue_burst_elem(run.rings[w][to], out[to] + sent, sizeof(Request), pending[to] - sent, nullptr);
      if (sent < pending[to]) done += drain();  // the peer may be waiting on us: serve it meanwhile
    }
    pending[to] = 0;
  };
  run.ready.fetch_add(1);
  while (!run.go.load(std::memory_order_acquire)) rte_pause();
  for (uint64_t i = w; i < count; i += run.workers) {
    const uint64_t dialog = phase_dialog(run.op, i);
    Request r{{}, run.op, 0, nullptr};
    if (run.packets) {
      char* buffer = run.buffers[w].data() + (i / run.workers % kBuffers) * kBufferSize;
      r.key = receive(buffer, dialog);
      r.packet = buffer;
    } else {
      r.key = key_of(dialog);
    }
    if (!run.steered) {
      ok += apply(*run.tables[0], r);
      ++done;
      if ((i & 255) == w && run.rcu) rte_rcu_qsbr_quiescent(run.rcu, w);
      if (done >= 4096) {
        run.executed.fetch_add(done);
        done = 0;
      }
      continue;
    }
    const unsigned to = owner_of(r.key, run.workers);
    if (to == w) {
      ok += apply(*run.tables[w], r);
      ++done;
    } else {
      out[to][pending[to]++] = r;
      if (pending[to] == kBurst) flush(to);
    }
    if ((i & 31) == w) done += drain();
    if (done >= 4096) {
      run.executed.fetch_add(done);
      done = 0;
    }
  }
  for (unsigned to = 0; to < run.workers; ++to)
    if (pending[to]) flush(to);
  run.executed.fetch_add(done);
  // Serve what the other workers still send until every operation of the phase is done.
  while (run.executed.load() < run.total) {
    const uint64_t n = drain();
    if (n) run.executed.fetch_add(n);
    else rte_pause();
  }
  run.ok[w] = ok;
  run.end_tsc[w] = rte_rdtsc();
  if (run.rcu && !run.steered) {
    rte_rcu_qsbr_thread_offline(run.rcu, w);
    rte_rcu_qsbr_thread_unregister(run.rcu, w);
  }
  return 0;
}

// Runs one phase on `workers` lcores; returns its seconds and the successful operations.
double time_phase(Run& run, Op op, uint64_t& ok) {
  run.op = op;
  run.ready = 0;
  run.go = false;
  run.executed = 0;
  run.total = op == Op::lookup ? kLookups : kDialogs;
  const unsigned second = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
  if (run.workers == 2) rte_eal_remote_launch(worker_phase, &run, second);
  while (run.ready.load() + 1 < run.workers) rte_pause();
  const uint64_t start = rte_rdtsc();
  run.go = true;
  worker_phase(&run);
  if (run.workers == 2) rte_eal_wait_lcore(second);
  uint64_t end = 0;
  ok = 0;
  for (unsigned w = 0; w < run.workers; ++w) {
    end = std::max(end, run.end_tsc[w]);
    ok += run.ok[w];
  }
  return static_cast<double>(end - start) / static_cast<double>(rte_get_tsc_hz());
}

void run_table(benchmark::State& state, bool steered, bool packets) {
  const auto workers = static_cast<unsigned>(state.range(0));
  if (!eal_ready() || (workers == 2 && rte_lcore_count() < 2)) {
    state.SkipWithError("EAL set-up failed or fewer than 2 lcores");
    return;
  }
  static int serial = 0;
  for (auto _ : state) {
    Run run;
    run.steered = steered;
    run.workers = workers;
    run.packets = packets;
    if (packets) run.buffers.assign(workers, std::vector<char>(kBuffers * kBufferSize));
    DialogSettings settings;
    settings.timeouts = {~0ull, ~0ull, 0};
    settings.shared = !steered;
    const unsigned tables = steered ? workers : 1;
    settings.capacity = kDialogs / tables + (steered ? kDialogs / 16 : 0);  // owners' shares vary a little
    if (!steered) {
      run.rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc("dtb_rcu", rte_rcu_qsbr_get_memsize(kMaxWorkers), RTE_CACHE_LINE_SIZE));
      rte_rcu_qsbr_init(run.rcu, kMaxWorkers);
    }
    for (unsigned t = 0; t < tables; ++t) {
      run.tables.push_back(DialogTable::create(("dtb_" + std::to_string(serial++)).c_str(), settings, run.rcu, nullptr, 0));
      if (!run.tables.back()) {
        state.SkipWithError("table creation failed (memory: -m)");
        return;
      }
    }
    if (steered)
      for (unsigned a = 0; a < workers; ++a)
        for (unsigned b = 0; b < workers; ++b)
          if (a != b)
            run.rings[a][b] = rte_ring_create_elem(("dtb_r" + std::to_string(serial++)).c_str(), sizeof(Request),
                                                   kRingSize, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    uint64_t inserted = 0, found = 0, ended = 0;
    const double insert_s = time_phase(run, Op::insert, inserted);
    const double lookup_s = time_phase(run, Op::lookup, found);
    const double end_s = time_phase(run, Op::end, ended);
    state.SetIterationTime(insert_s + lookup_s + end_s);
    state.counters["insert_Mops"] = kDialogs / insert_s / 1e6;
    state.counters["lookup_Mops"] = kLookups / lookup_s / 1e6;
    state.counters["end_Mops"] = kDialogs / end_s / 1e6;
    state.counters["inserted"] = static_cast<double>(inserted);
    state.counters["found"] = static_cast<double>(found);
    state.counters["ended"] = static_cast<double>(ended);
    if (inserted != kDialogs || found != kLookups || ended != kDialogs) state.SkipWithError("lost operations");
    for (auto& row : run.rings)
      for (rte_ring* r : row) rte_ring_free(r);
    run.tables.clear();
    rte_free(run.rcu);
  }
}
void BM_dialog_table(benchmark::State& state, bool steered) { run_table(state, steered, false); }
void BM_dialog_table_packets(benchmark::State& state, bool steered) { run_table(state, steered, true); }
BENCHMARK_CAPTURE(BM_dialog_table, shared, false)->ArgName("workers")->Arg(1)->Arg(2)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_dialog_table, steered, true)->ArgName("workers")->Arg(1)->Arg(2)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_dialog_table_packets, shared, false)->ArgName("workers")->Arg(1)->Arg(2)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_dialog_table_packets, steered, true)->ArgName("workers")->Arg(1)->Arg(2)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

