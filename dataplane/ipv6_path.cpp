// IPv6 for the worker: neighbour discovery (answering solicitations for our address, resolving
// next hops), ICMPv6 echo, reassembly of fragmented SIP datagrams, UDP (checksum mandatory), and
// the IPv6 output side with fragmentation at the MTU.
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_udp.h>

#include <cstring>

#include "checksum.hpp"
#include "checksum_offload.hpp"
#include "packet_path.hpp"

namespace siplb::dataplane {
namespace {

constexpr uint32_t kEthLen = sizeof(rte_ether_hdr);
constexpr uint32_t kIp6Len = sizeof(rte_ipv6_hdr);
constexpr uint8_t kProtoIcmp6 = 58;
constexpr uint8_t kProtoFragment = 44;
constexpr uint8_t kIcmp6EchoRequest = 128;
constexpr uint8_t kIcmp6EchoReply = 129;
constexpr uint8_t kNeighborSolicitation = 135;
constexpr uint8_t kNeighborAdvertisement = 136;
constexpr uint8_t kOptionSourceLinkAddress = 1;
constexpr uint8_t kOptionTargetLinkAddress = 2;
constexpr uint8_t kNdpHopLimit = 255;  // RFC 4861: NDP packets must carry 255
constexpr uint8_t kDefaultHopLimit = 64;

struct __attribute__((packed)) Icmp6Header {
  uint8_t type;
  uint8_t code;
  uint16_t checksum;
};

// Neighbour solicitation / advertisement: ICMPv6 header, 4 octets of flags, the target.
struct __attribute__((packed)) NdpMessage {
  Icmp6Header icmp;
  uint32_t flags;
  uint8_t target[16];
};
struct __attribute__((packed)) NdpLinkOption {
  uint8_t type;
  uint8_t length;  // in units of 8 octets
  uint8_t mac[6];
};

// Sum of the IPv6 pseudo-header for an upper-layer packet of `length` octets.
uint64_t pseudo_header_sum(const rte_ipv6_hdr* ip, uint32_t length, uint8_t proto) {
  uint64_t s = checksum_partial(ip->src_addr, 32);
  return s + rte_cpu_to_be_32(length) + rte_cpu_to_be_32(proto);
}

uint16_t upper_checksum(const rte_ipv6_hdr* ip, const void* l4, uint32_t length, uint8_t proto) {
  uint16_t c = static_cast<uint16_t>(~checksum_fold(checksum_partial(l4, length, pseudo_header_sum(ip, length, proto))));
  return c;
}

bool upper_checksum_ok(const rte_ipv6_hdr* ip, const void* l4, uint32_t length, uint8_t proto) {
  return checksum_fold(checksum_partial(l4, length, pseudo_header_sum(ip, length, proto))) == 0xffff;
}

bool same_prefix(const uint8_t* a, const uint8_t* b, uint8_t bits) {
  uint8_t full = bits / 8;
  if (std::memcmp(a, b, full) != 0) return false;
  if (bits % 8 == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits % 8));
  return (a[full] & mask) == (b[full] & mask);
}

// ff02::1:ffXX:XXXX, the solicited-node multicast address of `ip`.
void solicited_node(const uint8_t* ip, uint8_t* out) {
  static const uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  std::memcpy(out, kPrefix, 13);
  std::memcpy(out + 13, ip + 13, 3);
}

void multicast_mac(const uint8_t* ip, rte_ether_addr& mac) {
  mac.addr_bytes[0] = 0x33;
  mac.addr_bytes[1] = 0x33;
  std::memcpy(&mac.addr_bytes[2], ip + 12, 4);
}

bool is_for_us(const Interface& iface, const uint8_t* dst) {
  if (std::memcmp(dst, iface.ip6, 16) == 0) return true;
  uint8_t sn[16];
  solicited_node(iface.ip6, sn);
  if (std::memcmp(dst, sn, 16) == 0) return true;
  static const uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  return std::memcmp(dst, kAllNodes, 16) == 0;
}

// Sends a neighbour solicitation for `target` unless one went out within arp_retry.
void solicit(WorkerContext& ctx, uint16_t iface_index, const uint8_t* target) {
  const Shared& sh = *ctx.shared;
  Neighbor6Entry* e = sh.neighbors6->find(target, true);
  if (!e) return;
  uint64_t last = e->requested_tsc.load(std::memory_order_relaxed);
  if (last != 0 && ctx.now_tsc - last < sh.arp_retry_tsc) return;
  e->requested_tsc.store(ctx.now_tsc, std::memory_order_relaxed);
  rte_mbuf* m = rte_pktmbuf_alloc(sh.pool);
  if (!m) return ctx.counters.drop(DropReason::mbuf_alloc_failed);
  const Interface& iface = sh.interfaces[iface_index];
  uint32_t l4 = sizeof(NdpMessage) + sizeof(NdpLinkOption);
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(kEthLen + kIp6Len + l4));
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
  auto* ns = reinterpret_cast<NdpMessage*>(ip + 1);
  auto* opt = reinterpret_cast<NdpLinkOption*>(ns + 1);
  ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
  ip->payload_len = rte_cpu_to_be_16(static_cast<uint16_t>(l4));
  ip->proto = kProtoIcmp6;
  ip->hop_limits = kNdpHopLimit;
  std::memcpy(ip->src_addr, iface.ip6, 16);
  solicited_node(target, ip->dst_addr);
  multicast_mac(ip->dst_addr, eth->dst_addr);
  rte_ether_addr_copy(&iface.mac, &eth->src_addr);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
  ns->icmp = {kNeighborSolicitation, 0, 0};
  ns->flags = 0;
  std::memcpy(ns->target, target, 16);
  opt->type = kOptionSourceLinkAddress;
  opt->length = 1;
  std::memcpy(opt->mac, iface.mac.addr_bytes, 6);
  ns->icmp.checksum = upper_checksum(ip, ns, l4, kProtoIcmp6);
  ctx.counters.arp_requests_sent.add();
  stage_tx(ctx, iface.port_id, m);
}

