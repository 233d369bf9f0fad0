// parse() on hand-written messages: start lines, header names, LWS and folding, multi-value
// headers, body framing, every ParseError reason, the index limits, and reads that stay inside the
// given range (every prefix of a valid message is parsed from an exactly-sized heap copy).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "sip_test_util.hpp"

namespace siplb::sip {
namespace {

using test::parse_copy;
using test::parse_error_of;
using test::sip_message;

const char* const kInviteLine = "INVITE sip:bob@biloxi.example.com SIP/2.0";
const char* const kOkLine = "SIP/2.0 200 OK";

std::vector<std::string> base_headers() {
  return {
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
      "Max-Forwards: 70",
      "To: Bob <sip:bob@biloxi.example.com>",
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
      "CSeq: 314159 INVITE",
      "Contact: <sip:alice@pc33.atlanta.example.com>",
      "Content-Length: 0",
  };
}

std::vector<std::string> response_headers() {
  return {
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1",
      "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
      "CSeq: 314159 INVITE",
      "Content-Length: 0",
  };
}

std::string build(const std::string& start, const std::vector<std::string>& headers,
                  std::string_view body = {}) {
  std::string out = start + "\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  out += "\r\n";
  out.append(body);
  return out;
}

std::string request(const std::vector<std::string>& headers, std::string_view body = {}) {
  return build(kInviteLine, headers, body);
}

// Case-sensitive prefix match on the header line ("CSeq:" etc.).
std::vector<std::string> without(std::vector<std::string> h, std::string_view prefix) {
  h.erase(std::remove_if(h.begin(), h.end(),
                         [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }),
          h.end());
  return h;
}
std::vector<std::string> replaced(std::vector<std::string> h, std::string_view prefix,
                                  const std::string& line) {
  bool found = false;
  for (auto& l : h)
    if (l.rfind(prefix, 0) == 0) {
      l = line;
      found = true;
    }
  EXPECT_TRUE(found) << prefix;
  return h;
}
std::vector<std::string> plus(std::vector<std::string> h, const std::string& line) {
  h.insert(h.end() - 1, line);  // before Content-Length, which stays last
  return h;
}

// ---------------------------------------------------------------------------------------------
// The error table and the name tables.

TEST(ParseErrorTable, NamesStatusesAndPhrases) {
  static_assert(parse_error_name(ParseError::bad_via) == "bad_via");
  static_assert(parse_error_status(ParseError::unsupported_version) == 505);
  EXPECT_EQ(kParseErrorCount, 33u);
  EXPECT_EQ(parse_error_name(ParseError::none), "none");
  EXPECT_EQ(parse_error_name(ParseError::empty), "empty");
  EXPECT_EQ(parse_error_name(ParseError::content_length_exceeds_datagram),
            "content_length_exceeds_datagram");
  EXPECT_EQ(parse_error_name(ParseError::cseq_method_mismatch), "cseq_method_mismatch");
  EXPECT_EQ(parse_error_status(ParseError::none), 200);
  EXPECT_EQ(parse_error_status(ParseError::message_too_large), 513);
  EXPECT_EQ(parse_error_status(ParseError::unsupported_version), 505);
  EXPECT_EQ(parse_error_status(ParseError::bad_via), 400);
  EXPECT_EQ(parse_error_status(ParseError::missing_call_id), 400);
  EXPECT_EQ(parse_error_phrase(ParseError::unsupported_version), "Version Not Supported");
  EXPECT_EQ(parse_error_phrase(ParseError::message_too_large), "Message Too Large");
  EXPECT_EQ(parse_error_phrase(ParseError::bad_via), "Bad Request - Malformed Via");
  EXPECT_EQ(parse_error_phrase(ParseError::duplicate_content_length),
            "Bad Request - Multiple Content-Length");

  std::set<std::string_view> names, phrases;
  for (std::size_t i = 0; i < kParseErrorCount; ++i) {
    auto e = static_cast<ParseError>(i);
    SCOPED_TRACE(parse_error_name(e));
    EXPECT_FALSE(parse_error_name(e).empty());
    EXPECT_FALSE(parse_error_phrase(e).empty());
    EXPECT_TRUE(names.insert(parse_error_name(e)).second) << "duplicate name";
    EXPECT_TRUE(phrases.insert(parse_error_phrase(e)).second) << "duplicate phrase";
    uint16_t code = parse_error_status(e);
    if (e == ParseError::none) continue;
    EXPECT_TRUE(code == 400 || code == 505 || code == 513) << code;
    // A reason phrase may not hold CR or LF: it goes straight into a status line.
    EXPECT_EQ(parse_error_phrase(e).find_first_of("\r\n"), std::string_view::npos);
  }
}

TEST(MethodNames, FromTextIsCaseSensitiveAndRoundTrips) {
  EXPECT_EQ(method_from_text("INVITE"), Method::invite);
  EXPECT_EQ(method_from_text("ACK"), Method::ack);
  EXPECT_EQ(method_from_text("REGISTER"), Method::register_);
  EXPECT_EQ(method_from_text("UPDATE"), Method::update);
  EXPECT_EQ(method_from_text("invite"), Method::extension);
  EXPECT_EQ(method_from_text("Invite"), Method::extension);
  EXPECT_EQ(method_from_text("INVITEX"), Method::extension);
  EXPECT_EQ(method_from_text("INVIT"), Method::extension);
  EXPECT_EQ(method_from_text("NEWMETHOD"), Method::extension);
  EXPECT_EQ(method_from_text(""), Method::extension);
  EXPECT_EQ(method_name(Method::register_), "REGISTER");
  EXPECT_EQ(method_name(Method::invite), "INVITE");
  for (int i = 1; i <= static_cast<int>(Method::update); ++i) {
    auto m = static_cast<Method>(i);
    EXPECT_FALSE(method_name(m).empty());
    EXPECT_EQ(method_from_text(method_name(m)), m) << method_name(m);
  }
}

TEST(HeaderNames, FullAndCompactAnyCase) {
  for (std::string_view n : {"Via", "via", "VIA", "vIa", "v", "V"})
    EXPECT_EQ(header_id_from_name(n), HeaderId::via) << n;
  for (std::string_view n : {"Call-ID", "call-id", "CALL-ID", "i", "I"})
    EXPECT_EQ(header_id_from_name(n), HeaderId::call_id) << n;
  EXPECT_EQ(header_id_from_name("f"), HeaderId::from);
  EXPECT_EQ(header_id_from_name("t"), HeaderId::to);
  EXPECT_EQ(header_id_from_name("l"), HeaderId::content_length);
  EXPECT_EQ(header_id_from_name("L"), HeaderId::content_length);
  EXPECT_EQ(header_id_from_name("m"), HeaderId::contact);
  EXPECT_EQ(header_id_from_name("c"), HeaderId::content_type);
  EXPECT_EQ(header_id_from_name("e"), HeaderId::content_encoding);
  EXPECT_EQ(header_id_from_name("k"), HeaderId::supported);
  EXPECT_EQ(header_id_from_name("s"), HeaderId::subject);
  EXPECT_EQ(header_id_from_name("o"), HeaderId::event);
  EXPECT_EQ(header_id_from_name("u"), HeaderId::allow_events);
  EXPECT_EQ(header_id_from_name("r"), HeaderId::refer_to);
  EXPECT_EQ(header_id_from_name("b"), HeaderId::referred_by);
  EXPECT_EQ(header_id_from_name("x"), HeaderId::session_expires);
  EXPECT_EQ(header_id_from_name("a"), HeaderId::accept_contact);
  EXPECT_EQ(header_id_from_name("j"), HeaderId::reject_contact);
  EXPECT_EQ(header_id_from_name("d"), HeaderId::request_disposition);
  EXPECT_EQ(header_id_from_name("y"), HeaderId::identity);
  EXPECT_EQ(header_id_from_name("cseq"), HeaderId::cseq);
  EXPECT_EQ(header_id_from_name("MAX-FORWARDS"), HeaderId::max_forwards);
  EXPECT_EQ(header_id_from_name("record-route"), HeaderId::record_route);
  EXPECT_EQ(header_id_from_name("PROXY-AUTHORIZATION"), HeaderId::proxy_authorization);
  // Not compact forms, prefixes or extensions of a known name.
  for (std::string_view n : {"", "X-Foo", "Vias", "Vi", "q", "z", "Call", "Call-IDs",
                             "Content-Lengt", "Route2", "C%6Fntact"})
    EXPECT_EQ(header_id_from_name(n), HeaderId::other) << n;
  EXPECT_EQ(header_full_name(HeaderId::call_id), "Call-ID");
  EXPECT_EQ(header_full_name(HeaderId::cseq), "CSeq");
  for (std::size_t i = 1; i < kHeaderIdCount; ++i) {
    auto id = static_cast<HeaderId>(i);
    EXPECT_EQ(header_id_from_name(header_full_name(id)), id) << header_full_name(id);
  }
}

// ---------------------------------------------------------------------------------------------
// Start lines and header fields.

TEST(Parser, RequestLineAndMandatoryFields) {
  const std::string body = "v=0\r\n";
  auto p = parse_copy(request(replaced(base_headers(), "Content-Length:", "Content-Length: 5"), body));
  ASSERT_EQ(p->err, ParseError::none);
  const Message& m = p->m;
  EXPECT_EQ(m.data, p->buf.get());
  EXPECT_EQ(m.size, p->size);
  EXPECT_TRUE(m.is_request);
  EXPECT_EQ(m.method, Method::invite);
  EXPECT_EQ(p->text(m.method_text), "INVITE");
  EXPECT_EQ(p->text(m.request_uri), "sip:bob@biloxi.example.com");
  EXPECT_EQ(p->text(m.start_line), std::string(kInviteLine) + "\r\n");
  EXPECT_EQ(m.start_line.off, 0);
  EXPECT_EQ(p->text(m.call_id), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(m.cseq_number, 314159u);
  EXPECT_EQ(m.cseq_method, Method::invite);
  EXPECT_EQ(p->text(m.cseq_method_text), "INVITE");
  EXPECT_EQ(m.max_forwards, 70);
  EXPECT_TRUE(m.has_content_length);
  EXPECT_EQ(m.body_length, 5);
  EXPECT_EQ(m.message_end(), p->size);
  EXPECT_EQ(std::string_view(m.data + m.body_offset, m.body_length), body);
  EXPECT_EQ(std::string_view(m.data + m.headers_end, 2), "\r\n");
  EXPECT_EQ(m.body_offset, m.headers_end + 2);
  EXPECT_EQ(p->text(m.top_via.host), "pc33.atlanta.example.com");
  EXPECT_EQ(p->text(m.top_via.branch), "z9hG4bK776asdhds");
  EXPECT_EQ(m.top_via_header, 0);
}

TEST(Parser, HeaderFieldIndex) {
  auto p = parse_copy(request(base_headers()));
  ASSERT_EQ(p->err, ParseError::none);
  const Message& m = p->m;
  const auto hs = base_headers();
  ASSERT_EQ(m.header_count, hs.size());
  const HeaderId ids[] = {HeaderId::via,     HeaderId::max_forwards, HeaderId::to,
                          HeaderId::from,    HeaderId::call_id,      HeaderId::cseq,
                          HeaderId::contact, HeaderId::content_length};
  uint32_t expected_off = m.start_line.end();
  for (std::size_t i = 0; i < hs.size(); ++i) {
    SCOPED_TRACE(hs[i]);
    const HeaderField& f = m.headers[i];
    EXPECT_EQ(f.id, ids[i]);
    EXPECT_EQ(p->text(f.line), hs[i] + "\r\n");
    EXPECT_EQ(f.line.off, expected_off);  // fields are contiguous, in message order
    expected_off = f.line.end();
    std::size_t colon = hs[i].find(':');
    EXPECT_EQ(p->text(f.name), hs[i].substr(0, colon));
    EXPECT_EQ(p->text(f.value), hs[i].substr(colon + 2));
  }
  EXPECT_EQ(expected_off, m.headers_end);
  EXPECT_TRUE(m.has(HeaderId::contact));
  EXPECT_FALSE(m.has(HeaderId::route));
  EXPECT_EQ(m.first(HeaderId::route), nullptr);
  EXPECT_EQ(m.first_header[static_cast<std::size_t>(HeaderId::record_route)], kNoHeader);
  ASSERT_NE(m.first(HeaderId::contact), nullptr);
  EXPECT_EQ(p->text(m.first(HeaderId::contact)->value), "<sip:alice@pc33.atlanta.example.com>");
  EXPECT_EQ(m.first_header[static_cast<std::size_t>(HeaderId::call_id)], 4);
}

TEST(Parser, ExtensionMethod) {
  auto p = parse_copy(build("NEWMETHOD sip:user@example.com SIP/2.0",
                            replaced(base_headers(), "CSeq:", "CSeq: 8 NEWMETHOD")));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->m.method, Method::extension);
  EXPECT_EQ(p->text(p->m.method_text), "NEWMETHOD");
  EXPECT_EQ(p->m.cseq_method, Method::extension);
  EXPECT_EQ(p->text(p->m.cseq_method_text), "NEWMETHOD");
  EXPECT_EQ(p->m.cseq_number, 8u);
}

TEST(Parser, EveryKnownMethodWithMatchingCSeq) {
  for (int i = 1; i <= static_cast<int>(Method::update); ++i) {
    auto method = static_cast<Method>(i);
    std::string name(method_name(method));
    SCOPED_TRACE(name);
    auto p = parse_copy(build(name + " sip:bob@biloxi.example.com SIP/2.0",
                              replaced(base_headers(), "CSeq:", "CSeq: 7 " + name)));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.method, method);
    EXPECT_EQ(p->m.cseq_method, method);
  }
}

TEST(Parser, StatusLine) {
  auto p = parse_copy(build("SIP/2.0 180 Ringing", response_headers()));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_FALSE(p->m.is_request);
  EXPECT_EQ(p->m.status_code, 180);
  EXPECT_EQ(p->text(p->m.reason), "Ringing");
  EXPECT_EQ(p->text(p->m.start_line), "SIP/2.0 180 Ringing\r\n");
  EXPECT_EQ(p->m.cseq_method, Method::invite);
  EXPECT_EQ(p->m.max_forwards, -1);
  EXPECT_EQ(p->text(p->m.top_via.received), "192.0.2.1");

  auto spaces = parse_copy(build("SIP/2.0 404 Not Found Here", response_headers()));
  ASSERT_EQ(spaces->err, ParseError::none);
  EXPECT_EQ(spaces->m.status_code, 404);
  EXPECT_EQ(spaces->text(spaces->m.reason), "Not Found Here");

  // RFC 4475 3.1.1.13: an empty reason phrase (the SP after the code is still there).
  auto empty = parse_copy(build("SIP/2.0 100 ", response_headers()));
  ASSERT_EQ(empty->err, ParseError::none);
  EXPECT_EQ(empty->m.status_code, 100);
  EXPECT_TRUE(empty->m.reason.empty());

  // UTF-8 in the reason phrase (RFC 4475 3.1.1.12).
  auto utf8 = parse_copy(build("SIP/2.0 699 \xD0\xBD\xD0\xB5 \xD0\xBE\xD0\xBA", response_headers()));
  ASSERT_EQ(utf8->err, ParseError::none);
  EXPECT_EQ(utf8->m.status_code, 699);
  EXPECT_EQ(utf8->text(utf8->m.reason), "\xD0\xBD\xD0\xB5 \xD0\xBE\xD0\xBA");

  // A response's CSeq method is whatever the request's was: no mismatch check against the line.
  auto bye = parse_copy(build(kOkLine, replaced(response_headers(), "CSeq:", "CSeq: 2 BYE")));
  ASSERT_EQ(bye->err, ParseError::none);
  EXPECT_EQ(bye->m.cseq_method, Method::bye);
}

TEST(Parser, CompactHeaderNames) {
  auto p = parse_copy(sip_message({
      "INVITE sip:bob@biloxi.example.com SIP/2.0",
      "v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKcompact",
      "t: Bob <sip:bob@biloxi.example.com>",
      "f: Alice <sip:alice@atlanta.example.com>;tag=88",
      "i: compact-call-id@atlanta.example.com",
      "CSeq: 1 INVITE",
      "m: <sip:alice@pc33.atlanta.example.com>",
      "c: text/plain",
      "k: 100rel",
      "s: hello",
      "l: 2",
  }, "hi"));
  ASSERT_EQ(p->err, ParseError::none);
  const Message& m = p->m;
  EXPECT_EQ(p->text(m.call_id), "compact-call-id@atlanta.example.com");
  EXPECT_EQ(p->text(m.top_via.branch), "z9hG4bKcompact");
  EXPECT_TRUE(m.has_content_length);
  EXPECT_EQ(m.body_length, 2);
  const HeaderId ids[] = {HeaderId::via,     HeaderId::to,           HeaderId::from,
                          HeaderId::call_id, HeaderId::cseq,         HeaderId::contact,
                          HeaderId::content_type, HeaderId::supported, HeaderId::subject,
                          HeaderId::content_length};
  ASSERT_EQ(m.header_count, std::size(ids));
  for (std::size_t i = 0; i < std::size(ids); ++i) EXPECT_EQ(m.headers[i].id, ids[i]) << i;
  EXPECT_EQ(p->text(m.headers[0].name), "v");
  EXPECT_EQ(p->text(m.first(HeaderId::contact)->value), "<sip:alice@pc33.atlanta.example.com>");
}

TEST(Parser, HeaderNamesAreCaseInsensitive) {
  auto p = parse_copy(sip_message({
      "OPTIONS sip:bob@biloxi.example.com SIP/2.0",
      "vIA: SIP/2.0/UDP pc33.atlanta.example.com;BRANCH=z9hG4bKcase",
      "MAX-forwards: 12",
      "TO: <sip:bob@biloxi.example.com>",
      "fROM: <sip:alice@atlanta.example.com>;tag=1",
      "call-id: lower@case",
      "CSEQ: 2 OPTIONS",
      "CONTENT-LENGTH: 0",
  }));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->m.max_forwards, 12);
  EXPECT_EQ(p->text(p->m.call_id), "lower@case");
  EXPECT_EQ(p->m.cseq_number, 2u);
  EXPECT_EQ(p->m.cseq_method, Method::options);
  EXPECT_TRUE(p->m.has_content_length);
  EXPECT_EQ(p->m.headers[0].id, HeaderId::via);
  EXPECT_EQ(p->text(p->m.headers[0].name), "vIA");
  // Parameter names are case-insensitive too (RFC 3261 7.3.1).
  EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKcase");
}

