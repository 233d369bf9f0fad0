// Ethernet, ARP, ICMP echo, IPv4 (with reassembly and fragmentation) and UDP for the worker.
#include "packet_path.hpp"

#include "checksum.hpp"
#include "checksum_offload.hpp"

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <cstring>

namespace siplb::dataplane {
namespace {

constexpr uint32_t kEthLen = sizeof(rte_ether_hdr);
constexpr uint8_t kDefaultTtl = 64;


// Sends an ARP request for `ip_be` unless one went out within arp_retry.
void request_arp(WorkerContext& ctx, uint16_t iface_index, uint32_t ip_be) {
  const Shared& sh = *ctx.shared;
  NeighborEntry* e = sh.neighbors->find(ip_be, true);
  if (!e) return;
  uint64_t last = e->requested_tsc.load(std::memory_order_relaxed);
  if (last != 0 && ctx.now_tsc - last < sh.arp_retry_tsc) return;
  e->requested_tsc.store(ctx.now_tsc, std::memory_order_relaxed);
  rte_mbuf* m = rte_pktmbuf_alloc(sh.pool);
  if (!m) return ctx.counters.drop(DropReason::mbuf_alloc_failed);
  const Interface& iface = sh.interfaces[iface_index];
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, kEthLen + sizeof(rte_arp_hdr)));
  std::memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
  rte_ether_addr_copy(&iface.mac, &eth->src_addr);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = RTE_ETHER_ADDR_LEN;
  arp->arp_plen = 4;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
  rte_ether_addr_copy(&iface.mac, &arp->arp_data.arp_sha);
  arp->arp_data.arp_sip = iface.ip_be;
  std::memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
  arp->arp_data.arp_tip = ip_be;
  ctx.counters.arp_requests_sent.add();
  stage_tx(ctx, iface.port_id, m);
}

void handle_arp(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m) {
  if (m->data_len < kEthLen + sizeof(rte_arp_hdr)) return drop(ctx, m, DropReason::runt_frame);
  const Shared& sh = *ctx.shared;
  const Interface& iface = sh.interfaces[iface_index];
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
      arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
      arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
    return drop(ctx, m, DropReason::arp_unhandled);
  uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
  uint32_t sender = arp->arp_data.arp_sip;
  // Our address, or the virtual IP while this node holds it.
  const uint32_t target = arp->arp_data.arp_tip;
  const bool for_vip = sh.uses_vip(iface) && target == iface.vip_be;
  if (target != iface.ip_be && !for_vip) {
    // Not for us, but a neighbour we already track may have announced a new MAC.
    if (op == RTE_ARP_OP_REPLY && sh.neighbors->find(sender, false))
      sh.neighbors->learn(sender, arp->arp_data.arp_sha.addr_bytes, ctx.now_tsc);
    return drop(ctx, m, DropReason::arp_unhandled);
  }
  sh.neighbors->learn(sender, arp->arp_data.arp_sha.addr_bytes, ctx.now_tsc);
  if (op != RTE_ARP_OP_REQUEST) {
    rte_pktmbuf_free(m);  // a reply to us: learned above
    return;
  }
  // Turn the request into our reply in place.
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
  rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
  arp->arp_data.arp_tip = sender;
  rte_ether_addr_copy(&iface.mac, &arp->arp_data.arp_sha);
  arp->arp_data.arp_sip = target;  // the address asked for: ours or the virtual IP
  rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
  rte_ether_addr_copy(&iface.mac, &eth->src_addr);
  ctx.counters.arp_replies_sent.add();
  stage_tx(ctx, iface.port_id, m);
}

void handle_icmp(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m, rte_ipv4_hdr* ip,
                 uint32_t ihl) {
  uint32_t icmp_len = rte_be_to_cpu_16(ip->total_length) - ihl;
  if (!rte_pktmbuf_is_contiguous(m) || icmp_len < sizeof(rte_icmp_hdr))
    return drop(ctx, m, DropReason::icmp_unhandled);
  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(reinterpret_cast<char*>(ip) + ihl);
  if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
    return drop(ctx, m, DropReason::icmp_unhandled);
  const Interface& iface = ctx.shared->interfaces[iface_index];
  icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
  icmp->icmp_cksum = 0;
  icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, icmp_len));
  const uint32_t pinged = ip->dst_addr;  // ours, or the virtual IP
  ip->dst_addr = ip->src_addr;
  ip->src_addr = pinged;
  ip->time_to_live = kDefaultTtl;
  ip->hdr_checksum = 0;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
  rte_ether_addr_copy(&iface.mac, &eth->src_addr);
  ctx.counters.icmp_echo_replies.add();
  stage_tx(ctx, iface.port_id, m);
}

}  // namespace

