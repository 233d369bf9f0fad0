// Golden tests of the HA virtual IP on the worker pipeline: while the node holds it
// (Shared::vip_active) ARP for the VIP is answered, packets to it are taken, forwarded requests
// name it in Via and Record-Route and leave from it, and worker 0 announces it with a gratuitous
// ARP when control asks; while it does not, the VIP is someone else's. Probes always leave from
// the node's own address. Responses whose Via names the VIP are ours on either node.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "../../dataplane/packet_path.hpp"
#include "golden_fixture.hpp"

namespace siplb::golden {
namespace {

const char* kVipConfig = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
gateway = "10.0.0.254"
vip = "10.0.0.100"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
)";

const rte_ether_addr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

std::string invite(const std::string& to_host) {
  return "INVITE sip:service@" + to_host + " SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-vip-1\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@example.com>;tag=a1\r\n"
         "To: <sip:service@" + to_host + ">\r\n"
         "Call-ID: vip-1@10.0.0.10\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: <sip:alice@10.0.0.10:5062>\r\n"
         "Content-Length: 0\r\n\r\n";
}

uint32_t arp_sender(const Decoded& d) {
  rte_arp_hdr arp;
  std::memcpy(&arp, d.payload.data(), sizeof(arp));
  return arp.arp_data.arp_sip;
}

TEST(GoldenVip, BackupLeavesTheVipAlone) {
  Worker w(kVipConfig);
  auto out = w.run(arp_frame(w.pool(), RTE_ARP_OP_REQUEST, mac(0x33), ip("10.0.0.33"), ip("10.0.0.100"), kBroadcast));
  EXPECT_TRUE(out.empty());
  out = w.run(udp_frame(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.100"), 5060}, invite("10.0.0.100")));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(w.drops(dataplane::DropReason::ip_not_for_us), 1u);
  // Its own address still works, and names itself.
  out = w.run(udp_frame(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060}, invite("10.0.0.1")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].src_ip, ip("10.0.0.1"));
  EXPECT_NE(out[0].payload.find("Via: SIP/2.0/UDP 10.0.0.1:5060;branch="), std::string::npos);
}

TEST(GoldenVip, ActiveNodeAnswersForTheVipAndNamesIt) {
  Worker w(kVipConfig);
  w.shared().vip_active.store(true);
  auto out = w.run(arp_frame(w.pool(), RTE_ARP_OP_REQUEST, mac(0x33), ip("10.0.0.33"), ip("10.0.0.100"), kBroadcast));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(arp_sender(out[0]), ip("10.0.0.100"));
  out = w.run(udp_frame(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.100"), 5060}, invite("10.0.0.100")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.11"));
  EXPECT_EQ(out[0].src_ip, ip("10.0.0.100"));
  EXPECT_NE(out[0].payload.find("Via: SIP/2.0/UDP 10.0.0.100:5060;branch="), std::string::npos);
  EXPECT_NE(out[0].payload.find("Record-Route: <sip:10.0.0.100:5060;lr>"), std::string::npos);
  // The server's answer comes back to the VIP and goes on to the caller, from the VIP.
  std::string answer = "SIP/2.0 200 OK\r\n";
  const std::string& fwd = out[0].payload;
  for (std::size_t at = fwd.find("\r\nVia: "); at != std::string::npos; at = fwd.find("\r\nVia: ", at + 2))
    answer += fwd.substr(at + 2, fwd.find("\r\n", at + 2) - at - 2) + "\r\n";
  answer += "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:service@10.0.0.100>;tag=b1\r\n"
            "Call-ID: vip-1@10.0.0.10\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  out = w.run(udp_frame(w.pool(), {ip("10.0.0.11"), 5060, ip("10.0.0.100"), 5060}, answer));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.10"));
  EXPECT_EQ(out[0].src_ip, ip("10.0.0.100"));
}

TEST(GoldenVip, GratuitousArpNamesTheVipOnBothSides) {
  Worker w(kVipConfig);
  w.shared().vip_active.store(true);
  dataplane::announce_vips(w.ctx());
  auto out = w.output();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ether_type, RTE_ETHER_TYPE_ARP);
  rte_arp_hdr arp;
  std::memcpy(&arp, out[0].payload.data(), sizeof(arp));
  EXPECT_EQ(rte_be_to_cpu_16(arp.arp_opcode), RTE_ARP_OP_REQUEST);
  const uint32_t sender = arp.arp_data.arp_sip, target = arp.arp_data.arp_tip;
  EXPECT_EQ(sender, ip("10.0.0.100"));
  EXPECT_EQ(target, ip("10.0.0.100"));
  EXPECT_TRUE(rte_is_broadcast_ether_addr(&out[0].dst_mac));
  EXPECT_EQ(w.ctx().counters.vip_announcements.get(), 1u);
}

}  // namespace
}  // namespace siplb::golden