TEST(Parser, LinearWhiteSpaceAroundColonAndValues) {
  auto p = parse_copy(sip_message({
      "OPTIONS sip:bob@biloxi.example.com SIP/2.0",
      "Via  :   SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKlws   ",
      "Max-Forwards:\t 0068",
      "To :<sip:bob@biloxi.example.com>",
      "From:\t<sip:alice@atlanta.example.com>;tag=1",
      "Call-ID   :  lws@example.com  ",
      "CSeq:   42 \t  OPTIONS ",
      "Content-Length   :    0",
  }));
  ASSERT_EQ(p->err, ParseError::none);
  const Message& m = p->m;
  EXPECT_EQ(p->text(m.call_id), "lws@example.com");
  EXPECT_EQ(m.cseq_number, 42u);
  EXPECT_EQ(p->text(m.cseq_method_text), "OPTIONS");
  EXPECT_EQ(m.cseq_method, Method::options);
  EXPECT_EQ(m.max_forwards, 68);
  EXPECT_TRUE(m.has_content_length);
  EXPECT_EQ(m.body_length, 0);
  EXPECT_EQ(p->text(m.headers[0].name), "Via");
  EXPECT_EQ(p->text(m.headers[0].value), "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKlws");
  EXPECT_EQ(p->text(m.top_via.value), "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKlws");
  EXPECT_EQ(p->text(m.top_via.branch), "z9hG4bKlws");
  EXPECT_EQ(p->text(m.headers[2].name), "To");
  EXPECT_EQ(p->text(m.headers[2].value), "<sip:bob@biloxi.example.com>");
  EXPECT_EQ(p->text(m.headers[4].name), "Call-ID");
  EXPECT_EQ(p->text(m.headers[4].value), "lws@example.com");
}

