// MessageEditor (each edit alone and combined, in buffers with and without head- and tailroom),
// build_reply and write_message. Results are checked by their exact bytes and by parsing them again.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sip_test_util.hpp"

namespace siplb::sip {
namespace {

using test::parse_copy;

std::string replace_once(std::string s, std::string_view from, std::string_view to) {
  std::size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: \"" << from << "\" not in the message";
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

const std::string kReq =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "Route: <sip:lb.example.com;lr>, <sip:p2.example.com;lr>\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 10\r\n"
    "\r\n"
    "v=0\r\ns=-\r\n";

// A forwarded request: an upstream proxy's Via and Record-Route, one Route value for us.
const std::string kFwd =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n"
    "Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0;received=192.0.2.200\r\n"
    "Max-Forwards: 70\r\n"
    "Route: <sip:lb.example.com;lr>, <sip:p2.example.com;lr>\r\n"
    "Record-Route: <sip:p1.example.com;lr>\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

const std::string kFwdExpected =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKlb1\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport=5062;branch=z9hG4bK776asdhds;received=192.0.2.9\r\n"
    "Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0;received=192.0.2.200\r\n"
    "Max-Forwards: 69\r\n"
    "Route: <sip:p2.example.com;lr>\r\n"
    "Record-Route: <sip:10.0.0.1;lr>\r\n"
    "Record-Route: <sip:p1.example.com;lr>\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

const char kNewVia[] = "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKlb1";

// A buffer of exactly headroom + message + tailroom octets (so ASan sees any write past it),
// the room filled with '#', and the message parsed where it lies.
class Room {
 public:
  Room(std::string_view msg, uint32_t headroom, uint32_t tailroom)
      : buf_(headroom + msg.size() + tailroom, '#'), start_(headroom) {
    std::memcpy(buf_.data() + headroom, msg.data(), msg.size());
    err_ = parse(buf_.data() + headroom, msg.size(), m_);
    before_ = buf_;
  }
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  ParseError err() const { return err_; }
  const Message& m() const { return m_; }
  char* room() { return buf_.data(); }
  uint32_t capacity() const { return static_cast<uint32_t>(buf_.size()); }
  uint32_t start() const { return start_; }
  bool unchanged() const { return buf_ == before_; }
  bool front_untouched(uint32_t n) const { return std::equal(buf_.begin(), buf_.begin() + n, before_.begin()); }

 private:
  std::vector<char> buf_;
  std::vector<char> before_;
  uint32_t start_;
  Message m_{};
  ParseError err_;
};

using Ops = std::function<void(MessageEditor&)>;

// Runs `ops` (each must succeed) and commit() in a Room, checks the result against `expected`
// and that it parses. Returns the reparsed message.
std::unique_ptr<test::Parsed> edit_and_check(std::string_view msg, uint32_t headroom, uint32_t tailroom,
                                             const Ops& ops, std::string_view expected,
                                             uint32_t reserve_front = 0) {
  SCOPED_TRACE("headroom " + std::to_string(headroom) + ", tailroom " + std::to_string(tailroom) +
               ", reserve_front " + std::to_string(reserve_front));
  Room r(msg, headroom, tailroom);
  EXPECT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity(), reserve_front);
  ops(ed);
  EXPECT_EQ(ed.commit(), EditError::none);
  EXPECT_GE(ed.head(), reserve_front);
  EXPECT_LE(uint64_t{ed.head()} + ed.length(), r.capacity());
  EXPECT_EQ(static_cast<const void*>(ed.data()), static_cast<const void*>(r.room() + ed.head()));
  EXPECT_TRUE(r.front_untouched(reserve_front)) << "reserve_front octets were written";
  std::string got(ed.data(), ed.length());
  EXPECT_EQ(got, expected);
  auto p = parse_copy(got);
  EXPECT_EQ(p->err, ParseError::none) << got;
  return p;
}

#define EXPECT_OK(call) EXPECT_EQ((call), EditError::none)

// ---------------------------------------------------------------------------------------------

TEST(EditErrorNames, All) {
  EXPECT_EQ(edit_error_name(EditError::none), "none");
  EXPECT_EQ(edit_error_name(EditError::no_room), "no_room");
  EXPECT_EQ(edit_error_name(EditError::too_large), "too_large");
  EXPECT_EQ(edit_error_name(EditError::too_many_edits), "too_many_edits");
  EXPECT_EQ(edit_error_name(EditError::overlapping_edits), "overlapping_edits");
  EXPECT_EQ(edit_error_name(EditError::not_found), "not_found");
  EXPECT_EQ(edit_error_name(EditError::bad_value), "bad_value");
}

// ---------------------------------------------------------------------------------------------
// Each edit alone.

TEST(MessageEditor, InsertTopVia) {
  const std::string expected =
      replace_once(kReq, "Via: SIP/2.0/UDP pc33", std::string("Via: ") + kNewVia + "\r\nVia: SIP/2.0/UDP pc33");
  auto p = edit_and_check(kReq, 256, 256, [](MessageEditor& e) { EXPECT_OK(e.insert_top_via(kNewVia)); }, expected);
  EXPECT_EQ(p->text(p->m.top_via.host), "10.0.0.1");
  EXPECT_EQ(p->m.top_via.port, 5060);
  EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKlb1");
  EXPECT_EQ(p->m.body_length, 10);
}

// The unchecked inserts for the proxy's own text edit as the checked ones do.
TEST(MessageEditor, TrustedInsertsEditAsTheCheckedOnes) {
  const std::string expected = replace_once(
      replace_once(kReq, "Via: SIP/2.0/UDP pc33", std::string("Via: ") + kNewVia + "\r\nVia: SIP/2.0/UDP pc33"),
      "SIP/2.0\r\n", "SIP/2.0\r\nRecord-Route: <sip:10.0.0.1;lr>\r\n");
  edit_and_check(kReq, 256, 256, [](MessageEditor& e) {
    EXPECT_OK(e.insert_record_route("<sip:10.0.0.1;lr>"));
    EXPECT_OK(e.insert_top_via(kNewVia));
  }, expected);
  edit_and_check(kReq, 256, 256, [](MessageEditor& e) {
    EXPECT_OK(e.insert_record_route_trusted("<sip:10.0.0.1;lr>"));
    EXPECT_OK(e.insert_top_via_trusted(kNewVia));
  }, expected);
}

TEST(MessageEditor, SafeHeaderValues) {
  EXPECT_TRUE(is_safe_header_value("10.0.0.1:5060"));
  EXPECT_TRUE(is_safe_header_value("<sip:[fd00::1]:5060;lr>"));
  EXPECT_FALSE(is_safe_header_value(""));
  EXPECT_FALSE(is_safe_header_value("10.0.0.1\r\nX: y"));
  EXPECT_FALSE(is_safe_header_value("a\nb"));
  EXPECT_FALSE(is_safe_header_value("a\r"));
}

TEST(MessageEditor, InsertTopViaWhenViaIsNotTheFirstField) {
  const std::string msg = replace_once(
      replace_once(kReq, "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n", ""),
      "To: Bob", "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\nTo: Bob");
  Room r(msg, 128, 128);
  ASSERT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity());
  ASSERT_EQ(ed.insert_top_via(kNewVia), EditError::none);
  ASSERT_EQ(ed.commit(), EditError::none);
  auto p = parse_copy(std::string_view(ed.data(), ed.length()));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKlb1");
  ValueIterator it(p->m, HeaderId::via);
  Span v;
  ASSERT_TRUE(it.next(v));
  ASSERT_TRUE(it.next(v));
  EXPECT_EQ(p->text(v), "SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds");
  EXPECT_FALSE(it.next(v));
  EXPECT_EQ(p->m.header_count, r.m().header_count + 1);
}

TEST(MessageEditor, SetTopViaReceivedAddsAndReplaces) {
  edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_top_via_received("192.0.2.9")); },
                 replace_once(kReq, "z9hG4bK776asdhds\r\n", "z9hG4bK776asdhds;received=192.0.2.9\r\n"));

  const std::string had = replace_once(kReq, ";rport;", ";received=10.9.9.9;rport;");
  auto p = edit_and_check(had, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_top_via_received("192.0.2.9")); },
                          replace_once(had, "received=10.9.9.9", "received=192.0.2.9"));
  EXPECT_EQ(p->text(p->m.top_via.received), "192.0.2.9");

  // An IPv6 received value (RFC 3261 20.42: IPv4address / IPv6address) is written as given.
  auto v6 = edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_top_via_received("2001:db8::9")); },
                           replace_once(kReq, "z9hG4bK776asdhds\r\n", "z9hG4bK776asdhds;received=2001:db8::9\r\n"));
  EXPECT_EQ(v6->text(v6->m.top_via.received), "2001:db8::9");
}

