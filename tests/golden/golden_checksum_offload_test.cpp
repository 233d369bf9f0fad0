// Checksum offload through the worker pipeline (dataplane/checksum_offload.hpp): with the port's TX
// offload the staged mbuf asks the NIC for the IPv4 header and UDP checksums (flags, header
// lengths, pseudo-header sum preset), and once a NIC would have filled them (emulated here) the
// frame is the one software checksums give; fragments are finished in software. With RX offload
// the NIC's verdict in ol_flags decides; without it, or for what the NIC did not check, software.
#include <rte_ip.h>

#include "golden_fixture.hpp"

namespace siplb::golden {
namespace {

const char* kConfig = R"(
[balancer]
max_message_size = 8192
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
)";

const char* kRequest =
    "OPTIONS sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-ck-1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@example.com>;tag=c1\r\nTo: <sip:bob@example.com>\r\n"
    "Call-ID: checksum-1@10.0.0.10\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

const Udp kFromClient{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};

rte_mbuf* staged(Worker& w, std::size_t i = 0) { return w.ctx().tx[0].mbufs[i]; }

// What a NIC does with an offloaded IPv4/UDP frame: fills both checksums.
void nic_fills_ipv4(rte_mbuf* m) {
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) ip->hdr_checksum = rte_ipv4_cksum(ip);
  if (m->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM) {
    udp->dgram_cksum = 0;
    udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
  }
}

TEST(GoldenChecksumOffload, TxOffloadLeavesBothChecksumsToTheNic) {
  Worker soft(kConfig);
  auto expected = soft.run(udp_frame(soft.pool(), kFromClient, kRequest));
  ASSERT_EQ(expected.size(), 1u);

  Worker w(kConfig);
  w.shared().interfaces[0].tx_checksum_offload = true;
  auto out = w.run(udp_frame(w.pool(), kFromClient, kRequest));
  ASSERT_EQ(out.size(), 1u);
  rte_mbuf* m = staged(w);
  EXPECT_EQ(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM),
            RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM);
  EXPECT_EQ(m->l2_len, sizeof(rte_ether_hdr));
  EXPECT_EQ(m->l3_len, sizeof(rte_ipv4_hdr));
  auto* iph = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  auto* udp = reinterpret_cast<rte_udp_hdr*>(iph + 1);
  // Header fields are read into values: the headers may sit at odd addresses (packed structs, the
  // editor moves the message by any number of octets), where a reference to a field is undefined.
  const uint16_t ip_checksum = iph->hdr_checksum;
  const uint16_t udp_checksum = udp->dgram_cksum;
  EXPECT_EQ(ip_checksum, 0);
  EXPECT_EQ(udp_checksum, rte_ipv4_phdr_cksum(iph, 0));  // the pseudo-header sum drivers expect
  EXPECT_FALSE(out[0].ip_checksum_ok);                       // as staged, before the NIC

  nic_fills_ipv4(m);
  Decoded d = decode(m);
  EXPECT_TRUE(d.ip_checksum_ok);
  EXPECT_TRUE(d.udp_checksum_ok);
  EXPECT_EQ(d.payload, expected[0].payload);
  EXPECT_EQ(d.dst_ip, ip("10.0.0.11"));
}

TEST(GoldenChecksumOffload, WithoutTxOffloadSoftwareFillsThem) {
  Worker w(kConfig);
  auto out = w.run(udp_frame(w.pool(), kFromClient, kRequest));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(staged(w)->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM), 0u);
  EXPECT_TRUE(out[0].ip_checksum_ok);
  EXPECT_TRUE(out[0].udp_checksum_ok);
}

