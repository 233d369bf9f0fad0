// The registrar's REGISTER logic (src/registrar/): AoR keys, process_register on real REGISTERs
// parsed by the real parser (every RFC 3261 10.3 path), reply lines, binding choice, the stored
// encoding, and the OpenSIPS/Kamailio location table import.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unistd.h>

#include "../sip_test_util.hpp"
#include "siplb/registrar/aor.hpp"
#include "siplb/registrar/binding_codec.hpp"
#include "siplb/registrar/location_import.hpp"
#include "siplb/registrar/lookup.hpp"
#include "siplb/registrar/register.hpp"
#include "siplb/registrar/reply_text.hpp"
#include "siplb/registrar/uri_match.hpp"

namespace siplb::registrar {
namespace {

using sip::test::parse_copy;

constexpr int64_t kNow = 1796538600000;  // Sun, 06 Dec 2026 06:30:00 GMT
constexpr int64_t kNowS = kNow / 1000;

// A REGISTER for alice@example.com with `lines` between CSeq and Content-Length.
std::string make_register(std::initializer_list<std::string_view> lines, std::string_view call_id = "call-1@pc",
                          uint32_t cseq = 1, std::string_view to = "<sip:alice@Example.COM>") {
  std::string m = "REGISTER sip:example.com SIP/2.0\r\n"
                  "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-1\r\n"
                  "Max-Forwards: 70\r\n"
                  "From: <sip:alice@example.com>;tag=f1\r\n"
                  "To: " + std::string(to) + "\r\n"
                  "Call-ID: " + std::string(call_id) + "\r\n"
                  "CSeq: " + std::to_string(cseq) + " REGISTER\r\n";
  for (std::string_view l : lines) {
    m.append(l);
    m.append("\r\n");
  }
  m.append("Content-Length: 0\r\n\r\n");
  return m;
}

Source source_v4(uint8_t last, uint16_t port) {
  Source s;
  s.ip[0] = 192;
  s.ip[1] = 0;
  s.ip[2] = 2;
  s.ip[3] = last;
  s.port = port;
  return s;
}

// Two states hold the same bindings, field by field (a memcmp of the structs would also compare
// their padding, which copies need not keep).
bool same_binding(const Binding& a, const Binding& b) {
  return a.expires_at == b.expires_at && a.updated_ms == b.updated_ms && a.call_id_hash == b.call_id_hash &&
         a.cseq == b.cseq && a.reg_id == b.reg_id && a.q_millis == b.q_millis && a.has_q == b.has_q &&
         std::memcmp(a.received.ip, b.received.ip, 16) == 0 && a.received.port == b.received.port &&
         a.received.v6 == b.received.v6 && a.contact_uri() == b.contact_uri() && a.path_text() == b.path_text() &&
         a.instance_text() == b.instance_text() && a.call_id_text() == b.call_id_text();
}

bool same_state(const AorState& a, const AorState& b) {
  if (!(a.key == b.key) || a.count != b.count) return false;
  for (uint8_t i = 0; i < a.count; ++i)
    if (!same_binding(a.bindings[i], b.bindings[i])) return false;
  return true;
}

// Runs one REGISTER against `state` (updated to next on 200) and returns the result.
struct Registrar {
  RegistrarSettings settings;
  AorState state;
  bool known = false;