TEST(MessageEditor, SetTopViaRport) {
  auto p = edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_top_via_rport(5062)); },
                          replace_once(kReq, ";rport;", ";rport=5062;"));
  EXPECT_TRUE(p->m.top_via.has_rport);
  EXPECT_EQ(p->text(p->m.top_via.rport), "5062");

  const std::string had = replace_once(kReq, ";rport;", ";rport=1111;");
  edit_and_check(had, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_top_via_rport(65535)); },
                 replace_once(had, "rport=1111", "rport=65535"));

  const std::string none = replace_once(kReq, ";rport;", ";");
  edit_and_check(none, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_top_via_rport(1)); },
                 replace_once(none, "z9hG4bK776asdhds\r\n", "z9hG4bK776asdhds;rport=1\r\n"));
}

TEST(MessageEditor, ReceivedAndRportBothAbsent) {
  // Both are appended at the end of the top Via; either order is a correct result.
  const std::string none = replace_once(kReq, ";rport;", ";");
  Room r(none, 64, 64);
  ASSERT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity());
  ASSERT_EQ(ed.set_top_via_received("192.0.2.9"), EditError::none);
  ASSERT_EQ(ed.set_top_via_rport(5062), EditError::none);
  ASSERT_EQ(ed.commit(), EditError::none);
  std::string got(ed.data(), ed.length());
  const std::string a = replace_once(none, "asdhds\r\n", "asdhds;received=192.0.2.9;rport=5062\r\n");
  const std::string b = replace_once(none, "asdhds\r\n", "asdhds;rport=5062;received=192.0.2.9\r\n");
  EXPECT_TRUE(got == a || got == b) << got;
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->text(p->m.top_via.received), "192.0.2.9");
  EXPECT_EQ(p->text(p->m.top_via.rport), "5062");
}

// A valueless ;rport that ends the top Via sits exactly where ";received=" is appended: the
// port must stay with its rport, whichever of the two calls comes first.
TEST(MessageEditor, ReceivedAndRportWhenRportEndsTheVia) {
  const std::string msg = replace_once(kReq, ";rport;branch=z9hG4bK776asdhds", ";branch=z9hG4bK776asdhds;rport");
  const std::string expected =
      replace_once(msg, ";branch=z9hG4bK776asdhds;rport\r\n", ";branch=z9hG4bK776asdhds;rport=5062;received=192.0.2.9\r\n");
  for (bool received_first : {true, false}) {
    SCOPED_TRACE(received_first ? "set_top_via_received first" : "set_top_via_rport first");
    auto p = edit_and_check(msg, 64, 64,
                            [&](MessageEditor& e) {
                              if (received_first) {
                                EXPECT_OK(e.set_top_via_received("192.0.2.9"));
                              }
                              EXPECT_OK(e.set_top_via_rport(5062));
                              if (!received_first) {
                                EXPECT_OK(e.set_top_via_received("192.0.2.9"));
                              }
                            },
                            expected);
    EXPECT_EQ(p->text(p->m.top_via.rport), "5062");
    EXPECT_EQ(p->text(p->m.top_via.received), "192.0.2.9");
  }
}

TEST(MessageEditor, SetMaxForwardsRewritesAndInserts) {
  auto p = edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_max_forwards(69)); },
                          replace_once(kReq, "Max-Forwards: 70", "Max-Forwards: 69"));
  EXPECT_EQ(p->m.max_forwards, 69);
  edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_max_forwards(0)); },
                 replace_once(kReq, "Max-Forwards: 70", "Max-Forwards: 0"));
  edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_max_forwards(255)); },
                 replace_once(kReq, "Max-Forwards: 70", "Max-Forwards: 255"));
  const std::string padded = replace_once(kReq, "Max-Forwards: 70", "Max-Forwards:   0070");
  edit_and_check(padded, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_max_forwards(69)); },
                 replace_once(padded, "0070", "69"));

  const std::string absent = replace_once(kReq, "Max-Forwards: 70\r\n", "");
  auto q = edit_and_check(absent, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.set_max_forwards(70)); },
                          replace_once(absent, "SIP/2.0\r\n", "SIP/2.0\r\nMax-Forwards: 70\r\n"));
  EXPECT_EQ(q->m.max_forwards, 70);
}

