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
//
// Registrar ([registrar] domains = ["reg.example.com"], a binding table of 131072 AoRs/contacts):
// BM_pipeline_register/async: REGISTERs of 65536 users (u0..u65535@reg.example.com, one contact
// each, Expires 3600, no digest) cycled through the pipeline, every one a refresh that changes the
// binding (each cycle of the users raises every CSeq by one: patched into the frames, UDP checksum
// redone, with the timer paused); each REGISTER is applied to the table (copy, 10.3 rules, a new
// record swapped in), answered 200 OK with its contact listed, and announced to control in a
// binding event. The worker's replaced records go back to their mempools after every burst
// (BindingTable::reclaim, as the poll loop does; no other QSBR reader exists here).
// BM_pipeline_register/sync: the same with defer_register_replies (durability "sync"): the 200 OK
// is built into an mbuf that travels to control inside the event. Control's side (dequeuing the
// events, waiting for the store) is not counted: with the timer paused, the ring is drained every
// 512 events and the replies are put on the worker's inject ring, as Engine::release_reply does
// once the store has written their batch; the worker then sends them from there (dequeue,
// headers, checksums, staged for TX) within the timed loop, as its poll loop would. The store's
// own rate is store_bench's BM_store_bindings.
// BM_pipeline_lookup: INVITEs (~560 bytes, SDP) to those 65536 users, registered once in set-up:
// each is looked up in the binding table and forwarded to the user's contact (Request-URI
// rewritten, sent to the received address), a new transaction each time.
// Counters: "Mpps" is millions of REGISTERs or INVITEs per second per core here;
// per_item_changed (bindings changed per REGISTER, 1 expected), per_item_routed (lookups routed
// per INVITE, 1 expected), replies (all replies sent; for the REGISTER cases the 200 OKs).
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
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
#include "../dataplane/registrar_setup.hpp"
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

const char* kRegistrarConfig = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[registrar]
domains = ["reg.example.com"]
aors = 131072
contacts = 131072
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

constexpr int kUsers = 65536;  // registered users of the registrar cases (a multiple of kBatch)
constexpr uint32_t kFirstCseq = 1000000000;  // ten digits whatever the cycle: patched in place

// EAL once per process, with no hugepages and no devices; its runtime folder removed at exit.
// 1536 MB: the registrar cases' binding tables take ~110 MB each (--no-huge memory is touched
// only as it is used).
bool eal_ready() { return siplb::perf::eal_ready("bench", "1536", "0"); }
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

// A REGISTER of user n refreshing its one contact (CSeq patched per cycle: see Bench::cseq_at).
std::string register_message(int n) {
  const std::string user = "u" + std::to_string(n);
  const std::string aor = "sip:" + user + "@reg.example.com";
  return "REGISTER sip:reg.example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-reg" + std::to_string(n) + ";rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: <" + aor + ">;tag=" + std::to_string(700000 + n) + "\r\n"
         "To: <" + aor + ">\r\n"
         "Call-ID: reg-" + std::to_string(n) + "-4b2f9c1e@10.0.0.10\r\n"
         "CSeq: " + std::to_string(kFirstCseq) + " REGISTER\r\n"
         "Contact: <sip:" + user + "@10.0.0.10:5062;transport=udp>;expires=3600\r\n"
         "User-Agent: siplb-bench\r\n"
         "Expires: 3600\r\n"
         "Content-Length: 0\r\n\r\n";
}