  RegisterResult run(const std::string& text, int64_t now = kNow, Source src = source_v4(10, 5062)) {
    auto p = parse_copy(text);
    EXPECT_EQ(p->err, sip::ParseError::none) << text;
    AorState next;
    RegisterResult r = process_register(settings, p->m, src, now, known ? &state : nullptr, next);
    if (r.code != 200) {
      // Refusals leave next equal to current.
      if (known) EXPECT_TRUE(same_state(next, state));
      else EXPECT_EQ(next.count, 0);
      EXPECT_FALSE(r.changed);
    } else {
      state = next;
      known = true;
    }
    return r;
  }
  const Binding* find(std::string_view uri) const {
    for (uint8_t i = 0; i < state.count; ++i)
      if (state.bindings[i].contact_uri() == uri) return &state.bindings[i];
    return nullptr;
  }
};

// ---- AoR keys ---------------------------------------------------------------------------------
TEST(AorKey, FromText) {
  AorKey k;
  ASSERT_TRUE(aor_key_from_text("sip:alice@Example.COM;x=y", k));
  EXPECT_EQ(k.view(), "alice@example.com");
  ASSERT_TRUE(aor_key_from_text("sips:Alice@EXAMPLE.com:5061", k));
  EXPECT_EQ(k.view(), "Alice@example.com");  // the user keeps its case
  ASSERT_TRUE(aor_key_from_text("  alice@example.com ", k));
  EXPECT_EQ(k.view(), "alice@example.com");
  ASSERT_TRUE(aor_key_from_text("SIP:bob:secret@[2001:DB8::1]:5060", k));
  EXPECT_EQ(k.view(), "bob@[2001:db8::1]");
  EXPECT_FALSE(aor_key_from_text("sip:example.com", k));  // no user
  EXPECT_EQ(k.view(), "");
  EXPECT_FALSE(aor_key_from_text("tel:+15551234", k));
  EXPECT_FALSE(aor_key_from_text("", k));
  EXPECT_FALSE(aor_key_from_text("alice@", k));
  EXPECT_FALSE(aor_key_from_text("alice @example.com", k));
  EXPECT_FALSE(aor_key_from_text(std::string(120, 'a') + "@example.com", k));  // 132 octets
  ASSERT_TRUE(aor_key_from_text(std::string(115, 'a') + "@example.com", k));   // 127 octets
  EXPECT_EQ(k.view().size(), 127u);
}

TEST(AorKey, FromRegister) {
  auto p = parse_copy(make_register({}));
  AorKey k;
  ASSERT_TRUE(register_aor_key(p->m, k));
  EXPECT_EQ(k.view(), "alice@example.com");
  RegisterResult r;
  p = parse_copy(make_register({}, "c", 1, "<sip:example.com>"));
  EXPECT_FALSE(register_aor_key(p->m, k, &r));
  EXPECT_EQ(r.code, 404);
  EXPECT_EQ(r.reason, "Not Found - To URI Has No User");
  p = parse_copy(make_register({}, "c", 1, "<tel:+15551234>"));
  EXPECT_FALSE(register_aor_key(p->m, k, &r));
  EXPECT_EQ(r.reason, "Not Found - To Is Not A SIP URI");
  p = parse_copy(make_register({}, "c", 1, "<sip:" + std::string(130, 'a') + "@example.com>"));
  EXPECT_FALSE(register_aor_key(p->m, k, &r));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Address Of Record Too Long");
}

// ---- URI equality -----------------------------------------------------------------------------
bool equal_texts(std::string_view a, std::string_view b) {
  sip::test::TextMessage m(a);
  sip::Uri u;
  if (!sip::parse_uri(m.m, m.all(), u)) return false;
  return uri_equal_text(m.m, u, b);
}

TEST(UriMatch, Rfc3261Rules) {
  EXPECT_TRUE(equal_texts("sip:alice@PC.example.com:5062", "SIP:alice@pc.EXAMPLE.com:5062"));
  EXPECT_FALSE(equal_texts("sip:alice@pc", "sip:Alice@pc"));            // user is case-sensitive
  EXPECT_FALSE(equal_texts("sip:alice@pc", "sip:alice@pc:5060"));       // absent port != 5060
  EXPECT_FALSE(equal_texts("sip:alice@pc", "sips:alice@pc"));
  EXPECT_TRUE(equal_texts("sip:alice@pc;transport=UDP;x=1", "sip:alice@pc;transport=udp"));  // x only in one
  EXPECT_FALSE(equal_texts("sip:alice@pc;transport=udp", "sip:alice@pc"));  // transport in one only
  EXPECT_FALSE(equal_texts("sip:alice@pc;x=1", "sip:alice@pc;x=2"));
  EXPECT_FALSE(equal_texts("sip:alice@pc?a=b", "sip:alice@pc"));
  EXPECT_FALSE(equal_texts("sip:alice@pc", "not a uri"));
}

// ---- process_register -------------------------------------------------------------------------
TEST(Register, AddsABinding) {
  Registrar reg;
  RegisterResult r = reg.run(make_register({"Contact: \"Alice\" <sip:alice@192.0.2.10:5062;transport=udp>;q=0.5",
                                            "Expires: 600"}));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.reason, "OK");
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.key.view(), "alice@example.com");
  ASSERT_EQ(reg.state.count, 1);
  EXPECT_EQ(reg.state.key.view(), "alice@example.com");
  const Binding& b = reg.state.bindings[0];
  EXPECT_EQ(b.contact_uri(), "sip:alice@192.0.2.10:5062;transport=udp");
  EXPECT_EQ(b.expires_at, kNowS + 600);
  EXPECT_EQ(b.updated_ms, kNow);
  EXPECT_EQ(b.cseq, 1u);
  EXPECT_EQ(b.call_id_text(), "call-1@pc");
  EXPECT_EQ(b.call_id_hash, call_id_hash("call-1@pc"));
  EXPECT_TRUE(b.has_q);
  EXPECT_EQ(b.q_millis, 500);
  EXPECT_EQ(b.path_text(), "");
}

TEST(Register, RecordsTheSourceAddress) {
  Registrar reg;
  Source s;
  s.v6 = true;
  s.ip[0] = 0x20;
  s.ip[1] = 0x01;
  s.ip[15] = 7;
  s.port = 40000;
  reg.run(make_register({"Contact: <sip:alice@10.0.0.5:5060>"}), kNow, s);  // a private address behind NAT
  ASSERT_EQ(reg.state.count, 1);
  EXPECT_TRUE(reg.state.bindings[0].received.v6);
  EXPECT_EQ(reg.state.bindings[0].received.port, 40000);
  EXPECT_EQ(std::memcmp(reg.state.bindings[0].received.ip, s.ip, 16), 0);
}

TEST(Register, DefaultMaxAndMinExpires) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}));
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 3600);  // default_expires
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=999999"}, "call-1@pc", 2));
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 86400);  // max_expires
  reg.settings.max_expires = 0;                                  // no maximum
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, "call-1@pc", 3, "<sip:alice@example.com>"));
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>", "Expires: 999999"}, "call-1@pc", 4));
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 999999);
  reg.settings.default_expires = 20;  // below min_expires: raised, never refused
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, "call-1@pc", 5));
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 60);
}

TEST(Register, ContactParameterWinsOverExpiresHeader) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=120, <sip:b@192.0.2.1>", "Expires: 300"}));
  ASSERT_EQ(reg.state.count, 2);
  EXPECT_EQ(reg.find("sip:a@192.0.2.1")->expires_at, kNowS + 120);
  EXPECT_EQ(reg.find("sip:b@192.0.2.1")->expires_at, kNowS + 300);
}

TEST(Register, MinExpiresReply423) {
  Registrar reg;
  RegisterResult r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=30"}));
  EXPECT_EQ(r.code, 423);
  EXPECT_EQ(r.reason, "Interval Too Brief");
  EXPECT_EQ(r.min_expires, 60u);
  EXPECT_EQ(reg.state.count, 0);
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>", "Expires: 59"}));
  EXPECT_EQ(r.code, 423);
  // Not below an hour: the RFC allows no 423, so it is raised.
  reg.settings.min_expires = 7200;
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>", "Expires: 3600"}));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 7200);
}

