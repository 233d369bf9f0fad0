// Golden tests of least-loaded calls through the worker pipeline: INVITEs go to the destination
// with the most free capacity and hold it in a dialog; 2xx confirms, ACK and re-INVITE from the
// caller follow the dialog, BYE from either side, CANCEL and rejections give the capacity back
// exactly once; 503 when every destination is full or the dialog table is.
#include <gtest/gtest.h>

#include <string>

#include "golden_fixture.hpp"

namespace siplb::golden {
namespace {

// The balancer's interface and a small dialog table, before the sets of each test.
const std::string kBalancer = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[dialogs]
capacity = 1024
)";

const std::string kTwoServers = kBalancer + R"(
[[set]]
id = 1
algorithm = "least-loaded"
resources = "pstn"
[[set.destination]]
uri = "sip:10.0.0.11:5060"
capacity = "pstn=1"
[[set.destination]]
uri = "sip:10.0.0.12:5060"
capacity = "pstn=2"
)";

const Udp kFromCaller{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};

std::string invite(const std::string& call, int cseq = 1) {
  return "INVITE sip:service@10.0.0.1 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-" + call + "-" + std::to_string(cseq) + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@example.com>;tag=from-" + call + "\r\n"
         "To: <sip:service@10.0.0.1>\r\n"
         "Call-ID: " + call + "@10.0.0.10\r\n"
         "CSeq: " + std::to_string(cseq) + " INVITE\r\n"
         "Contact: <sip:alice@10.0.0.10:5062>\r\n"
         "Content-Length: 0\r\n\r\n";
}

// A request of the call after the answer, from the caller (to_tag = the callee's tag).
std::string caller_request(const std::string& method, const std::string& call, int cseq) {
  return method + " sip:bob@10.0.0.99:5060 SIP/2.0\r\n"  // the callee's Contact: not a destination
         "Via: SIP/2.0/UDP 10.0.0.10:5062;branch=z9hG4bK-" + call + "-" + method + std::to_string(cseq) + "\r\n"
         "Route: <sip:10.0.0.1:5060;lr>\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@example.com>;tag=from-" + call + "\r\n"
         "To: <sip:service@10.0.0.1>;tag=to-" + call + "\r\n"
         "Call-ID: " + call + "@10.0.0.10\r\n"
         "CSeq: " + std::to_string(cseq) + " " + method + "\r\n"
         "Content-Length: 0\r\n\r\n";
}

// A BYE from the callee (server `server`): From and To swapped, sent to the caller's Contact.
std::string callee_bye(const std::string& call) {
  return "BYE sip:alice@10.0.0.10:5062 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.11:5060;branch=z9hG4bK-" + call + "-bye\r\n"
         "Route: <sip:10.0.0.1:5060;lr>\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:service@10.0.0.1>;tag=to-" + call + "\r\n"
         "To: <sip:alice@example.com>;tag=from-" + call + "\r\n"
         "Call-ID: " + call + "@10.0.0.10\r\n"
         "CSeq: 1 BYE\r\n"
         "Content-Length: 0\r\n\r\n";
}

// The answer of a server to a request the balancer forwarded: its Via lines, From, To with the
// callee's tag, Call-ID and CSeq.
std::string response_to(const std::string& forwarded, int code, const std::string& reason, const std::string& call) {
  std::string out = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
  std::size_t at = forwarded.find("\r\n") + 2;
  while (at < forwarded.size()) {
    const std::size_t end = forwarded.find("\r\n", at);
    const std::string line = forwarded.substr(at, end - at);
    at = end + 2;
    if (line.empty()) break;
    if (line.rfind("Via:", 0) == 0 || line.rfind("From:", 0) == 0 || line.rfind("Call-ID:", 0) == 0 ||
        line.rfind("CSeq:", 0) == 0)
      out += line + "\r\n";
    else if (line.rfind("To:", 0) == 0)
      out += line + (line.find(";tag=") == std::string::npos ? ";tag=to-" + call : "") + "\r\n";
  }
  return out + "Content-Length: 0\r\n\r\n";
}

