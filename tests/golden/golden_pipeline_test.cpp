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
#define DIALOG_TAIL_TAGGED \
  "From: <sip:alice@example.com>;tag=a1\r\n" \
  "To: <sip:bob@example.com>;tag=b1\r\n" \
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
   "Max-Forwards: 70\r\n" DIALOG_TAIL_TAGGED
   "CSeq: 6 BYE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.12", 5070,
   "BYE sip:alice@192.0.2.99 SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0a47ce990d8492b3\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-r2\r\n"
   "Route: <sip:10.0.0.12:5070;lr>\r\n"
   "Max-Forwards: 69\r\n" DIALOG_TAIL_TAGGED
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

  {"in dialog, a Route to another host is followed",
   "BYE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-pre\r\n"
   "Route: <sip:10.0.0.12;lr>\r\n"
   "Max-Forwards: 70\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 2 BYE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.12", 5060,
   "BYE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-ff559f5b2b2b4aa3\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-pre\r\n"
   "Route: <sip:10.0.0.12;lr>\r\n"
   "Max-Forwards: 69\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 2 BYE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"an initial request is balanced whatever Route it carries (the Route stays), as dispatcher setups do",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-pre\r\n"
   "Route: <sip:services.example.com;lr>\r\n"
   "Max-Forwards: 70\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n",
   Verdict::forward, "10.0.0.11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-ff559f5b2b2b4aa3\r\n"
   "Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-pre\r\n"
   "Route: <sip:services.example.com;lr>\r\n"
   "Max-Forwards: 69\r\n" DIALOG_TAIL
   "CSeq: 1 INVITE\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},

  {"in dialog, a Route whose host is a name is taken to name the service: balanced, Route kept",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-dns\r\n"
   "Route: <sip:proxy.example.com;lr>\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::forward, "10.0.0.11", 5060,
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-0442ad01de6d4feb\r\n"
   "Max-Forwards: 70\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-dns\r\n"
   "Route: <sip:proxy.example.com;lr>\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 1 INVITE\r\n\r\n", DropReason::count},

  {"in dialog, a Route to a loopback address is answered 478, never sent there",
   "INVITE sip:bob@example.com SIP/2.0\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-lo\r\n"
   "Route: <sip:127.0.0.1:5080;lr>\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 1 INVITE\r\n\r\n",
   Verdict::reply, "10.0.0.10", 5062,
   "SIP/2.0 478 Unresolvable Destination\r\n"
   "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-lo\r\n"
   "From: <sip:alice@example.com>;tag=a1\r\n"
   "To: <sip:bob@example.com>;tag=b1\r\n"
   "Call-ID: golden-1@192.0.2.10\r\n"
   "CSeq: 1 INVITE\r\n"
   "Server: siplb\r\n"
   "Content-Length: 0\r\n\r\n", DropReason::count},
};
// clang-format on

TEST(GoldenPipeline, SipRows) {
  ASSERT_NE(test_pool(), nullptr) << "EAL did not start";
  for (const auto& row : kRows) {
    Worker w;
    check_row(w, row);
  }
}


// A request larger than max_message_size is answered 513.
TEST(GoldenPipeline, OversizedRequestGets513) {
  Worker w(R"(
[balancer]
max_message_size = 1024
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
)");
  std::string body(1100, 'x');
  std::string req = "MESSAGE sip:bob@10.0.0.1 SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-big\r\n"
                    "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
                    "Call-ID: big@x\r\nCSeq: 1 MESSAGE\r\nContent-Length: 1100\r\n\r\n" + body;
  auto out = w.run(udp_frame(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060}, req));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 31), "SIP/2.0 513 Message Too Large\r\n");
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.10"));
  EXPECT_EQ(w.ctx().counters.replies[static_cast<std::size_t>(dataplane::ReplyCode::r513)].get(), 1u);
}

const char* kInvite =
    "INVITE sip:bob@10.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-inv-7\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@example.com>;tag=a7\r\nTo: <sip:bob@example.com>\r\n"
    "Call-ID: cancel-test-7@10.0.0.10\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n";
