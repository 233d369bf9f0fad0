// libFuzzer target: the whole worker packet path (dataplane::handle_frame) on arbitrary input, with
// state kept from one input to the next as on a live worker (transactions, dialogs, fragments
// waiting for reassembly, the ARP wait queue).
//
// The first octet chooses how the rest arrives (so raw SIP messages work as seeds):
//   % 6 == 0  as a raw Ethernet frame (ARP, ICMP, IPv6 NDP, broken headers...)
//   % 6 == 1  as a UDP datagram from a client, 10.0.0.10:5062 -> 10.0.0.1:5060
//   % 6 == 2  the same over IPv6, [fd00::10]:5062 -> [fd00::1]:5060
//   % 6 == 3  as a UDP datagram from a server, 10.0.0.11:5060 -> 10.0.0.1:5060 (responses)
//   % 6 == 4  as IPv4 fragments of a client's datagram (576-octet fragments)
//   % 6 == 5  from a client on the second interface, 192.168.1.10:5060 -> 192.168.1.1:5060
// The worker serves two interfaces (one with IPv4 and IPv6), a Maglev set and a least-loaded set
// for INVITEs, a registrar for example.com and (with digest authentication) atlanta.com whose
// 64-AoR table fills, with checksum offload on the second interface (octet 0 bit 7 says whether the NIC
// called the received checksums good).
//
// Beyond memory safety (ASan, UBSan): whatever comes in, every frame the worker stages must be
// well-formed: Ethernet + IPv4 with a header checksum that holds and lengths that fit the frame
// (offloaded ones: as asked of the NIC), UDP lengths that fit, and a SIP payload that parses
// without error when it is not a fragment: a forwarded message was parsed and then edited by
// siplbd, so it must parse again. siplbd's own replies copy Via, From, To, Call-ID and CSeq from
// the request as RFC 3261 8.2.6.2 asks, defects included (a 400 answers exactly such requests):
// of them only the framing, the status line and the presence of those headers are required.
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "../../dataplane/dialog_tracking.hpp"
#include "../../dataplane/interface_setup.hpp"
#include "../../dataplane/packet_path.hpp"
#include "../../dataplane/registrar_setup.hpp"
#include "../../dataplane/shared_settings.hpp"
#include "../../dataplane/worker.hpp"
#include "../golden/packet_builder.hpp"
#include "../support/eal_runtime.hpp"
#include "siplb/config/config.hpp"
#include "siplb/sip/parse_error.hpp"
#include "siplb/sip/parser.hpp"

namespace {

using namespace siplb;
using golden::ip;
using golden::ip6;
using golden::mac;

const char* kConfig = R"(
[balancer]
max_message_size = 4096
[dialogs]
capacity = 1024
early_timeout_s = 1
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
gateway = "10.0.0.254"
[[interface]]
port = "net_null1"
address = "192.168.1.1/24"
[[set]]
id = 1
algorithm = "least-loaded"
methods = ["INVITE"]
resources = "pstn"
[[set.destination]]
uri = "sip:10.0.0.11:5060"
capacity = 4
[[set.destination]]
uri = "sip:192.168.1.12:5060"
capacity = 4
[[set]]
id = 2
[[set.destination]]
uri = "sip:10.0.0.11:5060"
[[set.destination]]
uri = "sip:[fd00::11]:5060"
[[set.destination]]
uri = "sip:10.0.0.99:5060"
[registrar]
domains = ["example.com", { name = "atlanta.com", auth = "all" }]
subscribers = "no-such-file.toml"
aors = 64
contacts = 64
min_expires = 1
)";

struct Harness {
  rte_mempool* pool = nullptr;
  rte_rcu_qsbr* rcu = nullptr;
  config::Config config;
  dataplane::NeighborTable neighbors{256};
  dataplane::Neighbor6Table neighbors6{256};
  dataplane::Shared sh;
  dataplane::WorkerContext ctx;
};

Harness* harness = nullptr;

