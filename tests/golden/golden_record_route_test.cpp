// Golden-packet tests of double Record-Route (RFC 5658) through the real packet path: a dialog-
// creating request that leaves from another address than the one it came in on (another
// interface, or the other IP family) gets a Record-Route for each side, the outgoing one on top;
// in-dialog requests lose both halves when they come back as Routes, whether the two values share
// a header line or not. Each row: the configuration, the frame and the interface it arrives on,
// and where the forwarded packet must go, from which interface, with which exact bytes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "golden_fixture.hpp"

namespace siplb::golden {
namespace {

// Two arms: a private side (interface 0, port 0, 10.0.0.1, where the destinations are) and a
// public side (interface 1, port 1, 203.0.113.1, where the callers are).
#define TWO_ARMED_INTERFACES \
  "[[interface]]\n" \
  "port = \"net_null0\"\n" \
  "address = \"10.0.0.1/24\"\n" \
  "gateway = \"10.0.0.254\"\n" \
  "[[interface]]\n" \
  "port = \"net_null1\"\n" \
  "address = \"203.0.113.1/24\"\n"
#define ONE_DESTINATION \
  "[[set]]\n" \
  "id = 1\n" \
  "[[set.destination]]\n" \
  "uri = \"sip:10.0.0.11:5060\"\n"

const char* kTwoArmed = TWO_ARMED_INTERFACES ONE_DESTINATION;
const char* kTwoArmedSingleRecordRoute = "[balancer]\ndouble_record_route = false\n" TWO_ARMED_INTERFACES ONE_DESTINATION;
const char* kTwoArmedNoRecordRoute = "[balancer]\nrecord_route = false\n" TWO_ARMED_INTERFACES ONE_DESTINATION;

// One arm with both families: the destination over IPv6, or over IPv4.
const char* kDualStackToIpv6 = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
[[set]]
id = 1
[[set.destination]]
uri = "sip:[fd00::11]:5060"
)";
const char* kDualStackToIpv4 = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
)";

struct Row {
  const char* description;
  const char* config;
  uint16_t in_iface;      // the interface the frame arrives on
  const char* src;        // the sender (IPv6 when it has a ':'), port 5062
  const char* dst;        // our address it is sent to, port 5060
  const char* input;
  uint16_t out_iface;     // the interface the forwarded packet must leave from
  const char* out_src;    // its source address (that interface's, of the destination's family)
  const char* out_dst;
  uint16_t out_dst_port;
  const char* output;     // the exact SIP text on the wire
};

bool is_v6(const char* text) { return std::strchr(text, ':') != nullptr; }

// Set SIPLB_GOLDEN_PRINT=1 to print what the pipeline produced (to review a changed row).
bool print_actual() { return std::getenv("SIPLB_GOLDEN_PRINT") != nullptr; }

void check_row(const Row& row) {
  SCOPED_TRACE(row.description);
  Worker w(row.config);
  for (const char* n : {"203.0.113.50", "fd00::10", "fd00::11"})
    w.learn(n, mac(0x50));
  rte_ether_addr to_us = mac(static_cast<uint8_t>(0x01 + row.in_iface));
  rte_mbuf* frame = is_v6(row.src)
      ? udp6_frame(w.pool(), Udp6{ip6(row.src), 5062, ip6(row.dst), 5060, mac(0x10), to_us}, row.input)
      : udp_frame(w.pool(), Udp{ip(row.src), 5062, ip(row.dst), 5060, mac(0x10), to_us}, row.input);
  auto out = w.run(frame, row.in_iface);
  if (print_actual())
    for (auto& d : out) std::printf("---- %s\n%s----\n", row.description, d.payload.c_str());
  ASSERT_EQ(out.size(), 1u) << "drops: " << w.total_drops();
  const Decoded& d = out[0];
  rte_ether_addr from_us = mac(static_cast<uint8_t>(0x01 + row.out_iface));
  EXPECT_TRUE(rte_is_same_ether_addr(&d.src_mac, &from_us)) << "left from the wrong interface";
  if (is_v6(row.out_dst)) {
    EXPECT_EQ(d.ether_type, RTE_ETHER_TYPE_IPV6);
    EXPECT_EQ(d.src_ip6, ip6(row.out_src));
    EXPECT_EQ(d.dst_ip6, ip6(row.out_dst));
  } else {
    EXPECT_EQ(d.ether_type, RTE_ETHER_TYPE_IPV4);
    EXPECT_EQ(d.src_ip, ip(row.out_src));
    EXPECT_EQ(d.dst_ip, ip(row.out_dst));
    EXPECT_TRUE(d.ip_checksum_ok);
  }
  EXPECT_EQ(d.src_port, 5060);
  EXPECT_EQ(d.dst_port, row.out_dst_port);
  EXPECT_TRUE(d.udp_checksum_ok);
  EXPECT_EQ(d.payload, row.output);
  EXPECT_EQ(w.total_drops(), 0u);
}

