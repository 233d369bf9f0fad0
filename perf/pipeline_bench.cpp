// The full worker pipeline on one core: each packet is received into an mbuf (a copy of a
// pre-built frame, standing in for the NIC's DMA), parsed, routed (Maglev selection, transaction
// map, or the response's next Via), rewritten in place, given new UDP/IPv4/Ethernet headers with
// checksums, and staged for transmission; staged mbufs are freed per burst as a TX completion
// would. The mix is one call per four packets: a ~500-byte INVITE with SDP, its ACK, a BYE and
// the 200 OK to the BYE (coming back through our Via); every call has its own Call-ID.
//
//   build/pipeline_bench --benchmark_counters_tabular=true
// Reports packets per second ("Mpps" counter = millions of packets per second per core).
//
// BM_pipeline_dialog_mix compares the hash pipeline with least-loaded balancing on live dialogs
// over the same five-message calls (INVITE, its 200 OK coming back, ACK, BYE, the BYE's 200 OK),
// every INVITE a new call: /maglev selects by Call-ID; /least_loaded also looks up, creates,
// confirms and ends each call's dialog in the shared table and takes and gives back its capacity.
// BM_pipeline_call_mix_nic_offload: the call mix on a NIC that checks and fills the checksums.
// BM_pipeline_workers runs the call mix on 1, 2, ... workers at once (threads:N), one per CPU:
// "Mpps" is then the aggregate, "Mpps_per_worker" its share per worker.
// Needs no hugepages and no NIC: EAL starts with --no-huge and no devices.
//
// Events: every worker context has an event ring as siplbd's workers do (rte_ring of Event, 16384,
// single producer and consumer, exact size), so the dialog mix on a least-loaded set pays for
// emitting its dialog created/confirmed/ended events (3 per call, 0.6 per packet). Control's side,
// the dequeue, is not counted: the benchmark thread drains the ring in bursts whenever it is half
// full, with the timer paused (and the paused time left out of "Mpps"); one pause per ~8000
// events, which keeps the pause's own cost negligible. Draining that seldom also means the ring's
// slots are mostly out of this core's L1/L2 when the worker writes them again, as they would be
// with control on another core. The hash mixes emit nothing, so their figures are as before.
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <filesystem>
#include <string>
#include <vector>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "bench_eal.hpp"
#include "../dataplane/dialog_tracking.hpp"
#include "../dataplane/interface_setup.hpp"
#include "../dataplane/shared_settings.hpp"
#include "../dataplane/packet_path.hpp"
#include "../dataplane/worker.hpp"
#include "siplb/dataplane/events.hpp"
#include "../tests/golden/packet_builder.hpp"
#include "siplb/config/config.hpp"
#include "siplb/sip/parser.hpp"

namespace {

using namespace siplb;
using golden::ip;

constexpr int kCalls = 2048;
constexpr uint16_t kBatch = 32;

const char* kMaglevConfig = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[[set]]
id = 1
algorithm = "maglev"
[[set.destination]]
uri = "sip:10.0.0.11:5060"
[[set.destination]]
uri = "sip:10.0.0.12:5060"
[[set.destination]]
uri = "sip:10.0.0.13:5060"
[[set.destination]]
uri = "sip:10.0.0.14:5060"
)";

const char* kLeastLoadedConfig = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[dialogs]
capacity = 65536
[[set]]
id = 1
algorithm = "least-loaded"
resources = "pstn"
[[set.destination]]
uri = "sip:10.0.0.11:5060"
capacity = 10000
[[set.destination]]
uri = "sip:10.0.0.12:5060"
capacity = 10000
[[set.destination]]
uri = "sip:10.0.0.13:5060"
capacity = 10000
[[set.destination]]
uri = "sip:10.0.0.14:5060"
capacity = 10000
)";