TEST(Register, MinExpiresRaise) {
  Registrar reg;
  reg.settings.min_expires_mode = MinExpiresMode::raise;
  RegisterResult r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=30"}));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 60);
}

TEST(Register, RefreshWithSameCallIdHigherCSeq) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>", "Expires: 600"}));
  RegisterResult r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>", "Expires: 900"}, "call-1@pc", 2),
                             kNow + 5000, source_v4(11, 5070));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.refreshed, 1);
  EXPECT_EQ(r.added, 0);
  EXPECT_TRUE(r.changed);
  ASSERT_EQ(reg.state.count, 1);
  EXPECT_EQ(reg.state.bindings[0].cseq, 2u);
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 5 + 900);
  EXPECT_EQ(reg.state.bindings[0].updated_ms, kNow + 5000);
  EXPECT_EQ(reg.state.bindings[0].received.ip[3], 11);
  EXPECT_EQ(reg.state.bindings[0].received.port, 5070);
}

TEST(Register, RetransmissionChangesNothing) {
  Registrar reg;
  const std::string m = make_register({"Contact: <sip:a@192.0.2.1>", "Expires: 600"});
  reg.run(m);
  const AorState before = reg.state;
  RegisterResult r = reg.run(m, kNow + 500);
  EXPECT_EQ(r.code, 200);
  EXPECT_TRUE(r.retransmission);
  EXPECT_FALSE(r.changed);
  EXPECT_TRUE(same_state(before, reg.state));
}

TEST(Register, OutOfOrderCSeqRefused) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, "call-1@pc", 5));
  // Even with another contact that would be new: nothing is applied.
  RegisterResult r = reg.run(make_register({"Contact: <sip:b@192.0.2.1>, <sip:a@192.0.2.1>"}, "call-1@pc", 4));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - CSeq Out Of Order");
  EXPECT_EQ(reg.state.count, 1);
}

TEST(Register, OtherCallIdUpdatesWhateverItsCSeq) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, "call-1@pc", 50));
  RegisterResult r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=100"}, "call-2@pc", 1));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.refreshed, 1);
  ASSERT_EQ(reg.state.count, 1);
  EXPECT_EQ(reg.state.bindings[0].call_id_text(), "call-2@pc");
  EXPECT_EQ(reg.state.bindings[0].cseq, 1u);
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 100);
}

TEST(Register, RemoveByExpiresZero) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>, <sip:b@192.0.2.1>, <sip:c@192.0.2.1>"}));
  ASSERT_EQ(reg.state.count, 3);
  RegisterResult r = reg.run(make_register({"Contact: <sip:b@192.0.2.1>;expires=0"}, "call-1@pc", 2));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.removed, 1);
  EXPECT_EQ(reg.state.count, 2);
  EXPECT_EQ(reg.find("sip:b@192.0.2.1"), nullptr);
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>", "Expires: 0"}, "call-1@pc", 3));
  EXPECT_EQ(r.removed, 1);
  ASSERT_EQ(reg.state.count, 1);
  EXPECT_NE(reg.find("sip:c@192.0.2.1"), nullptr);
  // Removing what is not bound changes nothing.
  r = reg.run(make_register({"Contact: <sip:zz@192.0.2.1>;expires=0"}, "call-1@pc", 4));
  EXPECT_EQ(r.code, 200);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(reg.state.count, 1);
}

TEST(Register, Wildcard) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>, <sip:b@192.0.2.1>"}, "call-1@pc", 1));
  reg.run(make_register({"Contact: <sip:c@192.0.2.1>"}, "call-9@other", 7));
  RegisterResult r = reg.run(make_register({"Contact: *", "Expires: 0"}, "call-1@pc", 2));
  EXPECT_EQ(r.code, 200);
  EXPECT_TRUE(r.removed_all);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.removed, 3);
  EXPECT_EQ(reg.state.count, 0);
}

TEST(Register, WildcardRulesOfStep6) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, "call-1@pc", 5));
  RegisterResult r = reg.run(make_register({"Contact: *, <sip:a@192.0.2.1>", "Expires: 0"}, "call-1@pc", 6));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Wildcard Contact With Other Contacts");
  r = reg.run(make_register({"Contact: *", "Expires: 60"}, "call-1@pc", 6));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Wildcard Contact Needs Expires 0");
  r = reg.run(make_register({"Contact: *"}, "call-1@pc", 6));
  EXPECT_EQ(r.reason, "Bad Request - Wildcard Contact Needs Expires 0");
  // Same Call-ID, CSeq not higher: the whole update is aborted.
  r = reg.run(make_register({"Contact: *", "Expires: 0"}, "call-1@pc", 4));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - CSeq Out Of Order");
  r = reg.run(make_register({"Contact: *", "Expires: 0"}, "call-1@pc", 5));
  EXPECT_EQ(r.code, 200);
  EXPECT_TRUE(r.retransmission);
  EXPECT_EQ(reg.state.count, 1);
  r = reg.run(make_register({"Contact: *", "Expires: 0"}, "call-2@pc", 1));  // another Call-ID: removes
  EXPECT_TRUE(r.removed_all);
  EXPECT_EQ(reg.state.count, 0);
}

TEST(Register, Query) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}));
  const AorState before = reg.state;
  RegisterResult r = reg.run(make_register({}, "q@pc", 1));
  EXPECT_EQ(r.code, 200);
  EXPECT_TRUE(r.query);
  EXPECT_FALSE(r.changed);
  EXPECT_TRUE(same_state(before, reg.state));
  // Unknown AoR: 200 with nothing.
  Registrar empty;
  r = empty.run(make_register({}));
  EXPECT_EQ(r.code, 200);
  EXPECT_TRUE(r.query);
  EXPECT_EQ(empty.state.count, 0);
}