TEST(Parser, LineFolding) {
  auto p = parse_copy(sip_message({
      "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0",
      "TO :",
      " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n",
      "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>",
      "  ;",
      "  tag = 98asjd8",
      "MaX-fOrWaRdS: 0068",
      "Call-ID: wsinv.ndaksdj@192.0.2.1",
      "Content-Length   : 0",
      "cseq: 0009",
      "  INVITE",
      "Via  : SIP  /   2.0",
      " /UDP",
      "    192.0.2.2;branch=390skdjuw",
      "s :",
      "NewFangledHeader:   newfangled value",
      " continued newfangled value",
      "Subject: one",
      "\ttwo",
      "  three",
      "Route:",
      " <sip:services.example.com;lr;unknownwith=value;unknown-no-value>",
  }));
  ASSERT_EQ(p->err, ParseError::none);
  const Message& m = p->m;
  ASSERT_EQ(m.header_count, 11);
  EXPECT_EQ(m.cseq_number, 9u);
  EXPECT_EQ(m.cseq_method, Method::invite);
  EXPECT_EQ(m.max_forwards, 68);
  EXPECT_EQ(p->text(m.call_id), "wsinv.ndaksdj@192.0.2.1");
  EXPECT_EQ(p->text(m.top_via.transport), "UDP");
  EXPECT_EQ(p->text(m.top_via.host), "192.0.2.2");
  EXPECT_EQ(m.top_via.port, 0);
  EXPECT_EQ(p->text(m.top_via.branch), "390skdjuw");
  EXPECT_EQ(m.top_via_header, 6);

  const HeaderField& to = m.headers[0];
  EXPECT_EQ(to.id, HeaderId::to);
  EXPECT_EQ(p->text(to.name), "TO");
  EXPECT_EQ(p->text(to.value), "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
  EXPECT_EQ(p->text(to.line), "TO :\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n");

  const HeaderField& from = m.headers[1];
  EXPECT_EQ(from.id, HeaderId::from);
  EXPECT_EQ(p->text(from.value),
            "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8");

  const HeaderField& s = m.headers[7];
  EXPECT_EQ(s.id, HeaderId::subject);
  EXPECT_TRUE(s.value.empty());
  EXPECT_EQ(p->text(s.line), "s :\r\n");

  const HeaderField& nf = m.headers[8];
  EXPECT_EQ(nf.id, HeaderId::other);
  EXPECT_EQ(p->text(nf.name), "NewFangledHeader");
  EXPECT_EQ(p->text(nf.value), "newfangled value\r\n continued newfangled value");

  const HeaderField& subj = m.headers[9];
  EXPECT_EQ(p->text(subj.value), "one\r\n\ttwo\r\n  three");
  EXPECT_EQ(p->text(subj.line), "Subject: one\r\n\ttwo\r\n  three\r\n");

  const HeaderField& route = m.headers[10];
  EXPECT_EQ(route.id, HeaderId::route);
  EXPECT_EQ(p->text(route.value),
            "<sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
  EXPECT_EQ(route.line.end(), m.headers_end);
}

// ---------------------------------------------------------------------------------------------
// Several values in one field and across fields; the first one is the top one.

std::vector<std::string> values_of(const Message& m, HeaderId id) {
  std::vector<std::string> out;
  ValueIterator it(m, id);
  Span v;
  while (it.next(v)) out.emplace_back(m.text(v));
  return out;
}

TEST(Parser, CommaSeparatedViaInOneLine) {
  auto p = parse_copy(request(replaced(
      base_headers(), "Via:",
      "Via: SIP/2.0/UDP first.example.com:5062;branch=z9hG4bK1, SIP/2.0/TCP second.example.com;branch=z9hG4bK2")));
  ASSERT_EQ(p->err, ParseError::none);
  const Via& v = p->m.top_via;
  EXPECT_EQ(p->text(v.value), "SIP/2.0/UDP first.example.com:5062;branch=z9hG4bK1");
  EXPECT_EQ(p->text(v.transport), "UDP");
  EXPECT_EQ(p->text(v.host), "first.example.com");
  EXPECT_EQ(v.port, 5062);
  EXPECT_EQ(p->text(v.branch), "z9hG4bK1");
  EXPECT_EQ(p->text(v.params), ";branch=z9hG4bK1");
  EXPECT_EQ(p->m.top_via_header, 0);
  EXPECT_EQ(values_of(p->m, HeaderId::via),
            (std::vector<std::string>{"SIP/2.0/UDP first.example.com:5062;branch=z9hG4bK1",
                                      "SIP/2.0/TCP second.example.com;branch=z9hG4bK2"}));
}

TEST(Parser, CommaSeparatedViaAcrossLines) {
  auto p = parse_copy(sip_message({
      "INVITE sip:bob@biloxi.example.com SIP/2.0",
      "To: <sip:bob@biloxi.example.com>",
      "v:  SIP  / 2.0  / TCP     spindle.example.com   ;",
      "  branch  =   z9hG4bK9ikj8  ,",
      " SIP  /    2.0   / UDP  192.168.255.111   ; branch=",
      " z9hG4bK30239",
      "From: <sip:alice@atlanta.example.com>;tag=1",
      "Via: SIP/2.0/UDP third.example.com;branch=z9hG4bK3",
      "Call-ID: fold@example.com",
      "CSeq: 1 INVITE",
      "Content-Length: 0",
  }));
  ASSERT_EQ(p->err, ParseError::none);
  const Via& v = p->m.top_via;
  EXPECT_EQ(p->m.top_via_header, 1);  // the first Via field, not the first field
  EXPECT_EQ(p->text(v.transport), "TCP");
  EXPECT_EQ(p->text(v.host), "spindle.example.com");
  EXPECT_EQ(v.port, 0);
  EXPECT_EQ(p->text(v.branch), "z9hG4bK9ikj8");
  // The top value ends at its last parameter: the comma and what follows are not part of it.
  EXPECT_EQ(p->text(v.value).substr(0, 3), "SIP");
  EXPECT_EQ(p->text(v.value).back(), '8');
  auto vals = values_of(p->m, HeaderId::via);
  ASSERT_EQ(vals.size(), 3u);
  EXPECT_EQ(vals[2], "SIP/2.0/UDP third.example.com;branch=z9hG4bK3");
  Via second;
  ValueIterator it(p->m, HeaderId::via);
  Span s;
  ASSERT_TRUE(it.next(s));
  ASSERT_TRUE(it.next(s));
  ASSERT_TRUE(parse_via(p->m, s, second));
  EXPECT_EQ(p->text(second.host), "192.168.255.111");
  EXPECT_EQ(p->text(second.branch), "z9hG4bK30239");
}

TEST(Parser, TopViaIsFromFirstViaFieldWhateverItsName) {
  auto p = parse_copy(request(plus(
      replaced(base_headers(), "Via:", "v: SIP/2.0/UDP early.example.com;branch=z9hG4bKearly"),
      "Via: SIP/2.0/UDP later.example.com;branch=z9hG4bKlater")));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->text(p->m.top_via.host), "early.example.com");
  EXPECT_EQ(p->m.top_via_header, 0);
  EXPECT_EQ(values_of(p->m, HeaderId::via).size(), 2u);
}

TEST(Parser, CommaSeparatedContactRouteRecordRoute) {
  auto p = parse_copy(request(plus(plus(plus(plus(base_headers(),
      "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>"),
      "Record-Route: <sip:rr1.example.com;lr>,"),
      "Record-Route: <sip:rr2.example.com;lr>,\r\n <sip:rr3.example.com;lr>"),
      "Contact: \"Doe, John\" <sip:john@example.com>, <sip:other@example.com>")));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(values_of(p->m, HeaderId::route),
            (std::vector<std::string>{"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"}));
  EXPECT_EQ(values_of(p->m, HeaderId::record_route),
            (std::vector<std::string>{"<sip:rr1.example.com;lr>", "<sip:rr2.example.com;lr>",
                                      "<sip:rr3.example.com;lr>"}));
  EXPECT_EQ(values_of(p->m, HeaderId::contact),
            (std::vector<std::string>{"<sip:alice@pc33.atlanta.example.com>",
                                      "\"Doe, John\" <sip:john@example.com>",
                                      "<sip:other@example.com>"}));
}

// ---------------------------------------------------------------------------------------------
// The top Via.

TEST(Parser, TopViaFields) {
  auto p = parse_copy(request(replaced(
      base_headers(), "Via:",
      "Via: SIP/2.0/TCP client.example.com:5061;branch=z9hG4bK74bf9;received=192.0.2.101;rport=41234;maddr=239.1.1.1")));
  ASSERT_EQ(p->err, ParseError::none);
  const Via& v = p->m.top_via;
  EXPECT_EQ(p->text(v.transport), "TCP");
  EXPECT_EQ(p->text(v.host), "client.example.com");
  EXPECT_EQ(v.port, 5061);
  EXPECT_EQ(p->text(v.branch), "z9hG4bK74bf9");
  EXPECT_EQ(p->text(v.received), "192.0.2.101");
  EXPECT_TRUE(v.has_rport);
  EXPECT_EQ(p->text(v.rport), "41234");
  EXPECT_EQ(p->text(v.params), ";branch=z9hG4bK74bf9;received=192.0.2.101;rport=41234;maddr=239.1.1.1");
  EXPECT_EQ(p->text(v.value),
            "SIP/2.0/TCP client.example.com:5061;branch=z9hG4bK74bf9;received=192.0.2.101;rport=41234;maddr=239.1.1.1");
}

TEST(Parser, TopViaRportWithoutValueAndAbsent) {
  auto p = parse_copy(request(replaced(base_headers(), "Via:",
                                       "Via: SIP/2.0/UDP 192.0.2.7;rport;branch=z9hG4bKr")));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_TRUE(p->m.top_via.has_rport);
  EXPECT_TRUE(p->m.top_via.rport.empty());
  EXPECT_TRUE(p->m.top_via.received.empty());
  EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKr");

  auto q = parse_copy(request(replaced(base_headers(), "Via:", "Via: SIP/2.0/SCTP host.example.com")));
  ASSERT_EQ(q->err, ParseError::none);
  EXPECT_FALSE(q->m.top_via.has_rport);
  EXPECT_TRUE(q->m.top_via.branch.empty());
  EXPECT_TRUE(q->m.top_via.params.empty());
  EXPECT_EQ(q->text(q->m.top_via.transport), "SCTP");
  EXPECT_EQ(q->text(q->m.top_via.value), "SIP/2.0/SCTP host.example.com");
}

TEST(Parser, TopViaIPv6) {
  auto p = parse_copy(request(replaced(base_headers(), "Via:",
                                       "Via: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKv6;rport")));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->text(p->m.top_via.host), "[2001:db8::1]");
  EXPECT_EQ(p->m.top_via.port, 5070);
  EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKv6");
  EXPECT_TRUE(p->m.top_via.has_rport);

  auto q = parse_copy(request(replaced(base_headers(), "Via:",
                                       "Via: SIP/2.0/TLS [2001:db8:0:0:8:800:200c:417a];branch=z9hG4bKv6b")));
  ASSERT_EQ(q->err, ParseError::none);
  EXPECT_EQ(q->text(q->m.top_via.host), "[2001:db8:0:0:8:800:200c:417a]");
  EXPECT_EQ(q->m.top_via.port, 0);
}