TEST(MessageEditor, RemoveTopViaWholeField) {
  auto p = edit_and_check(
      kFwd, 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_via()); },
      replace_once(kFwd, "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n", ""));
  EXPECT_EQ(p->text(p->m.top_via.host), "p0.example.com");
}

TEST(MessageEditor, RemoveTopViaOfAMultiValueField) {
  const std::string msg = replace_once(
      kFwd, "z9hG4bK776asdhds\r\nVia: SIP/2.0/UDP p0", "z9hG4bK776asdhds, SIP/2.0/UDP p0");
  auto p = edit_and_check(
      msg, 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_via()); },
      replace_once(msg, "SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds, ", ""));
  EXPECT_EQ(p->text(p->m.top_via.host), "p0.example.com");
  EXPECT_EQ(p->text(p->m.headers[p->m.top_via_header].name), "Via");

  // LWS before the comma: still two values of one field, and only the first goes.
  const std::string spaced = replace_once(
      kFwd, "z9hG4bK776asdhds\r\nVia: SIP/2.0/UDP p0", "z9hG4bK776asdhds  , SIP/2.0/UDP p0");
  edit_and_check(
      spaced, 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_via()); },
      replace_once(spaced, "SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds  , ", ""));

  // The top value on its own line, the next on a continuation line.
  const std::string folded = replace_once(
      kFwd, "z9hG4bK776asdhds\r\nVia: SIP/2.0/UDP p0", "z9hG4bK776asdhds,\r\n SIP/2.0/UDP p0");
  Room r(folded, 0, 0);
  ASSERT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity());
  ASSERT_EQ(ed.remove_top_via(), EditError::none);
  ASSERT_EQ(ed.commit(), EditError::none);
  auto q = parse_copy(std::string_view(ed.data(), ed.length()));
  ASSERT_EQ(q->err, ParseError::none);
  EXPECT_EQ(q->text(q->m.top_via.value), "SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0;received=192.0.2.200");
  ValueIterator it(q->m, HeaderId::via);
  Span v;
  ASSERT_TRUE(it.next(v));
  EXPECT_FALSE(it.next(v));
}

TEST(MessageEditor, RemoveTopRoute) {
  auto p = edit_and_check(kReq, 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_route()); },
                          replace_once(kReq, "<sip:lb.example.com;lr>, ", ""));
  ValueIterator it(p->m, HeaderId::route);
  Span v;
  ASSERT_TRUE(it.next(v));
  EXPECT_EQ(p->text(v), "<sip:p2.example.com;lr>");

  const std::string one = replace_once(kReq, "<sip:lb.example.com;lr>, <sip:p2.example.com;lr>", "<sip:lb.example.com;lr>");
  auto q = edit_and_check(one, 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_route()); },
                          replace_once(one, "Route: <sip:lb.example.com;lr>\r\n", ""));
  EXPECT_FALSE(q->m.has(HeaderId::route));

  // Two Route fields: only the first goes.
  const std::string two = replace_once(kReq, "<sip:lb.example.com;lr>, <sip:p2.example.com;lr>",
                                       "<sip:lb.example.com;lr>\r\nRoute: <sip:p2.example.com;lr>");
  edit_and_check(two, 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_route()); },
                 replace_once(two, "Route: <sip:lb.example.com;lr>\r\n", ""));
}

// Two values (a proxy's double Record-Route come back): one edit per field they occupy, whatever
// the split of values into lines.
TEST(MessageEditor, RemoveTopRoutesAcrossLines) {
  const std::string us = "<sip:lb-a.example.com;lr>";
  const std::string us2 = "<sip:lb-b.example.com;lr>";
  const std::string next = "<sip:p2.example.com;lr>";
  auto with_routes = [&](const std::string& lines) {
    return replace_once(kReq, "Route: <sip:lb.example.com;lr>, <sip:p2.example.com;lr>\r\n", lines);
  };
  const std::string without = with_routes("");
  const std::string next_only = with_routes("Route: " + next + "\r\n");
  struct Case {
    const char* description;
    std::string routes;
    const std::string& expected;
  };
  const Case cases[] = {
      {"all three in one line", "Route: " + us + ", " + us2 + ", " + next + "\r\n", next_only},
      {"all three in one line, no spaces", "Route: " + us + "," + us2 + "," + next + "\r\n", next_only},
      {"one line each", "Route: " + us + "\r\nRoute: " + us2 + "\r\nRoute: " + next + "\r\n", next_only},
      {"ours in one line, the next in another", "Route: " + us + ", " + us2 + "\r\nRoute: " + next + "\r\n",
       next_only},
      {"the second shares a line with the next", "Route: " + us + "\r\nRoute: " + us2 + ", " + next + "\r\n",
       next_only},
      {"only ours, one line", "Route: " + us + ", " + us2 + "\r\n", without},
      {"only ours, two lines", "Route: " + us + "\r\nRoute: " + us2 + "\r\n", without},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    edit_and_check(with_routes(c.routes), 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_routes(2)); },
                   c.expected);
  }
  // Two lines apart (another header between them): both go.
  const std::string apart = replace_once(with_routes("Route: " + us + "\r\n"), "Content-Type:",
                                         "Route: " + us2 + "\r\nContent-Type:");
  edit_and_check(apart, 0, 0, [](MessageEditor& e) { EXPECT_OK(e.remove_top_routes(2)); }, without);
  // With the other forwarding edits and room on both sides.
  edit_and_check(with_routes("Route: " + us + ", " + us2 + ", " + next + "\r\n"), 64, 64,
                 [](MessageEditor& e) {
                   EXPECT_OK(e.insert_top_via(kNewVia));
                   EXPECT_OK(e.set_max_forwards(69));
                   EXPECT_OK(e.remove_top_routes(2));
                   EXPECT_OK(e.insert_record_route("<sip:10.0.0.1;lr>"));
                   EXPECT_OK(e.insert_record_route("<sip:192.0.2.1;lr>"));
                 },
                 replace_once(replace_once(next_only, "Max-Forwards: 70", "Max-Forwards: 69"), "Via: ",
                              std::string("Via: ") + kNewVia +
                                  "\r\nRecord-Route: <sip:10.0.0.1;lr>\r\nRecord-Route: <sip:192.0.2.1;lr>\r\nVia: "));
}