TEST(Register, ExpiredBindingsDropped) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=100, <sip:b@192.0.2.1>;expires=1000"}));
  RegisterResult r = reg.run(make_register({}, "q@pc", 1), kNow + 100 * 1000);  // a expires exactly now
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.expired, 1);
  EXPECT_TRUE(r.changed);
  ASSERT_EQ(reg.state.count, 1);
  EXPECT_EQ(reg.state.bindings[0].contact_uri(), "sip:b@192.0.2.1");
  // An expired binding of the same Call-ID no longer takes part in the CSeq rule.
  reg.run(make_register({"Contact: <sip:b@192.0.2.1>;expires=60"}, "call-1@pc", 2), kNow + 100 * 1000);
  r = reg.run(make_register({"Contact: <sip:b@192.0.2.1>"}, "call-1@pc", 1), kNow + 200 * 1000);
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.expired, 1);
  EXPECT_EQ(r.added, 1);
}

TEST(Register, MaxContactsReject) {
  Registrar reg;
  reg.settings.max_contacts = 2;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>, <sip:b@192.0.2.1>"}));
  RegisterResult r = reg.run(make_register({"Contact: <sip:c@192.0.2.1>"}, "call-1@pc", 2));
  EXPECT_EQ(r.code, 503);
  EXPECT_EQ(r.reason, "Service Unavailable - Too Many Contacts");
  EXPECT_EQ(reg.state.count, 2);
  // Room made in the same request counts.
  r = reg.run(make_register({"Contact: <sip:c@192.0.2.1>, <sip:a@192.0.2.1>;expires=0"}, "call-1@pc", 3));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.removed, 1);
  EXPECT_NE(reg.find("sip:c@192.0.2.1"), nullptr);
  EXPECT_EQ(reg.find("sip:a@192.0.2.1"), nullptr);
  // A request that alone asks for more than the limit.
  r = reg.run(make_register({"Contact: <sip:x@192.0.2.1>, <sip:y@192.0.2.1>, <sip:z@192.0.2.1>"}, "new@pc", 1));
  EXPECT_EQ(r.code, 503);
}

TEST(Register, MaxContactsReplaceOldest) {
  Registrar reg;
  reg.settings.max_contacts = 2;
  reg.settings.overflow_mode = OverflowMode::replace_oldest;
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, "ca", 1), kNow);
  reg.run(make_register({"Contact: <sip:b@192.0.2.1>"}, "cb", 1), kNow + 1000);
  reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, "ca", 2), kNow + 2000);  // a now newer than b
  RegisterResult r = reg.run(make_register({"Contact: <sip:c@192.0.2.1>"}, "cc", 1), kNow + 3000);
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.replaced, 1);
  EXPECT_EQ(reg.state.count, 2);
  EXPECT_EQ(reg.find("sip:b@192.0.2.1"), nullptr);
  EXPECT_NE(reg.find("sip:a@192.0.2.1"), nullptr);
  EXPECT_NE(reg.find("sip:c@192.0.2.1"), nullptr);
  r = reg.run(make_register({"Contact: <sip:x@192.0.2.1>, <sip:y@192.0.2.1>, <sip:z@192.0.2.1>"}, "n", 1));
  EXPECT_EQ(r.code, 503);  // cannot fit even by replacing everything
}

TEST(Register, AtMostSixteenContacts) {
  Registrar reg;
  std::string contacts = "Contact: ";
  for (int i = 0; i < 16; ++i) contacts += (i ? ", " : "") + std::string("<sip:u") + std::to_string(i) + "@192.0.2.1>";
  RegisterResult r = reg.run(make_register({contacts}));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(reg.state.count, 16);
  r = reg.run(make_register({contacts + ", <sip:u16@192.0.2.1>"}, "call-1@pc", 2));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Too Many Contacts In Request");
}

TEST(Register, InstanceAndRegIdReplaceTheOldContact) {
  Registrar reg;
  const char* inst = "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"";
  reg.run(make_register({std::string("Contact: <sip:alice@192.0.2.10:5062>;") + inst + ";reg-id=1"}, "c1", 1));
  reg.run(make_register({std::string("Contact: <sip:alice@192.0.2.10:5064>;") + inst + ";reg-id=2"}, "c1", 2));
  ASSERT_EQ(reg.state.count, 2);  // two flows
  // The phone restarts (new Call-ID) on another port: flow 1's binding is replaced, not added to.
  RegisterResult r = reg.run(
      make_register({std::string("Contact: <sip:alice@192.0.2.10:6000;ob>;") + inst + ";reg-id=1"}, "c2", 1));
  EXPECT_EQ(r.refreshed, 1);
  EXPECT_EQ(r.added, 0);
  ASSERT_EQ(reg.state.count, 2);
  const Binding* b = reg.find("sip:alice@192.0.2.10:6000;ob");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->reg_id, 1u);
  EXPECT_EQ(b->instance_text(), "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"");
  EXPECT_EQ(reg.find("sip:alice@192.0.2.10:5062"), nullptr);
  // reg-id without an instance is ignored; a bad one refused.
  r = reg.run(make_register({"Contact: <sip:x@192.0.2.1>;reg-id=3"}, "c3", 1));
  EXPECT_EQ(reg.find("sip:x@192.0.2.1")->reg_id, 0u);
  r = reg.run(make_register({std::string("Contact: <sip:y@192.0.2.1>;") + inst + ";reg-id=0"}, "c3", 2));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Malformed reg-id");
}

TEST(Register, PathStored) {
  Registrar reg;
  RegisterResult r = reg.run(make_register({"Path: <sip:edge1.example.com;lr>", "Path: <sip:p2.example.com;lr>, <sip:p3;lr>",
                                            "Supported: path", "Contact: <sip:a@10.0.0.1>"}));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(reg.state.bindings[0].path_text(), "<sip:edge1.example.com;lr>,<sip:p2.example.com;lr>,<sip:p3;lr>");
}