void announce_vips(WorkerContext& ctx) {
  const Shared& sh = *ctx.shared;
  for (uint16_t i = 0; i < sh.interfaces.size(); ++i) {
    const Interface& iface = sh.interfaces[i];
    if (!iface.vip_be) continue;
    rte_mbuf* m = rte_pktmbuf_alloc(sh.pool);
    if (!m) {
      ctx.counters.drop(DropReason::mbuf_alloc_failed);
      continue;
    }
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, kEthLen + sizeof(rte_arp_hdr)));
    std::memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
    rte_ether_addr_copy(&iface.mac, &eth->src_addr);
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = RTE_ETHER_ADDR_LEN;
    arp->arp_plen = 4;
    // A gratuitous ARP request (RFC 5227 announcement): sender and target both the VIP.
    arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
    rte_ether_addr_copy(&iface.mac, &arp->arp_data.arp_sha);
    arp->arp_data.arp_sip = iface.vip_be;
    std::memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
    arp->arp_data.arp_tip = iface.vip_be;
    ctx.counters.vip_announcements.add();
    stage_tx(ctx, iface.port_id, m);
  }
}

// Copies a chained (reassembled) datagram into one large mbuf so the parser sees it whole.
rte_mbuf* linearize(WorkerContext& ctx, rte_mbuf* m) {
  rte_mbuf* big = rte_pktmbuf_alloc(ctx.shared->large_pool);
  if (!big) return nullptr;
  uint32_t len = m->pkt_len;
  char* dst = rte_pktmbuf_append(big, static_cast<uint16_t>(len));
  if (!dst || len > UINT16_MAX) {
    rte_pktmbuf_free(big);
    return nullptr;
  }
  const void* src = rte_pktmbuf_read(m, 0, len, dst);
  if (src != dst) std::memcpy(dst, src, len);
  rte_pktmbuf_free(m);
  return big;
}

namespace {

void handle_udp(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m, uint32_t ihl) {
  if (!rte_pktmbuf_is_contiguous(m)) {
    rte_mbuf* linear = linearize(ctx, m);
    if (!linear) return drop(ctx, m, DropReason::mbuf_alloc_failed);
    m = linear;
  }
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, kEthLen);
  uint32_t ip_len = rte_be_to_cpu_16(ip->total_length);
  if (ip_len < ihl + sizeof(rte_udp_hdr)) return drop(ctx, m, DropReason::udp_bad_length);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(reinterpret_cast<char*>(ip) + ihl);
  uint32_t udp_len = rte_be_to_cpu_16(udp->dgram_len);
  if (udp_len < sizeof(rte_udp_hdr) || udp_len > ip_len - ihl)
    return drop(ctx, m, DropReason::udp_bad_length);
  uint16_t dst_port = rte_be_to_cpu_16(udp->dst_port);
  if (!ctx.shared->is_sip_port(dst_port)) return drop(ctx, m, DropReason::udp_port_closed);
  if (ctx.shared->proxy.verify_udp_checksum && udp->dgram_cksum != 0) {
    NicCheck nic = ctx.shared->interfaces[iface_index].rx_checksum_offload ? nic_l4_check(m) : NicCheck::unchecked;
    if (nic == NicCheck::bad || (nic == NicCheck::unchecked && !udp_checksum_ok(ip, udp)))
      return drop(ctx, m, DropReason::udp_bad_checksum);
  }
  Peer src;
  src.ip_be = ip->src_addr;
  src.port = rte_be_to_cpu_16(udp->src_port);
  rte_pktmbuf_adj(m, static_cast<uint16_t>(kEthLen + ihl + sizeof(rte_udp_hdr)));
  uint32_t payload = udp_len - sizeof(rte_udp_hdr);
  if (m->pkt_len > payload) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - payload));
  handle_sip(ctx, iface_index, m, src, dst_port);
}

