// Golden-packet tests of the worker pipeline: each row is a description, an input frame, the
// expected verdict and the exact bytes expected on the wire (Katran's fixtures in shape). The
// frames go through the real packet path (dataplane::handle_frame) of a worker in capture mode.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "golden_fixture.hpp"

namespace siplb::golden {
namespace {

using dataplane::DropReason;

enum class Verdict { forward, reply, drop };

struct SipRow {
  const char* description;
  const char* input;        // SIP text as sent by 10.0.0.10:5062 to 10.0.0.1:5060
  Verdict verdict;
  const char* dst_ip;       // forward/reply: where it must go
  uint16_t dst_port;
  const char* output;       // forward/reply: the exact SIP text on the wire
  DropReason reason;        // drop: the counter that must go up
};

// Set SIPLB_GOLDEN_PRINT=1 to print what the pipeline produced (to review a changed row).
bool print_actual() { return std::getenv("SIPLB_GOLDEN_PRINT") != nullptr; }

void check_row(Worker& w, const SipRow& row) {
  SCOPED_TRACE(row.description);
  Udp u{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};
  auto out = w.run(udp_frame(w.pool(), u, row.input));
  if (print_actual())
    for (auto& d : out) std::printf("---- %s\n%s----\n", row.description, d.payload.c_str());
  if (row.verdict == Verdict::drop) {
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(w.drops(row.reason), 1u) << dataplane::drop_reason_name(row.reason);
    return;
  }
  ASSERT_EQ(out.size(), 1u);
  const Decoded& d = out[0];
  EXPECT_EQ(d.dst_ip, ip(row.dst_ip));
  EXPECT_EQ(d.dst_port, row.dst_port);
  EXPECT_EQ(d.src_ip, ip("10.0.0.1"));
  EXPECT_EQ(d.src_port, 5060);
  EXPECT_TRUE(d.ip_checksum_ok);
  EXPECT_TRUE(d.udp_checksum_ok);
  EXPECT_EQ(d.payload, row.output);
  EXPECT_EQ(w.total_drops(), 0u);
}

// clang-format off
#define INVITE_HEAD(ruri, via_params) \
  "INVITE " ruri " SIP/2.0\r\n" \
  "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-client-1" via_params "\r\n"
#define DIALOG_TAIL \
  "From: <sip:alice@example.com>;tag=a1\r\n" \
  "To: <sip:bob@example.com>\r\n" \
  "Call-ID: golden-1@192.0.2.10\r\n"

const SipRow kRows[] = {
  {"initial INVITE: our Via with a deterministic branch, received/rport, Max-Forwards-1, Record-Route",
   INVITE_HEAD("sip:bob@10.0.0.1", ";rport")
   "Max-Forwards: 70\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Contact: <sip:alice@192.0.2.10:5062>\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.11", 5060,
   "INVITE sip:bob@10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-059781fcadc3b26f\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-client-1;rport=5062;received=10.0.0.10\r\n"
   "Max-Forwards: 69\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Contact: <sip:alice@192.0.2.10:5062>\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"request without Max-Forwards gets 70; no rport: received only because sent-by differs",
   INVITE_HEAD("sip:bob@10.0.0.1", "") DIALOG_TAIL
   "CSeq: 2 INVITE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.11", 5060,
   "INVITE sip:bob@10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-059781fcadc3b26f\r\n"
   "Max-Forwards: 70\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-client-1;received=10.0.0.10\r\n" DIALOG_TAIL
   "CSeq: 2 INVITE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"sent-by equal to the source address and no rport: no received parameter",
   "OPTIONS sip:carol@10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-o1\r\n"
   "Max-Forwards: 10\r\n" DIALOG_TAIL
   "CSeq: 7 OPTIONS\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.11", 5060,
   "OPTIONS sip:carol@10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-a82b5d0a6e1593d8\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-o1\r\n"
   "Max-Forwards: 9\r\n" DIALOG_TAIL
   "CSeq: 7 OPTIONS\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"Max-Forwards 0 is answered 483 to the source address and rport",
   INVITE_HEAD("sip:bob@10.0.0.1", ";rport")
   "Max-Forwards: 0\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::reply, "10.0.0.10", 5062,
   "SIP/2.0 483 Too Many Hops\r\n"
   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-client-1;rport=5062;received=10.0.0.10\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=122ab98a479ed99a\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 1 INVITE\r\n"
   "Server: siplb\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"OPTIONS to the balancer itself is answered 200, even with Max-Forwards 0",
   "OPTIONS sip:10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-ping\r\n"
   "Max-Forwards: 0\r\n" DIALOG_TAIL
   "CSeq: 3 OPTIONS\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::reply, "10.0.0.10", 5062,
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-ping\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=138759da6cf3c000\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 3 OPTIONS\r\n"
   "Server: siplb\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"a request the parser rejects is answered 400 with a reason phrase naming the defect",
   INVITE_HEAD("sip:bob@10.0.0.1", "") DIALOG_TAIL
   "CSeq: 1 BYE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::reply, "10.0.0.10", 5062,
   "SIP/2.0 400 Bad Request - CSeq Method Mismatch\r\n"
   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-client-1;received=10.0.0.10\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=122ab98a479ed99a\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 1 BYE\r\n"
   "Server: siplb\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"an unknown SIP version is answered 505",
   "OPTIONS sip:bob@10.0.0.1 SIP/3.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-v3\r\n" DIALOG_TAIL
   "CSeq: 1 OPTIONS\r\n\r\n",
   Verdict::reply, "10.0.0.10", 5062,
   "SIP/2.0 505 Version Not Supported\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-v3\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=122ab98a479ed99a\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 1 OPTIONS\r\n"
   "Server: siplb\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"a malformed ACK is never answered",
   "ACK sip:bob@10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-a1\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_ack_unanswered},

  {"a request without Via is dropped: nothing can answer it",
   "INVITE sip:bob@10.0.0.1 SIP/2.0\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_missing_via},

  {"an unparseable request without a Via to answer is dropped",
   "INVITE  sip:bob@10.0.0.1 SIP/2.0\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_malformed_unanswerable},

  {"in-dialog BYE: the Route naming us is popped, the Request-URI leads",
   "BYE sip:alice@10.0.0.10:5062 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.11:5060;branch=z9hG4bK-srv-bye\r\n"
   "Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:bob@example.com>;tag=b1\r\n"
   "To: <sip:alice@example.com>;tag=a1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 5 BYE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.10", 5062,
   "BYE sip:alice@10.0.0.10:5062 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-df8e5e4cd62aa158\r\n"
   "Via: SIP/2.0/UDP 10.0.0.11:5060;branch=z9hG4bK-srv-bye;received=10.0.0.10\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:bob@example.com>;tag=b1\r\n"
   "To: <sip:alice@example.com>;tag=a1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 5 BYE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"after our Route, the next Route value (same header) is the next hop",
   "BYE sip:alice@192.0.2.99 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-r2\r\n"
   "Route: <sip:10.0.0.1;lr>, <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 70\r\n" DIALOG_TAIL
   "CSeq: 6 BYE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.12", 5070,
   "BYE sip:alice@192.0.2.99 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0a47ce990d8492b3\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-r2\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 69\r\n" DIALOG_TAIL
   "CSeq: 6 BYE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"octets past Content-Length are not forwarded (RFC 4475 3.1.1.8)",
   "MESSAGE sip:bob@10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-m1\r\n"
   "Max-Forwards: 70\r\n" DIALOG_TAIL
   "CSeq: 9 MESSAGE\r\n"
   "Content-Type: text/plain\r\n"
   "Content-Length: 5\r\n\r\n"
   "hello and some trailing junk",
   Verdict::forward, "10.0.0.11", 5060,
   "MESSAGE sip:bob@10.0.0.1 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-4c437fb4973d9388\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-m1\r\n"
   "Max-Forwards: 69\r\n" DIALOG_TAIL
   "CSeq: 9 MESSAGE\r\n"
   "Content-Type: text/plain\r\n"
   "Content-Length: 5\r\n\r\n"
   "hello", DropReason::count},

  {"a response with our Via loses it and goes to the next Via's received and rport",
   "SIP/2.0 180 Ringing\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0123456789abcdef\r\n"
   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-client-1;rport=40000;received=10.0.0.10\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.10", 40000,
   "SIP/2.0 180 Ringing\r\n"
   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-client-1;rport=40000;received=10.0.0.10\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"a response whose two Vias share one header line",
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0123456789abcdef, SIP/2.0/UDP 10.0.0.12:5080;branch=z9hG4bK-x\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.12", 5080,
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 10.0.0.12:5080;branch=z9hG4bK-x\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"a response whose top Via is not ours is dropped",
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 192.0.2.55:5060;branch=z9hG4bK-other\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_response_not_ours},

  {"a response with our address but not our branch is dropped",
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-forged\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-x\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_response_not_ours},

  {"our response with no Via after ours is dropped",
   "SIP/2.0 200 OK\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0123456789abcdef\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_response_no_next_via},

  {"a malformed response is dropped",
   "SIP/2.0 2000 OK\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0123456789abcdef\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_malformed_response},

  {"a Route to another host is followed",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-pre\r\n"
   "Route: <sip:10.0.0.12;lr>\r\n"
   "Max-Forwards: 70\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.12", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-ff559f5b2b2b4aa3\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-pre\r\n"
   "Route: <sip:10.0.0.12;lr>\r\n"
   "Max-Forwards: 69\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"a Route whose host is a name is dropped: no DNS on the packet path",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-dns\r\n"
   "Route: <sip:proxy.example.com;lr>\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::drop, "", 0, "", DropReason::sip_bad_next_hop},
};
// clang-format on

TEST(GoldenPipeline, SipRows) {
  ASSERT_NE(test_pool(), nullptr) << "EAL did not start";
  for (const auto& row : kRows) {
    Worker w;
    check_row(w, row);
  }
}

}  // namespace
}  // namespace siplb::golden