// ---------------------------------------------------------------------------------------------
// Body framing.

TEST(Parser, OctetsPastContentLengthAreNotPartOfTheMessage) {
  std::string bytes = request(replaced(base_headers(), "Content-Length:", "Content-Length: 4"), "bodyEXTRA OCTETS");
  auto p = parse_copy(bytes);
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->m.size, bytes.size());
  EXPECT_EQ(p->m.body_length, 4);
  EXPECT_EQ(p->m.message_end(), bytes.size() - 12);
  EXPECT_EQ(std::string_view(p->m.data + p->m.body_offset, p->m.body_length), "body");

  // Content-Length: 0 followed by a whole second message (RFC 4475 3.1.1.8).
  std::string two = request(base_headers()) + request(base_headers());
  auto q = parse_copy(two);
  ASSERT_EQ(q->err, ParseError::none);
  EXPECT_EQ(q->m.body_length, 0);
  EXPECT_EQ(q->m.message_end(), two.size() / 2);
}

TEST(Parser, NoContentLengthMeansBodyToEndOfDatagram) {
  std::string bytes = request(without(base_headers(), "Content-Length:"), "v=0\r\nbody to the end");
  auto p = parse_copy(bytes);
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_FALSE(p->m.has_content_length);
  EXPECT_EQ(p->m.body_length, 20);
  EXPECT_EQ(p->m.message_end(), bytes.size());

  auto empty_body = parse_copy(request(without(base_headers(), "Content-Length:")));
  ASSERT_EQ(empty_body->err, ParseError::none);
  EXPECT_FALSE(empty_body->m.has_content_length);
  EXPECT_EQ(empty_body->m.body_length, 0);
}

