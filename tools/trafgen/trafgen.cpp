// siplb-trafgen: a DPDK traffic generator that plays both sides around siplbd on one port.
//
// It is the SIP client (default 10.0.0.10) and the SIP servers (default 10.0.0.11..14) at once:
// it answers ARP for those addresses and for nothing else, learns siplbd's MAC by ARP, then sends
// the call mix to siplbd (default 10.0.0.1:5060) as fast as the port takes it or at --rate:
// an INVITE with SDP, its ACK, a BYE (client -> balancer) and the 200 OK to the BYE (a server ->
// balancer, carrying siplbd's Via on top, which siplbd strips and forwards to the client). Every
// call has its own Call-ID. Frames come from templates built once; per packet only the Call-ID
// digits and the send timestamp (header "X-T: <TSC, 16 hex>") are rewritten, with the UDP checksum
// updated incrementally.
//
// What comes back is counted: requests arriving at the server addresses, responses arriving at the
// client address. Packets whose timestamp falls in the measurement window (after --warmup, for
// --duration seconds) give the sent and forwarded rates, the loss and the latency percentiles
// (siplbd and the port in between, from the embedded TSC: both processes on one machine).
//
//   siplb-trafgen [EAL options] -- [--rate PPS] [--duration S] [--warmup S] [--queues N] [--json]
//
// Queue q carries the calls of client port 5062+q (as RSS would keep one client socket on one
// queue), so give --queues the number of siplbd workers (memif has no RSS). Generator lcores are
// the EAL lcores (main included); queues are dealt to them round-robin. It stops by itself: every
// phase is bounded, and SIGINT/SIGTERM end the run early with a report.
#include <arpa/inet.h>
#include <dirent.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---- Tuning --------------------------------------------------------------------------------------
constexpr uint16_t kBurst = 32;
constexpr unsigned kRxBurstsPerLoop = 4;  // RX bursts per queue per loop, at most
constexpr uint16_t kRxDescriptors = 1024;
constexpr uint16_t kTxDescriptors = 1024;
constexpr unsigned kPoolMbufs = 16383;
constexpr unsigned kPoolCache = 256;
constexpr unsigned kMaxQueues = 16;
constexpr unsigned kMaxServers = 8;
constexpr uint16_t kSipPort = 5060;
constexpr uint16_t kFirstClientPort = 5062;       // queue q sends from 5062 + q
constexpr uint64_t kArpRetryMs = 200;
constexpr double kMaxDurationS = 3600;
constexpr double kMaxWarmupS = 60;
constexpr double kMaxDrainS = 10;
constexpr uint32_t kEthLen = sizeof(rte_ether_hdr);
constexpr uint32_t kUdpOffset = kEthLen + sizeof(rte_ipv4_hdr);  // even: checksum words align
constexpr uint32_t kPayloadOffset = kUdpOffset + sizeof(rte_udp_hdr);
constexpr uint32_t kHexDigits = 16;
constexpr std::string_view kStampHeader = "\r\nX-T: ";
constexpr std::string_view kCallIdMarker = "CCCCCCCCCCCCCCCC";
constexpr std::string_view kStampMarker = "TTTTTTTTTTTTTTTT";

// Message kinds of the mix, in sending order within a call.
enum Kind : uint8_t { kInvite, kAck, kBye, kOk, kKinds };
constexpr const char* kKindNames[] = {"INVITE", "ACK", "BYE", "200-OK"};

volatile std::sig_atomic_t g_stop = 0;
void on_stop(int) { g_stop = 1; }

// ---- Options -------------------------------------------------------------------------------------
struct Options {
  double rate_pps = 0;  // 0: as fast as the port takes it
  double duration_s = 10;
  double warmup_s = 1;
  double drain_s = 0.3;
  double connect_timeout_s = 10;
  double hold_s = 0;
  long observe_pid = 0;  // siplbd: its worker threads' CPU time over the window
  unsigned queues = 1;
  bool json = false;
  bool verify = true;
  std::string port_name;  // default: the first port
  std::string balancer = "10.0.0.1";
  std::string client = "10.0.0.10";
  std::vector<std::string> servers = {"10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"};
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: siplb-trafgen [EAL options] -- [options]\n"
               "\n"
               "Plays the SIP client and the SIP servers around siplbd on one DPDK port: answers ARP\n"
               "for their addresses, sends INVITE/ACK/BYE/200-OK calls to the balancer, counts what\n"
               "siplbd forwards and reports rates, loss and latency.\n"
               "\n"
               "  --rate PPS             packets per second offered (default 0: as fast as possible)\n"
               "  --duration S           measured seconds (default 10, at most 3600)\n"
               "  --warmup S             seconds sent before measuring (default 1, at most 60)\n"
               "  --drain S              seconds to wait for stragglers after sending (default 0.3)\n"
               "  --connect-timeout S    wait for link and ARP at most S seconds (default 10)\n"
               "  --hold S               after the report, keep the port open up to S seconds or until\n"
               "                         SIGINT/SIGTERM (default 0), so the peer can stop first (see below)\n"
               "  --queues N             port queues, one per siplbd worker (default 1, at most 16)\n"
               "  --port NAME            DPDK port name (default: the first port)\n"
               "  --balancer IP          siplbd's address (default 10.0.0.1)\n"
               "  --client IP            the client's address (default 10.0.0.10)\n"
               "  --servers IP,IP,...    the servers' addresses (default 10.0.0.11,...,10.0.0.14)\n"
               "  --observe-pid PID      read the CPU time of PID's DPDK worker threads at the start and\n"
               "                         the end of the window (siplbd): CPU nanoseconds per packet\n"
               "  --no-verify            skip checksum/Via checks of received packets\n"
               "  --json                 print one JSON object on stdout (the summary goes to stderr)\n"
               "\n"
               "EAL options come first, e.g. -l 0 --no-huge -m 512 --no-pci --file-prefix tg\n"
               "  --vdev net_memif0,role=client,socket=/run/siplb.sock\n"
               "Exit status: 0 after a run, 1 when the port, link or ARP set-up fails, 2 on bad options.\n"
               "\n"
               "memif: when one end disconnects, the DPDK 22.11 memif PMD of the other end unmaps the shared\n"
               "rings from its interrupt thread while a polling lcore may still read them (SIGSEGV in\n"
               "eth_memif_rx). With --hold, stop siplbd after the report and only then this generator.\n");
}

bool parse_seconds(const char* text, double max, double& out) {
  char* end;
  double v = std::strtod(text, &end);
  if (*end || !(v >= 0) || v > max) return false;
  out = v;
  return true;
}

bool valid_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

