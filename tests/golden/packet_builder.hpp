// Builds and reads the frames of the golden-packet tests: Ethernet + IPv4 + UDP around a SIP
// text (checksums computed), ARP and ICMP echo frames, and IPv4 fragments. Test-only.
#pragma once

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace siplb::golden {

inline uint32_t ip(const char* text) {
  in_addr a{};
  inet_pton(AF_INET, text, &a);
  return a.s_addr;
}

inline rte_ether_addr mac(uint8_t last) { return {{0x02, 0x00, 0x00, 0x00, 0x00, last}}; }

struct Udp {
  uint32_t src_ip;
  uint16_t src_port;
  uint32_t dst_ip;
  uint16_t dst_port;
  rte_ether_addr src_mac = mac(0x10);
  rte_ether_addr dst_mac = mac(0x01);
};

// One IPv4/UDP frame carrying `payload`. `corrupt_checksum` flips the UDP checksum.
inline rte_mbuf* udp_frame(rte_mempool* pool, const Udp& u, std::string_view payload,
                           bool corrupt_checksum = false) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (!m) return nullptr;
  uint16_t len = static_cast<uint16_t>(sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) + payload.size());
  char* p = rte_pktmbuf_append(m, len);
  if (!p) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  eth->dst_addr = u.dst_mac;
  eth->src_addr = u.src_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* iph = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  std::memset(iph, 0, sizeof(*iph));
  iph->version_ihl = RTE_IPV4_VHL_DEF;
  iph->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(len - sizeof(rte_ether_hdr)));
  iph->time_to_live = 64;
  iph->next_proto_id = IPPROTO_UDP;
  iph->src_addr = u.src_ip;
  iph->dst_addr = u.dst_ip;
  iph->hdr_checksum = rte_ipv4_cksum(iph);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(iph + 1);
  udp->src_port = rte_cpu_to_be_16(u.src_port);
  udp->dst_port = rte_cpu_to_be_16(u.dst_port);
  udp->dgram_len = rte_cpu_to_be_16(static_cast<uint16_t>(sizeof(rte_udp_hdr) + payload.size()));
  udp->dgram_cksum = 0;
  std::memcpy(udp + 1, payload.data(), payload.size());
  udp->dgram_cksum = rte_ipv4_udptcp_cksum(iph, udp);
  if (corrupt_checksum) udp->dgram_cksum ^= 0x5a5a;
  return m;
}

// The IPv4 fragments of the datagram udp_frame() would build, each at most `mtu` octets of IP.
// The datagram is assembled in ordinary memory first, since it may be larger than one mbuf.
inline std::vector<rte_mbuf*> udp_fragments(rte_mempool* pool, const Udp& u, std::string_view payload,
                                            uint16_t mtu) {
  std::vector<rte_mbuf*> out;
  std::vector<char> dgram(sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) + payload.size());
  auto* iph = reinterpret_cast<rte_ipv4_hdr*>(dgram.data());
  iph->version_ihl = RTE_IPV4_VHL_DEF;
  iph->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(dgram.size()));
  iph->time_to_live = 64;
  iph->next_proto_id = IPPROTO_UDP;
  iph->src_addr = u.src_ip;
  iph->dst_addr = u.dst_ip;
  auto* udp = reinterpret_cast<rte_udp_hdr*>(iph + 1);
  udp->src_port = rte_cpu_to_be_16(u.src_port);
  udp->dst_port = rte_cpu_to_be_16(u.dst_port);
  udp->dgram_len = rte_cpu_to_be_16(static_cast<uint16_t>(sizeof(rte_udp_hdr) + payload.size()));
  std::memcpy(udp + 1, payload.data(), payload.size());
  udp->dgram_cksum = rte_ipv4_udptcp_cksum(iph, udp);
  const char* l4 = reinterpret_cast<const char*>(udp);
  uint32_t l4_len = static_cast<uint32_t>(dgram.size() - sizeof(rte_ipv4_hdr));
  uint32_t chunk = (mtu - sizeof(rte_ipv4_hdr)) & ~7u;
  for (uint32_t off = 0; off < l4_len; off += chunk) {
    uint32_t n = std::min(chunk, l4_len - off);
    rte_mbuf* f = rte_pktmbuf_alloc(pool);
    char* p = rte_pktmbuf_append(f, static_cast<uint16_t>(sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + n));
    auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
    eth->dst_addr = u.dst_mac;
    eth->src_addr = u.src_mac;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    auto* fi = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    *fi = *iph;
    fi->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(sizeof(rte_ipv4_hdr) + n));
    fi->packet_id = rte_cpu_to_be_16(0x1234);
    uint16_t frag = static_cast<uint16_t>(off / 8);
    if (off + n < l4_len) frag |= RTE_IPV4_HDR_MF_FLAG;
    fi->fragment_offset = rte_cpu_to_be_16(frag);
    fi->hdr_checksum = 0;
    fi->hdr_checksum = rte_ipv4_cksum(fi);
    std::memcpy(fi + 1, l4 + off, n);
    out.push_back(f);
  }
  return out;
}