// The source link-layer address option of an NS or NA, if present.
const uint8_t* link_option(const uint8_t* opts, uint32_t len, uint8_t type) {
  while (len >= 8) {
    uint32_t olen = uint32_t{opts[1]} * 8;
    if (olen == 0 || olen > len) return nullptr;
    if (opts[0] == type && olen >= 8) return opts + 2;
    opts += olen;
    len -= olen;
  }
  return nullptr;
}

void handle_icmp6(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m, rte_ipv6_hdr* ip, uint32_t len) {
  const Shared& sh = *ctx.shared;
  const Interface& iface = sh.interfaces[iface_index];
  auto* icmp = reinterpret_cast<Icmp6Header*>(ip + 1);
  if (len < sizeof(Icmp6Header) || !upper_checksum_ok(ip, icmp, len, kProtoIcmp6))
    return drop(ctx, m, DropReason::icmp_unhandled);
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (icmp->type == kNeighborSolicitation || icmp->type == kNeighborAdvertisement) {
    if (len < sizeof(NdpMessage) || ip->hop_limits != kNdpHopLimit)
      return drop(ctx, m, DropReason::ndp_unhandled);
    auto* msg = reinterpret_cast<NdpMessage*>(icmp);
    const uint8_t* opts = reinterpret_cast<const uint8_t*>(msg + 1);
    uint32_t opts_len = len - sizeof(NdpMessage);
    if (icmp->type == kNeighborAdvertisement) {
      const uint8_t* mac = link_option(opts, opts_len, kOptionTargetLinkAddress);
      if (!mac) mac = eth->src_addr.addr_bytes;
      if (!sh.neighbors6->find(msg->target, false)) return drop(ctx, m, DropReason::ndp_unhandled);
      sh.neighbors6->learn(msg->target, mac, ctx.now_tsc);
      rte_pktmbuf_free(m);
      return;
    }
    if (std::memcmp(msg->target, iface.ip6, 16) != 0) return drop(ctx, m, DropReason::ndp_unhandled);
    const uint8_t* mac = link_option(opts, opts_len, kOptionSourceLinkAddress);
    static const uint8_t kUnspecified[16] = {};
    bool from_unspecified = std::memcmp(ip->src_addr, kUnspecified, 16) == 0;  // duplicate address detection
    if (mac && !from_unspecified) sh.neighbors6->learn(ip->src_addr, mac, ctx.now_tsc);
    // Answer in place: NA (solicited, override) with our link-layer address.
    uint32_t l4 = sizeof(NdpMessage) + sizeof(NdpLinkOption);
    if (m->data_len < kEthLen + kIp6Len + l4 &&
        !rte_pktmbuf_append(m, static_cast<uint16_t>(kEthLen + kIp6Len + l4 - m->data_len)))
      return drop(ctx, m, DropReason::ndp_unhandled);
    if (m->pkt_len > kEthLen + kIp6Len + l4) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - kEthLen - kIp6Len - l4));
    static const uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
    if (from_unspecified) {
      std::memcpy(ip->dst_addr, kAllNodes, 16);
      multicast_mac(kAllNodes, eth->dst_addr);
    } else {
      std::memcpy(ip->dst_addr, ip->src_addr, 16);
      rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
    }
    std::memcpy(ip->src_addr, iface.ip6, 16);
    ip->payload_len = rte_cpu_to_be_16(static_cast<uint16_t>(l4));
    ip->hop_limits = kNdpHopLimit;
    msg->icmp = {kNeighborAdvertisement, 0, 0};
    // Router 0, Solicited (unless answering DAD), Override.
    msg->flags = rte_cpu_to_be_32(from_unspecified ? 0x20000000u : 0x60000000u);
    auto* opt = reinterpret_cast<NdpLinkOption*>(msg + 1);
    opt->type = kOptionTargetLinkAddress;
    opt->length = 1;
    std::memcpy(opt->mac, iface.mac.addr_bytes, 6);
    msg->icmp.checksum = upper_checksum(ip, msg, l4, kProtoIcmp6);
    rte_ether_addr_copy(&iface.mac, &eth->src_addr);
    ctx.counters.arp_replies_sent.add();
    return stage_tx(ctx, iface.port_id, m);
  }
  if (icmp->type == kIcmp6EchoRequest && icmp->code == 0 && std::memcmp(ip->dst_addr, iface.ip6, 16) == 0) {
    std::memcpy(ip->dst_addr, ip->src_addr, 16);
    std::memcpy(ip->src_addr, iface.ip6, 16);
    ip->hop_limits = kDefaultHopLimit;
    icmp->type = kIcmp6EchoReply;
    icmp->checksum = 0;
    icmp->checksum = upper_checksum(ip, icmp, len, kProtoIcmp6);
    rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
    rte_ether_addr_copy(&iface.mac, &eth->src_addr);
    ctx.counters.icmp_echo_replies.add();
    return stage_tx(ctx, iface.port_id, m);
  }
  drop(ctx, m, DropReason::icmp_unhandled);
}