struct Call {
  std::string id;
  uint32_t server = 0;      // where the INVITE went
  std::string forwarded;    // the INVITE as forwarded
};

uint32_t used(Worker& w, std::size_t destination) { return w.shared().loads->used(destination, 0); }
uint64_t ends(Worker& w, dialog::EndReason r) {
  return w.ctx().counters.dialog_ends[static_cast<std::size_t>(r)].get();
}

Call start(Worker& w, const std::string& id) {
  Call c{id, 0, {}};
  auto out = w.run(udp_frame(w.pool(), kFromCaller, invite(id)));
  EXPECT_EQ(out.size(), 1u);
  if (out.size() == 1) {
    c.server = out[0].dst_ip;
    c.forwarded = out[0].payload;
  }
  return c;
}

// The server answers; returns what reached the caller.
std::vector<Decoded> answer(Worker& w, const Call& c, int code, const std::string& reason) {
  const Udp from_server{c.server, 5060, ip("10.0.0.1"), 5060};
  return w.run(udp_frame(w.pool(), from_server, response_to(c.forwarded, code, reason, c.id)));
}

TEST(GoldenLeastLoaded, CallsFillTheMostFreeServerFirstThen503) {
  Worker w(kTwoServers.c_str());
  // Free: .11 has 1, .12 has 2 -> .12, then a tie (1 and 1), then the other one of the tie.
  const Call a = start(w, "a");
  EXPECT_EQ(a.server, ip("10.0.0.12"));
  const Call b = start(w, "b");
  const Call c = start(w, "c");
  EXPECT_NE(b.server, c.server);
  EXPECT_EQ(used(w, 0), 1u);
  EXPECT_EQ(used(w, 1), 2u);
  EXPECT_EQ(w.ctx().counters.dialogs_created.get(), 3u);
  // All full: 503 with Retry-After, counted.
  auto full = w.run(udp_frame(w.pool(), kFromCaller, invite("d")));
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].payload.substr(0, 33), "SIP/2.0 503 Service Unavailable\r\n");
  EXPECT_NE(full[0].payload.find("Retry-After: 5\r\n"), std::string::npos);
  EXPECT_EQ(w.ctx().counters.least_loaded_full.get(), 1u);
  // A retransmitted INVITE follows its dialog and takes nothing more.
  auto again = w.run(udp_frame(w.pool(), kFromCaller, invite("a")));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].dst_ip, a.server);
  EXPECT_EQ(used(w, 1), 2u);
  EXPECT_EQ(w.shared().dialogs->live(), 3u);
}

TEST(GoldenLeastLoaded, AnsweredCallFollowsItsDialogAndByeGivesCapacityBack) {
  Worker w(kTwoServers.c_str());
  const Call a = start(w, "a");
  ASSERT_EQ(a.server, ip("10.0.0.12"));
  auto ok = answer(w, a, 200, "OK");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].dst_ip, ip("10.0.0.10"));
  EXPECT_EQ(w.ctx().counters.dialogs_confirmed.get(), 1u);
  // A retransmitted 200 changes nothing.
  answer(w, a, 200, "OK");
  EXPECT_EQ(w.ctx().counters.dialogs_confirmed.get(), 1u);
  // ACK and re-INVITE from the caller go to the dialog's server, not to the Request-URI host.
  for (const char* method : {"ACK", "INVITE"}) {
    const int cseq = std::string(method) == "ACK" ? 1 : 2;  // the ACK of a 2xx has its INVITE's number
    auto out = w.run(udp_frame(w.pool(), kFromCaller, caller_request(method, "a", cseq)));
    ASSERT_EQ(out.size(), 1u) << method;
    EXPECT_EQ(out[0].dst_ip, ip("10.0.0.12")) << method;
  }
  EXPECT_EQ(used(w, 1), 1u) << "a re-INVITE takes no new capacity";
  // BYE from the caller ends the call: the capacity is back.
  auto bye = w.run(udp_frame(w.pool(), kFromCaller, caller_request("BYE", "a", 3)));
  ASSERT_EQ(bye.size(), 1u);
  EXPECT_EQ(bye[0].dst_ip, ip("10.0.0.12"));
  EXPECT_EQ(used(w, 1), 0u);
  EXPECT_EQ(ends(w, dialog::EndReason::bye_caller), 1u);
  EXPECT_EQ(w.shared().dialogs->live(), 0u);
  // A retransmitted BYE releases nothing twice.
  w.run(udp_frame(w.pool(), kFromCaller, caller_request("BYE", "a", 3)));
  EXPECT_EQ(w.shared().loads->underflows(), 0u);
  EXPECT_EQ(ends(w, dialog::EndReason::bye_caller), 1u);
}