// Fewer Route values than asked: not_found, and the editor is as before (its other edits commit).
TEST(MessageEditor, RemoveTopRoutesBeyondTheLastIsNotFound) {
  const std::string one = replace_once(kReq, "<sip:lb.example.com;lr>, <sip:p2.example.com;lr>", "<sip:lb.example.com;lr>");
  Room r(one, 16, 16);
  ASSERT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity());
  EXPECT_EQ(ed.remove_top_routes(2), EditError::not_found);
  EXPECT_OK(ed.remove_top_routes(0));  // nothing asked, nothing done
  EXPECT_OK(ed.set_max_forwards(69));
  EXPECT_OK(ed.commit());
  EXPECT_EQ(std::string(ed.data(), ed.length()), replace_once(one, "Max-Forwards: 70", "Max-Forwards: 69"));
}

TEST(MessageEditor, RemoveTopRouteWhenAbsentIsNotFound) {
  const std::string msg = replace_once(kReq, "Route: <sip:lb.example.com;lr>, <sip:p2.example.com;lr>\r\n", "");
  Room r(msg, 16, 16);
  ASSERT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity());
  EXPECT_EQ(ed.remove_top_route(), EditError::not_found);
  EXPECT_TRUE(r.unchanged());
}

// A message without Via parses (parser.hpp); the Via edits find nothing to change, and a new top
// Via goes after the start line.
TEST(MessageEditor, MessageWithoutVia) {
  const std::string msg =
      replace_once(kReq, "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n", "");
  {
    Room r(msg, 64, 64);
    ASSERT_EQ(r.err(), ParseError::none);
    ASSERT_EQ(r.m().top_via_header, kNoHeader);
    MessageEditor ed(r.m(), r.room(), r.capacity());
    EXPECT_EQ(ed.set_top_via_received("192.0.2.9"), EditError::not_found);
    EXPECT_EQ(ed.set_top_via_rport(5062), EditError::not_found);
    EXPECT_EQ(ed.remove_top_via(), EditError::not_found);
    EXPECT_EQ(ed.commit(), EditError::none);
    EXPECT_EQ(std::string(ed.data(), ed.length()), msg);
  }
  auto p = edit_and_check(msg, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.insert_top_via(kNewVia)); },
                          replace_once(msg, "SIP/2.0\r\n", std::string("SIP/2.0\r\nVia: ") + kNewVia + "\r\n"));
  EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKlb1");
}

TEST(MessageEditor, InsertRecordRoute) {
  // None yet: after the start line.
  auto p = edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.insert_record_route("<sip:10.0.0.1;lr>")); },
                          replace_once(kReq, "SIP/2.0\r\n", "SIP/2.0\r\nRecord-Route: <sip:10.0.0.1;lr>\r\n"));
  ValueIterator it(p->m, HeaderId::record_route);
  Span v;
  ASSERT_TRUE(it.next(v));
  EXPECT_EQ(p->text(v), "<sip:10.0.0.1;lr>");

  // Above the existing ones.
  auto q = edit_and_check(kFwd, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.insert_record_route("<sip:10.0.0.1;lr>")); },
                          replace_once(kFwd, "Record-Route: <sip:p1", "Record-Route: <sip:10.0.0.1;lr>\r\nRecord-Route: <sip:p1"));
  ValueIterator it2(q->m, HeaderId::record_route);
  ASSERT_TRUE(it2.next(v));
  EXPECT_EQ(q->text(v), "<sip:10.0.0.1;lr>");
  ASSERT_TRUE(it2.next(v));
  EXPECT_EQ(q->text(v), "<sip:p1.example.com;lr>");
}

TEST(MessageEditor, InsertHeader) {
  auto p = edit_and_check(kReq, 64, 64, [](MessageEditor& e) { EXPECT_OK(e.insert_header("X-LB", "node-1")); },
                          replace_once(kReq, "SIP/2.0\r\n", "SIP/2.0\r\nX-LB: node-1\r\n"));
  EXPECT_EQ(p->m.headers[0].id, HeaderId::other);
  EXPECT_EQ(p->text(p->m.headers[0].value), "node-1");
}

TEST(MessageEditor, CommitWithoutEditsDropsOctetsPastContentLength) {
  edit_and_check(kReq + "TRAILING JUNK", 8, 8, [](MessageEditor&) {}, kReq);
  edit_and_check(kReq + "TRAILING JUNK", 8, 8,
                 [](MessageEditor& e) { EXPECT_OK(e.insert_header("X-LB", "1")); },
                 replace_once(kReq, "SIP/2.0\r\n", "SIP/2.0\r\nX-LB: 1\r\n"));
  // The junk lies where the tail would grow into: it must not end up in the message.
  edit_and_check(kReq + std::string(100, 'J'), 0, 0,
                 [](MessageEditor& e) { EXPECT_OK(e.insert_header("X-LB", "1")); },
                 replace_once(kReq, "SIP/2.0\r\n", "SIP/2.0\r\nX-LB: 1\r\n"));
}

// ---------------------------------------------------------------------------------------------
// Combined edits: the forwarding path of a proxy.

const Ops kForwardOps = [](MessageEditor& e) {
  EXPECT_OK(e.set_top_via_received("192.0.2.9"));
  EXPECT_OK(e.set_top_via_rport(5062));
  EXPECT_OK(e.insert_top_via(kNewVia));
  EXPECT_OK(e.set_max_forwards(69));
  EXPECT_OK(e.remove_top_route());
  EXPECT_OK(e.insert_record_route("<sip:10.0.0.1;lr>"));
};

TEST(MessageEditorCombined, ForwardingEditsInEveryBufferLayout) {
  struct Layout {
    uint32_t head, tail;
  };
  const Layout layouts[] = {
      {256, 256},  // both
      {256, 0},    // only headroom
      {0, 256},    // only tailroom
      {1, 1000},
      {1000, 1},
  };
  for (auto l : layouts) {
    auto p = edit_and_check(kFwd, l.head, l.tail, kForwardOps, kFwdExpected);
    EXPECT_EQ(p->m.max_forwards, 69);
    EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKlb1");
  }
}

TEST(MessageEditorCombined, OrderOfCallsDoesNotMatter) {
  edit_and_check(kFwd, 128, 128,
                 [](MessageEditor& e) {
                   EXPECT_OK(e.insert_record_route("<sip:10.0.0.1;lr>"));
                   EXPECT_OK(e.remove_top_route());
                   EXPECT_OK(e.set_max_forwards(69));
                   EXPECT_OK(e.insert_top_via(kNewVia));
                   EXPECT_OK(e.set_top_via_rport(5062));
                   EXPECT_OK(e.set_top_via_received("192.0.2.9"));
                 },
                 kFwdExpected);
}