// An INVITE from a caller outside to registered user n (from 10.0.0.20).
std::string lookup_invite(int n) {
  const std::string tag = std::to_string(300000 + n);
  const std::string body = sdp();
  return "INVITE sip:u" + std::to_string(n) + "@reg.example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bK-" + tag + "-1;rport\r\n"
         "From: \"Bob\" <sip:bob@example.net>;tag=" + tag + "\r\n"
         "To: <sip:u" + std::to_string(n) + "@reg.example.com>\r\n"
         "Call-ID: lookup-" + std::to_string(n) + "-4b2f9c1e@10.0.0.20\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: <sip:bob@10.0.0.20:5060>\r\n"
         "Max-Forwards: 70\r\n"
         "Content-Type: application/sdp\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// register_: REGISTERs of kUsers users; lookup: INVITEs to them (the REGISTERs are built too, in
// register_frames, for the set-up that registers them).
enum class Mix { call, dialog, register_, lookup };

// Control's side of the event rings: drained in bursts of this many events.
constexpr unsigned kEventBurst = 256;

struct Bench {
  rte_mempool* pool = nullptr;
  rte_rcu_qsbr* rcu = nullptr;
  rte_ring* events = nullptr;  // ctx.events: the worker's event ring, drained by run_pipeline
  rte_ring* inject = nullptr;  // sh.inject[worker]: deferred REGISTER replies released to the worker
  uint64_t events_drained = 0;
  unsigned drain_at = 0;  // drain the event ring at this many events (0: at half its capacity)
  std::vector<std::vector<char>> frames;  // Ethernet frames
  std::vector<std::vector<char>> register_frames;  // Mix::lookup: the REGISTERs of its users
  Mix mix = Mix::call;
  std::size_t next = 0;  // the next frame (kept across runs: the REGISTERs' CSeqs must only grow)
  // Mix::register_: where each frame's CSeq digits are, and the CSeq the frames now carry.
  std::vector<std::size_t> cseq_offsets;
  uint32_t cseq = kFirstCseq;
  config::Config config;
  dataplane::NeighborTable neighbors{1024};
  dataplane::Shared sh;
  dataplane::WorkerContext ctx;
  std::size_t invite_bytes = 0;
  uint64_t rx_flags = 0;  // what the NIC marks received mbufs with (checksum verdicts)
  bool ok = false;

  // `name` names the DPDK objects; `transaction_ttl_ms` short makes every INVITE of the cycled
  // frames a new transaction (as on a live balancer) instead of a retransmission.
  Bench(const char* name, const char* config_text, Mix mix, uint64_t transaction_ttl_ms,
        bool defer_register_replies = false) {
    if (!eal_ready()) return;
    this->mix = mix;
    static uint16_t worker_serial = 0;
    const uint16_t worker = worker_serial++;
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
    // The registrar as siplbd's engine sets it up; writer ids up to this worker's (plus control's).
    if (!dataplane::create_registrar(sh, config, rcu, static_cast<uint16_t>(worker + 2), 0, error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return;
    }
    sh.defer_register_replies = defer_register_replies;
    sh.snapshot.store(dataplane::build_snapshot(config, {}, 1).release());
    ctx.capture_tx = true;
    // The worker's event ring, made as siplbd's engine makes it ([workers] event_ring default).
    const std::string ring_name = std::string("ev_") + name;
    events = rte_ring_create_elem(ring_name.c_str(), sizeof(dataplane::Event), dataplane::kDefaultEventRing,
                                  SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    if (!events) return;
    ctx.events = events;
    if (defer_register_replies) {  // the ring control gives released replies back on (as the engine's)
      const std::string inject_name = std::string("inj_") + name;
      inject = rte_ring_create_elem(inject_name.c_str(), sizeof(dataplane::InjectedPacket), 1024, SOCKET_ID_ANY,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (!inject) return;
      sh.inject[worker] = inject;
    }
    if (!dataplane::init_worker(ctx, sh, worker, 0)) return;
    for (const char* n : {"10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14", "10.0.0.20"})
      neighbors.learn(ip(n), golden::mac(static_cast<uint8_t>(ip(n) >> 24)).addr_bytes, rte_rdtsc());
    golden::Udp u{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};
    auto frame_of = [&](const golden::Udp& from, const std::string& text) {
      rte_mbuf* m = golden::udp_frame(pool, from, text);
      const char* p = rte_pktmbuf_mtod(m, const char*);
      std::vector<char> f(p, p + m->data_len);
      rte_pktmbuf_free(m);
      return f;
    };
    if (mix == Mix::register_ || mix == Mix::lookup) {
      constexpr std::size_t kHeaders = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr);
      const golden::Udp caller{ip("10.0.0.20"), 5060, ip("10.0.0.1"), 5060};
      for (int n = 0; n < kUsers; ++n) {
        const std::string text = register_message(n);
        cseq_offsets.push_back(kHeaders + text.find("CSeq: ") + 6);
        (mix == Mix::register_ ? frames : register_frames).push_back(frame_of(u, text));
        if (mix == Mix::lookup) frames.push_back(frame_of(caller, lookup_invite(n)));
      }
      invite_bytes = frames[0].size() - kHeaders;  // here: the REGISTER's or the INVITE's payload
      ok = true;
      return;
    }
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
    if (inject) {
      dataplane::InjectedPacket p;
      while (rte_ring_dequeue_elem(inject, &p, sizeof p) == 0) rte_pktmbuf_free(p.mbuf);
      for (auto& r : sh.inject)
        if (r == inject) r = nullptr;
      rte_ring_free(inject);
    }
  }

  // Mix::register_: the next cycle of REGISTERs, every CSeq one higher (a refresh, not a
  // retransmission), each frame's UDP checksum redone.
  void next_cseq() {
    ++cseq;
    char digits[16];
    std::snprintf(digits, sizeof digits, "%010u", cseq);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      std::vector<char>& f = frames[i];
      std::memcpy(f.data() + cseq_offsets[i], digits, 10);
      auto* iph = reinterpret_cast<rte_ipv4_hdr*>(f.data() + sizeof(rte_ether_hdr));
      auto* udp = reinterpret_cast<rte_udp_hdr*>(iph + 1);
      udp->dgram_cksum = 0;
      udp->dgram_cksum = rte_ipv4_udptcp_cksum(iph, udp);
    }
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
// Deferred REGISTER replies (durability "sync") go to the worker's inject ring, as
// Engine::release_reply does once the store has the change; freed when there is none.
void drain_events(Bench& b) {
  if (!b.events) return;
  dataplane::Event burst[kEventBurst];
  unsigned got;
  while ((got = rte_ring_sc_dequeue_burst_elem(b.events, burst, sizeof(dataplane::Event), kEventBurst, nullptr)) > 0) {
    benchmark::DoNotOptimize(burst);
    b.events_drained += got;
    for (unsigned i = 0; i < got; ++i) {
      const dataplane::Event& e = burst[i];
      if (e.kind != dataplane::EventKind::binding_changed || !e.binding.reply) continue;
      auto* packet = static_cast<rte_mbuf*>(e.binding.reply);
      dataplane::InjectedPacket p{packet, {}, e.binding.reply_code};
      std::memcpy(&p.egress, e.binding.reply_route, sizeof(dataplane::Egress));
      if (!b.inject || rte_ring_enqueue_elem(b.inject, &p, sizeof p) != 0) rte_pktmbuf_free(packet);
    }
  }
}

// The worker's side of the inject ring (worker_poll_once's): the released replies sent.
void send_injected(Bench& b) {
  if (!b.inject) return;
  dataplane::InjectedPacket p[kBatch];
  const unsigned n = rte_ring_sc_dequeue_burst_elem(b.inject, p, sizeof(dataplane::InjectedPacket), kBatch, nullptr);
  for (unsigned k = 0; k < n; ++k) {
    dataplane::Outcome outcome{p[k].reply_code ? dataplane::Outcome::reply : dataplane::Outcome::probe};
    outcome.reply_code = static_cast<uint16_t>(p[k].reply_code);
    dataplane::send_udp(b.ctx, p[k].mbuf, p[k].egress, outcome);
  }
}

void run_pipeline(benchmark::State& state, Bench& b) {
  if (!b.ok) {
    state.SkipWithError("EAL or pool set-up failed");
    return;
  }
  std::size_t& next = b.next;
  uint64_t packets = 0;
  rte_mbuf* burst[kBatch];
  drain_events(b);  // what an earlier run of this benchmark left
  const uint64_t events_before = b.events_drained;
  const uint64_t dropped_before = b.ctx.counters.events_dropped.get();
  const unsigned drain_at = b.drain_at ? b.drain_at : b.events ? rte_ring_get_capacity(b.events) / 2 : 0;
  const bool registers = b.mix == Mix::register_;
  const auto& wc = b.ctx.counters;
  const uint64_t changed_before = wc.bindings_added.get() + wc.bindings_refreshed.get();
  const uint64_t routed_before = wc.lookups_routed.get();
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
    send_injected(b);
    if (b.sh.bindings) b.sh.bindings->reclaim(b.ctx.worker_index);
    free_staged(b.ctx);
    packets += kBatch;
    if (registers && next == 0) {  // a cycle of the users done: the next one refreshes them again
      state.PauseTiming();
      const uint64_t t = rte_rdtsc();
      b.next_cseq();
      paused_tsc += rte_rdtsc() - t;
      state.ResumeTiming();
    }
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
  if (b.sh.bindings) {
    const double items = packets ? static_cast<double>(packets) : 1;
    if (registers)
      state.counters["per_item_changed"] =
          static_cast<double>(wc.bindings_added.get() + wc.bindings_refreshed.get() - changed_before) / items;
    else
      state.counters["per_item_routed"] = static_cast<double>(wc.lookups_routed.get() - routed_before) / items;
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

// REGISTERs through the pipeline: async (200 OK sent at once) and sync (200 OK deferred to
// control in the binding event, then released back to the worker through its inject ring).
void BM_pipeline_register(benchmark::State& state, const char* name, bool sync) {
  static std::map<std::string, std::unique_ptr<Bench>> benches;
  auto& b = benches[name];
  if (!b) {
    b = std::make_unique<Bench>(name, kRegistrarConfig, Mix::register_, 1, sync);
    // sync: every event holds a reply mbuf until drained; keep well inside the 8191-mbuf pool
    if (sync) b->drain_at = 512;
  }
  run_pipeline(state, *b);
  if (b->sh.bindings) state.counters["aors"] = b->sh.bindings->aors();
}
BENCHMARK_CAPTURE(BM_pipeline_register, async, "bench_reg_a", false);
BENCHMARK_CAPTURE(BM_pipeline_register, sync, "bench_reg_s", true);

// Registers every user once: the set-up of the lookup case.
bool register_users(Bench& b) {
  rte_mbuf* burst[kBatch];
  for (std::size_t at = 0; at < b.register_frames.size(); at += kBatch) {
    if (rte_pktmbuf_alloc_bulk(b.pool, burst, kBatch) != 0) return false;
    b.ctx.now_tsc = rte_rdtsc();
    b.ctx.snapshot = b.sh.snapshot.load(std::memory_order_acquire);
    for (uint16_t i = 0; i < kBatch; ++i) {
      const auto& f = b.register_frames[at + i];
      std::memcpy(rte_pktmbuf_append(burst[i], static_cast<uint16_t>(f.size())), f.data(), f.size());
    }
    for (uint16_t i = 0; i < kBatch; ++i) dataplane::handle_frame(b.ctx, 0, burst[i]);
    b.sh.bindings->reclaim(b.ctx.worker_index);
    free_staged(b.ctx);
    drain_events(b);
  }
  return b.sh.bindings->aors() == b.register_frames.size();
}

void BM_pipeline_lookup(benchmark::State& state) {
  static std::unique_ptr<Bench> b;
  if (!b) {
    b = std::make_unique<Bench>("bench_lookup", kRegistrarConfig, Mix::lookup, 1);
    if (b->ok && !register_users(*b)) b->ok = false;
  }
  run_pipeline(state, *b);
  if (b->sh.bindings) state.counters["aors"] = b->sh.bindings->aors();
}
BENCHMARK(BM_pipeline_lookup);

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