// EAL once per process, with no hugepages and no devices; its runtime folder removed at exit.
bool eal_ready() { return siplb::perf::eal_ready("bench", "512", "0"); }
std::string sdp() {
  return "v=0\r\n"
         "o=user1 53655765 2353687637 IN IP4 10.0.0.10\r\n"
         "s=-\r\n"
         "c=IN IP4 10.0.0.10\r\n"
         "t=0 0\r\n"
         "m=audio 6000 RTP/AVP 0 8 101\r\n"
         "a=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:8 PCMA/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\n"
         "a=ptime:20\r\n";
}

// Four frames of one call, as they arrive at the balancer.
std::vector<std::string> call_messages(int n) {
  std::string id = "bench-" + std::to_string(n) + "-4b2f9c1e@10.0.0.10";
  std::string tag = std::to_string(100000 + n);
  std::string from = "From: \"Alice\" <sip:alice@example.com>;tag=" + tag + "\r\n";
  std::string body = sdp();
  std::string invite =
      "INVITE sip:service@10.0.0.1:5060 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-" + tag + "-1;rport\r\n" + from +
      "To: <sip:service@10.0.0.1:5060>\r\n"
      "Call-ID: " + id + "\r\n"
      "CSeq: 1 INVITE\r\n"
      "Contact: <sip:alice@10.0.0.10:5062>\r\n"
      "Max-Forwards: 70\r\n"
      "Subject: Performance Test\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string to_tagged = "To: <sip:service@10.0.0.1:5060>;tag=srv" + tag + "\r\n";
  std::string ack =
      "ACK sip:service@10.0.0.1:5060 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-" + tag + "-2;rport\r\n" + from + to_tagged +
      "Call-ID: " + id + "\r\nCSeq: 1 ACK\r\nContact: <sip:alice@10.0.0.10:5062>\r\n"
      "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  std::string bye =
      "BYE sip:service@10.0.0.1:5060 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-" + tag + "-3;rport\r\n" + from + to_tagged +
      "Call-ID: " + id + "\r\nCSeq: 2 BYE\r\nContact: <sip:alice@10.0.0.10:5062>\r\n"
      "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  std::string ok =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0123456789abcdef\r\n"
      "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-" + tag + "-3;rport=5062;received=10.0.0.10\r\n" +
      from + to_tagged + "Call-ID: " + id + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
  return {invite, ack, bye, ok};
}

// The same call with the INVITE's 200 OK coming back from the server through our Via, in order:
// INVITE, 200 OK (INVITE), ACK, BYE, 200 OK (BYE).
std::vector<std::string> dialog_messages(int n) {
  std::vector<std::string> m = call_messages(n);
  const std::string tag = std::to_string(100000 + n);
  const std::string id = "bench-" + std::to_string(n) + "-4b2f9c1e@10.0.0.10";
  std::string answer =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0123456789abcdef\r\n"
      "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-" + tag + "-1;rport=5062;received=10.0.0.10\r\n"
      "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
      "From: \"Alice\" <sip:alice@example.com>;tag=" + tag + "\r\n"
      "To: <sip:service@10.0.0.1:5060>;tag=srv" + tag + "\r\n"
      "Call-ID: " + id + "\r\nCSeq: 1 INVITE\r\nContact: <sip:service@10.0.0.11:5060>\r\n"
      "Content-Length: 0\r\n\r\n";
  return {m[0], answer, m[1], m[2], m[3]};
}

enum class Mix { call, dialog };

// Control's side of the event rings: drained in bursts of this many events.
constexpr unsigned kEventBurst = 256;

struct Bench {
  rte_mempool* pool = nullptr;
  rte_rcu_qsbr* rcu = nullptr;
  rte_ring* events = nullptr;  // ctx.events: the worker's event ring, drained by run_pipeline
  uint64_t events_drained = 0;
  std::vector<std::vector<char>> frames;  // Ethernet frames
  config::Config config;
  dataplane::NeighborTable neighbors{1024};
  dataplane::Shared sh;
  dataplane::WorkerContext ctx;
  std::size_t invite_bytes = 0;
  uint64_t rx_flags = 0;  // what the NIC marks received mbufs with (checksum verdicts)
  bool ok = false;