// The forwarding edits grow the message by 82 octets net (the Route value removed frees 25 of
// the 107 the insertions take). Head- plus tailroom of exactly the net growth is enough
// (writer.hpp: no_room only when "the buffer has not enough headroom plus tailroom").
TEST(MessageEditorCombined, ExactlyEnoughRoomForTheNetGrowth) {
  const uint32_t growth = static_cast<uint32_t>(kFwdExpected.size() - kFwd.size());
  ASSERT_EQ(growth, 82u);
  const std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> layouts = {
      {growth, 0, 0},                        // all in front
      {0, growth, 0},                        // all behind
      {growth / 2, growth - growth / 2, 0},  // split
      {128, 0, 128 - growth},                // front, after the reserve
      {100, growth - 10, 90},                // both, after the reserve
  };
  for (auto [head, tail, reserve] : layouts) edit_and_check(kFwd, head, tail, kForwardOps, kFwdExpected, reserve);
}

// Only insertions: the growth is the sum of them, and exactly that much room is enough.
const Ops kGrowOps = [](MessageEditor& e) {
  EXPECT_OK(e.insert_top_via(kNewVia));
  EXPECT_OK(e.set_top_via_received("192.0.2.9"));
  EXPECT_OK(e.set_top_via_rport(5062));
  EXPECT_OK(e.insert_record_route("<sip:10.0.0.1;lr>"));
};

std::string grown() {
  std::string s = replace_once(kFwd, "Via: SIP/2.0/UDP pc33", std::string("Via: ") + kNewVia + "\r\nVia: SIP/2.0/UDP pc33");
  s = replace_once(s, ";rport;branch=z9hG4bK776asdhds\r\n", ";rport=5062;branch=z9hG4bK776asdhds;received=192.0.2.9\r\n");
  return replace_once(s, "Record-Route: <sip:p1", "Record-Route: <sip:10.0.0.1;lr>\r\nRecord-Route: <sip:p1");
}

TEST(MessageEditorCombined, InsertionsWithExactlyEnoughRoom) {
  const std::string expected = grown();
  const uint32_t growth = static_cast<uint32_t>(expected.size() - kFwd.size());
  const std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> fits = {
      {growth, 0, 0}, {0, growth, 0}, {growth / 2, growth - growth / 2, 0},
      {200, 0, 200 - growth}, {100, growth - 10, 90}, {64, growth, 64}};
  for (auto [head, tail, reserve] : fits) edit_and_check(kFwd, head, tail, kGrowOps, expected, reserve);

  const std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> too_small = {
      {growth - 1, 0, 0}, {0, growth - 1, 0}, {growth / 2, growth - growth / 2 - 1, 0},
      {200, 0, 201 - growth}, {100, growth - 11, 90}, {64, growth - 1, 64}, {0, 0, 0}};
  for (auto [head, tail, reserve] : too_small) {
    SCOPED_TRACE("headroom " + std::to_string(head) + " tailroom " + std::to_string(tail) + " reserve " +
                 std::to_string(reserve));
    Room r(kFwd, head, tail);
    ASSERT_EQ(r.err(), ParseError::none);
    MessageEditor ed(r.m(), r.room(), r.capacity(), reserve);
    kGrowOps(ed);
    EXPECT_EQ(ed.commit(), EditError::no_room);
    EXPECT_TRUE(r.unchanged());
  }
}

TEST(MessageEditorCombined, TooLittleRoomLeavesTheBufferUnchanged) {
  const uint32_t growth = static_cast<uint32_t>(kFwdExpected.size() - kFwd.size());
  const std::vector<std::pair<uint32_t, uint32_t>> layouts = {
      {growth - 1, 0}, {0, growth - 1}, {growth / 2, growth / 2 - 1}, {0, 0}};
  for (auto [head, tail] : layouts) {
    SCOPED_TRACE("headroom " + std::to_string(head) + " tailroom " + std::to_string(tail));
    Room r(kFwd, head, tail);
    ASSERT_EQ(r.err(), ParseError::none);
    MessageEditor ed(r.m(), r.room(), r.capacity());
    kForwardOps(ed);
    EXPECT_EQ(ed.commit(), EditError::no_room);
    EXPECT_TRUE(r.unchanged());
  }
}

TEST(MessageEditorCombined, ReserveFrontIsHonoured) {
  // Headroom that is all reserved: the tail must take the growth.
  edit_and_check(kFwd, 128, 256, kForwardOps, kFwdExpected, 128);
  // Part of the headroom usable.
  edit_and_check(kFwd, 128, 200, kForwardOps, kFwdExpected, 100);
  edit_and_check(kFwd, 256, 0, kForwardOps, kFwdExpected, 100);
  // Not enough once the reserve is taken out.
  const std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> too_small = {
      {128, 0, 128}, {128, 81, 128}, {128, 0, 47}};
  for (auto [head, tail, reserve] : too_small) {
    SCOPED_TRACE("headroom " + std::to_string(head) + " tailroom " + std::to_string(tail) + " reserve " +
                 std::to_string(reserve));
    Room r(kFwd, head, tail);
    ASSERT_EQ(r.err(), ParseError::none);
    MessageEditor ed(r.m(), r.room(), r.capacity(), reserve);
    kForwardOps(ed);
    EXPECT_EQ(ed.commit(), EditError::no_room);
    EXPECT_TRUE(r.unchanged());
  }
}

TEST(MessageEditorCombined, ShrinkingNeedsNoRoom) {
  auto p = edit_and_check(
      kFwd, 0, 0,
      [](MessageEditor& e) {
        EXPECT_OK(e.remove_top_via());
        EXPECT_OK(e.remove_top_route());
        EXPECT_OK(e.set_max_forwards(9));
      },
      replace_once(replace_once(replace_once(kFwd,
                                             "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n", ""),
                                "<sip:lb.example.com;lr>, ", ""),
                   "Max-Forwards: 70", "Max-Forwards: 9"));
  EXPECT_EQ(p->m.max_forwards, 9);
}