// clang-format off
#define CALLER_TAIL \
  "Max-Forwards: 70\r\n" \
  "From: <sip:alice@example.com>;tag=a1\r\n" \
  "To: <sip:bob@example.com>\r\n" \
  "Call-ID: rr-1@example.com\r\n" \
  "CSeq: 1 INVITE\r\n" \
  "Contact: <sip:alice@203.0.113.50:5062>\r\n" \
  "Content-Length: 0\r\n\r\n"
#define FORWARDED_TAIL \
  "Max-Forwards: 69\r\n" \
  "From: <sip:alice@example.com>;tag=a1\r\n" \
  "To: <sip:bob@example.com>\r\n" \
  "Call-ID: rr-1@example.com\r\n" \
  "CSeq: 1 INVITE\r\n" \
  "Contact: <sip:alice@203.0.113.50:5062>\r\n" \
  "Content-Length: 0\r\n\r\n"

const Row kInitialRequests[] = {
  {"same interface and family: one Record-Route, as with a single arm",
   kTwoArmed, 0, "10.0.0.10", "10.0.0.1",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-rr-same\r\n" CALLER_TAIL,
   0, "10.0.0.1", "10.0.0.11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-db49b4984cf461f2\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-rr-same\r\n" FORWARDED_TAIL},

  {"public side in, private side out: the private address on top, the public one under it",
   kTwoArmed, 1, "203.0.113.50", "203.0.113.1",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport\r\n" CALLER_TAIL,
   0, "10.0.0.1", "10.0.0.11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-90b2e188e50026d2\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Record-Route: <sip:203.0.113.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport=5062;received=203.0.113.50\r\n" FORWARDED_TAIL},

  {"an upstream proxy's Record-Route stays under both of ours",
   kTwoArmed, 1, "203.0.113.50", "203.0.113.1",
   "SUBSCRIBE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-up\r\n"
   "Record-Route: <sip:192.0.2.77;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>\r\n"
   "Call-ID: rr-2@example.com\r\n"
   "CSeq: 1 SUBSCRIBE\r\n"
   "Event: presence\r\n"
   "Content-Length: 0\r\n\r\n",
   0, "10.0.0.1", "10.0.0.11", 5060,
   "SUBSCRIBE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-376564cb46015611\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-up\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Record-Route: <sip:203.0.113.1:5060;lr>\r\n"
   "Record-Route: <sip:192.0.2.77;lr>\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>\r\n"
   "Call-ID: rr-2@example.com\r\n"
   "CSeq: 1 SUBSCRIBE\r\n"
   "Event: presence\r\n"
   "Content-Length: 0\r\n\r\n"},

  {"double_record_route = false: one Record-Route, the outgoing side",
   kTwoArmedSingleRecordRoute, 1, "203.0.113.50", "203.0.113.1",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport\r\n" CALLER_TAIL,
   0, "10.0.0.1", "10.0.0.11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-90b2e188e50026d2\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport=5062;received=203.0.113.50\r\n" FORWARDED_TAIL},

  {"record_route = false: no Record-Route at all",
   kTwoArmedNoRecordRoute, 1, "203.0.113.50", "203.0.113.1",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport\r\n" CALLER_TAIL,
   0, "10.0.0.1", "10.0.0.11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-90b2e188e50026d2\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport=5062;received=203.0.113.50\r\n" FORWARDED_TAIL},

  {"IPv4 in, IPv6 out on one interface: the IPv6 address on top, the IPv4 one under it",
   kDualStackToIpv6, 0, "10.0.0.10", "10.0.0.1",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-rr-46\r\n" CALLER_TAIL,
   0, "fd00::1", "fd00::11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP [fd00::1]:5060;branch=z9hG4bK-slb-526a8d0540b26bbd\r\n"
   "Record-Route: <sip:[fd00::1]:5060;lr>\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-rr-46\r\n" FORWARDED_TAIL},

  {"IPv6 in, IPv4 out on one interface: the IPv4 address on top, the IPv6 one under it",
   kDualStackToIpv4, 0, "fd00::10", "fd00::1",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-rr-64\r\n" CALLER_TAIL,
   0, "10.0.0.1", "10.0.0.11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-a16d13df161ca64b\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Record-Route: <sip:[fd00::1]:5060;lr>\r\n"
   "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-rr-64\r\n" FORWARDED_TAIL},

  {"IPv6 in and out on one interface: one Record-Route",
   kDualStackToIpv6, 0, "fd00::10", "fd00::1",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-rr-66\r\n" CALLER_TAIL,
   0, "fd00::1", "fd00::11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP [fd00::1]:5060;branch=z9hG4bK-slb-21c7afbf42c64b5e\r\n"
   "Record-Route: <sip:[fd00::1]:5060;lr>\r\n"
   "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-rr-66\r\n" FORWARDED_TAIL},
};