TEST(GoldenLeastLoaded, ByeFromTheCalleeGoesToTheCallerAndEndsTheCall) {
  Worker w(kTwoServers.c_str());
  const Call a = start(w, "a");
  answer(w, a, 200, "OK");
  const Udp from_server{a.server, 5060, ip("10.0.0.1"), 5060};
  auto bye = w.run(udp_frame(w.pool(), from_server, callee_bye("a")));
  ASSERT_EQ(bye.size(), 1u);
  EXPECT_EQ(bye[0].dst_ip, ip("10.0.0.10"));  // the caller's Contact
  EXPECT_EQ(bye[0].dst_port, 5062);
  EXPECT_EQ(ends(w, dialog::EndReason::bye_callee), 1u);
  EXPECT_EQ(used(w, 1), 0u);
}

// The callee's tag is learnt from its 2xx: a BYE "from the callee" with another tag (another
// fork, a stray) is forwarded but does not end the call; the right one does.
TEST(GoldenLeastLoaded, OnlyTheAnsweringCalleeEndsTheCall) {
  Worker w(kTwoServers.c_str());
  const Call a = start(w, "a");
  answer(w, a, 200, "OK");
  const Udp from_server{a.server, 5060, ip("10.0.0.1"), 5060};
  std::string stray = callee_bye("a");
  stray.replace(stray.find(";tag=to-a"), 9, ";tag=to-x");
  auto out = w.run(udp_frame(w.pool(), from_server, stray));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(ends(w, dialog::EndReason::bye_callee), 0u);
  EXPECT_EQ(used(w, 1), 1u);
  w.run(udp_frame(w.pool(), from_server, callee_bye("a")));
  EXPECT_EQ(ends(w, dialog::EndReason::bye_callee), 1u);
  EXPECT_EQ(used(w, 1), 0u);
}

TEST(GoldenLeastLoaded, CancelAndRejectionEndTheEarlyDialog) {
  Worker w(kTwoServers.c_str());
  const Call a = start(w, "a");
  answer(w, a, 180, "Ringing");
  std::string cancel = invite("a");
  cancel.replace(0, 6, "CANCEL");
  cancel.replace(cancel.find("1 INVITE"), 8, "1 CANCEL");
  auto out = w.run(udp_frame(w.pool(), kFromCaller, cancel));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip, a.server);
  EXPECT_EQ(ends(w, dialog::EndReason::cancel), 1u);
  EXPECT_EQ(used(w, 1), 0u);
  answer(w, a, 487, "Request Terminated");  // the INVITE's final answer: already ended, once
  EXPECT_EQ(w.shared().loads->underflows(), 0u);

  const Call b = start(w, "b");
  for (int code : {486}) answer(w, b, code, "Busy Here");
  EXPECT_EQ(ends(w, dialog::EndReason::rejected), 1u);
  const Call c = start(w, "c");
  answer(w, c, 408, "Request Timeout");
  EXPECT_EQ(ends(w, dialog::EndReason::rejected), 2u);
  EXPECT_EQ(used(w, 0) + used(w, 1), 0u);
  EXPECT_EQ(w.shared().dialogs->live(), 0u);
}