TEST(Parser, ContentLengthEqualToWhatIsLeft) {
  std::string body(1000, 'x');
  auto p = parse_copy(request(replaced(base_headers(), "Content-Length:", "Content-Length: 1000"), body));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(p->m.body_length, 1000);
  EXPECT_EQ(p->m.message_end(), p->size);
}

TEST(Parser, ContentLengthErrors) {
  auto with_cl = [](const std::string& line, std::string_view body) {
    return request(replaced(base_headers(), "Content-Length:", line), body);
  };
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: 5", "1234")),
            ParseError::content_length_exceeds_datagram);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: 9999", "v=0\r\n")),
            ParseError::content_length_exceeds_datagram);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: -999", "v=0\r\n")), ParseError::bad_content_length);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: -1", "")), ParseError::bad_content_length);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: abc", "")), ParseError::bad_content_length);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: 5x", "12345")), ParseError::bad_content_length);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: 0x10", "")), ParseError::bad_content_length);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length: 1 2", "12")), ParseError::bad_content_length);
  EXPECT_EQ(parse_error_of(with_cl("Content-Length:", "")), ParseError::bad_content_length);
  // Larger than any datagram: malformed or larger than the message, never a wrapped small number.
  ParseError huge = parse_error_of(with_cl("Content-Length: 4294967300", "1234"));
  EXPECT_TRUE(huge == ParseError::bad_content_length ||
              huge == ParseError::content_length_exceeds_datagram)
      << parse_error_name(huge);
  ParseError huge16 = parse_error_of(with_cl("Content-Length: 65540", "1234"));
  EXPECT_TRUE(huge16 == ParseError::bad_content_length ||
              huge16 == ParseError::content_length_exceeds_datagram)
      << parse_error_name(huge16);

  // Given twice, even with the same value, or once full and once compact (RFC 4475 3.3.9).
  EXPECT_EQ(parse_error_of(request(plus(base_headers(), "Content-Length: 0"))),
            ParseError::duplicate_content_length);
  EXPECT_EQ(parse_error_of(request(plus(replaced(base_headers(), "Content-Length:", "Content-Length: 13"),
                                        "Content-Length: 5"), "There's no way to know")),
            ParseError::duplicate_content_length);
  EXPECT_EQ(parse_error_of(request(plus(base_headers(), "l: 0"))), ParseError::duplicate_content_length);
}

// ---------------------------------------------------------------------------------------------
// Every ParseError reason.

struct ErrorCase {
  const char* what;
  std::string bytes;
  std::vector<ParseError> expected;  // any of these
};