void handle_ipv4(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m) {
  if (m->data_len < kEthLen + sizeof(rte_ipv4_hdr)) return drop(ctx, m, DropReason::runt_frame);
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, kEthLen);
  if ((ip->version_ihl >> 4) != 4) return drop(ctx, m, DropReason::bad_ip_header);
  uint32_t ihl = (ip->version_ihl & 0x0f) * 4u;
  if (ihl < sizeof(rte_ipv4_hdr)) return drop(ctx, m, DropReason::bad_ip_header);
  if (ihl > sizeof(rte_ipv4_hdr)) return drop(ctx, m, DropReason::ip_options);
  uint32_t total = rte_be_to_cpu_16(ip->total_length);
  const Interface& iface = ctx.shared->interfaces[iface_index];
  // ihl is 20 here: headers with options were dropped above.
  NicCheck nic = iface.rx_checksum_offload ? nic_ip_check(m) : NicCheck::unchecked;
  if (total < ihl || kEthLen + total > m->pkt_len || nic == NicCheck::bad ||
      (nic == NicCheck::unchecked && ipv4_header_sum(ip) != 0xffff))
    return drop(ctx, m, DropReason::bad_ip_header);
  if (m->pkt_len > kEthLen + total) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - kEthLen - total));
  if (ip->dst_addr != iface.ip_be && !(ctx.shared->uses_vip(iface) && ip->dst_addr == iface.vip_be))
    return drop(ctx, m, DropReason::ip_not_for_us);

  if (rte_ipv4_frag_pkt_is_fragmented(ip)) {
    m->l2_len = kEthLen;
    m->l3_len = ihl;
    rte_mbuf* whole = rte_ipv4_frag_reassemble_packet(ctx.frag_table, &ctx.death_row, m,
                                                      ctx.now_tsc, ip);
    if (!whole) return;  // held until the other fragments arrive (or freed on the death row)
    ctx.counters.fragments_reassembled.add();
    m = whole;
    forget_nic_checks(m);
    ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, kEthLen);
  }
  switch (ip->next_proto_id) {
    case IPPROTO_UDP:
      return handle_udp(ctx, iface_index, m, ihl);
    case IPPROTO_ICMP:
      return handle_icmp(ctx, iface_index, m, ip, ihl);
    default:
      return drop(ctx, m, DropReason::ip_protocol_unhandled);
  }
}

// Sends an IPv4 packet to a resolved MAC, fragmenting it past the MTU.
void transmit_resolved(WorkerContext& ctx, const Interface& iface, rte_mbuf* m, const uint8_t* mac,
                       const Outcome& outcome) {
  count_outcome(ctx, outcome);
  if (m->pkt_len <= iface.mtu) return transmit_frame(ctx, iface, m, mac, RTE_ETHER_TYPE_IPV4);
  finish_udp4_checksum_in_software(m);
  rte_mbuf* frags[64];
  int32_t n = rte_ipv4_fragment_packet(m, frags, 64, iface.mtu, ctx.shared->pool,
                                       ctx.shared->indirect_pool);
  rte_pktmbuf_free(m);
  if (n < 0) return ctx.counters.drop(DropReason::fragmentation_failed);
  for (int32_t i = 0; i < n; ++i) {
    auto* ip = rte_pktmbuf_mtod(frags[i], rte_ipv4_hdr*);
    clear_checksum_requests(frags[i]);
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    ctx.counters.fragments_sent.add();
    transmit_frame(ctx, iface, frags[i], mac, RTE_ETHER_TYPE_IPV4);
  }
}

// Next hop for `dst`: itself on a connected subnet, else the gateway (0: none).
uint32_t next_hop(const Interface& iface, uint32_t dst_be) {
  if ((dst_be & iface.mask_be) == (iface.ip_be & iface.mask_be)) return dst_be;
  return iface.gateway_be;
}