// Returns -1 to go on, else the exit code.
int parse_options(int argc, char** argv, int first, Options& o) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    auto bad = [&]() {
      std::fprintf(stderr, "siplb-trafgen: bad value for %s: '%s'\n", a.c_str(), argv[i]);
      return 2;
    };
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--no-verify") {
      o.verify = false;
    } else if (a == "--rate" && has_value) {
      if (!parse_seconds(argv[++i], 1e9, o.rate_pps)) return bad();
    } else if (a == "--duration" && has_value) {
      if (!parse_seconds(argv[++i], kMaxDurationS, o.duration_s) || o.duration_s <= 0) return bad();
    } else if (a == "--warmup" && has_value) {
      if (!parse_seconds(argv[++i], kMaxWarmupS, o.warmup_s)) return bad();
    } else if (a == "--drain" && has_value) {
      if (!parse_seconds(argv[++i], kMaxDrainS, o.drain_s)) return bad();
    } else if (a == "--observe-pid" && has_value) {
      char* end;
      o.observe_pid = std::strtol(argv[++i], &end, 10);
      if (*end || o.observe_pid <= 0) return bad();
    } else if (a == "--hold" && has_value) {
      if (!parse_seconds(argv[++i], kMaxDurationS, o.hold_s)) return bad();
    } else if (a == "--connect-timeout" && has_value) {
      if (!parse_seconds(argv[++i], 600, o.connect_timeout_s)) return bad();
    } else if (a == "--queues" && has_value) {
      char* end;
      unsigned long v = std::strtoul(argv[++i], &end, 10);
      if (*end || v == 0 || v > kMaxQueues) return bad();
      o.queues = static_cast<unsigned>(v);
    } else if (a == "--port" && has_value) {
      o.port_name = argv[++i];
    } else if (a == "--balancer" && has_value) {
      o.balancer = argv[++i];
      if (!valid_ipv4(o.balancer)) return bad();
    } else if (a == "--client" && has_value) {
      o.client = argv[++i];
      if (!valid_ipv4(o.client)) return bad();
    } else if (a == "--servers" && has_value) {
      o.servers.clear();
      std::string list = argv[++i];
      std::size_t pos = 0;
      while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        std::string ip = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!valid_ipv4(ip) || o.servers.size() == kMaxServers) return bad();
        o.servers.push_back(ip);
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    } else {
      std::fprintf(stderr, "siplb-trafgen: unknown or incomplete option '%s' (try --help)\n", a.c_str());
      return 2;
    }
  }
  return -1;
}

// ---- Addresses -----------------------------------------------------------------------------------
uint32_t ip_be(const std::string& text) {
  in_addr a{};
  inet_pton(AF_INET, text.c_str(), &a);
  return a.s_addr;
}

// Our hosts: index 0 is the client, 1..N the servers. Each has its own locally administered MAC.
struct Hosts {
  std::vector<uint32_t> ip;  // network order
  std::vector<std::string> text;
  std::vector<rte_ether_addr> mac;
  uint32_t balancer_ip = 0;
  std::string balancer_text;

  // Index of `ip_be` among our hosts, or -1.
  int find(uint32_t addr) const {
    for (std::size_t i = 0; i < ip.size(); ++i)
      if (ip[i] == addr) return static_cast<int>(i);
    return -1;
  }
};

Hosts make_hosts(const Options& o) {
  Hosts h;
  h.balancer_ip = ip_be(o.balancer);
  h.balancer_text = o.balancer;
  std::vector<std::string> all = {o.client};
  all.insert(all.end(), o.servers.begin(), o.servers.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    h.ip.push_back(ip_be(all[i]));
    h.text.push_back(all[i]);
    h.mac.push_back({{0x02, 0x54, 0x47, 0x00, 0x00, static_cast<uint8_t>(0x10 + i)}});  // "TG"
  }
  return h;
}

// ---- Frames and checksums ------------------------------------------------------------------------
void write_hex16(uint64_t v, char* out) {
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, v >>= 4) out[i] = kHex[v & 0xf];
}

bool read_hex16(const char* p, uint64_t& out) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < kHexDigits; ++i) {
    char c = p[i];
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else return false;
    v = v << 4 | d;
  }
  out = v;
  return true;
}

// Nanoseconds on CPU of the DPDK worker lcore threads of process `pid` (names "rte-worker-N",
// "lcore-worker-N" or "dpdk-worker-N", by DPDK version), from /proc/PID/task/*/schedstat; the
// number of such threads goes to `threads`. -1 when the process cannot be read.
int64_t worker_cpu_ns(long pid, unsigned& threads) {
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  int64_t total = 0;
  threads = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string task = dir + "/" + e->d_name;
    char comm[64] = {};
    if (FILE* f = std::fopen((task + "/comm").c_str(), "r")) {
      if (!std::fgets(comm, sizeof(comm), f)) comm[0] = 0;
      std::fclose(f);
    }
    std::string_view name(comm);
    if (name.find("-worker-") == std::string_view::npos) continue;
    unsigned long long ns = 0;
    if (FILE* f = std::fopen((task + "/schedstat").c_str(), "r")) {
      if (std::fscanf(f, "%llu", &ns) == 1) {
        total += static_cast<int64_t>(ns);
        ++threads;
      }
      std::fclose(f);
    }
  }
  closedir(d);
  return total;
}

// An Ethernet/IPv4/UDP frame around `payload`, checksums filled in.
std::vector<uint8_t> udp_frame(const rte_ether_addr& src_mac, const rte_ether_addr& dst_mac, uint32_t src_ip,
                               uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, std::string_view payload) {
  std::vector<uint8_t> f(kPayloadOffset + payload.size());
  auto* eth = reinterpret_cast<rte_ether_hdr*>(f.data());
  eth->dst_addr = dst_mac;
  eth->src_addr = src_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(f.size() - kEthLen));
  ip->time_to_live = 64;
  ip->next_proto_id = IPPROTO_UDP;
  ip->src_addr = src_ip;
  ip->dst_addr = dst_ip;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->src_port = rte_cpu_to_be_16(src_port);
  udp->dst_port = rte_cpu_to_be_16(dst_port);
  udp->dgram_len = rte_cpu_to_be_16(static_cast<uint16_t>(sizeof(rte_udp_hdr) + payload.size()));
  std::memcpy(f.data() + kPayloadOffset, payload.data(), payload.size());
  udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
  return f;
}

// Writes `len` bytes at frame offset `off` (inside the UDP payload) and updates the UDP checksum
// incrementally (RFC 1624) over the 16-bit-aligned window around them.
inline void patch_udp(uint8_t* frame, uint32_t off, const char* text, uint32_t len) {
  uint32_t start = kUdpOffset + ((off - kUdpOffset) & ~1u);
  uint32_t end = kUdpOffset + ((off + len - kUdpOffset + 1) & ~1u);
  uint16_t before = rte_raw_cksum(frame + start, end - start);
  std::memcpy(frame + off, text, len);
  uint16_t after = rte_raw_cksum(frame + start, end - start);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(frame + kUdpOffset);
  uint32_t sum = static_cast<uint16_t>(~udp->dgram_cksum);
  sum += static_cast<uint16_t>(~before);
  sum += after;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  uint16_t c = static_cast<uint16_t>(~sum);
  udp->dgram_cksum = c == 0 ? 0xffff : c;
}

inline void patch_hex(uint8_t* frame, uint32_t off, uint64_t v) {
  char digits[kHexDigits];
  write_hex16(v, digits);
  patch_udp(frame, off, digits, kHexDigits);
}

// A pre-built frame and where its variable digits are.
struct Template {
  std::vector<uint8_t> frame;
  uint32_t call_id_off = 0;
  uint32_t stamp_off = 0;
};