// In-dialog requests of the call above: the callee (10.0.0.11, private side) got our Record-Routes
// in order, the caller (203.0.113.50, public side) in reverse.
#define BYE_TAIL(cseq) \
  "From: <sip:bob@example.com>;tag=b1\r\n" \
  "To: <sip:alice@example.com>;tag=a1\r\n" \
  "Call-ID: rr-1@example.com\r\n" \
  "CSeq: " cseq " BYE\r\n" \
  "Content-Length: 0\r\n\r\n"

const Row kInDialogRequests[] = {
  {"callee's BYE, both our Routes in one line: both popped, the Request-URI leads to the caller",
   kTwoArmed, 0, "10.0.0.11", "10.0.0.1",
   "BYE sip:alice@203.0.113.50:5062 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.11:5062;branch=z9hG4bK-bye-1\r\n"
   "Route: <sip:10.0.0.1:5060;lr>, <sip:203.0.113.1:5060;lr>\r\n"
   "Max-Forwards: 70\r\n" BYE_TAIL("2"),
   1, "203.0.113.1", "203.0.113.50", 5062,
   "BYE sip:alice@203.0.113.50:5062 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK-slb-c85cec23e83643e0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.11:5062;branch=z9hG4bK-bye-1\r\n"
   "Max-Forwards: 69\r\n" BYE_TAIL("2")},

  {"callee's BYE, our Routes in two lines: both lines go",
   kTwoArmed, 0, "10.0.0.11", "10.0.0.1",
   "BYE sip:alice@203.0.113.50:5062 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.11:5062;branch=z9hG4bK-bye-2\r\n"
   "Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "Route: <sip:203.0.113.1:5060;lr>\r\n" BYE_TAIL("3"),
   1, "203.0.113.1", "203.0.113.50", 5062,
   "BYE sip:alice@203.0.113.50:5062 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK-slb-240f7fd396b6a4d0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.11:5062;branch=z9hG4bK-bye-2\r\n"
   "Max-Forwards: 69\r\n" BYE_TAIL("3")},

  {"caller's request, our two Routes and the next hop in one line: the next hop leads and stays",
   kTwoArmed, 1, "203.0.113.50", "203.0.113.1",
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-1\r\n"
   "Route: <sip:203.0.113.1:5060;lr>, <sip:10.0.0.1:5060;lr>, <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 2 INFO\r\n"
   "Content-Length: 0\r\n\r\n",
   0, "10.0.0.1", "10.0.0.12", 5070,
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-d23bfa0aa029c824\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-1\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 2 INFO\r\n"
   "Content-Length: 0\r\n\r\n"},

  {"caller's request, our two Routes and the next hop in three lines: our two lines go",
   kTwoArmed, 1, "203.0.113.50", "203.0.113.1",
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-2\r\n"
   "Route: <sip:203.0.113.1:5060;lr>\r\n"
   "Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 3 INFO\r\n"
   "Content-Length: 0\r\n\r\n",
   0, "10.0.0.1", "10.0.0.12", 5070,
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-4e37bac984127ab5\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-2\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 3 INFO\r\n"
   "Content-Length: 0\r\n\r\n"},

  {"caller's request, our second Route shares a line with the next hop: the first line goes, "
   "the second loses its first value",
   kTwoArmed, 1, "203.0.113.50", "203.0.113.1",
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-3\r\n"
   "Route: <sip:203.0.113.1:5060;lr>\r\n"
   "Route: <sip:10.0.0.1:5060;lr>,<sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 4 INFO\r\n"
   "Content-Length: 0\r\n\r\n",
   0, "10.0.0.1", "10.0.0.12", 5070,
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-c85ec9a8fe5cd535\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-3\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 4 INFO\r\n"
   "Content-Length: 0\r\n\r\n"},

  {"caller's request, our two Routes share a line, the next hop has its own: the first line goes",
   kTwoArmed, 1, "203.0.113.50", "203.0.113.1",
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-4\r\n"
   "Route: <sip:203.0.113.1:5060;lr>, <sip:10.0.0.1:5060;lr>\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 5 INFO\r\n"
   "Content-Length: 0\r\n\r\n",
   0, "10.0.0.1", "10.0.0.12", 5070,
   "INFO sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-d6d030f31d826762\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-info-4\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 5 INFO\r\n"
   "Content-Length: 0\r\n\r\n"},

  {"caller's IPv6 request of an IPv4/IPv6 call: both Routes popped, to the callee over IPv4",
   kDualStackToIpv4, 0, "fd00::10", "fd00::1",
   "BYE sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-bye-6\r\n"
   "Route: <sip:[fd00::1]:5060;lr>,<sip:10.0.0.1:5060;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 6 BYE\r\n"
   "Content-Length: 0\r\n\r\n",
   0, "10.0.0.1", "10.0.0.11", 5060,
   "BYE sip:bob@10.0.0.11:5060 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-a8402e639bef544a\r\n"
   "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK-bye-6\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 6 BYE\r\n"
   "Content-Length: 0\r\n\r\n"},
};