void output_ipv4(WorkerContext& ctx, uint16_t iface_index, rte_mbuf* m, uint32_t dst_be,
                 const Outcome& outcome) {
  const Shared& sh = *ctx.shared;
  const Interface& iface = sh.interfaces[iface_index];
  uint32_t nh = next_hop(iface, dst_be);
  if (nh == 0) return drop(ctx, m, DropReason::no_route);
  uint8_t mac[RTE_ETHER_ADDR_LEN];
  switch (sh.neighbors->resolve(nh, ctx.now_tsc, sh.arp_max_age_tsc, sh.arp_grace_tsc, mac)) {
    case NeighborTable::Resolution::fresh:
      return transmit_resolved(ctx, iface, m, mac, outcome);
    case NeighborTable::Resolution::refresh:
      request_arp(ctx, iface_index, nh);
      return transmit_resolved(ctx, iface, m, mac, outcome);
    case NeighborTable::Resolution::unresolved:
      break;
  }
  request_arp(ctx, iface_index, nh);
  if (ctx.pending_count == kPendingPerWorker) return drop(ctx, m, DropReason::arp_queue_full);
  PendingPacket& p = ctx.pending[ctx.pending_count++];
  p = {m, nh, iface_index, ctx.now_tsc + sh.arp_wait_tsc};
  p.outcome = outcome;
}

}  // namespace

void stage_tx(WorkerContext& ctx, uint16_t port_id, rte_mbuf* m) {
  TxBuffer& tx = ctx.tx[port_id];
  if (tx.count == kTxBufferSize) {
    if (ctx.capture_tx) return drop(ctx, m, DropReason::tx_full);
    flush_tx(ctx);
  }
  tx.mbufs[tx.count++] = m;
}

void handle_frame(WorkerContext& ctx, uint16_t iface, rte_mbuf* m) {
  ctx.counters.rx_packets.add();
  ctx.counters.rx_bytes.add(m->pkt_len);
  if (m->data_len < kEthLen) return drop(ctx, m, DropReason::runt_frame);
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) return handle_ipv4(ctx, iface, m);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) return handle_arp(ctx, iface, m);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) return handle_ipv6(ctx, iface, m);
  drop(ctx, m, DropReason::not_ethernet_ipv4_or_arp);
}

uint16_t egress_interface(const Shared& shared, uint32_t dst_ip_be, uint16_t fallback) {
  for (uint16_t i = 0; i < shared.interfaces.size(); ++i) {
    const Interface& f = shared.interfaces[i];
    if ((dst_ip_be & f.mask_be) == (f.ip_be & f.mask_be)) return i;
  }
  for (uint16_t i = 0; i < shared.interfaces.size(); ++i)
    if (shared.interfaces[i].gateway_be != 0) return i;
  return fallback;
}

void count_outcome(WorkerContext& ctx, const Outcome& o) {
  switch (o.kind) {
    case Outcome::request:
      ctx.counters.forwarded_requests.add();
      if (o.destination >= 0 && static_cast<std::size_t>(o.destination) < kMaxDestinations)
        ctx.counters.forwarded_to[o.destination].add();
      break;
    case Outcome::response:
      ctx.counters.forwarded_responses.add();
      break;
    case Outcome::reply:
      for (std::size_t i = 0; i < kReplyCodeCount; ++i)
        if (kReplyCodes[i] == o.reply_code) ctx.counters.replies[i].add();
      break;
    case Outcome::probe:
      ctx.counters.probes_sent.add();
      break;
    case Outcome::none:
      break;
  }
}

void transmit_frame(WorkerContext& ctx, const Interface& iface, rte_mbuf* m, const uint8_t* dst_mac,
                    uint16_t ether_type) {
  if (!iface.tx_multi_seg && !rte_pktmbuf_is_contiguous(m)) {
    // A fragment made of a header mbuf and an indirect one: copy it into one segment.
    rte_mbuf* flat = rte_pktmbuf_alloc(ctx.shared->pool);
    char* dst = flat ? rte_pktmbuf_append(flat, static_cast<uint16_t>(m->pkt_len)) : nullptr;
    if (!dst) {
      if (flat) rte_pktmbuf_free(flat);
      return drop(ctx, m, DropReason::mbuf_alloc_failed);
    }
    const void* src = rte_pktmbuf_read(m, 0, m->pkt_len, dst);
    if (src != dst) std::memcpy(dst, src, m->pkt_len);
    // What the NIC is asked to do (checksum offload) goes with the copy.
    flat->ol_flags = m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK;
    flat->l2_len = m->l2_len;
    flat->l3_len = m->l3_len;
    rte_pktmbuf_free(m);
    m = flat;
  }
  char* eth = rte_pktmbuf_prepend(m, kEthLen);
  if (!eth) return drop(ctx, m, DropReason::sip_edit_failed);
  uint16_t type_be = rte_cpu_to_be_16(ether_type);
  std::memcpy(eth, dst_mac, RTE_ETHER_ADDR_LEN);
  std::memcpy(eth + RTE_ETHER_ADDR_LEN, iface.mac.addr_bytes, RTE_ETHER_ADDR_LEN);
  std::memcpy(eth + 2 * RTE_ETHER_ADDR_LEN, &type_be, 2);
  stage_tx(ctx, iface.port_id, m);
}