std::vector<ErrorCase> error_cases() {
  std::vector<ErrorCase> c;
  auto add = [&](const char* what, std::string bytes, std::initializer_list<ParseError> e) {
    c.push_back({what, std::move(bytes), std::vector<ParseError>(e)});
  };
  const auto base = base_headers();
  using E = ParseError;

  add("empty datagram", "", {E::empty});
  {
    std::string big = request(without(base, "Content-Length:"));
    big.append(kMaxMessageSize + 1 - big.size(), 'x');
    add("65536 octets", big, {E::message_too_large});
  }
  {
    std::string r = std::string(kInviteLine) + "\r\n";
    for (const auto& h : base) r += h + "\r\n";
    add("no empty line after the headers", r, {E::headers_unterminated});
    r.pop_back();
    add("header section ends in CR", r, {E::headers_unterminated});
    add("start line only, no line end", std::string(kInviteLine), {E::headers_unterminated, E::bad_start_line});
  }
  add("two SP between request-line elements (4475 3.1.2.9)",
      build("INVITE  sip:bob@biloxi.example.com  SIP/2.0", base), {E::bad_start_line});
  add("SP at end of request line (4475 3.1.2.10)",
      build("INVITE sip:bob@biloxi.example.com SIP/2.0  ", base), {E::bad_start_line});
  add("LWS in Request-URI (4475 3.1.2.8)",
      build("INVITE sip:bob@biloxi.example.com; lr SIP/2.0", base), {E::bad_start_line});
  add("SP before the method", build(" INVITE sip:bob@biloxi.example.com SIP/2.0", base), {E::bad_start_line});
  add("not a start line", build("hello", base), {E::bad_start_line});
  add("request line without version", build("INVITE sip:bob@biloxi.example.com", base),
      {E::bad_start_line, E::unsupported_version});
  add("non-token method", build("INV@ITE sip:bob@biloxi.example.com SIP/2.0", base), {E::bad_method});
  add("<> around Request-URI (4475 3.1.2.7)", build("INVITE <sip:bob@biloxi.example.com> SIP/2.0", base),
      {E::bad_request_uri});
  add("SIP/7.0 (4475 3.1.2.16)", build("INVITE sip:bob@biloxi.example.com SIP/7.0", base),
      {E::unsupported_version});
  add("SIP/3.0", build("INVITE sip:bob@biloxi.example.com SIP/3.0", base), {E::unsupported_version});
  const auto resp = response_headers();
  add("status code 4294967301 (4475 3.1.2.19)", build("SIP/2.0 4294967301 better not break the receiver", resp),
      {E::bad_status_code});
  add("two-digit status code", build("SIP/2.0 99 Short", resp), {E::bad_status_code});
  add("four-digit status code", build("SIP/2.0 2000 Long", resp), {E::bad_status_code});
  add("letters as status code", build("SIP/2.0 abc OK", resp), {E::bad_status_code});
  add("status code below 100", build("SIP/2.0 050 Low", resp), {E::bad_status_code});
  add("control octet in reason phrase", build("SIP/2.0 200 O\x01K", resp), {E::bad_reason_phrase});
  add("header line without colon", request(plus(base, "This line has no colon")), {E::bad_header_line});
  add("header name with a space inside", request(plus(base, "Bad Name: value")), {E::bad_header_line});
  add("empty header name", request(plus(base, ": value")), {E::bad_header_line});
  add("continuation line before any header",
      build(kInviteLine, [&] { auto h = base; h.insert(h.begin(), " folded"); return h; }()),
      {E::bad_header_line, E::bad_start_line});
  {
    auto h = base;
    h.insert(h.begin() + 1, "Subject: " + std::string(9000, 'a'));
    add("9000-octet header field", request(h), {E::header_too_long});
  }
  {
    auto h = base;
    for (int i = 0; h.size() < kMaxHeaders + 1; ++i) h.insert(h.begin() + 1, "X-Filler-" + std::to_string(i) + ": x");
    add("97 header fields", request(h), {E::too_many_headers});
  }
  add("no From", request(without(base, "From:")), {E::missing_from});
  add("no To", request(without(base, "To:")), {E::missing_to});
  add("no Call-ID", request(without(base, "Call-ID:")), {E::missing_call_id});
  add("no CSeq", request(without(base, "CSeq:")), {E::missing_cseq});
  add("two From", request(plus(base, "From: <sip:eve@example.com>;tag=2")), {E::duplicate_from});
  add("two To", request(plus(base, "t: <sip:other@example.net>")), {E::duplicate_to});
  add("two Call-ID", request(plus(base, "Call-ID: second@example.com")), {E::duplicate_call_id});
  add("two Call-ID, one compact", request(plus(base, "i: second@example.com")), {E::duplicate_call_id});
  add("two CSeq", request(plus(base, "CSeq: 314160 INVITE")), {E::duplicate_cseq});
  add("two Max-Forwards", request(plus(base, "Max-Forwards: 5")), {E::duplicate_max_forwards});
  add("two Content-Length", request(plus(base, "Content-Length: 0")), {E::duplicate_content_length});
  add("extraneous separators in Via (4475 3.1.2.1)",
      request(replaced(base, "Via:", "Via: SIP/2.0/UDP 192.0.2.15;;,;,,")), {E::bad_via});
  add("Via without sent-by", request(replaced(base, "Via:", "Via: SIP/2.0/UDP")), {E::bad_via});
  add("empty Via", request(replaced(base, "Via:", "Via:")), {E::bad_via});
  add("Via without protocol", request(replaced(base, "Via:", "Via: pc33.atlanta.example.com;branch=z9hG4bK1")),
      {E::bad_via});
  add("Via port past 65535", request(replaced(base, "Via:", "Via: SIP/2.0/UDP host.example.com:70000;branch=z9hG4bK1")),
      {E::bad_via});
  add("Via port not a number", request(replaced(base, "Via:", "Via: SIP/2.0/UDP host.example.com:ab;branch=z9hG4bK1")),
      {E::bad_via});
  add("empty Call-ID", request(replaced(base, "Call-ID:", "Call-ID:")), {E::bad_call_id});
  add("white space inside Call-ID", request(replaced(base, "Call-ID:", "Call-ID: a84b4c76 e66710@pc33")),
      {E::bad_call_id});
  add("CSeq not a number", request(replaced(base, "CSeq:", "CSeq: abc INVITE")), {E::bad_cseq});
  add("CSeq without method", request(replaced(base, "CSeq:", "CSeq: 314159")), {E::bad_cseq});
  add("CSeq with text after the method", request(replaced(base, "CSeq:", "CSeq: 314159 INVITE extra")), {E::bad_cseq});
  add("CSeq 2^31 (RFC 3261 8.1.1.5)", request(replaced(base, "CSeq:", "CSeq: 2147483648 INVITE")), {E::bad_cseq});
  add("CSeq 2^32", request(replaced(base, "CSeq:", "CSeq: 4294967296 INVITE")), {E::bad_cseq});
  add("CSeq 2^65 (4475 3.1.2.4)", request(replaced(base, "CSeq:", "CSeq: 36893488147419103232 INVITE")),
      {E::bad_cseq});
  add("negative CSeq", request(replaced(base, "CSeq:", "CSeq: -1 INVITE")), {E::bad_cseq});
  add("CSeq method differs (4475 3.1.2.17)",
      build("OPTIONS sip:user@example.com SIP/2.0", base), {E::cseq_method_mismatch});
  add("unknown method, CSeq INVITE (4475 3.1.2.18)",
      build("NEWMETHOD sip:user@example.com SIP/2.0", base), {E::cseq_method_mismatch});
  add("ACK with CSeq INVITE", build("ACK sip:user@example.com SIP/2.0", base), {E::cseq_method_mismatch});
  add("methods are case-sensitive", build("INVITE sip:user@example.com SIP/2.0",
                                          replaced(base, "CSeq:", "CSeq: 1 invite")),
      {E::cseq_method_mismatch});
  add("Max-Forwards 256", request(replaced(base, "Max-Forwards:", "Max-Forwards: 256")), {E::bad_max_forwards});
  add("Max-Forwards 300 (4475 3.1.2.4)", request(replaced(base, "Max-Forwards:", "Max-Forwards: 300")),
      {E::bad_max_forwards});
  add("Max-Forwards letters", request(replaced(base, "Max-Forwards:", "Max-Forwards: ten")), {E::bad_max_forwards});
  add("Max-Forwards negative", request(replaced(base, "Max-Forwards:", "Max-Forwards: -1")), {E::bad_max_forwards});
  add("Max-Forwards empty", request(replaced(base, "Max-Forwards:", "Max-Forwards:")), {E::bad_max_forwards});
  add("Content-Length with a sign", request(replaced(base, "Content-Length:", "Content-Length: +0")),
      {E::bad_content_length});
  add("negative Content-Length (4475 3.1.2.3)",
      request(replaced(base, "Content-Length:", "Content-Length: -999"), "v=0\r\n"), {E::bad_content_length});
  add("Content-Length larger than the datagram (4475 3.1.2.2)",
      request(replaced(base, "Content-Length:", "Content-Length: 9999"), "v=0\r\n"),
      {E::content_length_exceeds_datagram});
  return c;
}