inline rte_mbuf* arp_frame(rte_mempool* pool, uint16_t op, rte_ether_addr sha, uint32_t sip,
                           uint32_t tip, rte_ether_addr dst) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  char* p = rte_pktmbuf_append(m, sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr));
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  eth->dst_addr = dst;
  eth->src_addr = sha;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = 6;
  arp->arp_plen = 4;
  arp->arp_opcode = rte_cpu_to_be_16(op);
  arp->arp_data.arp_sha = sha;
  arp->arp_data.arp_sip = sip;
  arp->arp_data.arp_tha = op == RTE_ARP_OP_REPLY ? dst : rte_ether_addr{};
  arp->arp_data.arp_tip = tip;
  return m;
}

inline rte_mbuf* icmp_echo_frame(rte_mempool* pool, uint32_t src, uint32_t dst) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  const uint16_t payload = 16;
  char* p = rte_pktmbuf_append(m, sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_icmp_hdr) + payload);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  eth->dst_addr = mac(0x01);
  eth->src_addr = mac(0x10);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* iph = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  std::memset(iph, 0, sizeof(*iph));
  iph->version_ihl = RTE_IPV4_VHL_DEF;
  iph->total_length = rte_cpu_to_be_16(sizeof(rte_ipv4_hdr) + sizeof(rte_icmp_hdr) + payload);
  iph->time_to_live = 64;
  iph->next_proto_id = IPPROTO_ICMP;
  iph->src_addr = src;
  iph->dst_addr = dst;
  iph->hdr_checksum = rte_ipv4_cksum(iph);
  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(iph + 1);
  icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
  icmp->icmp_code = 0;
  icmp->icmp_ident = rte_cpu_to_be_16(7);
  icmp->icmp_seq_nb = rte_cpu_to_be_16(1);
  std::memset(icmp + 1, 0xab, payload);
  icmp->icmp_cksum = 0;
  icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, sizeof(rte_icmp_hdr) + payload));
  return m;
}

inline std::array<uint8_t, 16> ip6(const char* text) {
  std::array<uint8_t, 16> a{};
  inet_pton(AF_INET6, text, a.data());
  return a;
}