// An edit near the top moves the short front part, not the whole message.
TEST(MessageEditorCombined, TopInsertMovesTheFront) {
  const std::string line = std::string("Via: ") + kNewVia + "\r\n";
  {
    Room r(kReq, 256, 256);
    ASSERT_EQ(r.err(), ParseError::none);
    MessageEditor ed(r.m(), r.room(), r.capacity());
    ASSERT_EQ(ed.insert_top_via(kNewVia), EditError::none);
    ASSERT_EQ(ed.commit(), EditError::none);
    EXPECT_EQ(ed.head(), 256 - line.size());
    EXPECT_EQ(ed.length(), kReq.size() + line.size());
  }
  {
    Room r(kReq, 0, 256);  // no headroom: the rest moves back instead
    ASSERT_EQ(r.err(), ParseError::none);
    MessageEditor ed(r.m(), r.room(), r.capacity());
    ASSERT_EQ(ed.insert_top_via(kNewVia), EditError::none);
    ASSERT_EQ(ed.commit(), EditError::none);
    EXPECT_EQ(ed.head(), 0u);
  }
}

// Two insertions at the same place (the top Via is the first field, and no Record-Route yet):
// both land there, in either order.
TEST(MessageEditorCombined, TwoInsertionsAfterTheStartLine) {
  Room r(kReq, 128, 128);
  ASSERT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity());
  ASSERT_EQ(ed.insert_top_via(kNewVia), EditError::none);
  ASSERT_EQ(ed.insert_record_route("<sip:10.0.0.1;lr>"), EditError::none);
  ASSERT_EQ(ed.insert_header("X-LB", "n1"), EditError::none);
  ASSERT_EQ(ed.commit(), EditError::none);
  std::string got(ed.data(), ed.length());
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none) << got;
  EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKlb1");
  EXPECT_EQ(p->m.header_count, r.m().header_count + 3);
  const std::string rest = kReq.substr(kReq.find("\r\n") + 2);
  EXPECT_EQ(got.substr(got.size() - rest.size()), rest);
  const std::string added = got.substr(0, got.size() - rest.size());
  for (std::string_view l : {std::string_view("Record-Route: <sip:10.0.0.1;lr>\r\n"), std::string_view("X-LB: n1\r\n"),
                             std::string_view("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKlb1\r\n")})
    EXPECT_NE(added.find(l), std::string::npos) << l;
}

// ---------------------------------------------------------------------------------------------
// Failures: the buffer stays as it was.

// Runs `ops`; the first error returned, or commit()'s, must be `expected`. The buffer is unchanged.
void expect_failure(std::string_view msg, const std::function<EditError(MessageEditor&)>& ops, EditError expected,
                    uint32_t head = 256, uint32_t tail = 256) {
  Room r(msg, head, tail);
  ASSERT_EQ(r.err(), ParseError::none);
  MessageEditor ed(r.m(), r.room(), r.capacity());
  EditError e = ops(ed);
  if (e == EditError::none) e = ed.commit();
  EXPECT_EQ(e, expected);
  EXPECT_TRUE(r.unchanged());
}

TEST(MessageEditorErrors, OverlappingEdits) {
  const std::string with_received = replace_once(kReq, ";rport;", ";received=10.9.9.9;rport;");
  expect_failure(with_received,
                 [](MessageEditor& e) {
                   EditError x = e.remove_top_via();
                   return x != EditError::none ? x : e.set_top_via_received("192.0.2.9");
                 },
                 EditError::overlapping_edits);
  expect_failure(kReq,
                 [](MessageEditor& e) {
                   EditError x = e.remove_top_via();
                   return x != EditError::none ? x : e.set_top_via_rport(5062);
                 },
                 EditError::overlapping_edits);
  expect_failure(kReq,
                 [](MessageEditor& e) {
                   EditError x = e.remove_top_via();
                   return x != EditError::none ? x : e.remove_top_via();
                 },
                 EditError::overlapping_edits);
  expect_failure(kReq,
                 [](MessageEditor& e) {
                   EditError x = e.set_max_forwards(69);
                   return x != EditError::none ? x : e.set_max_forwards(68);
                 },
                 EditError::overlapping_edits);
  expect_failure(kReq,
                 [](MessageEditor& e) {
                   EditError x = e.remove_top_route();
                   return x != EditError::none ? x : e.remove_top_route();
                 },
                 EditError::overlapping_edits);
}

TEST(MessageEditorErrors, TooManyEdits) {
  {
    Room r(kReq, 1024, 1024);
    ASSERT_EQ(r.err(), ParseError::none);
    MessageEditor ed(r.m(), r.room(), r.capacity());
    for (std::size_t i = 0; i < MessageEditor::kMaxEdits; ++i)
      EXPECT_EQ(ed.insert_header("X-H" + std::to_string(i), "v"), EditError::none) << i;
    EXPECT_EQ(ed.commit(), EditError::none);
    auto p = parse_copy(std::string_view(ed.data(), ed.length()));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.header_count, r.m().header_count + MessageEditor::kMaxEdits);
  }
  expect_failure(kReq,
                 [](MessageEditor& e) {
                   for (std::size_t i = 0; i <= MessageEditor::kMaxEdits; ++i) {
                     EditError x = e.insert_header("X-H" + std::to_string(i), "v");
                     if (x != EditError::none) return x;
                   }
                   return EditError::none;
                 },
                 EditError::too_many_edits, 2048, 2048);
  // The scratch text is full.
  expect_failure(kReq,
                 [](MessageEditor& e) { return e.insert_header("X-Big", std::string(MessageEditor::kScratchSize + 10, 'a')); },
                 EditError::too_many_edits, 4096, 4096);
  expect_failure(kReq,
                 [](MessageEditor& e) {
                   const std::string half(MessageEditor::kScratchSize / 2 + 10, 'b');
                   EditError x = e.insert_header("X-A", half);
                   return x != EditError::none ? x : e.insert_header("X-B", half);
                 },
                 EditError::too_many_edits, 4096, 4096);
}

TEST(MessageEditorErrors, BadValues) {
  const std::pair<const char*, std::function<EditError(MessageEditor&)>> cases[] = {
      {"CRLF in a header value", [](MessageEditor& e) { return e.insert_header("X-Bad", "a\r\nEvil: 1"); }},
      {"LF in a header value", [](MessageEditor& e) { return e.insert_header("X-Bad", "a\nb"); }},
      {"space in a header name", [](MessageEditor& e) { return e.insert_header("Bad Name", "x"); }},
      {"colon in a header name", [](MessageEditor& e) { return e.insert_header("X:Y", "x"); }},
      {"empty header name", [](MessageEditor& e) { return e.insert_header("", "x"); }},
      {"CRLF in a Via", [](MessageEditor& e) { return e.insert_top_via("SIP/2.0/UDP a.example.com\r\nX: 1"); }},
      {"CRLF in a Record-Route", [](MessageEditor& e) { return e.insert_record_route("<sip:x;lr>\r\nEvil: 1"); }},
      {"CRLF in received", [](MessageEditor& e) { return e.set_top_via_received("1.2.3.4\r\nEvil: 1"); }},
  };
  for (const auto& [what, op] : cases) {
    SCOPED_TRACE(what);
    expect_failure(kReq, op, EditError::bad_value);
  }
}