void handle_udp6(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m) {
  if (!rte_pktmbuf_is_contiguous(m)) {
    rte_mbuf* linear = linearize(ctx, m);
    if (!linear) return drop(ctx, m, DropReason::mbuf_alloc_failed);
    m = linear;
  }
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv6_hdr*, kEthLen);
  uint32_t len = rte_be_to_cpu_16(ip->payload_len);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  uint32_t udp_len = len >= sizeof(rte_udp_hdr) ? rte_be_to_cpu_16(udp->dgram_len) : 0;
  if (udp_len < sizeof(rte_udp_hdr) || udp_len > len) return drop(ctx, m, DropReason::udp_bad_length);
  uint16_t dst_port = rte_be_to_cpu_16(udp->dst_port);
  if (!ctx.shared->is_sip_port(dst_port)) return drop(ctx, m, DropReason::udp_port_closed);
  // Over IPv6 the UDP checksum is mandatory (RFC 8200 8.1): zero is as wrong as a bad one.
  NicCheck nic = ctx.shared->interfaces[iface_index].rx_checksum_offload ? nic_l4_check(m) : NicCheck::unchecked;
  if (udp->dgram_cksum == 0 ||
      (ctx.shared->proxy.verify_udp_checksum &&
       (nic == NicCheck::bad || (nic == NicCheck::unchecked && !upper_checksum_ok(ip, udp, udp_len, IPPROTO_UDP)))))
    return drop(ctx, m, DropReason::udp_bad_checksum);
  Peer src;
  src.v6 = true;
  std::memcpy(src.ip6, ip->src_addr, 16);
  src.port = rte_be_to_cpu_16(udp->src_port);
  rte_pktmbuf_adj(m, static_cast<uint16_t>(kEthLen + kIp6Len + sizeof(rte_udp_hdr)));
  uint32_t payload = udp_len - sizeof(rte_udp_hdr);
  if (m->pkt_len > payload) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - payload));
  handle_sip(ctx, iface_index, m, src, dst_port);
}