void send_udp(WorkerContext& ctx, rte_mbuf* m, const Egress& egress, Outcome outcome) {
  if (egress.v6) return send_udp6(ctx, m, egress, outcome);
  const Interface& iface = ctx.shared->interfaces[egress.interface];
  uint32_t payload = m->pkt_len;
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(
      rte_pktmbuf_prepend(m, sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr)));
  if (!ip || payload + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) > UINT16_MAX)
    return drop(ctx, m, DropReason::sip_edit_failed);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->type_of_service = 0;
  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(m->pkt_len));
  ip->packet_id = rte_cpu_to_be_16(ctx.next_ip_id++);
  ip->fragment_offset = 0;
  ip->time_to_live = kDefaultTtl;
  ip->next_proto_id = IPPROTO_UDP;
  // Probes leave from the node's own address (each node's answers come back to it); everything
  // else from the virtual IP while this node holds it.
  ip->src_addr = outcome.kind != Outcome::probe && ctx.shared->uses_vip(iface) ? iface.vip_be : iface.ip_be;
  ip->dst_addr = egress.dst_ip_be;
  udp->src_port = rte_cpu_to_be_16(egress.src_port);
  udp->dst_port = rte_cpu_to_be_16(egress.dst_port);
  udp->dgram_len = rte_cpu_to_be_16(static_cast<uint16_t>(payload + sizeof(rte_udp_hdr)));
  if (iface.tx_checksum_offload) {
    offload_udp4_checksums(m, ip, udp);
  } else {
    ip->hdr_checksum = 0;
    ip->hdr_checksum = static_cast<uint16_t>(~ipv4_header_sum(ip));
    udp->dgram_cksum = 0;
    if (rte_pktmbuf_is_contiguous(m)) udp->dgram_cksum = udp_checksum(ip, udp);
  }
  output_ipv4(ctx, egress.interface, m, egress.dst_ip_be, outcome);
}

void service_pending(WorkerContext& ctx) {
  if (ctx.pending_count == 0) return;
  const Shared& sh = *ctx.shared;
  uint16_t kept = 0;
  for (uint16_t i = 0; i < ctx.pending_count; ++i) {
    PendingPacket p = ctx.pending[i];
    if (p.v6) {
      if (!retry_pending6(ctx, p)) ctx.pending[kept++] = p;
      continue;
    }
    const Interface& iface = sh.interfaces[p.interface];
    uint8_t mac[RTE_ETHER_ADDR_LEN];
    auto r = sh.neighbors->resolve(p.next_hop_be, ctx.now_tsc, sh.arp_max_age_tsc, sh.arp_grace_tsc, mac);
    if (r != NeighborTable::Resolution::unresolved) {
      transmit_resolved(ctx, iface, p.mbuf, mac, p.outcome);
    } else if (ctx.now_tsc > p.deadline_tsc) {
      drop(ctx, p.mbuf, DropReason::arp_timeout);
    } else {
      request_arp(ctx, p.interface, p.next_hop_be);
      ctx.pending[kept++] = p;
    }
  }
  ctx.pending_count = kept;
}

void flush_tx(WorkerContext& ctx) {
  if (ctx.capture_tx) return;
  for (uint16_t port = 0; port < kMaxPorts; ++port) {
    TxBuffer& tx = ctx.tx[port];
    if (tx.count == 0) continue;
    uint16_t sent = rte_eth_tx_burst(port, ctx.queue_id, tx.mbufs, tx.count);
    ctx.counters.tx_packets.add(sent);
    for (uint16_t i = sent; i < tx.count; ++i) drop(ctx, tx.mbufs[i], DropReason::tx_full);
    tx.count = 0;
  }
}

}  // namespace siplb::dataplane