// A datagram above the MTU is fragmented in software: its UDP checksum is summed over the whole
// datagram before, each fragment's header checksum after, and no fragment asks the NIC for more.
TEST(GoldenChecksumOffload, FragmentsAreFinishedInSoftware) {
  Worker w(kConfig, 576);
  w.shared().interfaces[0].tx_checksum_offload = true;
  std::string body(1200, 'x');
  std::string request = std::string("MESSAGE sip:bob@example.com SIP/2.0\r\n"
                                    "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-ck-2\r\n"
                                    "From: <sip:alice@example.com>;tag=c2\r\nTo: <sip:bob@example.com>\r\n"
                                    "Call-ID: checksum-2@10.0.0.10\r\nCSeq: 1 MESSAGE\r\nContent-Length: 1200\r\n\r\n") +
                        body;
  auto out = w.run(udp_frame(w.pool(), kFromClient, request));
  ASSERT_GE(out.size(), 3u);
  std::string l4;
  for (uint16_t i = 0; i < w.ctx().tx[0].count; ++i) {
    EXPECT_EQ(staged(w, i)->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM), 0u) << i;
    EXPECT_TRUE(out[i].ip_checksum_ok) << i;
    if (l4.size() < out[i].fragment_offset + out[i].payload.size())
      l4.resize(out[i].fragment_offset + out[i].payload.size());
    l4.replace(out[i].fragment_offset, out[i].payload.size(), out[i].payload);
  }
  // The UDP checksum of the reassembled datagram, over the pseudo-header of the first fragment.
  auto* first = rte_pktmbuf_mtod_offset(staged(w), rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  rte_ipv4_hdr whole = *first;
  whole.total_length = rte_cpu_to_be_16(static_cast<uint16_t>(sizeof(rte_ipv4_hdr) + l4.size()));
  whole.fragment_offset = 0;
  EXPECT_EQ(rte_ipv4_udptcp_cksum_verify(&whole, l4.data()), 0) << "UDP checksum of the reassembled datagram";
  EXPECT_EQ(l4.substr(l4.size() - 1200), body);
}

TEST(GoldenChecksumOffload, RxOffloadTrustsTheNicsVerdict) {
  Worker w(kConfig);
  w.shared().interfaces[0].rx_checksum_offload = true;
  // A wrong UDP checksum the NIC calls good (it checked what it received): forwarded.
  rte_mbuf* m = udp_frame(w.pool(), kFromClient, kRequest);
  auto* udp = rte_pktmbuf_mtod_offset(m, rte_udp_hdr*, sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr));
  udp->dgram_cksum = static_cast<uint16_t>(udp->dgram_cksum ^ 0x0101);
  m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  EXPECT_EQ(w.run(m).size(), 1u);
  // A right one the NIC calls bad: dropped, as the NIC saw it damaged.
  m = udp_frame(w.pool(), kFromClient, kRequest);
  m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD;
  EXPECT_TRUE(w.run(m).empty());
  EXPECT_EQ(w.drops(dataplane::DropReason::udp_bad_checksum), 1u);
  // An IPv4 header the NIC calls bad: dropped.
  m = udp_frame(w.pool(), kFromClient, kRequest);
  m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
  EXPECT_TRUE(w.run(m).empty());
  EXPECT_EQ(w.drops(dataplane::DropReason::bad_ip_header), 1u);
  // Not checked by the NIC (unknown): software finds the wrong checksum.
  m = udp_frame(w.pool(), kFromClient, kRequest);
  udp = rte_pktmbuf_mtod_offset(m, rte_udp_hdr*, sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr));
  udp->dgram_cksum = static_cast<uint16_t>(udp->dgram_cksum ^ 0x0101);
  EXPECT_TRUE(w.run(m).empty());
  EXPECT_EQ(w.drops(dataplane::DropReason::udp_bad_checksum), 2u);
}

TEST(GoldenChecksumOffload, WithoutRxOffloadTheFlagsAreNotBelieved) {
  Worker w(kConfig);
  rte_mbuf* m = udp_frame(w.pool(), kFromClient, kRequest);
  auto* udp = rte_pktmbuf_mtod_offset(m, rte_udp_hdr*, sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr));
  udp->dgram_cksum = static_cast<uint16_t>(udp->dgram_cksum ^ 0x0101);
  m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  EXPECT_TRUE(w.run(m).empty());
  EXPECT_EQ(w.drops(dataplane::DropReason::udp_bad_checksum), 1u);
}