TEST(Register, TooLongFieldsRefused) {
  Registrar reg;
  RegisterResult r = reg.run(make_register({"Contact: <sip:" + std::string(200, 'a') + "@192.0.2.1>"}));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Contact URI Too Long");
  r = reg.run(make_register({"Path: <sip:" + std::string(200, 'p') + ";lr>", "Contact: <sip:a@192.0.2.1>"}));
  EXPECT_EQ(r.reason, "Bad Request - Path Too Long");
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>;+sip.instance=\"<urn:uuid:" + std::string(80, '0') + ">\""}));
  EXPECT_EQ(r.reason, "Bad Request - Instance ID Too Long");
  // A long Call-ID is kept cut (display only; the hash is of the whole).
  const std::string long_id(100, 'i');
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>"}, long_id));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(reg.state.bindings[0].call_id_text(), long_id.substr(0, kMaxCallIdText));
  EXPECT_EQ(reg.state.bindings[0].call_id_hash, call_id_hash(long_id));
}

TEST(Register, MalformedRefused) {
  Registrar reg;
  RegisterResult r = reg.run(make_register({"Contact: <sip:a@192.0.2.1"}));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Malformed Contact");
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=soon"}));
  EXPECT_EQ(r.reason, "Bad Request - Malformed Contact");
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1:99999>"}));
  EXPECT_EQ(r.reason, "Bad Request - Malformed Contact");
  r = reg.run(make_register({"Contact: <tel:+15551234>"}));
  EXPECT_EQ(r.reason, "Bad Request - Contact Is Not A SIP URI");
  r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>", "Expires: later"}));
  EXPECT_EQ(r.reason, "Bad Request - Malformed Expires");
  // Not a REGISTER at all.
  auto p = parse_copy(
      "OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-2\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  AorState next;
  r = process_register(RegistrarSettings{}, p->m, Source{}, kNow, nullptr, next);
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Bad Request - Not A REGISTER");
}

TEST(Register, SameContactDifferentlyWritten) {
  Registrar reg;
  reg.run(make_register({"Contact: <sip:alice@PC.example.com;transport=UDP>"}));
  RegisterResult r = reg.run(make_register({"Contact: <SIP:alice@pc.EXAMPLE.com;transport=udp>"}, "call-1@pc", 2));
  EXPECT_EQ(r.refreshed, 1);
  EXPECT_EQ(reg.state.count, 1);
  EXPECT_EQ(reg.state.bindings[0].contact_uri(), "SIP:alice@pc.EXAMPLE.com;transport=udp");  // as last written
}

TEST(Register, SameNewContactTwiceInOneRequest) {
  Registrar reg;
  RegisterResult r = reg.run(make_register({"Contact: <sip:a@192.0.2.1>;expires=100, <sip:a@192.0.2.1>;expires=200"}));
  EXPECT_EQ(r.added, 1);
  ASSERT_EQ(reg.state.count, 1);
  EXPECT_EQ(reg.state.bindings[0].expires_at, kNowS + 200);
}

// ---- reply text -------------------------------------------------------------------------------
std::string date_of(int64_t ms) {
  char buf[64];
  std::size_t n = write_date_line(ms, buf, sizeof buf);
  return std::string(buf, n);
}

TEST(ReplyText, Date) {
  EXPECT_EQ(date_of(0), "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
  EXPECT_EQ(date_of(1796538600000), "Date: Sun, 06 Dec 2026 06:30:00 GMT\r\n");
  EXPECT_EQ(date_of(951782400000 + 999), "Date: Tue, 29 Feb 2000 00:00:00 GMT\r\n");
  EXPECT_EQ(date_of(4107542399000), "Date: Sun, 28 Feb 2100 23:59:59 GMT\r\n");  // 2100: no leap day
  EXPECT_EQ(date_of(4107542400000), "Date: Mon, 01 Mar 2100 00:00:00 GMT\r\n");
  EXPECT_EQ(date_of(4133980799000), "Date: Fri, 31 Dec 2100 23:59:59 GMT\r\n");
  EXPECT_EQ(date_of(-1000), "Date: Wed, 31 Dec 1969 23:59:59 GMT\r\n");
  EXPECT_EQ(date_of(0).size(), kDateLineSize);
  char small[kDateLineSize];
  EXPECT_EQ(write_date_line(0, small, sizeof small - 1), 0u);
  EXPECT_EQ(write_date_line(0, small, sizeof small), kDateLineSize);
}

TEST(ReplyText, ContactLinesAndReply) {
  Registrar reg;
  reg.run(make_register({"Path: <sip:edge;lr>",
                         "Contact: <sip:a@192.0.2.1>;expires=600;q=0.5, "
                         "<sip:b@192.0.2.1;ob>;+sip.instance=\"<urn:uuid:1>\";reg-id=2;q=1, <sip:c@192.0.2.1>;q=0.05"}));
  char buf[1024];
  const int64_t later = kNow + 100500;  // 100.5 s later
  std::size_t n = write_contact_lines(reg.state, later, buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n),
            "Contact: <sip:a@192.0.2.1>;expires=500;q=0.5\r\n"
            "Contact: <sip:b@192.0.2.1;ob>;expires=3500;q=1;+sip.instance=\"<urn:uuid:1>\";reg-id=2\r\n"
            "Contact: <sip:c@192.0.2.1>;expires=3500;q=0.05\r\n");
  // Expired bindings are not listed.
  n = write_contact_lines(reg.state, kNow + 700000, buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n).find("sip:a@"), std::string::npos);
  // Too small: 0, at every size below the need.
  const std::size_t need = write_contact_lines(reg.state, later, buf, sizeof buf);
  for (std::size_t cap = 0; cap < need; ++cap) EXPECT_EQ(write_contact_lines(reg.state, later, buf, cap), 0u) << cap;

  auto p = parse_copy(make_register({"Path: <sip:edge;lr>", "Path: <sip:p2;lr>", "Contact: <sip:a@192.0.2.1>"}, "call-1@pc", 2));
  RegisterResult ok;
  ok.code = 200;
  std::size_t written = 0;
  ASSERT_TRUE(write_register_reply(ok, reg.state, p->m, later, buf, sizeof buf, written));
  const std::string text(buf, written);
  EXPECT_NE(text.find("Contact: <sip:a@192.0.2.1>;expires=500;q=0.5\r\n"), std::string::npos);
  EXPECT_NE(text.find("Date: Sun, 06 Dec 2026 06:31:40 GMT\r\n"), std::string::npos);
  EXPECT_NE(text.find("Path: <sip:edge;lr>,<sip:p2;lr>\r\n"), std::string::npos);
  EXPECT_FALSE(write_register_reply(ok, reg.state, p->m, later, buf, 40, written));
  EXPECT_EQ(written, 0u);
  RegisterResult brief;
  brief.code = 423;
  brief.min_expires = 60;
  ASSERT_TRUE(write_register_reply(brief, reg.state, p->m, later, buf, sizeof buf, written));
  EXPECT_EQ(std::string(buf, written), "Min-Expires: 60\r\n");
  RegisterResult bad;
  bad.code = 400;
  ASSERT_TRUE(write_register_reply(bad, reg.state, p->m, later, buf, sizeof buf, written));
  EXPECT_EQ(written, 0u);
}