Template make_template(std::string text, const rte_ether_addr& src_mac, const rte_ether_addr& dst_mac,
                       uint32_t src_ip, uint16_t src_port, uint32_t dst_ip) {
  Template t;
  std::size_t c = text.find(kCallIdMarker), s = text.find(kStampMarker);
  text.replace(c, kHexDigits, kHexDigits, '0');
  text.replace(s, kHexDigits, kHexDigits, '0');
  t.frame = udp_frame(src_mac, dst_mac, src_ip, src_port, dst_ip, kSipPort, text);
  t.call_id_off = static_cast<uint32_t>(kPayloadOffset + c);
  t.stamp_off = static_cast<uint32_t>(kPayloadOffset + s);
  return t;
}

std::string sdp(const std::string& client) {
  return "v=0\r\n"
         "o=user1 53655765 2353687637 IN IP4 " + client + "\r\n"
         "s=-\r\n"
         "c=IN IP4 " + client + "\r\n"
         "t=0 0\r\n"
         "m=audio 6000 RTP/AVP 0 8 101\r\n"
         "a=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:8 PCMA/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\n"
         "a=ptime:20\r\n";
}

// The templates of one queue: INVITE, ACK, BYE from the client, and the 200 OK to the BYE from
// each server (the mix of perf/pipeline_bench.cpp, plus the X-T header after the start line).
struct QueueTemplates {
  Template request[3];
  std::vector<Template> ok;  // one per server
};

QueueTemplates make_queue_templates(const Hosts& h, const rte_ether_addr& balancer_mac, unsigned queue) {
  const std::string& client = h.text[0];
  const std::string& lb = h.balancer_text;
  std::string port = std::to_string(kFirstClientPort + queue);
  std::string q = std::to_string(queue);
  std::string call_id = "Call-ID: " + std::string(kCallIdMarker) + "-tg@" + client + "\r\n";
  std::string stamp = "X-T: " + std::string(kStampMarker) + "\r\n";
  std::string from = "From: \"Alice\" <sip:alice@example.com>;tag=tg" + q + "\r\n";
  std::string to = "To: <sip:service@" + lb + ":5060>\r\n";
  std::string to_tagged = "To: <sip:service@" + lb + ":5060>;tag=srv" + q + "\r\n";
  std::string via = "Via: SIP/2.0/UDP " + client + ":" + port + ";branch=z9hG4bK-tg" + q + "-";
  std::string body = sdp(client);
  std::string invite = "INVITE sip:service@" + lb + ":5060 SIP/2.0\r\n" + stamp + via + "1;rport\r\n" + from + to +
                       call_id +
                       "CSeq: 1 INVITE\r\n"
                       "Contact: <sip:alice@" + client + ":" + port + ">\r\n"
                       "Max-Forwards: 70\r\n"
                       "Subject: Performance Test\r\n"
                       "Content-Type: application/sdp\r\n"
                       "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string ack = "ACK sip:service@" + lb + ":5060 SIP/2.0\r\n" + stamp + via + "2;rport\r\n" + from + to_tagged +
                    call_id + "CSeq: 1 ACK\r\nContact: <sip:alice@" + client + ":" + port +
                    ">\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  std::string bye = "BYE sip:service@" + lb + ":5060 SIP/2.0\r\n" + stamp + via + "3;rport\r\n" + from + to_tagged +
                    call_id + "CSeq: 2 BYE\r\nContact: <sip:alice@" + client + ":" + port +
                    ">\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  std::string ok = "SIP/2.0 200 OK\r\n" + stamp + "Via: SIP/2.0/UDP " + lb +
                   ":5060;branch=z9hG4bK-slb-0123456789abcdef\r\n" + via + "3;rport=" + port + ";received=" + client +
                   "\r\n" + from + to_tagged + call_id + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
  QueueTemplates t;
  uint16_t cport = static_cast<uint16_t>(kFirstClientPort + queue);
  t.request[kInvite] = make_template(invite, h.mac[0], balancer_mac, h.ip[0], cport, h.balancer_ip);
  t.request[kAck] = make_template(ack, h.mac[0], balancer_mac, h.ip[0], cport, h.balancer_ip);
  t.request[kBye] = make_template(bye, h.mac[0], balancer_mac, h.ip[0], cport, h.balancer_ip);
  for (std::size_t s = 1; s < h.ip.size(); ++s)
    t.ok.push_back(make_template(ok, h.mac[s], balancer_mac, h.ip[s], kSipPort, h.balancer_ip));
  return t;
}

// Start-up check of patch_udp against a full checksum over patched copies of every template.
bool checksum_self_test(const QueueTemplates& t) {
  std::vector<const Template*> all = {&t.request[0], &t.request[1], &t.request[2]};
  for (const auto& o : t.ok) all.push_back(&o);
  uint64_t v = 0x0123456789abcdefull;
  for (const Template* tp : all)
    for (int round = 0; round < 64; ++round) {
      std::vector<uint8_t> f = tp->frame;
      v = v * 6364136223846793005ull + 1442695040888963407ull;
      patch_hex(f.data(), tp->call_id_off, v);
      patch_hex(f.data(), tp->stamp_off, ~v);
      auto* ip = reinterpret_cast<rte_ipv4_hdr*>(f.data() + kEthLen);
      auto* udp = reinterpret_cast<rte_udp_hdr*>(f.data() + kUdpOffset);
      if (rte_ipv4_udptcp_cksum_verify(ip, udp) != 0) return false;
    }
  return true;
}

// ---- Latency histogram (log-linear, ~3% resolution, in nanoseconds) ------------------------------
class LatencyHistogram {
 public:
  void add(uint64_t ns) {
    ++buckets_[index(ns)];
    ++count_;
    max_ = std::max(max_, ns);
  }
  void merge(const LatencyHistogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    max_ = std::max(max_, o.max_);
  }
  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  // The value below which a share `p` (0..1) of the samples lie (bucket middle); 0 when empty.
  uint64_t percentile(double p) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(p * static_cast<double>(count_ - 1)) + 1, seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (seen >= rank) return std::min(middle(i), max_);
    }
    return max_;
  }

 private:
  static constexpr unsigned kSubBits = 5;
  static constexpr std::size_t kLinear = 64;  // 0..63 ns exactly
  static constexpr std::size_t kBuckets = kLinear + (64 - 6) * (1u << kSubBits);
  static std::size_t index(uint64_t v) {
    if (v < kLinear) return v;
    unsigned e = 63u - static_cast<unsigned>(__builtin_clzll(v));
    uint64_t sub = (v >> (e - kSubBits)) & ((1u << kSubBits) - 1);
    return kLinear + (e - 6) * (1u << kSubBits) + sub;
  }
  static uint64_t middle(std::size_t i) {
    if (i < kLinear) return i;
    std::size_t e = (i - kLinear) / (1u << kSubBits) + 6, sub = (i - kLinear) % (1u << kSubBits);
    uint64_t low = ((1ull << kSubBits) + sub) << (e - kSubBits);
    return low + (1ull << (e - kSubBits)) / 2;
  }
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

// ---- Run state -----------------------------------------------------------------------------------
// Phase boundaries in TSC, fixed before the generator lcores start.
struct Timeline {
  uint64_t begin = 0;         // sending starts (warm-up)
  uint64_t window_start = 0;  // measurement starts
  uint64_t window_end = 0;    // sending stops
  uint64_t finish = 0;        // receiving stops
  bool in_window(uint64_t stamp) const { return stamp >= window_start && stamp < window_end; }
};