TEST(ParserErrors, EachCaseGivesItsReason) {
  for (const auto& c : error_cases()) {
    SCOPED_TRACE(c.what);
    ParseError got = parse_error_of(c.bytes);
    EXPECT_NE(std::find(c.expected.begin(), c.expected.end(), got), c.expected.end())
        << "got " << parse_error_name(got) << ", expected " << parse_error_name(c.expected[0]);
  }
}

// bad_from and bad_to: parse() may leave From/To to the accessors; then they must report it.
TEST(ParserErrors, MalformedFromAndTo) {
  auto from = parse_copy(request(replaced(base_headers(), "From:",
                                          "From: \"Unterminated <sip:alice@atlanta.example.com>;tag=1")));
  if (from->err == ParseError::none) {
    NameAddr na;
    EXPECT_EQ(from_header(from->m, na), ParseError::bad_from);
  } else {
    EXPECT_EQ(from->err, ParseError::bad_from);
  }
  auto to = parse_copy(request(replaced(base_headers(), "To:", "To: <sip:bob@biloxi.example.com")));
  if (to->err == ParseError::none) {
    NameAddr na;
    EXPECT_EQ(to_header(to->m, na), ParseError::bad_to);
  } else {
    EXPECT_EQ(to->err, ParseError::bad_to);
  }
}

// A message without Via parses (parser.hpp): top_via_header is kNoHeader and the proxy, not the
// parser, rejects it as missing_via (it can neither forward nor answer it).
TEST(ParserErrors, NoViaParsesWithoutTopVia) {
  for (const auto& bytes : {request(without(base_headers(), "Via:")),
                            build(kOkLine, without(response_headers(), "Via:"))}) {
    auto p = parse_copy(bytes);
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.top_via_header, kNoHeader);
    EXPECT_FALSE(p->m.has(HeaderId::via));
    EXPECT_TRUE(p->m.top_via.value.empty());
    EXPECT_TRUE(p->m.top_via.host.empty());
    EXPECT_TRUE(p->m.top_via.branch.empty());
    EXPECT_EQ(p->text(p->m.call_id), "a84b4c76e66710@pc33.atlanta.example.com");
  }
  // missing_via is the reason the proxy counts and names for such a message.
  EXPECT_EQ(parse_error_name(ParseError::missing_via), "missing_via");
  EXPECT_EQ(parse_error_status(ParseError::missing_via), 400);
}

// Every reason except none is produced by at least one case of this file (missing_via by the
// proxy, see above; bad_from and bad_to by parse() or the accessors).
TEST(ParserErrors, EveryReasonIsCovered) {
  std::set<ParseError> covered = {ParseError::none, ParseError::missing_via, ParseError::bad_from,
                                  ParseError::bad_to};
  for (const auto& c : error_cases()) covered.insert(c.expected.begin(), c.expected.end());
  for (std::size_t i = 0; i < kParseErrorCount; ++i)
    EXPECT_TRUE(covered.count(static_cast<ParseError>(i))) << parse_error_name(static_cast<ParseError>(i));
}

TEST(ParserErrors, ValidBoundaryValues) {
  const auto base = base_headers();
  EXPECT_EQ(parse_error_of(request(replaced(base, "CSeq:", "CSeq: 2147483647 INVITE"))), ParseError::none);
  EXPECT_EQ(parse_error_of(request(replaced(base, "CSeq:", "CSeq: 0 INVITE"))), ParseError::none);
  auto mf255 = parse_copy(request(replaced(base, "Max-Forwards:", "Max-Forwards: 255")));
  ASSERT_EQ(mf255->err, ParseError::none);
  EXPECT_EQ(mf255->m.max_forwards, 255);
  auto mf0 = parse_copy(request(replaced(base, "Max-Forwards:", "Max-Forwards: 0")));
  ASSERT_EQ(mf0->err, ParseError::none);
  EXPECT_EQ(mf0->m.max_forwards, 0);
  auto nomf = parse_copy(request(without(base, "Max-Forwards:")));
  ASSERT_EQ(nomf->err, ParseError::none);
  EXPECT_EQ(nomf->m.max_forwards, -1);
  auto cseq = parse_copy(request(replaced(base, "CSeq:", "CSeq: 2147483647 INVITE")));
  EXPECT_EQ(cseq->m.cseq_number, 2147483647u);
  for (const char* code : {"100", "199", "200", "302", "486", "503", "606", "699"}) {
    auto r = parse_copy(build(std::string("SIP/2.0 ") + code + " Reason", response_headers()));
    EXPECT_EQ(r->err, ParseError::none) << code;
    EXPECT_EQ(r->m.status_code, std::stoi(code));
  }
}

// ---------------------------------------------------------------------------------------------
// Limits: rejected with their reason, never truncated.

TEST(ParserLimits, MaxHeadersExactlyFitsOneMoreIsAnError) {
  auto h = base_headers();
  while (h.size() < kMaxHeaders) h.insert(h.begin() + 1, "X-Filler-" + std::to_string(h.size()) + ": x");
  auto ok = parse_copy(request(h));
  ASSERT_EQ(ok->err, ParseError::none);
  EXPECT_EQ(ok->m.header_count, kMaxHeaders);
  EXPECT_EQ(ok->m.headers[kMaxHeaders - 1].id, HeaderId::content_length);
  h.insert(h.begin() + 1, "X-One-Too-Many: x");
  EXPECT_EQ(parse_error_of(request(h)), ParseError::too_many_headers);
  // The extra fields come last: the mandatory ones were all seen, yet the message is rejected.
  auto tail = base_headers();
  while (tail.size() < kMaxHeaders + 5) tail.push_back("X-Tail-" + std::to_string(tail.size()) + ": x");
  EXPECT_EQ(parse_error_of(request(tail)), ParseError::too_many_headers);
}