const char* kCancel =
    "CANCEL sip:bob@10.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-inv-7\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@example.com>;tag=a7\r\nTo: <sip:bob@example.com>\r\n"
    "Call-ID: cancel-test-7@10.0.0.10\r\nCSeq: 7 CANCEL\r\nContent-Length: 0\r\n\r\n";

const char* kTwoDestinations = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
gateway = "10.0.0.254"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
[[set.destination]]
uri = "sip:10.0.0.12:5060"
)";

std::string top_via_line(const std::string& payload) {
  auto start = payload.find("\r\nVia: ") + 2;
  return payload.substr(start, payload.find("\r\n", start) - start);
}

// CANCEL goes where its INVITE went, with the same branch, even after that destination was
// marked inactive in between (RFC 3261 16.10).
TEST(GoldenPipeline, CancelFollowsInviteAcrossHealthChange) {
  Worker w(kTwoDestinations);
  Udp u{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};
  auto inv = w.run(udp_frame(w.pool(), u, kInvite));
  ASSERT_EQ(inv.size(), 1u);
  uint32_t chosen = inv[0].dst_ip;
  ASSERT_TRUE(chosen == ip("10.0.0.11") || chosen == ip("10.0.0.12"));
  // The chosen destination goes down: new INVITEs with this Call-ID would go to the other one.
  bool first_chosen = chosen == ip("10.0.0.11");
  w.publish({first_chosen ? balance::DestinationState::inactive : balance::DestinationState::active,
             first_chosen ? balance::DestinationState::active : balance::DestinationState::inactive});
  auto cancel = w.run(udp_frame(w.pool(), u, kCancel));
  ASSERT_EQ(cancel.size(), 1u);
  EXPECT_EQ(cancel[0].dst_ip, chosen);
  EXPECT_EQ(top_via_line(cancel[0].payload), top_via_line(inv[0].payload));
  EXPECT_EQ(w.ctx().counters.transaction_hits.get(), 1u);
  // A retransmitted INVITE follows its first copy only while that destination is selectable:
  // now that probing took it out, the retransmission goes to the survivor ...
  auto again = w.run(udp_frame(w.pool(), u, kInvite));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].dst_ip, chosen);
  // ... and so does a new request of the call (next CSeq).
  std::string reinvite = kInvite;
  reinvite.replace(reinvite.find("CSeq: 7"), 7, "CSeq: 8");
  reinvite.replace(reinvite.find("inv-7"), 5, "inv-8");
  auto next = w.run(udp_frame(w.pool(), u, reinvite));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0].dst_ip, chosen);
}

// Round robin would send each copy elsewhere; a retransmission must follow the first copy.
TEST(GoldenPipeline, RetransmissionFollowsFirstCopyUnderRoundRobin) {
  Worker w(R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[[set]]
id = 1
algorithm = "round-robin"
[[set.destination]]
uri = "sip:10.0.0.11:5060"
[[set.destination]]
uri = "sip:10.0.0.12:5060"
)");
  Udp u{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};
  auto first = w.run(udp_frame(w.pool(), u, kInvite));
  ASSERT_EQ(first.size(), 1u);
  for (int i = 0; i < 3; ++i) {
    auto copy = w.run(udp_frame(w.pool(), u, kInvite));
    ASSERT_EQ(copy.size(), 1u);
    EXPECT_EQ(copy[0].dst_ip, first[0].dst_ip);
  }
  EXPECT_EQ(w.ctx().counters.forwarded_requests.get(), 4u);
}

// With every destination down the request is answered 503 with Retry-After.
TEST(GoldenPipeline, AllDestinationsDownGives503) {
  Worker w;
  w.publish({balance::DestinationState::inactive});
  auto out = w.run(udp_frame(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060}, kInvite));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload,
            "SIP/2.0 503 Service Unavailable\r\n"
            "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-inv-7\r\n"
            "From: <sip:alice@example.com>;tag=a7\r\n"
            "To: <sip:bob@example.com>;tag=" +
                out[0].payload.substr(out[0].payload.find(";tag=", out[0].payload.find("To:")) + 5, 16) +
                "\r\n"
                "Call-ID: cancel-test-7@10.0.0.10\r\n"
                "CSeq: 7 INVITE\r\n"
                "Server: siplb\r\n"
                "Retry-After: 5\r\n"
                "Content-Length: 0\r\n\r\n");
}