struct Counters {
  uint64_t sent = 0;              // accepted by the port, whole run
  uint64_t sent_window = 0;       // accepted, stamped inside the window
  uint64_t sent_kind[kKinds] = {};
  uint64_t tx_bursts = 0;
  uint64_t tx_short = 0;          // bursts the port did not take whole (ring full: back-pressure)
  uint64_t rx = 0;                // every frame received
  uint64_t forwarded_window = 0;  // forwarded packets stamped inside the window
  uint64_t forwarded_outside = 0; // forwarded packets stamped in the warm-up
  uint64_t at_server[kMaxServers][kKinds] = {};  // window, by server and request kind
  uint64_t at_client = 0;                         // window: forwarded responses
  uint64_t balancer_replies = 0;  // responses siplbd made itself (no X-T), at the client
  uint64_t arp_replies_sent = 0;
  uint64_t arp_ignored = 0;       // ARP for addresses not ours
  uint64_t probes_answered = 0;   // OPTIONS to a server answered 200
  uint64_t bad_ip_checksum = 0;
  uint64_t bad_udp_checksum = 0;
  uint64_t wrong_mac = 0;         // destination MAC is not the MAC of the destination IP
  uint64_t no_stamp = 0;          // a request at a server or a response at the client without X-T
  uint64_t via_not_added = 0;     // a forwarded request whose top Via is not the balancer's
  uint64_t via_not_removed = 0;   // a forwarded response that still has the balancer's Via
  uint64_t unexpected = 0;        // anything else (not IPv4/UDP/ARP, not to our addresses)
  uint64_t loop_cycles = 0;       // TSC spent in the loop, and in iterations that moved packets
  uint64_t busy_cycles = 0;

  void merge(const Counters& o) {
    auto* a = reinterpret_cast<uint64_t*>(this);
    auto* b = reinterpret_cast<const uint64_t*>(&o);
    for (std::size_t i = 0; i < sizeof(Counters) / sizeof(uint64_t); ++i) a[i] += b[i];
  }
};
static_assert(sizeof(Counters) % sizeof(uint64_t) == 0, "Counters::merge adds uint64_t fields");

struct QueueState {
  uint16_t queue = 0;
  uint64_t next_seq = 0;  // message number on this queue: call = seq / 4, kind = seq % 4
  rte_mbuf* pending[kBurst] = {};  // built, not yet taken by the port (oldest first)
  uint16_t stamp_off[kBurst] = {};  // frame offset of each pending packet's X-T digits
  uint8_t kind[kBurst] = {};
  uint16_t pending_count = 0;
};

struct Shared {
  uint16_t port_id = 0;
  rte_mempool* pool = nullptr;
  Hosts hosts;
  rte_ether_addr balancer_mac{};
  uint32_t arp_answered_mask = 0;  // which of our hosts got siplbd's ARP reply (siplbd learned them)
  std::vector<QueueTemplates> templates;  // by queue
  Timeline timeline;
  double rate_per_lcore_per_tsc = 0;  // packets per TSC cycle; 0: unlimited
  double ns_per_tsc = 0;
  bool verify = true;
  long observe_pid = 0;
  int64_t observed_start_ns = -1, observed_end_ns = -1;  // set by the main lcore's loop
  unsigned observed_threads = 0;
  std::string via_balancer;  // "Via: SIP/2.0/UDP 10.0.0.1:": must be gone from forwarded responses
  std::string via_added;     // "\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-": tops requests
};

struct alignas(64) LcoreWork {
  Shared* shared = nullptr;
  std::vector<QueueState> queues;
  Counters counters;
  LatencyHistogram latency;
};

// ---- Receive side --------------------------------------------------------------------------------
bool has(std::string_view payload, std::string_view what, std::size_t limit = std::string_view::npos) {
  return payload.substr(0, std::min(limit, payload.size())).find(what) != std::string_view::npos;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Replies 200 OK to an OPTIONS health probe that siplbd sent to server `host`.
void answer_probe(Shared& sh, Counters& c, rte_mbuf** tx, uint16_t& tx_count, int host, uint32_t to_ip,
                  uint16_t to_port, const rte_ether_addr& to_mac, std::string_view msg) {
  std::string reply = "SIP/2.0 200 OK\r\n";
  std::size_t pos = msg.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < msg.size()) {
    std::size_t next = msg.find("\r\n", pos + 2);
    if (next == std::string_view::npos || next == pos + 2) break;  // end of headers
    std::string_view line = msg.substr(pos + 2, next - pos - 2);
    std::string lower(line.substr(0, line.find(':')));
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    while (!lower.empty() && lower.back() == ' ') lower.pop_back();
    if (lower == "via" || lower == "v" || lower == "from" || lower == "f" || lower == "call-id" ||
        lower == "i" || lower == "cseq")
      reply.append(line).append("\r\n");
    else if (lower == "to" || lower == "t")
      reply.append(line).append(has(line, ";tag=") ? "" : ";tag=tgprobe").append("\r\n");
    pos = next;
  }
  reply += "Content-Length: 0\r\n\r\n";
  std::vector<uint8_t> f =
      udp_frame(sh.hosts.mac[host], to_mac, sh.hosts.ip[host], kSipPort, to_ip, to_port, reply);
  rte_mbuf* m = rte_pktmbuf_alloc(sh.pool);
  if (!m) return;
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(f.size()));
  if (!p || tx_count == kBurst) {
    rte_pktmbuf_free(m);
    return;
  }
  std::memcpy(p, f.data(), f.size());
  tx[tx_count++] = m;
  ++c.probes_answered;
}