// ---- lookup -----------------------------------------------------------------------------------
TEST(Lookup, BestBinding) {
  AorState s;
  EXPECT_EQ(best_binding(s, kNow), -1);
  s.count = 4;
  s.bindings[0] = Binding{};
  s.bindings[0].expires_at = kNowS + 100;
  s.bindings[0].has_q = true;
  s.bindings[0].q_millis = 500;
  s.bindings[0].updated_ms = 9;
  s.bindings[1].expires_at = kNowS + 100;  // no q: 1.0
  s.bindings[1].updated_ms = 1;
  s.bindings[2].expires_at = kNowS + 100;
  s.bindings[2].has_q = true;
  s.bindings[2].q_millis = 1000;
  s.bindings[2].updated_ms = 5;            // same q, more recent: wins
  s.bindings[3].expires_at = kNowS;        // expired
  s.bindings[3].updated_ms = 99;
  EXPECT_EQ(best_binding(s, kNow), 2);
  s.bindings[2].expires_at = kNowS - 1;
  EXPECT_EQ(best_binding(s, kNow), 1);
  EXPECT_EQ(best_binding(s, (kNowS + 100) * 1000), -1);
}

// ---- codec ------------------------------------------------------------------------------------
AorState sample_state() {
  Registrar reg;
  reg.run(make_register({"Path: <sip:edge;lr>",
                         "Contact: <sip:a@192.0.2.1>;expires=600;q=0.5, "
                         "<sip:b@192.0.2.1;ob>;+sip.instance=\"<urn:uuid:1>\";reg-id=2"}));
  Source v6;
  v6.v6 = true;
  for (int i = 0; i < 16; ++i) v6.ip[i] = static_cast<uint8_t>(i * 7);
  v6.port = 65535;
  reg.run(make_register({"Contact: <sip:c@[2001:db8::1]>"}, "other", 9), kNow, v6);
  return reg.state;
}

TEST(Codec, RoundTrip) {
  const AorState s = sample_state();
  ASSERT_EQ(s.count, 3);
  std::string data;
  encode_aor_state(s, data);
  AorState back;
  ASSERT_TRUE(decode_aor_state(data, back));
  EXPECT_TRUE(same_state(s, back));
  AorState empty;
  ASSERT_TRUE(aor_key_from_text("bob@example.com", empty.key));
  data.clear();
  encode_aor_state(empty, data);
  ASSERT_TRUE(decode_aor_state(data, back));
  EXPECT_EQ(back.count, 0);
  EXPECT_EQ(back.key.view(), "bob@example.com");
}

TEST(Codec, CorruptInputRefused) {
  std::string data;
  encode_aor_state(sample_state(), data);
  AorState out;
  for (std::size_t n = 0; n < data.size(); ++n) {
    EXPECT_FALSE(decode_aor_state(std::string_view(data).substr(0, n), out)) << n;
    EXPECT_EQ(out.count, 0);
  }
  EXPECT_FALSE(decode_aor_state(data + "x", out));
  std::string bad = data;
  bad[1] = 2;  // version
  EXPECT_FALSE(decode_aor_state(bad, out));
  bad = data;
  bad[0] = 'X';
  EXPECT_FALSE(decode_aor_state(bad, out));
  bad = data;
  bad[2 + 1 + static_cast<uint8_t>(data[2])] = 17;  // count
  EXPECT_FALSE(decode_aor_state(bad, out));
  // Random bytes and random single-octet changes: refused or decoded, never a crash (ASan run).
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string junk(rng() % 400, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (i % 2 == 0 && junk.size() >= 2) junk[0] = 'R', junk[1] = 1;
    (void)decode_aor_state(junk, out);
    std::string flipped = data;
    flipped[rng() % flipped.size()] = static_cast<char>(rng());
    if (decode_aor_state(flipped, out)) {
      EXPECT_LE(out.count, kMaxContactsPerAor);
      for (uint8_t b = 0; b < out.count; ++b) EXPECT_LE(out.bindings[b].contact_length, kMaxContactUri);
    }
  }
}


