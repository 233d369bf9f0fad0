// Checksums left to the NIC, where the port has the offloads (port.cpp turns them on): on receive,
// what the NIC found (mbuf ol_flags) decides, and only packets it did not check are summed in
// software; on transmit, the mbuf asks the NIC to fill the IPv4 header and UDP checksums, with the
// UDP field preset to the pseudo-header sum as DPDK drivers expect. Software fragmentation cannot
// use the offload (the NIC would sum each fragment): finish_checksums_in_software() fills them
// first. Worker threads; pure functions on one mbuf.
#pragma once

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <cstdint>

#include "checksum.hpp"

namespace siplb::dataplane {

// What the NIC said of a received packet's checksum: not checked (or no offload), good, bad.
enum class NicCheck : uint8_t { unchecked, good, bad };

inline NicCheck nic_ip_check(const rte_mbuf* m) {
  switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
    case RTE_MBUF_F_RX_IP_CKSUM_GOOD: return NicCheck::good;
    case RTE_MBUF_F_RX_IP_CKSUM_BAD: return NicCheck::bad;
    default: return NicCheck::unchecked;
  }
}
inline NicCheck nic_l4_check(const rte_mbuf* m) {
  switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
    case RTE_MBUF_F_RX_L4_CKSUM_GOOD: return NicCheck::good;
    case RTE_MBUF_F_RX_L4_CKSUM_BAD: return NicCheck::bad;
    default: return NicCheck::unchecked;
  }
}
// A reassembled datagram: the NIC saw only its fragments, so its verdicts do not apply to it.
inline void forget_nic_checks(rte_mbuf* m) {
  m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
}

constexpr uint64_t kTxChecksumFlags = RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;

// `m` starts at `ip` (no Ethernet header yet: transmit_frame prepends it, hence l2_len).
inline void offload_udp4_checksums(rte_mbuf* m, rte_ipv4_hdr* ip, rte_udp_hdr* udp) {
  m->l2_len = sizeof(rte_ether_hdr);
  m->l3_len = sizeof(rte_ipv4_hdr);
  m->ol_flags |= RTE_MBUF_F_TX_IPV4 | kTxChecksumFlags;
  ip->hdr_checksum = 0;
  udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
}
inline void offload_udp6_checksum(rte_mbuf* m, rte_ipv6_hdr* ip, rte_udp_hdr* udp) {
  m->l2_len = sizeof(rte_ether_hdr);
  m->l3_len = sizeof(rte_ipv6_hdr);
  m->ol_flags |= RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
  udp->dgram_cksum = rte_ipv6_phdr_cksum(ip, m->ol_flags);
}

// A fragment, or a datagram about to be fragmented, asks the NIC for nothing.
inline void clear_checksum_requests(rte_mbuf* m) {
  m->ol_flags &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 | kTxChecksumFlags);
}

// Before software fragmentation of an IPv4 datagram that asked for the offload (`m` starts at
// its IP header): the UDP checksum summed here over the whole datagram, the flags cleared. Each
// fragment's header checksum is the fragmenter's to fill.
inline void finish_udp4_checksum_in_software(rte_mbuf* m) {
  if (!(m->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM)) return;
  clear_checksum_requests(m);
  auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->dgram_cksum = 0;
  // A chained datagram keeps checksum 0, which IPv4 allows, as send_udp gives it without offload.
  if (rte_pktmbuf_is_contiguous(m)) udp->dgram_cksum = udp_checksum(ip, udp);
}

// The same for IPv6, where the UDP checksum is mandatory (rte_ipv6_udptcp_cksum gives 0xffff for 0).
inline void finish_udp6_checksum_in_software(rte_mbuf* m) {
  if (!(m->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM)) return;
  clear_checksum_requests(m);
  auto* ip = rte_pktmbuf_mtod(m, rte_ipv6_hdr*);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->dgram_cksum = 0;
  udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
}

}  // namespace siplb::dataplane