TEST(GoldenChecksumOffload, Ipv6TxOffload) {
  const char* config = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
[[set]]
id = 1
[[set.destination]]
uri = "sip:[fd00::11]:5060"
)";
  Worker w(config);
  w.shared().interfaces[0].tx_checksum_offload = true;
  w.learn("fd00::11", mac(0x11));
  Udp6 u{ip6("fd00::10"), 5062, ip6("fd00::1"), 5060};
  auto out = w.run(udp6_frame(w.pool(), u,
                              "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-ck6\r\n"
                              "From: <sip:alice@example.com>;tag=c6\r\nTo: <sip:bob@example.com>\r\n"
                              "Call-ID: checksum-6@example.com\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_EQ(out.size(), 1u);
  rte_mbuf* m = staged(w);
  EXPECT_EQ(m->ol_flags & (RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM), RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM);
  EXPECT_EQ(m->l3_len, sizeof(rte_ipv6_hdr));
  auto* ip6h = rte_pktmbuf_mtod_offset(m, rte_ipv6_hdr*, sizeof(rte_ether_hdr));
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip6h + 1);
  const uint16_t udp_checksum = udp->dgram_cksum;  // a value: the header may sit at an odd address
  EXPECT_EQ(udp_checksum, rte_ipv6_phdr_cksum(ip6h, 0));
  // The NIC's part: the sum over the datagram with the preset pseudo-header sum in place.
  udp->dgram_cksum = 0;
  udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6h, udp);
  EXPECT_TRUE(decode(m).udp_checksum_ok);
}

// An IPv6 datagram above the MTU with TX offload: its UDP checksum is summed in software over the
// whole datagram before fragmentation, and no fragment asks the NIC for anything.
TEST(GoldenChecksumOffload, Ipv6FragmentsAreFinishedInSoftware) {
  const char* config = R"(
[balancer]
max_message_size = 8192
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
[[set]]
id = 1
[[set.destination]]
uri = "sip:[fd00::11]:5060"
)";
  Worker w(config, 1280);
  w.shared().interfaces[0].tx_checksum_offload = true;
  w.learn("fd00::11", mac(0x11));
  std::string body(1500, 'y');
  Udp6 u{ip6("fd00::10"), 5062, ip6("fd00::1"), 5060};
  rte_mbuf* in = udp6_frame(w.pool(), u,
                            std::string("MESSAGE sip:bob@example.com SIP/2.0\r\n"
                                        "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-ck6f\r\n"
                                        "From: <sip:alice@example.com>;tag=c7\r\nTo: <sip:bob@example.com>\r\n"
                                        "Call-ID: checksum-7@example.com\r\nCSeq: 1 MESSAGE\r\nContent-Length: 1500\r\n\r\n") +
                                body);
  ASSERT_NE(in, nullptr);
  auto out = w.run(in);
  ASSERT_GE(out.size(), 2u);
  // Each fragment: IPv6 header, fragment header (next header, reserved, offset | M, id), data.
  std::string l4;
  rte_ipv6_hdr first{};
  for (uint16_t i = 0; i < w.ctx().tx[0].count; ++i) {
    rte_mbuf* m = staged(w, i);
    EXPECT_EQ(m->ol_flags & (RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM), 0u) << i;
    std::string bytes(m->pkt_len, '\0');
    const auto* src = static_cast<const char*>(rte_pktmbuf_read(m, 0, m->pkt_len, bytes.data()));
    if (src != bytes.data()) std::memcpy(bytes.data(), src, m->pkt_len);
    rte_ipv6_hdr ip6h;
    std::memcpy(&ip6h, bytes.data() + sizeof(rte_ether_hdr), sizeof ip6h);
    ASSERT_EQ(ip6h.proto, 44) << "fragment header";
    if (i == 0) first = ip6h;
    const char* frag = bytes.data() + sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr);
    uint16_t offset_flags = static_cast<uint16_t>((static_cast<uint8_t>(frag[2]) << 8) | static_cast<uint8_t>(frag[3]));
    std::size_t offset = offset_flags & 0xfff8;
    std::string data = bytes.substr(sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + 8);
    if (l4.size() < offset + data.size()) l4.resize(offset + data.size());
    l4.replace(offset, data.size(), data);
  }
  first.proto = IPPROTO_UDP;
  first.payload_len = rte_cpu_to_be_16(static_cast<uint16_t>(l4.size()));
  EXPECT_EQ(ipv6_upper_sum(&first, l4.data(), static_cast<uint32_t>(l4.size()), IPPROTO_UDP), 0xffff)
      << "UDP checksum of the reassembled datagram";
  EXPECT_EQ(l4.substr(l4.size() - 1500), body);
}

}  // namespace
}  // namespace siplb::golden