// ---- location import --------------------------------------------------------------------------
// OpenSIPS 3.x location table (db_text): Unix times, sip_instance, escaped colons.
constexpr const char* kOpenSipsTable =
    "contact_id(long,auto) username(string) domain(string,null) contact(string) received(string,null) "
    "path(string,null) expires(int) q(double) callid(string) cseq(int) last_modified(int) flags(int) "
    "cflags(string,null) user_agent(string) socket(string,null) methods(int,null) sip_instance(string,null) "
    "kv_store(string,null) attr(string,null)\n"
    "1:alice:Example.COM:sip\\:alice@10.0.0.5\\:5060:sip\\:192.0.2.10\\:5062:null:1796542200:0.5:abc@pc:7:1796538000:0:null:"
    "Phone/1.0:udp\\:192.0.2.1\\:5060:null:null:null:null\n"
    "2:alice:example.com:sip\\:alice@10.0.0.6:null:<sip\\:edge;lr>:1796542200:-1:def@pc:2:1796538100:0:null:"
    "Phone/1.0:null:null:'<urn:uuid:1>':null:null\n"
    "3:bob:example.com:sip\\:bob@10.0.0.7:sip\\:[2001\\:db8\\:\\:1]:null:1796538000:1:x:1:0:0:null:UA:null:null:null:null:null\n"
    "4:carol:null:sip\\:carol@10.0.0.8:null:null:0:1:y:1:0:0:null:UA:null:null:null:null:null\n"
    "\n";

// Kamailio 5.x: columns in another order, datetime expires, reg_id, no domain (default used).
constexpr const char* kKamailioTable =
    "id(int,auto) ruid(string) username(string) domain(string,null) contact(string) received(string,null) "
    "path(string,null) expires(int) q(double) callid(string) cseq(int) last_modified(int) flags(int) cflags(int) "
    "user_agent(string) socket(string,null) methods(int,null) instance(string,null) reg_id(int) server_id(int) "
    "connection_id(int) keepalive(int) partition(int)\n"
    "1:uloc-1:dave::sip\\:dave@10.0.0.9\\:5070;ob:sip\\:198.51.100.4\\:40000:null:2026-12-06 07\\:30\\:00:1.00:k1@pc:"
    "11:'2026-12-06 06:29:00':0:0:UA:null:null:<urn\\:uuid\\:2>:1:0:-1:0:0\n";

LocationImportOptions import_options(std::string domain = "") {
  LocationImportOptions o;
  o.now_ms = kNow;
  o.default_domain = std::move(domain);
  return o;
}

TEST(LocationImport, OpenSips) {
  LocationImport r = parse_location_table(kOpenSipsTable, "location", import_options("example.net"));
  ASSERT_FALSE(r.error) << r.error->message();
  EXPECT_EQ(r.rows, 4u);
  EXPECT_EQ(r.imported, 2u);
  EXPECT_EQ(r.expired, 1u);    // bob expired 10 minutes ago
  EXPECT_EQ(r.permanent, 1u);  // carol: expires 0
  ASSERT_EQ(r.aors.size(), 1u);
  const AorState& a = r.aors[0];
  EXPECT_EQ(a.key.view(), "alice@example.com");
  ASSERT_EQ(a.count, 2);
  const Binding& b0 = a.bindings[0];
  EXPECT_EQ(b0.contact_uri(), "sip:alice@10.0.0.5:5060");
  EXPECT_EQ(b0.expires_at, 1796542200);
  EXPECT_TRUE(b0.has_q);
  EXPECT_EQ(b0.q_millis, 500);
  EXPECT_EQ(b0.call_id_text(), "abc@pc");
  EXPECT_EQ(b0.call_id_hash, call_id_hash("abc@pc"));
  EXPECT_EQ(b0.cseq, 7u);
  EXPECT_EQ(b0.updated_ms, 1796538000000);
  EXPECT_FALSE(b0.received.v6);
  EXPECT_EQ(b0.received.ip[0], 192);
  EXPECT_EQ(b0.received.ip[3], 10);
  EXPECT_EQ(b0.received.port, 5062);
  const Binding& b1 = a.bindings[1];
  EXPECT_FALSE(b1.has_q);
  EXPECT_EQ(b1.path_text(), "<sip:edge;lr>");
  EXPECT_EQ(b1.instance_text(), "<urn:uuid:1>");
  EXPECT_EQ(b1.received.port, 0);  // none recorded
  // The imported state answers like one built by REGISTERs: no q (1.0) beats q=0.5.
  EXPECT_EQ(best_binding(a, kNow), 1);
}

TEST(LocationImport, KamailioFromAFile) {
  char dir_template[] = "/tmp/siplb-registrar-XXXXXX";
  char* dir = ::mkdtemp(dir_template);
  ASSERT_NE(dir, nullptr);
  const std::string path = std::string(dir) + "/location";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs(kKamailioTable, f);
  std::fclose(f);
  LocationImport r = load_location_table(path, import_options("Example.ORG"));
  std::remove(path.c_str());
  LocationImport missing = load_location_table(path, import_options());
  ::rmdir(dir);
  ASSERT_FALSE(r.error) << r.error->message();
  ASSERT_EQ(r.aors.size(), 1u);
  EXPECT_EQ(r.aors[0].key.view(), "dave@example.org");
  const Binding& b = r.aors[0].bindings[0];
  EXPECT_EQ(b.contact_uri(), "sip:dave@10.0.0.9:5070;ob");
  EXPECT_EQ(b.expires_at, 1796542200);  // 2026-12-06 07:30:00
  EXPECT_EQ(b.updated_ms, (1796538600 - 60) * 1000LL);
  EXPECT_EQ(b.reg_id, 1u);
  EXPECT_EQ(b.instance_text(), "<urn:uuid:2>");
  EXPECT_TRUE(b.has_q);
  EXPECT_EQ(b.q_millis, 1000);
  EXPECT_EQ(b.received.port, 40000);
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->message(), path + ": cannot open the file: No such file or directory");
}