// A response needs nothing new: it loses our Via and leaves from the interface facing the caller.
const Row kResponses[] = {
  {"the callee's 200 OK goes back out of the public side, our Record-Routes untouched",
   kTwoArmed, 0, "10.0.0.11", "10.0.0.1",
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0123456789abcdef\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport=5062\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Record-Route: <sip:203.0.113.1:5060;lr>\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 1 INVITE\r\n"
   "Contact: <sip:bob@10.0.0.11:5060>\r\n"
   "Content-Length: 0\r\n\r\n",
   1, "203.0.113.1", "203.0.113.50", 5062,
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 203.0.113.50:5062;branch=z9hG4bK-rr-two;rport=5062\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Record-Route: <sip:203.0.113.1:5060;lr>\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: rr-1@example.com\r\n"
   "CSeq: 1 INVITE\r\n"
   "Contact: <sip:bob@10.0.0.11:5060>\r\n"
   "Content-Length: 0\r\n\r\n"},
};
// clang-format on

TEST(GoldenRecordRoute, InitialRequests) {
  for (const Row& row : kInitialRequests) check_row(row);
}

TEST(GoldenRecordRoute, InDialogRequestsLoseBothOfOurRoutes) {
  for (const Row& row : kInDialogRequests) check_row(row);
}

TEST(GoldenRecordRoute, ResponsesFollowTheirVia) {
  for (const Row& row : kResponses) check_row(row);
}

}  // namespace
}  // namespace siplb::golden