TEST(MessageEditorErrors, TooLarge) {
  // A message just under kMaxMessageSize; an insertion would take it past.
  const std::string head_part = replace_once(kReq.substr(0, kReq.find("\r\n\r\n") + 4), "Content-Length: 10", "Content-Length: 65000");
  const std::string body(65000, 'b');
  const std::string msg = head_part + body;
  ASSERT_LE(msg.size(), kMaxMessageSize);
  ASSERT_GT(msg.size() + 100, kMaxMessageSize);
  expect_failure(msg, [](MessageEditor& e) { return e.insert_header("X-Pad", std::string(100, 'p')); },
                 EditError::too_large, 1024, 1024);
}

// ---------------------------------------------------------------------------------------------
// build_reply

const std::string kReplyReq =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n"
    "Via: SIP/2.0/TCP p1.example.com;branch=z9hG4bKp1\r\n"
    "Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 10\r\n"
    "\r\n"
    "v=0\r\ns=-\r\n";

std::string reply_of(const Message& m, const ReplySpec& spec, std::size_t capacity = 4096) {
  std::vector<char> out(capacity);
  std::size_t n = build_reply(m, spec, out.data(), out.size());
  EXPECT_LE(n, capacity);
  return std::string(out.data(), n);
}

TEST(BuildReply, Trying100NoToTagReceivedAndRport) {
  auto req = parse_copy(kReplyReq);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 100;
  spec.reason = "Trying";
  spec.to_tag = "lbtag1";
  spec.received = "192.0.2.9";
  spec.rport = 5062;
  const std::string expected =
      "SIP/2.0 100 Trying\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport=5062;branch=z9hG4bK776asdhds;received=192.0.2.9\r\n"
      "Via: SIP/2.0/TCP p1.example.com;branch=z9hG4bKp1\r\n"
      "Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0\r\n"
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "To: Bob <sip:bob@biloxi.example.com>\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  const std::string got = reply_of(req->m, spec);
  EXPECT_EQ(got, expected);
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_FALSE(p->m.is_request);
  EXPECT_EQ(p->m.status_code, 100);
  EXPECT_EQ(p->text(p->m.reason), "Trying");
  EXPECT_EQ(p->text(p->m.top_via.received), "192.0.2.9");
  EXPECT_EQ(p->text(p->m.top_via.rport), "5062");
  NameAddr to;
  ASSERT_EQ(to_header(p->m, to), ParseError::none);
  EXPECT_FALSE(to.has_tag);

  // Exactly the size it needs; one octet less does not fit.
  EXPECT_EQ(reply_of(req->m, spec, expected.size()), expected);
  EXPECT_EQ(reply_of(req->m, spec, expected.size() - 1), "");
  EXPECT_EQ(reply_of(req->m, spec, 10), "");
  char nothing[1];
  EXPECT_EQ(build_reply(req->m, spec, nothing, 0), 0u);
}

TEST(BuildReply, TooManyHops483AddsToTag) {
  auto req = parse_copy(kReplyReq);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 483;
  spec.reason = "Too Many Hops";
  spec.to_tag = "lbtag1";
  const std::string expected =
      "SIP/2.0 483 Too Many Hops\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n"
      "Via: SIP/2.0/TCP p1.example.com;branch=z9hG4bKp1\r\n"
      "Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0\r\n"
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "To: Bob <sip:bob@biloxi.example.com>;tag=lbtag1\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  const std::string got = reply_of(req->m, spec);
  EXPECT_EQ(got, expected);
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->m.status_code, 483);
  NameAddr to;
  ASSERT_EQ(to_header(p->m, to), ParseError::none);
  EXPECT_EQ(p->text(to.tag), "lbtag1");
}

TEST(BuildReply, ServiceUnavailable503WithRetryAfter) {
  auto req = parse_copy(kReplyReq);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 503;
  spec.reason = "Service Unavailable";
  spec.to_tag = "t503";
  spec.received = "192.0.2.9";
  spec.extra_headers = "Retry-After: 30\r\n";
  const std::string expected =
      "SIP/2.0 503 Service Unavailable\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds;received=192.0.2.9\r\n"
      "Via: SIP/2.0/TCP p1.example.com;branch=z9hG4bKp1\r\n"
      "Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0\r\n"
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "To: Bob <sip:bob@biloxi.example.com>;tag=t503\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Retry-After: 30\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  const std::string got = reply_of(req->m, spec);
  EXPECT_EQ(got, expected);
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none);
  ASSERT_TRUE(p->m.has(HeaderId::retry_after));
  EXPECT_EQ(p->text(p->m.first(HeaderId::retry_after)->value), "30");
}

TEST(BuildReply, RportOnlyFillsAValuelessRport) {
  const std::string no_rport = replace_once(kReplyReq, ";rport;", ";");
  auto req = parse_copy(no_rport);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 486;
  spec.reason = "Busy Here";
  spec.to_tag = "x";
  spec.rport = 5062;
  auto p = parse_copy(reply_of(req->m, spec));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_FALSE(p->m.top_via.has_rport);
  EXPECT_TRUE(p->m.top_via.received.empty());
  EXPECT_EQ(p->text(p->m.top_via.value), "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds");
}