TEST(LocationImport, KeepsTheNewestPastTheLimit) {
  std::string table = "username(string) domain(string) contact(string) expires(int) last_modified(int)\n";
  for (int i = 0; i < 18; ++i)
    table += "u:d.com:sip\\:u@10.0.0." + std::to_string(i) + ":1796542200:" + std::to_string(1000 + (i == 3 ? -500 : i)) + "\n";
  LocationImport r = parse_location_table(table, "t", import_options());
  ASSERT_FALSE(r.error) << r.error->message();
  EXPECT_EQ(r.over_limit, 2u);
  ASSERT_EQ(r.aors[0].count, kMaxContactsPerAor);
  for (uint8_t i = 0; i < r.aors[0].count; ++i) {
    EXPECT_NE(r.aors[0].bindings[i].contact_uri(), "sip:u@10.0.0.3");  // the oldest two went
    EXPECT_NE(r.aors[0].bindings[i].contact_uri(), "sip:u@10.0.0.0");
  }
}

std::string import_error(std::string_view text, std::string domain = "") {
  LocationImport r = parse_location_table(text, "location", import_options(domain));
  return r.error ? r.error->message() : "no error";
}

TEST(LocationImport, ErrorsNameLineAndColumn) {
  const std::string header = "username(string) domain(string,null) contact(string) received(string,null) expires(int) q(double) cseq(int) reg_id(int) path(string,null) instance(string,null) last_modified(int)\n";
  const std::string ok_row_tail = ":null:1796542200:1:1:0:null:null:0\n";
  EXPECT_EQ(import_error(""), "location: no header line: not a db_text table");
  EXPECT_EQ(import_error("username(string) contact(string)\n"),
            "location:1: the header has no 'expires' column: not a location table");
  EXPECT_EQ(import_error("username(string) contact expires(int)\n"),
            "location:1: column 2: header column 'contact' is not name(type[,flags])");
  EXPECT_EQ(import_error("username(string) contact(string) expires(int) Expires(int)\n"),
            "location:1: column 4: the header names column 'expires' twice");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h\n"), "location:2: the row has 3 fields, the header 11 columns");
  EXPECT_EQ(import_error(header + "a:b.com:'sip\\:a@h\n"), "location:2: a quoted string has no closing quote");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:1796542200:1:1:0:null:null:0\\"),
            "location:2: a '\\' ends the line");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:soon:1:1:0:null:null:0\n"),
            "location:2: column 5 (expires): 'soon' is neither a Unix time nor 'YYYY-MM-DD HH:MM:SS'");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:2026-13-01 00\\:00\\:00:1:1:0:null:null:0\n"),
            "location:2: column 5 (expires): '2026-13-01 00:00:00' is neither a Unix time nor 'YYYY-MM-DD HH:MM:SS'");
  EXPECT_EQ(import_error(header + "null:b.com:sip\\:a@h" + ok_row_tail),
            "location:2: column 1 (username): no username");
  EXPECT_EQ(import_error(header + "a:null:sip\\:a@h" + ok_row_tail),
            "location:2: column 2 (domain): no domain, and no default domain was given");
  EXPECT_EQ(import_error(header + "a b:b.com:sip\\:a@h" + ok_row_tail),
            "location:2: column 1 (username): 'a b@b.com' is not a user@domain address of record (or is longer than 127 octets)");
  EXPECT_EQ(import_error(header + "a:b.com:null" + ok_row_tail), "location:2: column 3 (contact): no contact");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:" + std::string(200, 'c') + ok_row_tail),
            "location:2: column 3 (contact): the contact is 204 octets long, longer than 192");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:sip\\:host.example\\:5060:1796542200:1:1:0:null:null:0\n"),
            "location:2: column 4 (received): 'sip:host.example:5060' is not sip:address[:port] with a numeric IP address");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:sip\\:192.0.2.1\\:0:1796542200:1:1:0:null:null:0\n"),
            "location:2: column 4 (received): 'sip:192.0.2.1:0' is not sip:address[:port] with a numeric IP address");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:1796542200:1.5:1:0:null:null:0\n"),
            "location:2: column 6 (q): '1.5' is not a q value between 0 and 1 (or -1 for none)");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:1796542200:1:x:0:null:null:0\n"),
            "location:2: column 7 (cseq): 'x' is not a CSeq number");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:1796542200:1:1:-2:null:null:0\n"),
            "location:2: column 8 (reg_id): '-2' is not a reg-id between 0 and 2147483647");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:1796542200:1:1:0:" + std::string(193, 'p') + ":null:0\n"),
            "location:2: column 9 (path): the path is 193 octets long, longer than 192");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:1796542200:1:1:0:null:" + std::string(81, 'i') + ":0\n"),
            "location:2: column 10 (instance): the instance is 81 octets long, longer than 80");
  EXPECT_EQ(import_error(header + "a:b.com:sip\\:a@h:null:1796542200:1:1:0:null:null:yesterday\n"),
            "location:2: column 11 (last_modified): 'yesterday' is neither a Unix time nor 'YYYY-MM-DD HH:MM:SS'");
  // Comments and blank lines count in line numbers; a username with '@' is the AoR itself.
  EXPECT_EQ(import_error("# exported\n\n" + header + "a@x.com:null:sip\\:a@h" + ok_row_tail + "b@x.com:null:null" + ok_row_tail),
            "location:5: column 3 (contact): no contact");
}

}  // namespace
}  // namespace siplb::registrar
