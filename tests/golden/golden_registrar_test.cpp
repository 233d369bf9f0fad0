// Golden tests of the registrar through the worker pipeline: a REGISTER for a served domain is
// answered by the worker (200 with the bindings and Date, 423 below min_expires), the binding is
// in the shared table with the source address; an INVITE to the user goes to that address with
// the contact as its Request-URI and the Path as its Route; an unknown user gets 404; a domain
// with digest authentication challenges (401) and accepts the right answer; under durability
// "sync" the 200 OK does not leave the worker but travels in the binding event.
#include <gtest/gtest.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <memory>
#include <string>

#include "golden_fixture.hpp"
#include "siplb/dataplane/events.hpp"
#include "siplb/auth/subscriber.hpp"
#include "siplb/auth/verify.hpp"
#include "siplb/registrar/aor.hpp"

namespace siplb::golden {
namespace {

const std::string kRegistrar = R"(
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
[registrar]
domains = ["example.com", { name = "secure.example.com", auth = "register" }]
subscribers = "unused.toml"
aors = 1024
contacts = 1024
)";

const Udp kFromPhone{ip("10.0.0.10"), 5062, ip("10.0.0.1"), 5060};
const Udp kFromCaller{ip("10.0.0.12"), 5060, ip("10.0.0.1"), 5060};

std::string register_request(const std::string& user, const std::string& domain, int cseq, const std::string& expires,
                             const std::string& extra = "") {
  return "REGISTER sip:" + domain + " SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.168.1.20:5062;branch=z9hG4bK-reg-" + user + std::to_string(cseq) + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:" + user + "@" + domain + ">;tag=r1\r\n"
         "To: <sip:" + user + "@" + domain + ">\r\n"
         "Call-ID: reg-" + user + "@192.168.1.20\r\n"
         "CSeq: " + std::to_string(cseq) + " REGISTER\r\n"
         "Contact: <sip:" + user + "@192.168.1.20:5062>\r\n" + extra +
         "Expires: " + expires + "\r\n"
         "Content-Length: 0\r\n\r\n";
}

std::string invite_to(const std::string& user) {
  return "INVITE sip:" + user + "@example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.12:5060;branch=z9hG4bK-inv-" + user + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:caller@10.0.0.12>;tag=c1\r\n"
         "To: <sip:" + user + "@example.com>\r\n"
         "Call-ID: call-" + user + "@10.0.0.12\r\n"
         "CSeq: 1 INVITE\r\n"
         "Content-Length: 0\r\n\r\n";
}

std::string header_value(const std::string& message, const std::string& name) {
  const std::size_t at = message.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  const std::size_t start = at + 4 + name.size();
  return message.substr(start, message.find("\r\n", start) - start);
}

std::string quoted_param(const std::string& header, const std::string& name) {
  const std::size_t at = header.find(name + "=\"");
  if (at == std::string::npos) return {};
  const std::size_t start = at + name.size() + 2;
  return header.substr(start, header.find('"', start) - start);
}

TEST(GoldenRegistrar, RegisterAnswersAndStoresTheBindingWithItsSource) {
  Worker w(kRegistrar.c_str());
  auto out = w.run(udp_frame(w.pool(), kFromPhone, register_request("alice", "example.com", 1, "600")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.10"));  // back to the source (received), not the Via host
  EXPECT_EQ(out[0].payload.substr(0, 16), "SIP/2.0 200 OK\r\n");
  EXPECT_EQ(header_value(out[0].payload, "Contact"), "<sip:alice@192.168.1.20:5062>;expires=600");
  EXPECT_EQ(header_value(out[0].payload, "Date").substr(0, 5), "Sun, ");
  registrar::AorKey key;
  ASSERT_TRUE(registrar::aor_key_from_text("alice@example.com", key));
  const dataplane::AorRecord* record = w.shared().bindings->find(key);
  ASSERT_NE(record, nullptr);
  ASSERT_EQ(record->count, 1);
  EXPECT_EQ(record->bindings[0]->contact_uri(), "sip:alice@192.168.1.20:5062");
  EXPECT_EQ(record->bindings[0]->received.port, 5062);
  EXPECT_EQ(w.ctx().counters.bindings_added.get(), 1u);
  // Too brief: 423 with Min-Expires, nothing changed.
  out = w.run(udp_frame(w.pool(), kFromPhone, register_request("alice", "example.com", 2, "10")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 32), "SIP/2.0 423 Interval Too Brief\r\n");
  EXPECT_EQ(header_value(out[0].payload, "Min-Expires"), "60");
  // Unregister: 200 without Contact, the AoR empty.
  out = w.run(udp_frame(w.pool(), kFromPhone, register_request("alice", "example.com", 3, "0")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 16), "SIP/2.0 200 OK\r\n");
  EXPECT_EQ(header_value(out[0].payload, "Contact"), "");
  EXPECT_EQ(w.shared().bindings->find(key), nullptr);
}

TEST(GoldenRegistrar, RegisterToOurAddressTakesTheDomainFromTo) {
  Worker w(kRegistrar.c_str());
  std::string request = register_request("gina", "example.com", 1, "600");
  request.replace(0, request.find(" SIP/2.0"), "REGISTER sip:10.0.0.1");
  auto out = w.run(udp_frame(w.pool(), kFromPhone, request));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 16), "SIP/2.0 200 OK\r\n");
  registrar::AorKey key;
  ASSERT_TRUE(registrar::aor_key_from_text("gina@example.com", key));
  EXPECT_NE(w.shared().bindings->find(key), nullptr);
}

TEST(GoldenRegistrar, CallsToAUserGoToItsBindingWithPathAsRoute) {
  Worker w(kRegistrar.c_str());
  w.run(udp_frame(w.pool(), kFromPhone, register_request("bob", "example.com", 1, "600")));
  auto out = w.run(udp_frame(w.pool(), kFromCaller, invite_to("bob")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.10"));  // the REGISTER's source (NAT), not the contact's host
  EXPECT_EQ(out[0].dst_port, 5062);
  EXPECT_EQ(out[0].payload.substr(0, 42), "INVITE sip:bob@192.168.1.20:5062 SIP/2.0\r\n");
  EXPECT_EQ(w.ctx().counters.lookups_routed.get(), 1u);
  // With a Path: the first Path hop is the next hop and the Path the Route.
  w.run(udp_frame(w.pool(), kFromPhone,
                  register_request("carol", "example.com", 1, "600", "Path: <sip:10.0.0.11:5060;lr>\r\n")));
  out = w.run(udp_frame(w.pool(), kFromCaller, invite_to("carol")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_ip, ip("10.0.0.11"));
  EXPECT_EQ(header_value(out[0].payload, "Route"), "<sip:10.0.0.11:5060;lr>");
  // Nobody registered as dave: 404.
  out = w.run(udp_frame(w.pool(), kFromCaller, invite_to("dave")));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 12), "SIP/2.0 404 ");
  EXPECT_EQ(w.ctx().counters.lookups_unknown.get(), 1u);
}

TEST(GoldenRegistrar, DigestAuthenticationChallengesThenAccepts) {
  Worker w(kRegistrar.c_str());
  // Attach a subscriber list to the published rules, as control does.
  auto table = std::make_shared<auth::SubscriberTable>();
  auth::SubscriberSpec spec;
  spec.username = "erin";
  spec.domain = "secure.example.com";
  spec.password = "pw";
  spec.has_password = true;
  ASSERT_TRUE(table->add(spec).ok());
  const dataplane::Snapshot* snap = w.shared().snapshot.load();
  auto rules = std::make_shared<dataplane::RegistrarRules>(*snap->registrar);
  rules->subscribers = table;
  const_cast<dataplane::Snapshot*>(snap)->registrar = rules;

  auto out = w.run(udp_frame(w.pool(), kFromPhone, register_request("erin", "secure.example.com", 1, "600")));
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].payload.substr(0, 24), "SIP/2.0 401 Unauthorized");
  const std::string challenge = header_value(out[0].payload, "WWW-Authenticate");
  EXPECT_NE(challenge.find("algorithm=SHA-256"), std::string::npos);
  const std::string nonce = quoted_param(challenge, "nonce");
  ASSERT_FALSE(nonce.empty());
  const std::string ha1 = std::string(table->find("erin", "secure.example.com")->for_user(auth::Algorithm::sha256).view());
  const std::string response = std::string(auth::expected_response(auth::Algorithm::sha256, ha1, nonce, "00000001", "abc",
                                                                   "auth", "REGISTER", "sip:secure.example.com")
                                               .view());
  const std::string credentials = "Authorization: Digest username=\"erin\", realm=\"secure.example.com\", nonce=\"" +
                                  nonce + "\", uri=\"sip:secure.example.com\", response=\"" + response +
                                  "\", algorithm=SHA-256, cnonce=\"abc\", nc=00000001, qop=auth\r\n";
  out = w.run(udp_frame(w.pool(), kFromPhone, register_request("erin", "secure.example.com", 2, "600", credentials)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 16), "SIP/2.0 200 OK\r\n");
  // The same credentials again with a new CSeq: the nonce count was used, refused.
  out = w.run(udp_frame(w.pool(), kFromPhone, register_request("erin", "secure.example.com", 3, "600", credentials)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].payload.substr(0, 16), "SIP/2.0 200 OK\r\n");
  EXPECT_EQ(w.ctx().counters.auth_outcomes[static_cast<std::size_t>(auth::Verdict::replayed)].get(), 1u);
}