void transmit6_resolved(WorkerContext& ctx, const Interface& iface, rte_mbuf* m, const uint8_t* mac,
                        const Outcome& outcome) {
  count_outcome(ctx, outcome);
  if (m->pkt_len <= iface.mtu) return transmit_frame(ctx, iface, m, mac, RTE_ETHER_TYPE_IPV6);
  finish_udp6_checksum_in_software(m);  // the NIC would sum each fragment, not the datagram
  rte_mbuf* frags[64];
  int32_t n = rte_ipv6_fragment_packet(m, frags, 64, iface.mtu, ctx.shared->pool, ctx.shared->indirect_pool);
  rte_pktmbuf_free(m);
  if (n < 0) return ctx.counters.drop(DropReason::fragmentation_failed);
  for (int32_t i = 0; i < n; ++i) {
    clear_checksum_requests(frags[i]);
    ctx.counters.fragments_sent.add();
    transmit_frame(ctx, iface, frags[i], mac, RTE_ETHER_TYPE_IPV6);
  }
}

const uint8_t* next_hop6(const Interface& iface, const uint8_t* dst) {
  if (same_prefix(dst, iface.ip6, iface.prefix6)) return dst;
  if (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) return dst;  // link-local: on the link
  return iface.has_gateway6 ? iface.gateway6 : nullptr;
}

}  // namespace

void handle_ipv6(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m) {
  const Interface& iface = ctx.shared->interfaces[iface_index];
  if (!iface.has_ip6) return drop(ctx, m, DropReason::ipv6_not_configured);
  if (m->data_len < kEthLen + kIp6Len) return drop(ctx, m, DropReason::runt_frame);
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv6_hdr*, kEthLen);
  if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6) return drop(ctx, m, DropReason::bad_ip_header);
  uint32_t len = rte_be_to_cpu_16(ip->payload_len);
  if (kEthLen + kIp6Len + len > m->pkt_len) return drop(ctx, m, DropReason::bad_ip_header);
  if (m->pkt_len > kEthLen + kIp6Len + len) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - kEthLen - kIp6Len - len));
  if (!is_for_us(iface, ip->dst_addr)) return drop(ctx, m, DropReason::ip_not_for_us);

  if (ip->proto == kProtoFragment) {
    rte_ipv6_fragment_ext* frag = rte_ipv6_frag_get_ipv6_fragment_header(ip);
    if (len < sizeof(*frag)) return drop(ctx, m, DropReason::bad_ip_header);
    m->l2_len = kEthLen;
    m->l3_len = kIp6Len + sizeof(*frag);
    rte_mbuf* whole = rte_ipv6_frag_reassemble_packet(ctx.frag_table, &ctx.death_row, m, ctx.now_tsc, ip, frag);
    if (!whole) return;  // held until the other fragments arrive (or freed on the death row)
    ctx.counters.fragments_reassembled.add();
    m = whole;
    forget_nic_checks(m);
    ip = rte_pktmbuf_mtod_offset(m, rte_ipv6_hdr*, kEthLen);
    len = rte_be_to_cpu_16(ip->payload_len);
  }
  switch (ip->proto) {
    case IPPROTO_UDP:
      return handle_udp6(ctx, iface_index, m);
    case kProtoIcmp6:
      if (!rte_pktmbuf_is_contiguous(m)) return drop(ctx, m, DropReason::icmp_unhandled);
      return handle_icmp6(ctx, iface_index, m, ip, len);
    case 0:   // hop-by-hop options (MLD reports carry them)
    case 43:  // routing
    case 60:  // destination options
      return drop(ctx, m, DropReason::ipv6_extension_header);
    default:
      return drop(ctx, m, DropReason::ip_protocol_unhandled);
  }
}