TEST(GoldenLeastLoaded, FullDialogTableGives503AndKeepsLiveCalls) {
  Worker w((kBalancer + R"(
[[set]]
id = 1
algorithm = "least-loaded"
[[set.destination]]
uri = "sip:10.0.0.11:5060"
capacity = 1000000
)").c_str());
  dataplane::DialogTable& table = *w.shared().dialogs;
  // Fill the table directly until it refuses: exactly its configured capacity.
  uint32_t filled = 0;
  for (uint64_t k = 1;; ++k) {
    int32_t slot;
    if (table.begin({k, k}, 0, 0, 1, 0, slot) != dataplane::DialogTable::Begin::created) break;
    ++filled;
    ASSERT_LT(filled, 100000u);
  }
  EXPECT_EQ(filled, 1024u);
  auto out = w.run(udp_frame(w.pool(), kFromCaller, invite("late")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 33), "SIP/2.0 503 Service Unavailable\r\n");
  EXPECT_EQ(w.ctx().counters.dialog_table_full.get(), 1u);
  EXPECT_EQ(w.shared().loads->used(0, 0), 0u) << "the refused call's unit was given back";
  EXPECT_EQ(table.live(), filled) << "no live dialog was evicted";
}

TEST(GoldenLeastLoaded, RequestsThatMakeNoCallTakeNothing) {
  Worker w(kTwoServers.c_str());
  std::string message = invite("m");
  message.replace(0, 6, "MESSAGE");
  message.replace(message.find("1 INVITE"), 8, "1 MESSAGE");
  auto out = w.run(udp_frame(w.pool(), kFromCaller, message));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.12"));
  EXPECT_EQ(used(w, 0) + used(w, 1), 0u);
  EXPECT_EQ(w.shared().dialogs->live(), 0u);
}

// Sets side by side: INVITEs to +1 numbers go to the least-loaded FreeSWITCH farm, other requests
// (here MESSAGE) to a Maglev set, requests for another domain to nobody (404).
TEST(GoldenLeastLoaded, SetsWithTheirOwnAlgorithmsSideBySide) {
  Worker w((kBalancer + R"(
[[set]]
id = 1
algorithm = "least-loaded"
methods = ["INVITE"]
user_prefixes = ["+1", "001"]
[[set.destination]]
uri = "sip:10.0.0.11:5060"
capacity = 10
[[set]]
id = 2
algorithm = "maglev"
domains = ["10.0.0.1", "Example.COM"]
[[set.destination]]
uri = "sip:10.0.0.12:5060"
)").c_str());
  auto to = [](std::string text, const std::string& ruri) {
    text.replace(text.find("sip:service@10.0.0.1"), 20, ruri);
    return text;
  };
  auto call = w.run(udp_frame(w.pool(), kFromCaller, to(invite("p"), "sip:+15551234@10.0.0.1")));
  ASSERT_EQ(call.size(), 1u);
  EXPECT_EQ(call[0].dst_ip, ip("10.0.0.11"));
  EXPECT_EQ(w.shared().dialogs->live(), 1u);
  auto other = w.run(udp_frame(w.pool(), kFromCaller, to(invite("q"), "sip:alice@example.com")));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].dst_ip, ip("10.0.0.12")) << "not a +1 number: the Maglev set";
  EXPECT_EQ(w.shared().dialogs->live(), 1u);
  auto nobody = w.run(udp_frame(w.pool(), kFromCaller, to(invite("r"), "sip:alice@elsewhere.net")));
  ASSERT_EQ(nobody.size(), 1u);
  EXPECT_EQ(nobody[0].payload.substr(0, 23), "SIP/2.0 404 Not Found\r\n");
}

}  // namespace
}  // namespace siplb::golden