// Sum for IPv6 upper-layer checksums (pseudo-header plus the data), folded.
inline uint16_t ipv6_upper_sum(const rte_ipv6_hdr* iph, const void* l4, uint32_t len, uint8_t proto) {
  uint32_t s = 0;
  auto add = [&](const void* p, uint32_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    for (uint32_t i = 0; i + 1 < n; i += 2) s += uint32_t{b[i]} << 8 | b[i + 1];
    if (n & 1) s += uint32_t{b[n - 1]} << 8;
  };
  add(iph->src_addr, 32);
  s += len >> 16;
  s += len & 0xffff;
  s += proto;
  add(l4, len);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

struct Udp6 {
  std::array<uint8_t, 16> src_ip;
  uint16_t src_port;
  std::array<uint8_t, 16> dst_ip;
  uint16_t dst_port;
  rte_ether_addr src_mac = mac(0x10);
  rte_ether_addr dst_mac = mac(0x01);
};

// One IPv6/UDP frame carrying `payload`, checksum computed (or left 0 when `zero_checksum`).
inline rte_mbuf* udp6_frame(rte_mempool* pool, const Udp6& u, std::string_view payload, bool zero_checksum = false) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  uint16_t len = static_cast<uint16_t>(sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + sizeof(rte_udp_hdr) + payload.size());
  char* p = rte_pktmbuf_append(m, len);
  if (!p) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  eth->dst_addr = u.dst_mac;
  eth->src_addr = u.src_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
  auto* iph = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
  iph->vtc_flow = rte_cpu_to_be_32(6u << 28);
  uint16_t udp_len = static_cast<uint16_t>(sizeof(rte_udp_hdr) + payload.size());
  iph->payload_len = rte_cpu_to_be_16(udp_len);
  iph->proto = IPPROTO_UDP;
  iph->hop_limits = 64;
  std::memcpy(iph->src_addr, u.src_ip.data(), 16);
  std::memcpy(iph->dst_addr, u.dst_ip.data(), 16);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(iph + 1);
  udp->src_port = rte_cpu_to_be_16(u.src_port);
  udp->dst_port = rte_cpu_to_be_16(u.dst_port);
  udp->dgram_len = rte_cpu_to_be_16(udp_len);
  udp->dgram_cksum = 0;
  std::memcpy(udp + 1, payload.data(), payload.size());
  if (!zero_checksum) {
    uint16_t c = static_cast<uint16_t>(~ipv6_upper_sum(iph, udp, udp_len, IPPROTO_UDP));
    udp->dgram_cksum = rte_cpu_to_be_16(c == 0 ? 0xffff : c);
  }
  return m;
}

// An ICMPv6 message (type, code, body after the 4-octet header) from `src` to `dst`, hop limit 255.
inline rte_mbuf* icmp6_frame(rte_mempool* pool, const std::array<uint8_t, 16>& src, const std::array<uint8_t, 16>& dst,
                             uint8_t type, std::string_view body, rte_ether_addr dst_mac = mac(0x01)) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  uint16_t l4 = static_cast<uint16_t>(4 + body.size());
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + l4));
  auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
  eth->dst_addr = dst_mac;
  eth->src_addr = mac(0x10);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
  auto* iph = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
  iph->vtc_flow = rte_cpu_to_be_32(6u << 28);
  iph->payload_len = rte_cpu_to_be_16(l4);
  iph->proto = 58;
  iph->hop_limits = 255;
  std::memcpy(iph->src_addr, src.data(), 16);
  std::memcpy(iph->dst_addr, dst.data(), 16);
  auto* icmp = reinterpret_cast<uint8_t*>(iph + 1);
  icmp[0] = type;
  icmp[1] = 0;
  icmp[2] = icmp[3] = 0;
  std::memcpy(icmp + 4, body.data(), body.size());
  uint16_t c = static_cast<uint16_t>(~ipv6_upper_sum(iph, icmp, l4, 58));
  icmp[2] = static_cast<uint8_t>(c >> 8);
  icmp[3] = static_cast<uint8_t>(c);
  return m;
}

// What a test reads back from an output frame.
struct Decoded {
  bool ok = false;
  std::array<uint8_t, 16> src_ip6{}, dst_ip6{};
  uint8_t hop_limit = 0;
  uint16_t ether_type = 0;
  rte_ether_addr dst_mac{}, src_mac{};
  uint32_t src_ip = 0, dst_ip = 0;
  uint16_t src_port = 0, dst_port = 0;
  bool ip_checksum_ok = false, udp_checksum_ok = false;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in octets
  std::string payload;           // UDP payload (or, for a fragment, the IP payload)
};