uint16_t egress_interface6(const Shared& shared, const uint8_t* dst, uint16_t fallback) {
  for (uint16_t i = 0; i < shared.interfaces.size(); ++i) {
    const Interface& f = shared.interfaces[i];
    if (f.has_ip6 && same_prefix(dst, f.ip6, f.prefix6)) return i;
  }
  for (uint16_t i = 0; i < shared.interfaces.size(); ++i)
    if (shared.interfaces[i].has_gateway6) return i;
  for (uint16_t i = 0; i < shared.interfaces.size(); ++i)
    if (shared.interfaces[i].has_ip6) return i;
  return fallback;
}

void send_udp6(WorkerContext& ctx, rte_mbuf* m, const Egress& egress, Outcome outcome) {
  const Shared& sh = *ctx.shared;
  const Interface& iface = sh.interfaces[egress.interface];
  if (!iface.has_ip6) return drop(ctx, m, DropReason::no_route);
  uint32_t payload = m->pkt_len;
  auto* ip = reinterpret_cast<rte_ipv6_hdr*>(rte_pktmbuf_prepend(m, kIp6Len + sizeof(rte_udp_hdr)));
  if (!ip || payload + sizeof(rte_udp_hdr) > UINT16_MAX) return drop(ctx, m, DropReason::sip_edit_failed);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  uint16_t udp_len = static_cast<uint16_t>(payload + sizeof(rte_udp_hdr));
  ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
  ip->payload_len = rte_cpu_to_be_16(udp_len);
  ip->proto = IPPROTO_UDP;
  ip->hop_limits = kDefaultHopLimit;
  std::memcpy(ip->src_addr, iface.ip6, 16);
  std::memcpy(ip->dst_addr, egress.dst_ip6, 16);
  udp->src_port = rte_cpu_to_be_16(egress.src_port);
  udp->dst_port = rte_cpu_to_be_16(egress.dst_port);
  udp->dgram_len = rte_cpu_to_be_16(udp_len);
  if (iface.tx_checksum_offload) {
    offload_udp6_checksum(m, ip, udp);
  } else {
    udp->dgram_cksum = 0;
    uint16_t c = upper_checksum(ip, udp, udp_len, IPPROTO_UDP);
    udp->dgram_cksum = c == 0 ? 0xffff : c;
  }
  const uint8_t* nh = next_hop6(iface, egress.dst_ip6);
  if (!nh) return drop(ctx, m, DropReason::no_route);
  uint8_t mac[RTE_ETHER_ADDR_LEN];
  switch (sh.neighbors6->resolve(nh, ctx.now_tsc, sh.arp_max_age_tsc, sh.arp_grace_tsc, mac)) {
    case NeighborTable::Resolution::fresh:
      return transmit6_resolved(ctx, iface, m, mac, outcome);
    case NeighborTable::Resolution::refresh:
      solicit(ctx, egress.interface, nh);
      return transmit6_resolved(ctx, iface, m, mac, outcome);
    case NeighborTable::Resolution::unresolved:
      break;
  }
  solicit(ctx, egress.interface, nh);
  if (ctx.pending_count == kPendingPerWorker) return drop(ctx, m, DropReason::arp_queue_full);
  PendingPacket& p = ctx.pending[ctx.pending_count++];
  p = {m, 0, egress.interface, ctx.now_tsc + sh.arp_wait_tsc};
  p.v6 = true;
  std::memcpy(p.next_hop6, nh, 16);
  p.outcome = outcome;
}

bool retry_pending6(WorkerContext& ctx, PendingPacket& p) {
  const Shared& sh = *ctx.shared;
  const Interface& iface = sh.interfaces[p.interface];
  uint8_t mac[RTE_ETHER_ADDR_LEN];
  if (sh.neighbors6->resolve(p.next_hop6, ctx.now_tsc, sh.arp_max_age_tsc, sh.arp_grace_tsc, mac) !=
      NeighborTable::Resolution::unresolved) {
    transmit6_resolved(ctx, iface, p.mbuf, mac, p.outcome);
    return true;
  }
  if (ctx.now_tsc > p.deadline_tsc) {
    drop(ctx, p.mbuf, DropReason::arp_timeout);
    return true;
  }
  solicit(ctx, p.interface, p.next_hop6);
  return false;
}

}  // namespace siplb::dataplane