// Handles one received frame: ARP (answered in place into `tx`), forwarded SIP (counted), probes.
// Frees the mbuf unless it was reused for a reply.
void receive(LcoreWork& w, rte_mbuf* m, uint64_t now, rte_mbuf** tx, uint16_t& tx_count) {
  Shared& sh = *w.shared;
  Counters& c = w.counters;
  ++c.rx;
  if (m->data_len < kEthLen || m->nb_segs != 1) {
    ++c.unexpected;
    rte_pktmbuf_free(m);
    return;
  }
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) && m->data_len >= kEthLen + sizeof(rte_arp_hdr)) {
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    int host = sh.hosts.find(arp->arp_data.arp_tip);
    uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
    if (host >= 0 && op == RTE_ARP_OP_REPLY && arp->arp_data.arp_sip == sh.hosts.balancer_ip) {
      sh.balancer_mac = arp->arp_data.arp_sha;  // main lcore only: replies come before launch
      sh.arp_answered_mask |= 1u << host;
      rte_pktmbuf_free(m);
      return;
    }
    if (host < 0 || op != RTE_ARP_OP_REQUEST || tx_count == kBurst) {
      ++c.arp_ignored;
      rte_pktmbuf_free(m);
      return;
    }
    // The request becomes our reply in place.
    arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
    arp->arp_data.arp_tha = arp->arp_data.arp_sha;
    arp->arp_data.arp_tip = arp->arp_data.arp_sip;
    arp->arp_data.arp_sha = sh.hosts.mac[host];
    arp->arp_data.arp_sip = sh.hosts.ip[host];
    eth->dst_addr = eth->src_addr;
    eth->src_addr = sh.hosts.mac[host];
    tx[tx_count++] = m;
    ++c.arp_replies_sent;
    return;
  }
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || m->data_len < kPayloadOffset) {
    ++c.unexpected;
    rte_pktmbuf_free(m);
    return;
  }
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  int host = sh.hosts.find(ip->dst_addr);
  uint32_t udp_len = rte_be_to_cpu_16(udp->dgram_len);
  if (host < 0 || ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_UDP ||
      udp_len < sizeof(rte_udp_hdr) || kUdpOffset + udp_len > m->data_len) {
    ++c.unexpected;
    rte_pktmbuf_free(m);
    return;
  }
  std::string_view payload(reinterpret_cast<const char*>(udp + 1), udp_len - sizeof(rte_udp_hdr));
  if (sh.verify) {
    if (rte_raw_cksum(ip, sizeof(*ip)) != 0xffff) ++c.bad_ip_checksum;
    if (udp->dgram_cksum == 0 || rte_ipv4_udptcp_cksum_verify(ip, udp) != 0) ++c.bad_udp_checksum;
    if (!rte_is_same_ether_addr(&eth->dst_addr, &sh.hosts.mac[host])) ++c.wrong_mac;
  }
  // The send stamp: X-T is the first header we put in; siplbd inserts its Via after the start line.
  uint64_t stamp = 0;
  std::size_t at = payload.find(kStampHeader);
  bool stamped = at != std::string_view::npos && at + kStampHeader.size() + kHexDigits <= payload.size() &&
                 read_hex16(payload.data() + at + kStampHeader.size(), stamp);
  bool response = starts_with(payload, "SIP/2.0 ");
  if (host == 0) {
    if (!response) {
      ++c.unexpected;
    } else if (!stamped) {
      ++c.balancer_replies;  // a reply siplbd made itself (e.g. 503): not forwarded traffic
    } else {
      if (sh.verify && has(payload, sh.via_balancer)) ++c.via_not_removed;
      if (sh.timeline.in_window(stamp)) {
        ++c.forwarded_window;
        ++c.at_client;
        w.latency.add(now > stamp ? static_cast<uint64_t>(static_cast<double>(now - stamp) * sh.ns_per_tsc) : 0);
      } else {
        ++c.forwarded_outside;
      }
    }
  } else if (response) {
    ++c.unexpected;
  } else if (!stamped) {
    if (starts_with(payload, "OPTIONS "))
      answer_probe(sh, c, tx, tx_count, host, ip->src_addr, rte_be_to_cpu_16(udp->src_port), eth->src_addr, payload);
    else
      ++c.no_stamp;
  } else {
    Kind k = starts_with(payload, "INVITE ") ? kInvite
             : starts_with(payload, "ACK ")  ? kAck
             : starts_with(payload, "BYE ")  ? kBye
                                             : kOk;  // kOk slot counts "other" requests at a server
    if (sh.verify && !has(payload, sh.via_added, 256))
      ++c.via_not_added;
    if (sh.timeline.in_window(stamp)) {
      ++c.forwarded_window;
      ++c.at_server[host - 1][k];
      w.latency.add(now > stamp ? static_cast<uint64_t>(static_cast<double>(now - stamp) * sh.ns_per_tsc) : 0);
    } else {
      ++c.forwarded_outside;
    }
  }
  rte_pktmbuf_free(m);
}

// Receives one burst on `queue` and handles it; ARP and probe answers go out at once.
uint16_t poll_rx(LcoreWork& w, uint16_t queue, uint64_t now) {
  Shared& sh = *w.shared;
  rte_mbuf* burst[kBurst];
  uint16_t n = rte_eth_rx_burst(sh.port_id, queue, burst, kBurst);
  rte_mbuf* tx[kBurst];
  uint16_t tx_count = 0;
  for (uint16_t i = 0; i < n; ++i) receive(w, burst[i], now, tx, tx_count);
  if (tx_count) {
    uint16_t sent = rte_eth_tx_burst(sh.port_id, queue, tx, tx_count);
    if (sent < tx_count) rte_pktmbuf_free_bulk(tx + sent, tx_count - sent);
  }
  return n;
}

// ---- Send side -----------------------------------------------------------------------------------
// Builds up to `want` packets of the mix into q.pending.
void build_burst(LcoreWork& w, QueueState& q, uint16_t want) {
  Shared& sh = *w.shared;
  if (rte_pktmbuf_alloc_bulk(sh.pool, q.pending, want) != 0) return;
  const QueueTemplates& t = sh.templates[q.queue];
  for (uint16_t i = 0; i < want; ++i, ++q.next_seq) {
    unsigned kind = q.next_seq & 3;
    uint64_t call = (uint64_t{q.queue} << 48) | (q.next_seq >> 2);
    const Template& tp = kind == kOk ? t.ok[call % t.ok.size()] : t.request[kind];
    rte_mbuf* m = q.pending[i];
    auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(tp.frame.size())));
    std::memcpy(p, tp.frame.data(), tp.frame.size());
    patch_hex(p, tp.call_id_off, call);
    q.stamp_off[i] = static_cast<uint16_t>(tp.stamp_off);
    q.kind[i] = static_cast<uint8_t>(kind);
  }
  q.pending_count = want;
}

// Stamps the pending packets with `now` and offers them to the port; keeps what it does not take.
uint16_t send_pending(LcoreWork& w, QueueState& q, uint64_t now) {
  Shared& sh = *w.shared;
  for (uint16_t i = 0; i < q.pending_count; ++i)
    patch_hex(rte_pktmbuf_mtod(q.pending[i], uint8_t*), q.stamp_off[i], now);
  uint16_t sent = rte_eth_tx_burst(sh.port_id, q.queue, q.pending, q.pending_count);
  ++w.counters.tx_bursts;
  for (uint16_t i = 0; i < sent; ++i) ++w.counters.sent_kind[q.kind[i]];
  if (sent < q.pending_count) {
    ++w.counters.tx_short;
    uint16_t left = static_cast<uint16_t>(q.pending_count - sent);
    std::memmove(q.pending, q.pending + sent, left * sizeof(rte_mbuf*));
    std::memmove(q.stamp_off, q.stamp_off + sent, left * sizeof(uint16_t));
    std::memmove(q.kind, q.kind + sent, left);
  }
  q.pending_count = static_cast<uint16_t>(q.pending_count - sent);
  w.counters.sent += sent;
  if (sh.timeline.in_window(now)) w.counters.sent_window += sent;
  return sent;
}