// retry_after = 0 leaves the Retry-After header out of the 503.
TEST(GoldenPipeline, RetryAfterZeroLeavesTheHeaderOut) {
  Worker w(R"(
[balancer]
retry_after = 0
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
)");
  w.publish({balance::DestinationState::inactive});
  auto out = w.run(udp_frame(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060}, kInvite));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 33), "SIP/2.0 503 Service Unavailable\r\n");
  EXPECT_EQ(out[0].payload.find("Retry-After"), std::string::npos);
}

TEST(GoldenPipeline, ArpRequestForUsIsAnswered) {
  Worker w;
  auto out = w.run(arp_frame(w.pool(), RTE_ARP_OP_REQUEST, mac(0x33), ip("10.0.0.33"), ip("10.0.0.1"),
                             rte_ether_addr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ether_type, RTE_ETHER_TYPE_ARP);
  EXPECT_TRUE(rte_is_same_ether_addr(&out[0].dst_mac, &(const rte_ether_addr&)mac(0x33)));
  rte_arp_hdr arp_copy;  // copied out: the payload string gives no alignment
  ASSERT_GE(out[0].payload.size(), sizeof(arp_copy));
  std::memcpy(&arp_copy, out[0].payload.data(), sizeof(arp_copy));
  const rte_arp_hdr* arp = &arp_copy;
  EXPECT_EQ(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REPLY);
  uint32_t sender = arp->arp_data.arp_sip;  // packed fields: read by value, not by reference
  uint32_t target = arp->arp_data.arp_tip;
  EXPECT_EQ(sender, ip("10.0.0.1"));
  EXPECT_EQ(target, ip("10.0.0.33"));
  rte_ether_addr ours = mac(0x01);
  rte_ether_addr sha = arp->arp_data.arp_sha;
  EXPECT_TRUE(rte_is_same_ether_addr(&sha, &ours));
  // The asker was learned: a packet to it needs no ARP of our own.
  uint8_t learned[6];
  EXPECT_EQ(w.shared().neighbors->resolve(ip("10.0.0.33"), rte_rdtsc(), ~0ull / 4, 0, learned),
            dataplane::NeighborTable::Resolution::fresh);
}

TEST(GoldenPipeline, ArpForAnotherHostIsDropped) {
  Worker w;
  auto out = w.run(arp_frame(w.pool(), RTE_ARP_OP_REQUEST, mac(0x33), ip("10.0.0.33"), ip("10.0.0.99"),
                             rte_ether_addr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(w.drops(DropReason::arp_unhandled), 1u);
}

TEST(GoldenPipeline, IcmpEchoIsAnswered) {
  Worker w;
  auto out = w.run(icmp_echo_frame(w.pool(), ip("10.0.0.10"), ip("10.0.0.1")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].src_ip, ip("10.0.0.1"));
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.10"));
  EXPECT_TRUE(out[0].ip_checksum_ok);
  EXPECT_EQ(static_cast<uint8_t>(out[0].payload[0]), RTE_IP_ICMP_ECHO_REPLY);
  EXPECT_EQ(static_cast<uint16_t>(~rte_raw_cksum(out[0].payload.data(), out[0].payload.size())), 0);
}

// Packets the balancer does not take: each is dropped under its own reason.
TEST(GoldenPipeline, UnwantedPacketsAreDroppedByReason) {
  Worker w;
  Udp to_us{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};
  Udp other_port{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5070};
  Udp other_ip{ip("10.0.0.10"), 5062, ip("10.0.0.2"), 5060};
  EXPECT_TRUE(w.run(udp_frame(w.pool(), other_port, kInvite)).empty());
  EXPECT_EQ(w.drops(DropReason::udp_port_closed), 1u);
  EXPECT_TRUE(w.run(udp_frame(w.pool(), other_ip, kInvite)).empty());
  EXPECT_EQ(w.drops(DropReason::ip_not_for_us), 1u);
  EXPECT_TRUE(w.run(udp_frame(w.pool(), to_us, kInvite, /*corrupt_checksum=*/true)).empty());
  EXPECT_EQ(w.drops(DropReason::udp_bad_checksum), 1u);
  rte_mbuf* ipv6 = udp_frame(w.pool(), to_us, kInvite);
  rte_pktmbuf_mtod(ipv6, rte_ether_hdr*)->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
  EXPECT_TRUE(w.run(ipv6).empty());
  EXPECT_EQ(w.drops(DropReason::ipv6_not_configured), 1u);  // this interface has no IPv6 address
  rte_mbuf* lldp = udp_frame(w.pool(), to_us, kInvite);
  rte_pktmbuf_mtod(lldp, rte_ether_hdr*)->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_LLDP);
  EXPECT_TRUE(w.run(lldp).empty());
  EXPECT_EQ(w.drops(DropReason::not_ethernet_ipv4_or_arp), 1u);
  rte_mbuf* runt = rte_pktmbuf_alloc(w.pool());
  rte_pktmbuf_append(runt, 10);
  EXPECT_TRUE(w.run(runt).empty());
  EXPECT_EQ(w.drops(DropReason::runt_frame), 1u);
  rte_mbuf* bad_ip = udp_frame(w.pool(), to_us, kInvite);
  rte_pktmbuf_mtod_offset(bad_ip, rte_ipv4_hdr*, sizeof(rte_ether_hdr))->hdr_checksum ^= 1;
  EXPECT_TRUE(w.run(bad_ip).empty());
  EXPECT_EQ(w.drops(DropReason::bad_ip_header), 1u);
}

// A next hop without an ARP entry: the packet waits, an ARP request goes out, and the reply
// releases the packet.
TEST(GoldenPipeline, UnresolvedNextHopWaitsForArp) {
  const char* config = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.77:5060"
)";
  Worker w(config);
  auto out = w.run(udp_frame(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060}, kInvite));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ether_type, RTE_ETHER_TYPE_ARP);
  rte_arp_hdr req_copy;
  ASSERT_GE(out[0].payload.size(), sizeof(req_copy));
  std::memcpy(&req_copy, out[0].payload.data(), sizeof(req_copy));
  const rte_arp_hdr* req = &req_copy;
  EXPECT_EQ(rte_be_to_cpu_16(req->arp_opcode), RTE_ARP_OP_REQUEST);
  uint32_t asked = req->arp_data.arp_tip;
  EXPECT_EQ(asked, ip("10.0.0.77"));
  EXPECT_EQ(w.ctx().pending_count, 1);
  EXPECT_TRUE(w.service_pending().empty());  // still unresolved, request not repeated within 1 s
  auto none = w.run(arp_frame(w.pool(), RTE_ARP_OP_REPLY, mac(0x77), ip("10.0.0.77"), ip("10.0.0.1"), mac(0x01)));
  EXPECT_TRUE(none.empty());
  auto released = w.service_pending();
  ASSERT_EQ(released.size(), 1u);
  rte_ether_addr expected = mac(0x77);
  EXPECT_TRUE(rte_is_same_ether_addr(&released[0].dst_mac, &expected));
  EXPECT_EQ(released[0].dst_ip, ip("10.0.0.77"));
  EXPECT_EQ(w.ctx().pending_count, 0);
}