TEST(ParserLimits, HeaderTooLongIsAnErrorNotTruncation) {
  auto h = base_headers();
  const std::string long_value(8000, 'a');
  h.insert(h.begin() + 1, "Subject: " + long_value);
  auto ok = parse_copy(request(h));
  ASSERT_EQ(ok->err, ParseError::none);
  EXPECT_EQ(ok->text(ok->m.headers[1].value), long_value);

  auto g = base_headers();
  g.insert(g.begin() + 1, "Subject: " + std::string(kMaxHeaderFieldSize + 100, 'b'));
  EXPECT_EQ(parse_error_of(request(g)), ParseError::header_too_long);

  // Short lines, but the field with its continuation lines is past the limit.
  std::string folded = "Subject: start";
  while (folded.size() < kMaxHeaderFieldSize + 200) folded += "\r\n " + std::string(70, 'c');
  auto f = base_headers();
  f.insert(f.begin() + 1, folded);
  EXPECT_EQ(parse_error_of(request(f)), ParseError::header_too_long);

  // The same for a header the parser interprets.
  auto v = base_headers();
  v[0] = "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK" + std::string(kMaxHeaderFieldSize, '1');
  EXPECT_EQ(parse_error_of(request(v)), ParseError::header_too_long);
}

TEST(ParserLimits, MessageSize) {
  std::string msg = request(without(base_headers(), "Content-Length:"));
  msg.append(kMaxMessageSize - msg.size(), 'x');
  auto ok = parse_copy(msg);
  ASSERT_EQ(ok->err, ParseError::none);
  EXPECT_EQ(ok->m.message_end(), kMaxMessageSize);
  msg.push_back('x');
  EXPECT_EQ(parse_error_of(msg), ParseError::message_too_large);
}

// ---------------------------------------------------------------------------------------------
// No read outside [data, data + size).

void check_every_prefix(const std::string& msg) {
  auto full = parse_copy(msg);
  ASSERT_EQ(full->err, ParseError::none);
  const std::size_t header_end = msg.find("\r\n\r\n") + 4;
  for (std::size_t n = 0; n <= msg.size(); ++n) {
    SCOPED_TRACE("prefix length " + std::to_string(n));
    auto p = parse_copy(std::string_view(msg).substr(0, n));
    if (n == 0) {
      EXPECT_EQ(p->err, ParseError::empty);
    } else if (n < header_end) {
      EXPECT_NE(p->err, ParseError::none);
    } else if (full->m.has_content_length && n < full->m.message_end()) {
      EXPECT_EQ(p->err, ParseError::content_length_exceeds_datagram);
    } else {
      ASSERT_EQ(p->err, ParseError::none);
      EXPECT_EQ(p->m.call_id, full->m.call_id);
      EXPECT_EQ(p->m.message_end(), full->m.has_content_length ? full->m.message_end() : n);
    }
  }
}

TEST(ParserBounds, EveryPrefixOfARequestWithBody) {
  check_every_prefix(request(replaced(base_headers(), "Content-Length:", "Content-Length: 13"), "v=0\r\ns=-\r\nt=0"));
}

TEST(ParserBounds, EveryPrefixOfAMessageWithoutContentLength) {
  check_every_prefix(request(without(base_headers(), "Content-Length:"), "some body"));
}

TEST(ParserBounds, EveryPrefixOfAResponse) {
  check_every_prefix(build("SIP/2.0 486 Busy Here", response_headers()));
}

TEST(ParserBounds, EveryPrefixOfAFoldedMessage) {
  check_every_prefix(sip_message({
      "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0",
      "TO :",
      " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n",
      "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>",
      "  ;",
      "  tag = 98asjd8",
      "MaX-fOrWaRdS: 0068",
      "Call-ID: wsinv.ndaksdj@192.0.2.1",
      "Content-Length   : 4",
      "cseq: 0009",
      "  INVITE",
      "Via  : SIP  /   2.0",
      " /UDP",
      "    192.0.2.2;branch=390skdjuw",
      "v:  SIP  / 2.0  / TCP     spindle.example.com   ;",
      "  branch  =   z9hG4bK9ikj8  ,",
      " SIP  /    2.0   / UDP  [2001:db8::9]:5070   ; branch=",
      " z9hG4bK30239;rport",
      "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =",
      "      newvalue ;",
      "  secondparam ; q = 0.33",
  }, "v=0\n"));
}

// The octets just past the range would complete the message; the parser must not look at them.
TEST(ParserBounds, DoesNotLookPastSize) {
  std::string msg = request(base_headers());
  Message m;
  EXPECT_NE(parse(msg.data(), msg.size() - 1, m), ParseError::none);  // "\r\n\r" + "\n" outside
  EXPECT_NE(parse(msg.data(), msg.size() - 2, m), ParseError::none);
  std::string with_body = request(replaced(base_headers(), "Content-Length:", "Content-Length: 4"), "body");
  EXPECT_EQ(parse(with_body.data(), with_body.size() - 1, m), ParseError::content_length_exceeds_datagram);
  EXPECT_EQ(parse(with_body.data(), with_body.size(), m), ParseError::none);
}

// Octets a message cannot contain must not derail the parser: NUL in a header value, high bytes.
TEST(ParserBounds, ArbitraryOctetsInUnknownHeaderValues) {
  std::string value = "X-Binary: a";
  value.push_back('\0');
  value += "b\xff\xfe\x80";
  std::string msg = request(plus(base_headers(), value));
  auto p = parse_copy(msg);
  // Either outcome is allowed for a NUL in a value; the index must stay inside the buffer.
  if (p->err == ParseError::none) {
    EXPECT_LE(p->m.message_end(), p->size);
    EXPECT_EQ(p->text(p->m.call_id), "a84b4c76e66710@pc33.atlanta.example.com");
  }
  std::string high = request(plus(base_headers(), "X-Utf8: \xC3\xA9t\xC3\xA9"));
  EXPECT_EQ(parse_error_of(high), ParseError::none);
}

TEST(Parser, ReparsingGivesTheSameIndex) {
  std::string msg = request(plus(base_headers(), "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>"));
  Message a, b;
  ASSERT_EQ(parse(msg.data(), msg.size(), a), ParseError::none);
  ASSERT_EQ(parse(msg.data(), msg.size(), b), ParseError::none);
  EXPECT_EQ(a.header_count, b.header_count);
  for (std::size_t i = 0; i < a.header_count; ++i) {
    EXPECT_EQ(a.headers[i].line, b.headers[i].line);
    EXPECT_EQ(a.headers[i].value, b.headers[i].value);
    EXPECT_EQ(a.headers[i].id, b.headers[i].id);
  }
  EXPECT_EQ(a.top_via.value, b.top_via.value);
  EXPECT_EQ(0, std::memcmp(a.first_header, b.first_header, sizeof a.first_header));
}

}  // namespace
}  // namespace siplb::sip