  // `name` names the DPDK objects; `transaction_ttl_ms` short makes every INVITE of the cycled
  // frames a new transaction (as on a live balancer) instead of a retransmission.
  Bench(const char* name, const char* config_text, Mix mix, uint64_t transaction_ttl_ms) {
    if (!eal_ready()) return;
    pool = rte_pktmbuf_pool_create(name, 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    auto loaded = config::load_config_text(config_text, "bench.toml");
    if (!pool || !loaded.ok()) return;
    config = *loaded.config;
    sh.pool = pool;
    sh.large_pool = pool;
    sh.indirect_pool = pool;
    sh.neighbors = &neighbors;
    dataplane::apply_settings(sh, config);
    const uint64_t ms = sh.tsc_hz / 1000;
    sh.arp_max_age_tsc = 3600000 * ms;  // no ARP refresh however long the benchmark runs
    sh.transaction_ttl_tsc = transaction_ttl_ms * ms;
    sh.interfaces.push_back(dataplane::interface_from_config(config.interfaces[0], 0, golden::mac(0x01), 5060));
    // Dialog tracking (least-loaded): a QSBR variable with no reader, as no other thread reads.
    rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc(name, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE));
    std::string error;
    if (!rcu || rte_rcu_qsbr_init(rcu, 1) != 0 || !dataplane::create_dialog_tracking(sh, config, rcu, 0, error)) return;
    sh.snapshot.store(dataplane::build_snapshot(config, {}, 1).release());
    ctx.capture_tx = true;
    // The worker's event ring, made as siplbd's engine makes it ([workers] event_ring default).
    const std::string ring_name = std::string("ev_") + name;
    events = rte_ring_create_elem(ring_name.c_str(), sizeof(dataplane::Event), dataplane::kDefaultEventRing,
                                  SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    if (!events) return;
    ctx.events = events;
    static uint16_t worker_serial = 0;
    if (!dataplane::init_worker(ctx, sh, worker_serial++, 0)) return;
    for (const char* n : {"10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"})
      neighbors.learn(ip(n), golden::mac(static_cast<uint8_t>(ip(n) >> 24)).addr_bytes, rte_rdtsc());
    golden::Udp u{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};
    for (int c = 0; c < kCalls; ++c) {
      auto msgs = mix == Mix::call ? call_messages(c) : dialog_messages(c);
      if (c == 0) invite_bytes = msgs[0].size();
      for (auto& text : msgs) {
        rte_mbuf* m = golden::udp_frame(pool, u, text);
        const char* p = rte_pktmbuf_mtod(m, const char*);
        frames.emplace_back(p, p + m->data_len);
        rte_pktmbuf_free(m);
      }
    }
    ok = true;
  }
  // Runs before EAL's cleanup: main() starts EAL before any Bench or map of them exists.
  ~Bench() {
    ctx.events = nullptr;
    if (events) rte_ring_free(events);
  }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;
};

Bench& bench() {
  static Bench b("bench", kMaglevConfig, Mix::call, 32000);
  return b;
}

void free_staged(dataplane::WorkerContext& ctx) {
  auto& tx = ctx.tx[0];
  rte_pktmbuf_free_bulk(tx.mbufs, tx.count);
  tx.count = 0;
}

// What control does with a worker's ring: dequeue everything in bursts (the events are dropped
// here; siplbd persists them).
void drain_events(Bench& b) {
  if (!b.events) return;
  dataplane::Event burst[kEventBurst];
  unsigned got;
  while ((got = rte_ring_sc_dequeue_burst_elem(b.events, burst, sizeof(dataplane::Event), kEventBurst, nullptr)) > 0) {
    benchmark::DoNotOptimize(burst);
    b.events_drained += got;
  }
}

void run_pipeline(benchmark::State& state, Bench& b) {
  if (!b.ok) {
    state.SkipWithError("EAL or pool set-up failed");
    return;
  }
  std::size_t next = 0;
  uint64_t packets = 0;
  rte_mbuf* burst[kBatch];
  drain_events(b);  // what an earlier run of this benchmark left
  const uint64_t events_before = b.events_drained;
  const uint64_t dropped_before = b.ctx.counters.events_dropped.get();
  const unsigned drain_at = b.events ? rte_ring_get_capacity(b.events) / 2 : 0;
  uint64_t paused_tsc = 0;  // draining the event ring: control's work, not counted
  const uint64_t start_tsc = rte_rdtsc();
  for (auto _ : state) {
    // One RX burst: allocate and fill (the NIC's work), then process each packet.
    if (rte_pktmbuf_alloc_bulk(b.pool, burst, kBatch) != 0) {
      state.SkipWithError("mbuf pool exhausted");
      return;
    }
    b.ctx.now_tsc = rte_rdtsc();
    b.ctx.snapshot = b.sh.snapshot.load(std::memory_order_acquire);
    for (uint16_t i = 0; i < kBatch; ++i) {
      const auto& f = b.frames[next];
      next = next + 1 == b.frames.size() ? 0 : next + 1;
      std::memcpy(rte_pktmbuf_append(burst[i], static_cast<uint16_t>(f.size())), f.data(), f.size());
      burst[i]->ol_flags |= b.rx_flags;
    }
    for (uint16_t i = 0; i < kBatch; ++i) dataplane::handle_frame(b.ctx, 0, burst[i]);
    free_staged(b.ctx);
    packets += kBatch;
    if (b.events && rte_ring_count(b.events) >= drain_at) {
      state.PauseTiming();
      const uint64_t t = rte_rdtsc();
      drain_events(b);
      paused_tsc += rte_rdtsc() - t;
      state.ResumeTiming();
    }
  }
  const double seconds =
      static_cast<double>(rte_rdtsc() - start_tsc - paused_tsc) / static_cast<double>(rte_get_tsc_hz());
  drain_events(b);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  // This thread's packets over its own time in the loop; with several threads Google Benchmark
  // adds the threads' values up, which makes it the aggregate rate.
  state.counters["Mpps"] = static_cast<double>(packets) / seconds / 1e6;
  state.counters["invite_bytes"] = static_cast<double>(b.invite_bytes);
  uint64_t drops = 0;
  for (const auto& c : b.ctx.counters.drops) drops += c.get();
  state.counters["drops"] = static_cast<double>(drops);
  uint64_t replies = 0;
  for (const auto& c : b.ctx.counters.replies) replies += c.get();
  state.counters["replies"] = static_cast<double>(replies);  // 503s would mean a broken set-up
  const uint64_t events = b.events_drained - events_before;
  const uint64_t events_dropped = b.ctx.counters.events_dropped.get() - dropped_before;
  if (events || events_dropped) {  // the hash mixes emit none: their columns stay as they were
    state.counters["events_per_packet"] = packets ? static_cast<double>(events) / static_cast<double>(packets) : 0;
    state.counters["events_dropped"] = static_cast<double>(events_dropped);  // > 0: the ring was not drained in time
  }
}

void BM_pipeline_call_mix(benchmark::State& state) { run_pipeline(state, bench()); }
BENCHMARK(BM_pipeline_call_mix);

// The call mix on a port whose NIC checks and fills the IPv4 and UDP checksums (what siplbd turns
// on where the device has the offloads, as production NICs do): received mbufs carry the NIC's
// "good" verdicts, and transmitted ones leave both sums to it.
void BM_pipeline_call_mix_nic_offload(benchmark::State& state) {
  static Bench b("bench_nic", kMaglevConfig, Mix::call, 32000);
  b.sh.interfaces[0].rx_checksum_offload = true;
  b.sh.interfaces[0].tx_checksum_offload = true;
  b.rx_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  run_pipeline(state, b);
}
BENCHMARK(BM_pipeline_call_mix_nic_offload);

// The call mix on 1 and 2 workers at once, each a thread with its own lcore id, mbuf pool,
// worker context and frames, as siplbd's workers are (they share only read-only tables there):
// the aggregate "Mpps" against the single worker's shows how the pipeline scales with cores.
// One thread per CPU at most (1, 2, 4, ... up to the machine's CPUs): threads sharing a CPU
// would measure the scheduler, not the pipeline.
void BM_pipeline_workers(benchmark::State& state) {
  static std::mutex lock;
  static std::map<std::string, std::unique_ptr<Bench>> benches;
  // EAL pinned the main thread to CPU 0 and new threads inherit that: give each worker its own
  // CPU, as siplbd's lcores have.
  cpu_set_t original;
  pthread_getaffinity_np(pthread_self(), sizeof original, &original);
  cpu_set_t own;
  CPU_ZERO(&own);
  CPU_SET(static_cast<int>(state.thread_index()) % static_cast<int>(std::thread::hardware_concurrency()), &own);
  pthread_setaffinity_np(pthread_self(), sizeof own, &own);
  bool registered = false;
  if (rte_lcore_id() == LCORE_ID_ANY) registered = rte_thread_register() == 0;
  Bench* b;
  {
    std::lock_guard<std::mutex> guard(lock);
    std::string name = "bench_w" + std::to_string(state.threads()) + "_" + std::to_string(state.thread_index());
    auto& slot = benches[name];
    if (!slot) slot = std::make_unique<Bench>(name.c_str(), kMaglevConfig, Mix::call, 32000);
    b = slot.get();
  }
  run_pipeline(state, *b);
  state.counters["Mpps_per_worker"] = benchmark::Counter(state.counters["Mpps"].value, benchmark::Counter::kAvgThreads);
  if (registered) rte_thread_unregister();
  pthread_setaffinity_np(pthread_self(), sizeof original, &original);
}
BENCHMARK(BM_pipeline_workers)
    ->ThreadRange(1, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())))
    ->UseRealTime();