TEST(GoldenRegistrar, SyncDurabilityHandsThe200ToControlInTheEvent) {
  Worker w(kRegistrar.c_str());
  rte_ring* events = rte_ring_create_elem("golden_reg_events", sizeof(dataplane::Event), 64, 0,
                                          RING_F_SP_ENQ | RING_F_SC_DEQ);
  ASSERT_NE(events, nullptr);
  w.ctx().events = events;
  w.shared().defer_register_replies = true;
  auto out = w.run(udp_frame(w.pool(), kFromPhone, register_request("frank", "example.com", 1, "600")));
  EXPECT_TRUE(out.empty());  // nothing leaves before the store has the change
  dataplane::Event e;
  ASSERT_EQ(rte_ring_dequeue_elem(events, &e, sizeof(e)), 0);
  EXPECT_EQ(e.kind, dataplane::EventKind::binding_changed);
  EXPECT_GE(e.binding.position, 0);
  ASSERT_NE(e.binding.reply, nullptr);
  auto* reply = static_cast<rte_mbuf*>(e.binding.reply);
  EXPECT_EQ(std::string(rte_pktmbuf_mtod(reply, const char*), 16), "SIP/2.0 200 OK\r\n");
  EXPECT_EQ(e.binding.reply_code, 200);
  rte_pktmbuf_free(reply);
  EXPECT_EQ(w.ctx().counters.register_deferred.get(), 1u);
  w.ctx().events = nullptr;
  rte_ring_free(events);
}

}  // namespace
}  // namespace siplb::golden