int lcore_main(void* arg) {
  LcoreWork& w = *static_cast<LcoreWork*>(arg);
  Shared& sh = *w.shared;
  const Timeline& tl = sh.timeline;
  uint64_t last = rte_rdtsc();
  bool observer = sh.observe_pid && rte_lcore_id() == rte_get_main_lcore();
  while (!g_stop) {
    uint64_t now = rte_rdtsc();
    if (now >= tl.finish) break;
    if (observer && sh.observed_start_ns < 0 && now >= tl.window_start)
      sh.observed_start_ns = worker_cpu_ns(sh.observe_pid, sh.observed_threads);
    if (observer && sh.observed_end_ns < 0 && now >= tl.window_end)
      sh.observed_end_ns = worker_cpu_ns(sh.observe_pid, sh.observed_threads);
    bool sending = now < tl.window_end;
    uint64_t moved = 0;
    for (QueueState& q : w.queues) {
      // Receive first and until the queue is empty (bounded): a full RX ring makes siplbd drop.
      for (unsigned b = 0; b < kRxBurstsPerLoop; ++b) {
        uint16_t n = poll_rx(w, q.queue, now);
        moved += n;
        if (n < kBurst) break;
      }
      if (!sending) continue;
      if (q.pending_count == 0) {
        uint64_t want = kBurst;
        if (sh.rate_per_lcore_per_tsc > 0) {
          double due = static_cast<double>(now - tl.begin) * sh.rate_per_lcore_per_tsc;
          uint64_t allowed = static_cast<uint64_t>(due) > w.counters.sent ? static_cast<uint64_t>(due) - w.counters.sent : 0;
          // Several queues on one lcore share its quota.
          want = std::min<uint64_t>(kBurst, allowed);
        }
        if (want) build_burst(w, q, static_cast<uint16_t>(want));
      }
      if (q.pending_count) moved += send_pending(w, q, now);
    }
    w.counters.loop_cycles += now - last;
    if (moved) w.counters.busy_cycles += now - last;
    last = now;
  }
  for (QueueState& q : w.queues) {
    rte_pktmbuf_free_bulk(q.pending, q.pending_count);
    q.pending_count = 0;
  }
  return 0;
}

// ---- Set-up --------------------------------------------------------------------------------------
bool start_port(const Options& o, Shared& sh, std::string& error) {
  if (o.port_name.empty()) {
    if (rte_eth_dev_count_avail() == 0) {
      error = "no DPDK port (give one to EAL, e.g. --vdev net_memif0,role=client,socket=PATH)";
      return false;
    }
    sh.port_id = static_cast<uint16_t>(rte_eth_find_next_owned_by(0, RTE_ETH_DEV_NO_OWNER));
  } else if (rte_eth_dev_get_port_by_name(o.port_name.c_str(), &sh.port_id) != 0) {
    error = "no DPDK port named '" + o.port_name + "'";
    return false;
  }
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(sh.port_id, &info) != 0) {
    error = "rte_eth_dev_info_get failed";
    return false;
  }
  if (o.queues > info.max_rx_queues || o.queues > info.max_tx_queues) {
    error = "the port has at most " + std::to_string(std::min(info.max_rx_queues, info.max_tx_queues)) +
            " queues, " + std::to_string(o.queues) + " wanted";
    return false;
  }
  rte_eth_conf conf{};
  uint16_t queues = static_cast<uint16_t>(o.queues);
  if (int rc = rte_eth_dev_configure(sh.port_id, queues, queues, &conf); rc != 0) {
    error = std::string("rte_eth_dev_configure: ") + std::strerror(-rc);
    return false;
  }
  uint16_t rxd = kRxDescriptors, txd = kTxDescriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(sh.port_id, &rxd, &txd);
  int socket = std::max(0, rte_eth_dev_socket_id(sh.port_id));
  for (uint16_t q = 0; q < queues; ++q) {
    if (rte_eth_rx_queue_setup(sh.port_id, q, rxd, socket, nullptr, sh.pool) != 0 ||
        rte_eth_tx_queue_setup(sh.port_id, q, txd, socket, nullptr) != 0) {
      error = "queue " + std::to_string(q) + " set-up failed";
      return false;
    }
  }
  if (int rc = rte_eth_dev_start(sh.port_id); rc != 0) {
    error = std::string("rte_eth_dev_start: ") + std::strerror(-rc);
    return false;
  }
  rte_eth_promiscuous_enable(sh.port_id);  // may be unsupported (memif); not needed then
  return true;
}

bool wait_link(uint16_t port, uint64_t deadline) {
  while (!g_stop && rte_rdtsc() < deadline) {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP) return true;
    rte_delay_ms(10);
  }
  return false;
}

void send_arp_request(Shared& sh, std::size_t host) {
  rte_mbuf* m = rte_pktmbuf_alloc(sh.pool);
  if (!m) return;
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, kEthLen + sizeof(rte_arp_hdr)));
  std::memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
  eth->src_addr = sh.hosts.mac[host];
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = RTE_ETHER_ADDR_LEN;
  arp->arp_plen = 4;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
  arp->arp_data.arp_sha = sh.hosts.mac[host];
  arp->arp_data.arp_sip = sh.hosts.ip[host];
  std::memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
  arp->arp_data.arp_tip = sh.hosts.balancer_ip;
  if (rte_eth_tx_burst(sh.port_id, 0, &m, 1) != 1) rte_pktmbuf_free(m);
}

// Asks siplbd for its MAC from every one of our addresses, so that it also learns all of ours
// (the sender of an ARP request addressed to it) before traffic starts. True once all answered.
bool resolve_balancer(LcoreWork& w, unsigned queues, uint64_t deadline) {
  Shared& sh = *w.shared;
  uint64_t retry = rte_get_tsc_hz() / 1000 * kArpRetryMs, next = 0;
  uint32_t all = (1u << sh.hosts.ip.size()) - 1;
  while (!g_stop && rte_rdtsc() < deadline) {
    uint64_t now = rte_rdtsc();
    if (now >= next) {
      for (std::size_t h = 0; h < sh.hosts.ip.size(); ++h)
        if (!(sh.arp_answered_mask & (1u << h))) send_arp_request(sh, h);
      next = now + retry;
    }
    for (uint16_t q = 0; q < queues; ++q) poll_rx(w, q, now);
    if (sh.arp_answered_mask == all) return true;
  }
  return false;
}

// ---- Report --------------------------------------------------------------------------------------
struct Report {
  double duration_s = 0, sent_pps = 0, forwarded_pps = 0, loss_pct = 0;
  double observed_cpu_s = -1, observed_ns_per_packet = -1;  // -1: not observed
  unsigned observed_threads = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max_us = 0;
};