void BM_pipeline_dialog_mix(benchmark::State& state, const char* name, const char* config) {
  static std::map<std::string, std::unique_ptr<Bench>> benches;
  auto& b = benches[name];
  if (!b) b = std::make_unique<Bench>(name, config, Mix::dialog, 1);
  run_pipeline(state, *b);
  if (b->sh.dialogs) state.counters["live_dialogs"] = b->sh.dialogs->live();
}
BENCHMARK_CAPTURE(BM_pipeline_dialog_mix, maglev, "bench_mg", kMaglevConfig);
BENCHMARK_CAPTURE(BM_pipeline_dialog_mix, least_loaded, "bench_ll", kLeastLoadedConfig);

// The parse step alone on the same frames' SIP payloads, to see the share of the pipeline it takes.
void BM_pipeline_parse_only(benchmark::State& state) {
  Bench& b = bench();
  if (!b.ok) {
    state.SkipWithError("EAL or pool set-up failed");
    return;
  }
  constexpr std::size_t kHeaders = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr);
  std::size_t next = 0;
  sip::Message m;
  for (auto _ : state) {
    const auto& f = b.frames[next];
    next = next + 1 == b.frames.size() ? 0 : next + 1;
    benchmark::DoNotOptimize(sip::parse(f.data() + kHeaders, f.size() - kHeaders, m));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_pipeline_parse_only);

}  // namespace

// BENCHMARK_MAIN with EAL started first: its cleanup at exit then runs after the destructors of
// every Bench and map of them (function-local statics made later), which free their DPDK objects
// (event rings, tables). Started by the first Bench instead, a map made before it outlived EAL
// and its tables' destructors crashed at exit (e.g. --benchmark_filter=dialog_mix).
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  eal_ready();  // a failure is reported by each benchmark (SkipWithError)
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