inline Decoded decode(rte_mbuf* m) {
  Decoded d;
  std::string bytes(m->pkt_len, '\0');
  auto* src = static_cast<const char*>(rte_pktmbuf_read(m, 0, m->pkt_len, bytes.data()));
  if (src && src != bytes.data()) std::memcpy(bytes.data(), src, m->pkt_len);
  if (bytes.size() < sizeof(rte_ether_hdr)) return d;
  auto* eth = reinterpret_cast<const rte_ether_hdr*>(bytes.data());
  d.ether_type = rte_be_to_cpu_16(eth->ether_type);
  d.dst_mac = eth->dst_addr;
  d.src_mac = eth->src_addr;
  if (d.ether_type == RTE_ETHER_TYPE_IPV6) {
    auto* iph = reinterpret_cast<const rte_ipv6_hdr*>(eth + 1);
    std::memcpy(d.src_ip6.data(), iph->src_addr, 16);
    std::memcpy(d.dst_ip6.data(), iph->dst_addr, 16);
    d.hop_limit = iph->hop_limits;
    uint16_t len = rte_be_to_cpu_16(iph->payload_len);
    const char* l4 = reinterpret_cast<const char*>(iph + 1);
    if (iph->proto == IPPROTO_UDP) {
      auto* udp = reinterpret_cast<const rte_udp_hdr*>(l4);
      d.src_port = rte_be_to_cpu_16(udp->src_port);
      d.dst_port = rte_be_to_cpu_16(udp->dst_port);
      d.udp_checksum_ok = udp->dgram_cksum != 0 && ipv6_upper_sum(iph, udp, len, IPPROTO_UDP) == 0xffff;
      d.payload.assign(reinterpret_cast<const char*>(udp + 1), rte_be_to_cpu_16(udp->dgram_len) - sizeof(rte_udp_hdr));
    } else {
      d.udp_checksum_ok = ipv6_upper_sum(iph, l4, len, iph->proto) == 0xffff;  // ICMPv6: same rule
      d.payload.assign(l4, len);
    }
    d.ok = true;
    return d;
  }
  if (d.ether_type != RTE_ETHER_TYPE_IPV4) {
    d.ok = true;
    d.payload = bytes.substr(sizeof(rte_ether_hdr));
    return d;
  }
  auto* iph = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
  d.src_ip = iph->src_addr;
  d.dst_ip = iph->dst_addr;
  d.ip_checksum_ok = rte_raw_cksum(iph, sizeof(*iph)) == 0xffff;
  uint16_t frag = rte_be_to_cpu_16(iph->fragment_offset);
  d.more_fragments = frag & RTE_IPV4_HDR_MF_FLAG;
  d.fragment_offset = static_cast<uint16_t>((frag & RTE_IPV4_HDR_OFFSET_MASK) * 8);
  uint16_t total = rte_be_to_cpu_16(iph->total_length);
  const char* l4 = reinterpret_cast<const char*>(iph + 1);
  if (d.more_fragments || d.fragment_offset) {
    d.payload.assign(l4, total - sizeof(rte_ipv4_hdr));
    d.ok = true;
    return d;
  }
  if (iph->next_proto_id == IPPROTO_UDP) {
    auto* udp = reinterpret_cast<const rte_udp_hdr*>(l4);
    d.src_port = rte_be_to_cpu_16(udp->src_port);
    d.dst_port = rte_be_to_cpu_16(udp->dst_port);
    d.udp_checksum_ok = udp->dgram_cksum != 0 && rte_ipv4_udptcp_cksum_verify(iph, udp) == 0;
    d.payload.assign(reinterpret_cast<const char*>(udp + 1), rte_be_to_cpu_16(udp->dgram_len) - sizeof(rte_udp_hdr));
  } else {
    d.payload.assign(l4, total - sizeof(rte_ipv4_hdr));
  }
  d.ok = true;
  return d;
}

}  // namespace siplb::golden