std::string big_invite(std::size_t body_size) {
  std::string body;
  for (std::size_t i = 0; body.size() < body_size; ++i) body += "a=x-line:" + std::to_string(i) + "\r\n";
  body.resize(body_size);
  return "INVITE sip:bob@10.0.0.1 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-frag\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:bob@example.com>\r\n"
         "Call-ID: frag@10.0.0.10\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
         "Content-Length: " + std::to_string(body_size) + "\r\n\r\n" + body;
}

// A fragmented INVITE is reassembled, forwarded, and fragmented again at the MTU on the way out.
TEST(GoldenPipeline, FragmentedInviteIsReassembledAndRefragmented) {
  const char* config = R"(
[balancer]
max_message_size = 8192
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
)";
  Worker w(config);
  std::string invite = big_invite(3000);
  auto frags = udp_fragments(w.pool(), {ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060}, invite, 1500);
  ASSERT_EQ(frags.size(), 3u);
  std::vector<Decoded> out;
  for (rte_mbuf* f : frags) out = w.run(f);
  EXPECT_EQ(w.ctx().counters.fragments_reassembled.get(), 1u);
  ASSERT_GE(out.size(), 3u);
  // Put the outgoing fragments back together and check the SIP message inside.
  std::string l4;
  for (const auto& f : out) {
    EXPECT_EQ(f.dst_ip, ip("10.0.0.11"));
    EXPECT_TRUE(f.ip_checksum_ok);
    if (l4.size() < f.fragment_offset + f.payload.size()) l4.resize(f.fragment_offset + f.payload.size());
    l4.replace(f.fragment_offset, f.payload.size(), f.payload);
    EXPECT_LE(f.payload.size() + 20, 1500u);
  }
  std::string sip = l4.substr(8);
  EXPECT_NE(sip.find("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-slb-"), std::string::npos);
  EXPECT_EQ(sip.substr(sip.size() - 3000), invite.substr(invite.size() - 3000));
  EXPECT_EQ(w.total_drops(), 0u);
}