void stop_eal() {
  std::string dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

Harness* set_up() {
  test_support::remove_stale_runtime_dirs("siplb-fuzz-");  // a finding aborts before the cleanup
  std::string prefix = "--file-prefix=siplb-fuzz-" + std::to_string(getpid());
  std::vector<std::string> args = {"fuzz", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
                                   "--log-level=*:emerg", prefix, "-l", "0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) return nullptr;
  std::atexit(stop_eal);
  auto* h = new Harness;
  auto loaded = config::load_config_text(kConfig, "fuzz.toml");
  if (!loaded.ok()) {
    std::fprintf(stderr, "packet_path_fuzz: %s\n", loaded.error.message.c_str());
    return nullptr;
  }
  h->config = *loaded.config;
  h->pool = rte_pktmbuf_pool_create("fuzz", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  dataplane::Shared& sh = h->sh;
  sh.pool = h->pool;
  sh.large_pool = rte_pktmbuf_pool_create("fuzz_large", 63, 0, 0, 16384 + RTE_PKTMBUF_HEADROOM, 0);
  sh.indirect_pool = rte_pktmbuf_pool_create("fuzz_indirect", 1023, 0, 0, 0, 0);
  if (!h->pool || !sh.large_pool || !sh.indirect_pool) return nullptr;
  sh.neighbors = &h->neighbors;
  sh.neighbors6 = &h->neighbors6;
  dataplane::apply_settings(sh, h->config);
  sh.transaction_capacity = 256;  // small, so that it fills
  for (uint16_t i = 0; i < h->config.interfaces.size(); ++i)
    sh.interfaces.push_back(dataplane::interface_from_config(h->config.interfaces[i], i, mac(static_cast<uint8_t>(1 + i)), 5060));
  sh.interfaces[1].rx_checksum_offload = true;
  sh.interfaces[1].tx_checksum_offload = true;
  h->rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc("fuzz_rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE));
  std::string error;
  if (!h->rcu || rte_rcu_qsbr_init(h->rcu, 1) != 0 || !dataplane::create_dialog_tracking(sh, h->config, h->rcu, 0, error)) {
    std::fprintf(stderr, "packet_path_fuzz: dialog tracking: %s\n", error.c_str());
    return nullptr;
  }
  if (!dataplane::create_registrar(sh, h->config, h->rcu, 1, 0, error)) {
    std::fprintf(stderr, "packet_path_fuzz: registrar: %s\n", error.c_str());
    return nullptr;
  }
  sh.snapshot.store(dataplane::build_snapshot(h->config, {}, 1).release());
  h->ctx.capture_tx = true;
  if (!dataplane::init_worker(h->ctx, sh, 0, 0)) return nullptr;
  // Known neighbours; 10.0.0.99 and 192.168.1.12 stay unknown, so some packets wait for ARP.
  const uint64_t now = rte_rdtsc();
  for (const char* n : {"10.0.0.10", "10.0.0.11", "10.0.0.254", "192.168.1.10"})
    h->neighbors.learn(ip(n), mac(static_cast<uint8_t>(ip(n) >> 24)).addr_bytes, now);
  for (const char* n : {"fd00::10", "fd00::11"}) {
    auto a = ip6(n);
    h->neighbors6.learn(a.data(), mac(a[15]).addr_bytes, now);
  }
  return h;
}

[[noreturn]] void broken(const char* what, const golden::Decoded& d) {
  std::fprintf(stderr, "packet_path_fuzz: the worker staged a malformed frame: %s (ether type 0x%04x, payload %zu octets)\n",
               what, d.ether_type, d.payload.size());
  std::abort();
}

// Errors a reply may inherit from the request it answers (the values it must copy).
bool copied_from_request(sip::ParseError e) {
  using E = sip::ParseError;
  switch (e) {
    case E::bad_via: case E::bad_from: case E::bad_to: case E::bad_call_id: case E::bad_cseq:
    case E::duplicate_from: case E::duplicate_to: case E::duplicate_call_id: case E::duplicate_cseq:
    case E::cseq_method_mismatch:
      return true;
    default:
      return false;
  }
}

// Checks one staged frame (see the file comment). `own_reply`: the worker answered the input
// itself (its reply counters moved), so a response staged now is siplbd's.
void check_staged(rte_mbuf* m, bool own_reply) {
  const std::size_t len = m->pkt_len;
  if (len < sizeof(rte_ether_hdr) || m->data_len > len) broken("shorter than its headers", {});
  std::string bytes(len, '\0');
  const auto* src = static_cast<const char*>(rte_pktmbuf_read(m, 0, static_cast<uint32_t>(len), bytes.data()));
  if (src != bytes.data()) std::memcpy(bytes.data(), src, len);
  const auto* eth = reinterpret_cast<const rte_ether_hdr*>(bytes.data());
  const uint16_t type = rte_be_to_cpu_16(eth->ether_type);
  const char* l3 = bytes.data() + sizeof(rte_ether_hdr);
  const std::size_t l3_len = len - sizeof(rte_ether_hdr);
  bool udp = false;
  if (type == RTE_ETHER_TYPE_IPV4) {
    if (l3_len < sizeof(rte_ipv4_hdr)) broken("IPv4 header cut", {});
    const auto* iph = reinterpret_cast<const rte_ipv4_hdr*>(l3);
    if (rte_be_to_cpu_16(iph->total_length) != l3_len) broken("IPv4 length is not the frame's", {});
    const bool offloaded = m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM;
    if (!offloaded && rte_raw_cksum(iph, sizeof(*iph)) != 0xffff) broken("IPv4 header checksum", {});
    const uint16_t frag = rte_be_to_cpu_16(iph->fragment_offset);
    const bool fragment = (frag & RTE_IPV4_HDR_MF_FLAG) || (frag & RTE_IPV4_HDR_OFFSET_MASK);
    if (iph->next_proto_id == IPPROTO_UDP && !fragment) {
      if (l3_len < sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr)) broken("UDP header cut", {});
      const auto* u = reinterpret_cast<const rte_udp_hdr*>(iph + 1);
      if (rte_be_to_cpu_16(u->dgram_len) != l3_len - sizeof(rte_ipv4_hdr)) broken("UDP length", {});
      if (!offloaded && u->dgram_cksum != 0 && rte_ipv4_udptcp_cksum_verify(iph, u) != 0) broken("UDP checksum", {});
      udp = true;
    }
  } else if (type == RTE_ETHER_TYPE_IPV6) {
    if (l3_len < sizeof(rte_ipv6_hdr)) broken("IPv6 header cut", {});
    const auto* iph = reinterpret_cast<const rte_ipv6_hdr*>(l3);
    if (rte_be_to_cpu_16(iph->payload_len) != l3_len - sizeof(rte_ipv6_hdr)) broken("IPv6 length is not the frame's", {});
    if (iph->proto == IPPROTO_UDP) {
      const auto* u = reinterpret_cast<const rte_udp_hdr*>(iph + 1);
      if (l3_len < sizeof(rte_ipv6_hdr) + sizeof(rte_udp_hdr) ||
          rte_be_to_cpu_16(u->dgram_len) != l3_len - sizeof(rte_ipv6_hdr))
        broken("UDP length (IPv6)", {});
      udp = true;
    }
  } else if (type != RTE_ETHER_TYPE_ARP) {
    broken("neither IPv4, IPv6 nor ARP", {});
  }
  if (!udp) return;
  golden::Decoded d = golden::decode(m);
  if (d.src_port != 5060 && d.dst_port != 5060) return;
  // What siplbd sends on its SIP port is a message it parsed, edited or built itself.
  sip::Message msg;
  sip::ParseError e = sip::parse(d.payload.data(), d.payload.size(), msg);
  if (own_reply && !msg.is_request && copied_from_request(e)) return;
  if (e != sip::ParseError::none) {
    std::fprintf(stderr, "packet_path_fuzz: sent to port %u: %s\n---\n%s\n---\n", d.dst_port,
                 std::string(sip::parse_error_phrase(e)).c_str(), d.payload.c_str());
    broken("SIP payload does not parse", d);
  }
}

uint64_t replies_sent(const dataplane::WorkerContext& ctx) {
  uint64_t n = 0;
  for (const auto& c : ctx.counters.replies) n += c.get();
  return n;
}

void run_frames(Harness& h, uint16_t iface, const std::vector<rte_mbuf*>& frames) {
  dataplane::WorkerContext& ctx = h.ctx;
  const uint64_t replies_before = replies_sent(ctx);
  ctx.now_tsc = rte_rdtsc();
  ctx.snapshot = h.sh.snapshot.load();
  for (rte_mbuf* m : frames)
    if (m) dataplane::handle_frame(ctx, iface, m);
  dataplane::service_pending(ctx);
  if (ctx.death_row.cnt) rte_ip_frag_free_death_row(&ctx.death_row, 0);
  for (uint16_t port = 0; port < h.sh.interfaces.size(); ++port) {
    auto& tx = ctx.tx[port];
    for (uint16_t i = 0; i < tx.count; ++i) {
      check_staged(tx.mbufs[i], replies_sent(ctx) != replies_before);
      rte_pktmbuf_free(tx.mbufs[i]);
    }
    tx.count = 0;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (!harness) harness = set_up();
  if (!harness) std::abort();
  if (size == 0 || size > 9000) return 0;
  const uint8_t how = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  rte_mempool* pool = harness->pool;
  std::vector<rte_mbuf*> frames;
  uint16_t iface = 0;
  switch (how % 6) {
    case 0: {
      if (rest.size() > RTE_MBUF_DEFAULT_DATAROOM) return 0;
      rte_mbuf* m = rte_pktmbuf_alloc(pool);
      char* p = m ? rte_pktmbuf_append(m, static_cast<uint16_t>(rest.size())) : nullptr;
      if (!p) {
        rte_pktmbuf_free(m);
        return 0;
      }
      std::memcpy(p, rest.data(), rest.size());
      frames.push_back(m);
      iface = how & 1;
      break;
    }
    case 1:
      frames.push_back(golden::udp_frame(pool, {golden::ip("10.0.0.10"), 5062, golden::ip("10.0.0.1"), 5060}, rest));
      break;
    case 2:
      frames.push_back(golden::udp6_frame(pool, {golden::ip6("fd00::10"), 5062, golden::ip6("fd00::1"), 5060}, rest));
      break;
    case 3:
      frames.push_back(golden::udp_frame(pool, {golden::ip("10.0.0.11"), 5060, golden::ip("10.0.0.1"), 5060}, rest));
      break;
    case 4:
      frames = golden::udp_fragments(pool, {golden::ip("10.0.0.10"), 5062, golden::ip("10.0.0.1"), 5060}, rest, 576);
      break;
    case 5: {
      golden::Udp u{golden::ip("192.168.1.10"), 5060, golden::ip("192.168.1.1"), 5060};
      u.dst_mac = golden::mac(2);
      rte_mbuf* m = golden::udp_frame(pool, u, rest);
      if (m && (how & 0x80)) m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
      frames.push_back(m);
      iface = 1;
      break;
    }
  }
  run_frames(*harness, iface, frames);
  return 0;
}