std::string json_report(const Options& o, const Shared& sh, const Counters& c, const LatencyHistogram& h,
                        const Report& r, unsigned lcores) {
  char buf[512];
  std::string j = "{";
  std::snprintf(buf, sizeof(buf),
                "\"duration_s\":%.3f,\"warmup_s\":%.3f,\"rate_pps\":%.0f,\"queues\":%u,\"lcores\":%u,"
                "\"sent\":%llu,\"forwarded\":%llu,\"sent_pps\":%.0f,\"forwarded_pps\":%.0f,\"loss_pct\":%.4f,",
                r.duration_s, o.warmup_s, o.rate_pps, o.queues, lcores,
                static_cast<unsigned long long>(c.sent_window), static_cast<unsigned long long>(c.forwarded_window),
                r.sent_pps, r.forwarded_pps, r.loss_pct);
  j += buf;
  std::snprintf(buf, sizeof(buf),
                "\"latency_us\":{\"samples\":%llu,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"p99_9\":%.2f,\"max\":%.2f},",
                static_cast<unsigned long long>(h.count()), r.p50, r.p90, r.p99, r.p999, r.max_us);
  j += buf;
  std::snprintf(buf, sizeof(buf),
                "\"observed\":{\"pid\":%ld,\"worker_threads\":%u,\"worker_cpu_s\":%.4f,\"cpu_ns_per_packet\":%.1f},",
                o.observe_pid, r.observed_threads, r.observed_cpu_s, r.observed_ns_per_packet);
  j += buf;
  j += "\"per_destination\":{";
  for (std::size_t s = 0; s + 1 < sh.hosts.ip.size(); ++s) {
    std::snprintf(buf, sizeof(buf), "%s\"%s\":{\"INVITE\":%llu,\"ACK\":%llu,\"BYE\":%llu,\"other\":%llu}",
                  s ? "," : "", sh.hosts.text[s + 1].c_str(), static_cast<unsigned long long>(c.at_server[s][kInvite]),
                  static_cast<unsigned long long>(c.at_server[s][kAck]), static_cast<unsigned long long>(c.at_server[s][kBye]),
                  static_cast<unsigned long long>(c.at_server[s][kOk]));
    j += buf;
  }
  std::snprintf(buf, sizeof(buf), ",\"%s\":{\"responses\":%llu}},", sh.hosts.text[0].c_str(),
                static_cast<unsigned long long>(c.at_client));
  j += buf;
  std::snprintf(buf, sizeof(buf),
                "\"tx_bursts\":%llu,\"tx_short_bursts\":%llu,\"generator_busy_pct\":%.1f,\"forwarded_in_warmup\":%llu,"
                "\"balancer_replies\":%llu,\"probes_answered\":%llu,\"arp_replies_sent\":%llu,",
                static_cast<unsigned long long>(c.tx_bursts), static_cast<unsigned long long>(c.tx_short),
                c.loop_cycles ? 100.0 * static_cast<double>(c.busy_cycles) / static_cast<double>(c.loop_cycles) : 0.0,
                static_cast<unsigned long long>(c.forwarded_outside), static_cast<unsigned long long>(c.balancer_replies),
                static_cast<unsigned long long>(c.probes_answered), static_cast<unsigned long long>(c.arp_replies_sent));
  j += buf;
  std::snprintf(buf, sizeof(buf),
                "\"checks\":{\"verified\":%s,\"bad_ip_checksum\":%llu,\"bad_udp_checksum\":%llu,\"wrong_mac\":%llu,"
                "\"no_stamp\":%llu,\"via_not_added\":%llu,\"via_not_removed\":%llu,\"unexpected\":%llu}}",
                sh.verify ? "true" : "false", static_cast<unsigned long long>(c.bad_ip_checksum),
                static_cast<unsigned long long>(c.bad_udp_checksum), static_cast<unsigned long long>(c.wrong_mac),
                static_cast<unsigned long long>(c.no_stamp), static_cast<unsigned long long>(c.via_not_added),
                static_cast<unsigned long long>(c.via_not_removed), static_cast<unsigned long long>(c.unexpected));
  j += buf;
  return j;
}

void human_report(FILE* out, const Options& o, const Shared& sh, const Counters& c, const LatencyHistogram& h,
                  const Report& r, unsigned lcores) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::fprintf(out, "siplb-trafgen: %.1f s measured after %.1f s warm-up; %u queue(s), %u generator lcore(s); offered %s\n",
               r.duration_s, o.warmup_s, o.queues, lcores,
               o.rate_pps > 0 ? (std::to_string(static_cast<uint64_t>(o.rate_pps)) + " pps").c_str() : "as fast as possible");
  std::fprintf(out, "  sent       %12llu packets  %12.0f pps  (INVITE %llu, ACK %llu, BYE %llu, 200 OK %llu over the run)\n",
               u(c.sent_window), r.sent_pps, u(c.sent_kind[kInvite]), u(c.sent_kind[kAck]), u(c.sent_kind[kBye]),
               u(c.sent_kind[kOk]));
  std::fprintf(out, "  forwarded  %12llu packets  %12.0f pps  (requests at servers %llu, responses at client %llu)\n",
               u(c.forwarded_window), r.forwarded_pps, u(c.forwarded_window - c.at_client), u(c.at_client));
  std::fprintf(out, "  loss       %.4f %%\n", r.loss_pct);
  std::fprintf(out, "  latency    p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  (%llu samples)\n",
               r.p50, r.p90, r.p99, r.p999, r.max_us, u(h.count()));
  if (r.observed_threads)
    std::fprintf(out, "  observed   pid %ld: %u worker thread(s) on CPU %.3f s in the window (%.0f %% of %u core(s)), "
                      "%.0f CPU ns per packet taken\n",
                 o.observe_pid, r.observed_threads, r.observed_cpu_s,
                 r.duration_s > 0 ? 100.0 * r.observed_cpu_s / (r.duration_s * r.observed_threads) : 0.0,
                 r.observed_threads, r.observed_ns_per_packet);
  std::fprintf(out, "  per destination (measured window):\n");
  for (std::size_t s = 0; s + 1 < sh.hosts.ip.size(); ++s)
    std::fprintf(out, "    %-15s INVITE %10llu  ACK %10llu  BYE %10llu  other %llu\n", sh.hosts.text[s + 1].c_str(),
                 u(c.at_server[s][kInvite]), u(c.at_server[s][kAck]), u(c.at_server[s][kBye]), u(c.at_server[s][kOk]));
  std::fprintf(out, "    %-15s responses %llu\n", sh.hosts.text[0].c_str(), u(c.at_client));
  std::fprintf(out, "  port back-pressure: %llu of %llu bursts not taken whole (%.1f %%); generator busy %.1f %% of its loop\n",
               u(c.tx_short), u(c.tx_bursts), c.tx_bursts ? 100.0 * static_cast<double>(c.tx_short) / static_cast<double>(c.tx_bursts) : 0.0,
               c.loop_cycles ? 100.0 * static_cast<double>(c.busy_cycles) / static_cast<double>(c.loop_cycles) : 0.0);
  std::fprintf(out, "  other: forwarded during warm-up %llu, replies made by siplbd %llu, probes answered %llu, ARP replies %llu, ARP ignored %llu\n",
               u(c.forwarded_outside), u(c.balancer_replies), u(c.probes_answered), u(c.arp_replies_sent), u(c.arp_ignored));
  if (sh.verify)
    std::fprintf(out, "  checks: bad IP checksum %llu, bad UDP checksum %llu, wrong MAC %llu, no X-T %llu, "
                      "Via not added %llu, Via not removed %llu, unexpected %llu\n",
                 u(c.bad_ip_checksum), u(c.bad_udp_checksum), u(c.wrong_mac), u(c.no_stamp), u(c.via_not_added),
                 u(c.via_not_removed), u(c.unexpected));
  std::fflush(out);
}

}  // namespace