const char* kIpv6Config = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
[[set]]
id = 1
[[set.destination]]
uri = "sip:[fd00::11]:5060"
)";

// Neighbour solicitation for our IPv6 address: answered with an advertisement carrying our MAC.
TEST(GoldenPipelineIpv6, NeighborSolicitationIsAnswered) {
  Worker w(kIpv6Config);
  std::string body(20, '\0');  // reserved(4) + target(16)
  auto target = ip6("fd00::1");
  std::memcpy(body.data() + 4, target.data(), 16);
  body += std::string("\x01\x01", 2) + std::string(reinterpret_cast<const char*>(mac(0x10).addr_bytes), 6);
  auto out = w.run(icmp6_frame(w.pool(), ip6("fd00::10"), ip6("ff02::1:ff00:1"), 135, body,
                               rte_ether_addr{{0x33, 0x33, 0xff, 0x00, 0x00, 0x01}}));
  ASSERT_EQ(out.size(), 1u);
  const Decoded& d = out[0];
  EXPECT_EQ(d.ether_type, RTE_ETHER_TYPE_IPV6);
  EXPECT_EQ(d.dst_ip6, ip6("fd00::10"));
  EXPECT_EQ(d.src_ip6, ip6("fd00::1"));
  EXPECT_EQ(d.hop_limit, 255);
  EXPECT_TRUE(d.udp_checksum_ok);  // the ICMPv6 checksum
  ASSERT_EQ(d.payload.size(), 32u);
  EXPECT_EQ(static_cast<uint8_t>(d.payload[0]), 136);           // advertisement
  EXPECT_EQ(static_cast<uint8_t>(d.payload[4]), 0x60);          // solicited + override
  EXPECT_EQ(d.payload.substr(8, 16), std::string(reinterpret_cast<const char*>(target.data()), 16));
  EXPECT_EQ(d.payload.substr(26, 6), std::string(reinterpret_cast<const char*>(mac(0x01).addr_bytes), 6));
}