TEST(BuildReply, ToTagKeptWhenPresent) {
  const std::string tagged = replace_once(kReplyReq, "To: Bob <sip:bob@biloxi.example.com>",
                                          "To: Bob <sip:bob@biloxi.example.com>;tag=existing");
  auto req = parse_copy(tagged);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 481;
  spec.reason = "Call/Transaction Does Not Exist";
  spec.to_tag = "lbtag1";
  const std::string got = reply_of(req->m, spec);
  EXPECT_NE(got.find("\r\nTo: Bob <sip:bob@biloxi.example.com>;tag=existing\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("lbtag1"), std::string::npos) << got;
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none);
  NameAddr to;
  ASSERT_EQ(to_header(p->m, to), ParseError::none);
  EXPECT_EQ(p->text(to.tag), "existing");
}

TEST(BuildReply, AllViasInOrderWhateverTheirForm) {
  const std::string msg =
      "OPTIONS sip:lb.example.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP a.example.com;rport;branch=z9hG4bKa, SIP/2.0/TCP b.example.com;branch=z9hG4bKb\r\n"
      "t: <sip:lb.example.com>\r\n"
      "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bKc,\r\n"
      " SIP/2.0/UDP [2001:db8::d]:5070;branch=z9hG4bKd\r\n"
      "f: <sip:monitor@example.com>;tag=m1\r\n"
      "i: opt-1@example.com\r\n"
      "CSeq: 7 OPTIONS\r\n"
      "l: 0\r\n"
      "\r\n";
  auto req = parse_copy(msg);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 200;
  spec.reason = "OK";
  spec.to_tag = "lb";
  spec.received = "192.0.2.77";
  spec.rport = 40000;
  const std::string got = reply_of(req->m, spec);
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none) << got;
  EXPECT_EQ(p->m.status_code, 200);
  EXPECT_EQ(p->text(p->m.call_id), "opt-1@example.com");
  EXPECT_EQ(p->m.cseq_number, 7u);
  EXPECT_EQ(p->m.cseq_method, Method::options);
  const char* branches[] = {"z9hG4bKa", "z9hG4bKb", "z9hG4bKc", "z9hG4bKd"};
  ValueIterator it(p->m, HeaderId::via);
  Span v;
  for (const char* b : branches) {
    ASSERT_TRUE(it.next(v)) << b;
    Via via;
    ASSERT_TRUE(parse_via(p->m, v, via));
    EXPECT_EQ(p->text(via.branch), b);
  }
  EXPECT_FALSE(it.next(v));
  EXPECT_EQ(p->text(p->m.top_via.host), "a.example.com");
  EXPECT_EQ(p->text(p->m.top_via.received), "192.0.2.77");
  EXPECT_EQ(p->text(p->m.top_via.rport), "40000");
  NameAddr from, to;
  ASSERT_EQ(from_header(p->m, from), ParseError::none);
  EXPECT_EQ(p->text(from.tag), "m1");
  ASSERT_EQ(to_header(p->m, to), ParseError::none);
  EXPECT_EQ(p->text(to.tag), "lb");
  EXPECT_EQ(p->m.body_length, 0);
  EXPECT_TRUE(p->m.has_content_length);
}

TEST(BuildReply, RportEndingTheViaAndReceived) {
  const std::string msg = replace_once(kReplyReq, ";rport;branch=z9hG4bK776asdhds", ";branch=z9hG4bK776asdhds;rport");
  auto req = parse_copy(msg);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 100;
  spec.reason = "Trying";
  spec.received = "192.0.2.9";
  spec.rport = 5062;
  const std::string got = reply_of(req->m, spec);
  EXPECT_NE(got.find("\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport=5062;received=192.0.2.9\r\n"),
            std::string::npos)
      << got;
  auto p = parse_copy(got);
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->text(p->m.top_via.rport), "5062");
}

TEST(BuildReply, ReplacesAnExistingReceived) {
  const std::string msg = replace_once(kReplyReq, ";rport;", ";received=10.0.0.99;rport;");
  auto req = parse_copy(msg);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.code = 100;
  spec.reason = "Trying";
  spec.received = "192.0.2.9";
  const std::string got = reply_of(req->m, spec);
  EXPECT_NE(got.find("\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com:5060;received=192.0.2.9;rport;branch=z9hG4bK776asdhds\r\n"),
            std::string::npos)
      << got;
}

TEST(BuildReply, RefusesWhatItCannotBuild) {
  auto req = parse_copy(kReplyReq);
  ASSERT_EQ(req->err, ParseError::none);
  ReplySpec spec;
  spec.reason = "Whatever";
  for (uint16_t code : {0, 99, 700, 1000}) {
    spec.code = code;
    EXPECT_EQ(reply_of(req->m, spec), "") << code;
  }
  spec.code = 400;
  spec.reason = "Bad\r\nInjected: yes";
  EXPECT_EQ(reply_of(req->m, spec), "");
  // No Via to send the reply back along (parse() accepts the message; the proxy drops it).
  auto novia = parse_copy(replace_once(
      replace_once(replace_once(kReplyReq, "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds\r\n", ""),
                   "Via: SIP/2.0/TCP p1.example.com;branch=z9hG4bKp1\r\n", ""),
      "Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0\r\n", ""));
  ASSERT_EQ(novia->err, ParseError::none);
  spec.reason = "Bad Request - Missing Via";
  EXPECT_EQ(reply_of(novia->m, spec), "");
}

TEST(BuildReply, NotForAResponse) {
  auto resp = parse_copy(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
      "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_EQ(resp->err, ParseError::none);
  ReplySpec spec;
  spec.code = 503;
  spec.reason = "Service Unavailable";
  EXPECT_EQ(reply_of(resp->m, spec), "");
}

// ---------------------------------------------------------------------------------------------
// write_message

TEST(WriteMessage, RoundTrip) {
  const std::string folded =
      "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n"
      "TO :\r\n"
      " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n"
      "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n"
      "  ;\r\n"
      "  tag = 98asjd8\r\n"
      "MaX-fOrWaRdS: 0068\r\n"
      "Call-ID: wsinv.ndaksdj@192.0.2.1\r\n"
      "Content-Length   : 5\r\n"
      "cseq: 0009\r\n"
      "  INVITE\r\n"
      "Via  : SIP  /   2.0\r\n"
      " /UDP\r\n"
      "    192.0.2.2;branch=390skdjuw\r\n"
      "s :\r\n"
      "\r\n"
      "v=0\r\n";
  for (const std::string* msg : {&kReq, &kFwd, &kReplyReq, &folded}) {
    auto p = parse_copy(*msg);
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(test::rewrite(p->m), *msg);
    // Exactly the size it needs; one octet less does not fit.
    EXPECT_EQ(test::rewrite(p->m, msg->size()), *msg);
    std::vector<char> small(msg->size() - 1);
    EXPECT_EQ(write_message(p->m, small.data(), small.size()), 0u);
  }
}

TEST(WriteMessage, OctetsPastContentLengthAreLeftOut) {
  auto p = parse_copy(kReq + "EXTRA");
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(test::rewrite(p->m, kReq.size() + 100), kReq);
}

}  // namespace
}  // namespace siplb::sip