int main(int argc, char** argv) {
  int dashdash = argc;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--") == 0) {
      dashdash = i;
      break;
    }
  for (int i = 1; i < dashdash; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
  Options opts;
  if (int rc = parse_options(argc, argv, dashdash + 1, opts); rc >= 0) return rc;

  rte_openlog_stream(stderr);  // EAL logs stay off stdout, which carries the report (or JSON)
  if (rte_eal_init(dashdash, argv) < 0) {
    std::fprintf(stderr, "siplb-trafgen: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  std::signal(SIGINT, on_stop);
  std::signal(SIGTERM, on_stop);

  int exit_code = 0;
  Shared sh;
  sh.hosts = make_hosts(opts);
  sh.verify = opts.verify;
  sh.observe_pid = opts.observe_pid;
  sh.via_balancer = "Via: SIP/2.0/UDP " + opts.balancer + ":";
  sh.via_added = "\r\nVia: SIP/2.0/UDP " + opts.balancer + ":5060;branch=z9hG4bK-slb-";
  sh.ns_per_tsc = 1e9 / static_cast<double>(rte_get_tsc_hz());
  std::vector<std::unique_ptr<LcoreWork>> work;
  bool port_started = false;
  do {
    sh.pool = rte_pktmbuf_pool_create("trafgen_pool", kPoolMbufs, kPoolCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                      static_cast<int>(rte_socket_id()));
    if (!sh.pool) {
      std::fprintf(stderr, "siplb-trafgen: cannot create the mbuf pool: %s (more memory: -m)\n", rte_strerror(rte_errno));
      exit_code = 1;
      break;
    }
    std::string error;
    if (!start_port(opts, sh, error)) {
      std::fprintf(stderr, "siplb-trafgen: port: %s\n", error.c_str());
      exit_code = 1;
      break;
    }
    port_started = true;
    uint64_t hz = rte_get_tsc_hz();
    uint64_t deadline = rte_rdtsc() + static_cast<uint64_t>(opts.connect_timeout_s * static_cast<double>(hz));
    if (!wait_link(sh.port_id, deadline)) {
      std::fprintf(stderr, "siplb-trafgen: link did not come up within %.0f s (is siplbd's memif server on the socket?)\n",
                   opts.connect_timeout_s);
      exit_code = 1;
      break;
    }
    // One work item per lcore; the main lcore's does the ARP exchange before the launch.
    unsigned lcore;
    RTE_LCORE_FOREACH(lcore) {
      work.push_back(std::make_unique<LcoreWork>());
      work.back()->shared = &sh;
    }
    unsigned nl = static_cast<unsigned>(work.size());
    for (unsigned q = 0; q < opts.queues; ++q) {
      QueueState qs;
      qs.queue = static_cast<uint16_t>(q);
      work[q % nl]->queues.push_back(qs);
    }
    unsigned active = std::min(nl, opts.queues);  // lcores with a queue; the others stay idle
    if (!resolve_balancer(*work[0], opts.queues, deadline)) {
      std::fprintf(stderr,
                   "siplb-trafgen: %s did not answer ARP from all of our addresses within %.0f s "
                   "(answered mask 0x%x)\n",
                   sh.hosts.balancer_text.c_str(), opts.connect_timeout_s, sh.arp_answered_mask);
      exit_code = 1;
      break;
    }
    for (unsigned q = 0; q < opts.queues; ++q) sh.templates.push_back(make_queue_templates(sh.hosts, sh.balancer_mac, q));
    if (!checksum_self_test(sh.templates[0])) {
      std::fprintf(stderr, "siplb-trafgen: internal error: incremental UDP checksum disagrees with a full one\n");
      exit_code = 1;
      break;
    }
    char mac[RTE_ETHER_ADDR_FMT_SIZE];
    rte_ether_format_addr(mac, sizeof(mac), &sh.balancer_mac);
    std::fprintf(stderr, "siplb-trafgen: %s is at %s; INVITE frame %zu octets; running %.1f s + %.1f s warm-up\n",
                 sh.hosts.balancer_text.c_str(), mac, sh.templates[0].request[kInvite].frame.size(), opts.duration_s,
                 opts.warmup_s);

    Timeline& tl = sh.timeline;
    tl.begin = rte_rdtsc() + hz / 100;  // lets the lcores start together
    tl.window_start = tl.begin + static_cast<uint64_t>(opts.warmup_s * static_cast<double>(hz));
    tl.window_end = tl.window_start + static_cast<uint64_t>(opts.duration_s * static_cast<double>(hz));
    tl.finish = tl.window_end + static_cast<uint64_t>(opts.drain_s * static_cast<double>(hz));
    sh.rate_per_lcore_per_tsc = opts.rate_pps > 0 ? opts.rate_pps / active / static_cast<double>(hz) : 0;
    unsigned i = 0;
    RTE_LCORE_FOREACH_WORKER(lcore) {
      LcoreWork* w = work[++i].get();
      if (!w->queues.empty()) rte_eal_remote_launch(lcore_main, w, lcore);  // more lcores than queues: idle
    }
    lcore_main(work[0].get());
    rte_eal_mp_wait_lcore();

    Counters total;
    LatencyHistogram latency;
    for (const auto& w : work) {
      total.merge(w->counters);
      latency.merge(w->latency);
    }
    Report r;
    uint64_t end = std::min(rte_rdtsc(), tl.window_end);
    r.duration_s = end > tl.window_start ? static_cast<double>(end - tl.window_start) / static_cast<double>(hz) : 0;
    if (r.duration_s > 0) {
      r.sent_pps = static_cast<double>(total.sent_window) / r.duration_s;
      r.forwarded_pps = static_cast<double>(total.forwarded_window) / r.duration_s;
    }
    r.loss_pct = total.sent_window
                     ? 100.0 * (static_cast<double>(total.sent_window) - static_cast<double>(total.forwarded_window)) /
                           static_cast<double>(total.sent_window)
                     : 0;
    r.p50 = static_cast<double>(latency.percentile(0.50)) / 1000;
    r.p90 = static_cast<double>(latency.percentile(0.90)) / 1000;
    r.p99 = static_cast<double>(latency.percentile(0.99)) / 1000;
    r.p999 = static_cast<double>(latency.percentile(0.999)) / 1000;
    r.max_us = static_cast<double>(latency.max()) / 1000;
    if (sh.observed_start_ns >= 0 && sh.observed_end_ns >= sh.observed_start_ns && sh.observed_threads) {
      r.observed_threads = sh.observed_threads;
      r.observed_cpu_s = static_cast<double>(sh.observed_end_ns - sh.observed_start_ns) / 1e9;
      if (total.sent_window)
        r.observed_ns_per_packet = r.observed_cpu_s * 1e9 / static_cast<double>(total.sent_window);
    }
    human_report(opts.json ? stderr : stdout, opts, sh, total, latency, r, active);
    if (opts.json) {
      std::printf("%s\n", json_report(opts, sh, total, latency, r, active).c_str());
      std::fflush(stdout);
    }
    // Nothing polls the port any more: the peer may disconnect safely now.
    for (uint64_t until = rte_rdtsc() + static_cast<uint64_t>(opts.hold_s * static_cast<double>(hz));
         !g_stop && rte_rdtsc() < until;)
      rte_delay_us_sleep(10000);
  } while (false);

  if (port_started) {
    rte_eth_dev_stop(sh.port_id);
    rte_eth_dev_close(sh.port_id);
  }
  rte_mempool_free(sh.pool);
  rte_eal_cleanup();
  return exit_code;
}