TEST(GoldenPipelineIpv6, EchoIsAnswered) {
  Worker w(kIpv6Config);
  auto out = w.run(icmp6_frame(w.pool(), ip6("fd00::10"), ip6("fd00::1"), 128, "\x00\x07\x00\x01ping"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(static_cast<uint8_t>(out[0].payload[0]), 129);
  EXPECT_EQ(out[0].dst_ip6, ip6("fd00::10"));
  EXPECT_TRUE(out[0].udp_checksum_ok);
}

// An INVITE over IPv6 goes to the IPv6 destination with our bracketed Via and an IPv6 received.
TEST(GoldenPipelineIpv6, InviteIsForwardedWithIpv6ViaAndRecordRoute) {
  Worker w(kIpv6Config);
  w.learn("fd00::11", mac(0x11));
  Udp6 u{ip6("fd00::10"), 5062, ip6("fd00::1"), 5060};
  auto out = w.run(udp6_frame(w.pool(), u,
      "INVITE sip:bob@[fd00::1] SIP/2.0\r\n"
      "Via: SIP/2.0/UDP [2001:db8::99]:5062;branch=z9hG4bK-v6;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:alice@example.com>;tag=a6\r\nTo: <sip:bob@example.com>\r\n"
      "Call-ID: v6@example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_EQ(out.size(), 1u);
  const Decoded& d = out[0];
  EXPECT_EQ(d.dst_ip6, ip6("fd00::11"));
  EXPECT_EQ(d.src_ip6, ip6("fd00::1"));
  EXPECT_EQ(d.dst_port, 5060);
  EXPECT_TRUE(d.udp_checksum_ok);
  std::string head = d.payload.substr(0, d.payload.find("Max-Forwards"));
  EXPECT_EQ(head.substr(0, 34), "INVITE sip:bob@[fd00::1] SIP/2.0\r\n");
  EXPECT_NE(head.find("Via: SIP/2.0/UDP [fd00::1]:5060;branch=z9hG4bK-slb-"), std::string::npos) << head;
  EXPECT_NE(head.find("Record-Route: <sip:[fd00::1]:5060;lr>\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Via: SIP/2.0/UDP [2001:db8::99]:5062;branch=z9hG4bK-v6;rport=5062;received=fd00::10\r\n"),
            std::string::npos) << head;
  EXPECT_NE(d.payload.find("Max-Forwards: 69\r\n"), std::string::npos);
}

// A response with our IPv6 Via goes to the next Via's IPv6 received and rport.
TEST(GoldenPipelineIpv6, ResponseGoesToNextViaReceived) {
  Worker w(kIpv6Config);
  w.learn("fd00::10", mac(0x10));
  Udp6 u{ip6("fd00::11"), 5060, ip6("fd00::1"), 5060};
  auto out = w.run(udp6_frame(w.pool(), u,
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP [fd00::1]:5060;branch=z9hG4bK-slb-0123456789abcdef\r\n"
      "Via: SIP/2.0/UDP [2001:db8::99]:5062;branch=z9hG4bK-v6;rport=40000;received=fd00::10\r\n"
      "From: <sip:alice@example.com>;tag=a6\r\nTo: <sip:bob@example.com>;tag=b6\r\n"
      "Call-ID: v6@example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip6, ip6("fd00::10"));
  EXPECT_EQ(out[0].dst_port, 40000);
  EXPECT_EQ(out[0].payload.substr(0, 17), "SIP/2.0 200 OK\r\nV");
  EXPECT_EQ(out[0].payload.find("z9hG4bK-slb-"), std::string::npos);
}

TEST(GoldenPipelineIpv6, ZeroUdpChecksumIsDropped) {
  Worker w(kIpv6Config);
  Udp6 u{ip6("fd00::10"), 5062, ip6("fd00::1"), 5060};
  EXPECT_TRUE(w.run(udp6_frame(w.pool(), u, kInvite, /*zero_checksum=*/true)).empty());
  EXPECT_EQ(w.drops(DropReason::udp_bad_checksum), 1u);
}

// An unresolved IPv6 next hop: a solicitation to its solicited-node group, then the advertisement
// releases the waiting packet.
TEST(GoldenPipelineIpv6, UnresolvedNextHopWaitsForNeighborDiscovery) {
  const char* config = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
address6 = "fd00::1/64"
[[set]]
id = 1
[[set.destination]]
uri = "sip:[fd00::77]:5060"
)";
  Worker w(config);
  Udp6 u{ip6("fd00::10"), 5062, ip6("fd00::1"), 5060};
  auto out = w.run(udp6_frame(w.pool(), u, kInvite));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip6, ip6("ff02::1:ff00:77"));
  EXPECT_EQ(static_cast<uint8_t>(out[0].payload[0]), 135);
  EXPECT_EQ(w.ctx().pending_count, 1);
  std::string body(4, '\0');
  body[0] = 0x60;
  auto target = ip6("fd00::77");
  body += std::string(reinterpret_cast<const char*>(target.data()), 16);
  body += std::string("\x02\x01", 2) + std::string(reinterpret_cast<const char*>(mac(0x77).addr_bytes), 6);
  EXPECT_TRUE(w.run(icmp6_frame(w.pool(), ip6("fd00::77"), ip6("fd00::1"), 136, body)).empty());
  auto released = w.service_pending();
  ASSERT_EQ(released.size(), 1u);
  rte_ether_addr expected = mac(0x77);
  EXPECT_TRUE(rte_is_same_ether_addr(&released[0].dst_mac, &expected));
  EXPECT_EQ(released[0].dst_ip6, ip6("fd00::77"));
}

}  // namespace
}  // namespace siplb::golden
