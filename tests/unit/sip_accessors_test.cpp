// The typed views of accessors.hpp: parse_uri, find_param, parse_name_addr, from_header/to_header,
// request_uri, ValueIterator, parse_contact, expires_header, auth_username and parse_via.
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sip_test_util.hpp"

namespace siplb::sip {
namespace {

using test::parse_copy;
using test::sip_message;
using test::TextMessage;

// ---------------------------------------------------------------------------------------------
// parse_uri

struct UriCase {
  const char* text;
  const char* scheme;
  const char* user;
  const char* password;
  const char* host;
  uint16_t port;
  const char* params;
  const char* headers;
};

TEST(ParseUri, SipAndSipsComponents) {
  const UriCase cases[] = {
      {"sip:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project&priority=urgent",
       "sip", "alice", "secret", "atlanta.example.com", 5061, ";transport=tcp;lr",
       "subject=project&priority=urgent"},
      {"sips:bob@biloxi.example.com", "sips", "bob", "", "biloxi.example.com", 0, "", ""},
      {"sip:biloxi.example.com", "sip", "", "", "biloxi.example.com", 0, "", ""},
      {"sip:192.0.2.4:5060", "sip", "", "", "192.0.2.4", 5060, "", ""},
      {"sip:bob@192.0.2.4:65535;lr", "sip", "bob", "", "192.0.2.4", 65535, ";lr", ""},
      {"sip:[2001:db8::10]:5070;transport=udp", "sip", "", "", "[2001:db8::10]", 5070, ";transport=udp", ""},
      {"sip:alice@[2001:db8::1]", "sip", "alice", "", "[2001:db8::1]", 0, "", ""},
      {"sip:+19725552222@gw1.example.net;user=phone", "sip", "+19725552222", "", "gw1.example.net", 0,
       ";user=phone", ""},
      // RFC 4475 3.1.1.9: ';' in the user part belongs to the user.
      {"sip:user;par=u%40example.net@example.com", "sip", "user;par=u%40example.net", "", "example.com", 0, "", ""},
      // RFC 4475 3.1.1.3: escapes are kept as written.
      {"sip:sips%3Auser%40example.com@example.net", "sip", "sips%3Auser%40example.com", "", "example.net", 0, "", ""},
      {"sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", "sip", "cal%6Cer", "",
       "host5.example.net", 0, ";%6C%72;n%61me=v%61lue%25%34%31", ""},
      // RFC 4475 3.1.1.2: '?', ';', ',' and ':' in the userinfo, before the only '@'.
      {"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
       "sip", "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
       "example.com", 0, "", ""},
      {"sip:user@example.com?Route=%3Csip:example.com%3E", "sip", "user", "", "example.com", 0, "",
       "Route=%3Csip:example.com%3E"},
      // The scheme is case-insensitive (RFC 3261 19.1.4).
      {"SIP:Bob@Biloxi.Example.COM", "SIP", "Bob", "", "Biloxi.Example.COM", 0, "", ""},
  };
  // Alone, and after other text as in a message (then scans of short ranges may read blocks that
  // start before them): the same parts either way.
  for (const auto& c : cases)
    for (std::size_t before : {0, 40}) {
      SCOPED_TRACE(std::string(c.text) + " after " + std::to_string(before));
      TextMessage t(std::string(before, ' ') + c.text);
      Uri u;
      ASSERT_TRUE(parse_uri(t.m, Span{static_cast<uint16_t>(before), static_cast<uint16_t>(t.m.size - before)}, u));
      EXPECT_TRUE(u.is_sip);
      EXPECT_EQ(t.text(u.scheme), c.scheme);
      EXPECT_EQ(t.text(u.opaque), std::string_view(c.text).substr(std::string_view(c.scheme).size() + 1));
      EXPECT_EQ(t.text(u.user), c.user);
      EXPECT_EQ(t.text(u.password), c.password);
      EXPECT_EQ(t.text(u.host), c.host);
      EXPECT_EQ(u.port, c.port);
      EXPECT_EQ(t.text(u.params), c.params);
      EXPECT_EQ(t.text(u.headers), c.headers);
    }
}

TEST(ParseUri, OtherSchemesKeepOnlySchemeAndOpaque) {
  for (const char* text : {"tel:+1-201-555-0123", "name:John_Smith", "isbn:2983792873",
                           "http://www.example.com", "nobodyKnowsThisScheme:totallyopaquecontent"}) {
    SCOPED_TRACE(text);
    TextMessage t(text);
    Uri u;
    ASSERT_TRUE(parse_uri(t.m, t.all(), u));
    EXPECT_FALSE(u.is_sip);
    std::string_view s(text);
    EXPECT_EQ(t.text(u.scheme), s.substr(0, s.find(':')));
    EXPECT_EQ(t.text(u.opaque), s.substr(s.find(':') + 1));
    EXPECT_TRUE(u.host.empty());
    EXPECT_EQ(u.port, 0);
  }
}

TEST(ParseUri, SpanInsideALargerBuffer) {
  // Only the given range is the URI: what follows it must not be taken in.
  TextMessage t("<sip:bob@biloxi.example.com:5062;lr>;tag=1");
  Uri u;
  ASSERT_TRUE(parse_uri(t.m, Span{1, 34}, u));
  EXPECT_EQ(t.text(u.host), "biloxi.example.com");
  EXPECT_EQ(u.port, 5062);
  EXPECT_EQ(t.text(u.params), ";lr");
  EXPECT_EQ(u.params.end(), 35u);
}

TEST(ParseUri, Malformed) {
  for (std::string text : {"", "sip:", "sip:alice@", "sip:host.example.com:99999", "sip:host.example.com:65536",
                           "sip:host.example.com:abc", "sip:host.example.com:", "sip:al ice@host.example.com",
                           "sip:alice@host .example.com", "sip:alice@host.example.com\t", "nocolon",
                           ":nothing", "sip:[2001:db8::1", "sip:alice@[2001:db8::1:5060"}) {
    SCOPED_TRACE("\"" + text + "\"");
    TextMessage t(text);
    Uri u;
    EXPECT_FALSE(parse_uri(t.m, t.all(), u));
  }
  std::string ctl = "sip:alice@host";
  ctl.push_back('\x01');
  ctl += ".example.com";
  TextMessage t(ctl);
  Uri u;
  EXPECT_FALSE(parse_uri(t.m, t.all(), u));
}

// ---------------------------------------------------------------------------------------------
// find_param

TEST(FindParam, NamesAreCaseInsensitiveAndWhole) {
  TextMessage t(";transport=tcp;lr;maddr=239.255.255.1;foo=ttl");
  Span v;
  ASSERT_TRUE(find_param(t.m, t.all(), "transport", v));
  EXPECT_EQ(t.text(v), "tcp");
  ASSERT_TRUE(find_param(t.m, t.all(), "TRANSPORT", v));
  EXPECT_EQ(t.text(v), "tcp");
  ASSERT_TRUE(find_param(t.m, t.all(), "lr", v));
  EXPECT_TRUE(v.empty());
  ASSERT_TRUE(find_param(t.m, t.all(), "maddr", v));
  EXPECT_EQ(t.text(v), "239.255.255.1");
  EXPECT_FALSE(find_param(t.m, t.all(), "l", v));
  EXPECT_FALSE(find_param(t.m, t.all(), "transpor", v));
  EXPECT_FALSE(find_param(t.m, t.all(), "transports", v));
  EXPECT_FALSE(find_param(t.m, t.all(), "ttl", v));  // only a value
  EXPECT_FALSE(find_param(t.m, t.all(), "tcp", v));
  EXPECT_FALSE(find_param(t.m, Span{0, 0}, "lr", v));
}

TEST(FindParam, LinearWhiteSpaceAroundSeparators) {
  TextMessage t(";   tag    = 1918181833n ;\r\n  other ;x=\r\n y");
  Span v;
  ASSERT_TRUE(find_param(t.m, t.all(), "tag", v));
  EXPECT_EQ(t.text(v), "1918181833n");
  ASSERT_TRUE(find_param(t.m, t.all(), "other", v));
  EXPECT_TRUE(v.empty());
  ASSERT_TRUE(find_param(t.m, t.all(), "x", v));
  EXPECT_EQ(t.text(v), "y");
}

TEST(FindParam, QuotedValuesDoNotSplit) {
  TextMessage t(";p=\"a;other=1\";other=2");
  Span v;
  ASSERT_TRUE(find_param(t.m, t.all(), "other", v));
  EXPECT_EQ(t.text(v), "2");
  ASSERT_TRUE(find_param(t.m, t.all(), "p", v));
  EXPECT_EQ(t.text(v), "\"a;other=1\"");
}

// ---------------------------------------------------------------------------------------------
// parse_name_addr

struct NameAddrCase {
  std::string text;
  std::string display;
  std::string uri;
  std::string params;
  std::string tag;
  bool has_tag;
  bool bracketed;
};

TEST(ParseNameAddr, Forms) {
  const NameAddrCase cases[] = {
      {"\"Alice Smith\" <sip:alice@atlanta.example.com>;tag=1928301774", "\"Alice Smith\"",
       "sip:alice@atlanta.example.com", ";tag=1928301774", "1928301774", true, true},
      {"Bob <sip:bob@biloxi.example.com>", "Bob", "sip:bob@biloxi.example.com", "", "", false, true},
      {"Bell Alexander <sip:a.g.bell@example.com>;tag=43", "Bell Alexander", "sip:a.g.bell@example.com",
       ";tag=43", "43", true, true},
      // RFC 4475 3.1.1.6: no LWS between display name and '<'.
      {"caller<sip:caller@example.com>;tag=323", "caller", "sip:caller@example.com", ";tag=323", "323", true, true},
      {"<sip:carol@chicago.example.com>", "", "sip:carol@chicago.example.com", "", "", false, true},
      // addr-spec: ';' ends the URI, what follows are header parameters (RFC 3261 20).
      {"sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe", "", "sip:watson@example.com", ";tag=DkfVgjkrtMwaerKKpe",
       "DkfVgjkrtMwaerKKpe", true, false},
      {"sip:+19725552222@gw1.example.net;unknownparam", "", "sip:+19725552222@gw1.example.net", ";unknownparam",
       "", false, false},
      {"<sip:+19725552222@gw1.example.net;unknownparam>", "", "sip:+19725552222@gw1.example.net;unknownparam",
       "", "", false, true},
      {"sip:user@example.com", "", "sip:user@example.com", "", "", false, false},
      // RFC 4475 3.1.1.1, folded and with LWS around ';' and '='.
      {"\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8",
       "\"J Rosenberg \\\\\\\"\"", "sip:jdrosen@example.com", ";\r\n  tag = 98asjd8", "98asjd8", true, true},
      {"sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n", "", "sip:vivekg@chair-dnrc.example.com",
       ";   tag    = 1918181833n", "1918181833n", true, false},
      // '<' and '>' inside the quoted display name are not the URI's.
      {"\"<sip:fake@evil.example>\" <sip:real@example.com>", "\"<sip:fake@evil.example>\"",
       "sip:real@example.com", "", "", false, true},
      {"<sip:a@b.example.com>;TAG=abc", "", "sip:a@b.example.com", ";TAG=abc", "abc", true, true},
      {"<sip:a@b.example.com>;tagx=1;xtag=2", "", "sip:a@b.example.com", ";tagx=1;xtag=2", "", false, true},
      // RFC 4475 3.1.1.2: token display name and token characters in the tag.
      {"token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xD1\x80\xD0\xB0\";tag=_token~1'+`*%!-.",
       "token1~` token2'+_ token3*%!.-", "sip:mundane@example.com",
       ";fromParam''~+*_!.-%=\"\xD1\x80\xD0\xB0\";tag=_token~1'+`*%!-.", "_token~1'+`*%!-.", true, true},
      {"<name:John_Smith>", "", "name:John_Smith", "", "", false, true},
      {"isbn:2983792873", "", "isbn:2983792873", "", "", false, false},
      {"  <sip:trim@example.com>  ", "", "sip:trim@example.com", "", "", false, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    TextMessage t(c.text);
    NameAddr na;
    ASSERT_TRUE(parse_name_addr(t.m, t.all(), na));
    EXPECT_EQ(t.text(na.display), c.display);
    EXPECT_EQ(t.text(na.uri), c.uri);
    EXPECT_EQ(t.text(na.params), c.params);
    EXPECT_EQ(t.text(na.tag), c.tag);
    EXPECT_EQ(na.has_tag, c.has_tag);
    EXPECT_EQ(na.bracketed, c.bracketed);
  }
}

TEST(ParseNameAddr, Malformed) {
  for (std::string text : {"\"Mr. J. User <sip:j.user@example.com>", "<sip:a@b.example.com", "", "   ", "<>",
                           "\"Alice\" <sip:alice@example.com;tag=1", "\"unterminated"}) {
    SCOPED_TRACE("\"" + text + "\"");
    TextMessage t(text);
    NameAddr na;
    EXPECT_FALSE(parse_name_addr(t.m, t.all(), na));
  }
}

// ---------------------------------------------------------------------------------------------
// from_header, to_header, request_uri

std::string dialog_request(const std::string& from, const std::string& to,
                           const std::string& start = "INVITE sip:bob@biloxi.example.com SIP/2.0") {
  return sip_message({
      start,
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
      "Max-Forwards: 70",
      to,
      from,
      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
      "CSeq: 314159 INVITE",
      "Content-Length: 0",
  });
}

TEST(FromTo, ParsedFromTheMessage) {
  auto p = parse_copy(dialog_request("From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
                                     "To: \"Bob\" <sip:bob@biloxi.example.com>"));
  ASSERT_EQ(p->err, ParseError::none);
  NameAddr from, to;
  ASSERT_EQ(from_header(p->m, from), ParseError::none);
  EXPECT_EQ(p->text(from.display), "Alice");
  EXPECT_EQ(p->text(from.uri), "sip:alice@atlanta.example.com");
  EXPECT_TRUE(from.has_tag);
  EXPECT_EQ(p->text(from.tag), "1928301774");
  ASSERT_EQ(to_header(p->m, to), ParseError::none);
  EXPECT_EQ(p->text(to.display), "\"Bob\"");
  EXPECT_EQ(p->text(to.uri), "sip:bob@biloxi.example.com");
  EXPECT_FALSE(to.has_tag);
  EXPECT_TRUE(to.tag.empty());
}

TEST(FromTo, CompactAndAddrSpec) {
  auto p = parse_copy(dialog_request("f: sip:caller@example.net;tag=141334", "t: sip:joe@example.com;tag=9"));
  ASSERT_EQ(p->err, ParseError::none);
  NameAddr from, to;
  ASSERT_EQ(from_header(p->m, from), ParseError::none);
  EXPECT_EQ(p->text(from.uri), "sip:caller@example.net");
  EXPECT_EQ(p->text(from.tag), "141334");
  EXPECT_FALSE(from.bracketed);
  ASSERT_EQ(to_header(p->m, to), ParseError::none);
  EXPECT_EQ(p->text(to.uri), "sip:joe@example.com");
  EXPECT_EQ(p->text(to.tag), "9");
}

TEST(FromTo, MalformedValues) {
  // RFC 4475 3.1.2.6: unterminated quote in the To display name.
  auto p = parse_copy(dialog_request("From: sip:caller@example.net;tag=93334",
                                     "To: \"Mr. J. User <sip:j.user@example.com>"));
  if (p->err == ParseError::none) {
    NameAddr to, from;
    EXPECT_EQ(to_header(p->m, to), ParseError::bad_to);
    EXPECT_EQ(from_header(p->m, from), ParseError::none);
  } else {
    EXPECT_EQ(p->err, ParseError::bad_to);
  }
  auto q = parse_copy(dialog_request("From: <sip:caller@example.net;tag=93334", "To: <sip:j.user@example.com>"));
  if (q->err == ParseError::none) {
    NameAddr from;
    EXPECT_EQ(from_header(q->m, from), ParseError::bad_from);
  } else {
    EXPECT_EQ(q->err, ParseError::bad_from);
  }
}

// from_tag()/to_tag() take a one-pass shortcut for <uri>;tag=token; every shape, the shortcut's
// and the others, must give what from_header()/to_header() give.
TEST(FromTo, TagAsFullNameAddrParse) {
  const char* const values[] = {
      "<sip:bob@biloxi.example.com>;tag=a6c85cf",
      "<sip:bob@biloxi.example.com>;TAG=a6c85cf",
      "<sip:bob@biloxi.example.com>;tag=",
      "<sip:bob@biloxi.example.com>",
      "Bob <sip:bob@biloxi.example.com>;tag=x",
      "\"Bob \\\"B\\\" Smith\" <sip:bob@biloxi.example.com>;tag=x",
      "\"Bob\"<sip:bob@biloxi.example.com>;tag=x",
      "\"Bob\" x <sip:bob@biloxi.example.com>;tag=x",
      "\"Bob <sip:bob@biloxi.example.com>;tag=x",
      "< sip:bob@biloxi.example.com >;tag=x",
      "<>;tag=x",
      "< >;tag=x",
      "<sip:bob@biloxi.example.com;tag=x",
      "<sip:bob@biloxi.example.com>x;tag=x",
      "<sip:bob@biloxi.example.com> ;tag=x",
      "<sip:bob@biloxi.example.com>; tag=x",
      "<sip:bob@biloxi.example.com>;tag =x",
      "<sip:bob@biloxi.example.com>;tag= x",
      "<sip:bob@biloxi.example.com>;tag=x;other=1",
      "<sip:bob@biloxi.example.com>;other=1;tag=x",
      "<sip:bob@biloxi.example.com>;tag=x;tag=y",
      "<sip:bob@biloxi.example.com>;tag=\"quoted\"",
      "<sip:bob@biloxi.example.com>;tag=\"open",
      "<sip:bob@biloxi.example.com>;tag=a\"b",
      "<sip:bob@biloxi.example.com>;tag=[x]",
      "<sip:bob@biloxi.example.com>;tags=x",
      "<sip:bob@biloxi.example.com>;ta=x",
      "<sip:bob@biloxi.example.com>;tag",
      "<sip:bob@biloxi.example.com>;",
      "<sip:bob@biloxi.example.com>;;tag=x",
      "<sip:a>b>;tag=x",
      "<sip:<a>;tag=x",
      "sip:bob@biloxi.example.com;tag=x",
      "sip:bob@biloxi.example.com",
      "sip:bob@biloxi.example.com ;tag=x",
      "a;b <sip:bob@biloxi.example.com>;tag=x",
      "a\"b <sip:bob@biloxi.example.com>;tag=x",
      "<sip:bob@biloxi.example.com>;tag=a\r\n b",
      "<sip:bob@biloxi.example.com>;tag=x\r\n ;y=1",
  };
  for (const char* v : values) {
    for (bool to_side : {false, true}) {
      std::string from = std::string("From: ") + (to_side ? "<sip:a@b>;tag=1" : v);
      std::string to = std::string("To: ") + (to_side ? v : "<sip:c@d>");
      auto p = parse_copy(dialog_request(from, to));
      test::expect_tags_as_name_addr(p->m, std::string(to_side ? "To: " : "From: ") + v);
    }
  }
}

TEST(RequestUri, Components) {
  auto p = parse_copy(dialog_request("From: <sip:alice@atlanta.example.com>;tag=1", "To: <sip:bob@biloxi.example.com>",
                                     "INVITE sip:bob:pw@biloxi.example.com:5062;transport=udp;lr SIP/2.0"));
  ASSERT_EQ(p->err, ParseError::none);
  Uri u;
  ASSERT_EQ(request_uri(p->m, u), ParseError::none);
  EXPECT_TRUE(u.is_sip);
  EXPECT_EQ(p->text(u.scheme), "sip");
  EXPECT_EQ(p->text(u.user), "bob");
  EXPECT_EQ(p->text(u.password), "pw");
  EXPECT_EQ(p->text(u.host), "biloxi.example.com");
  EXPECT_EQ(u.port, 5062);
  EXPECT_EQ(p->text(u.params), ";transport=udp;lr");
  Span lr;
  EXPECT_TRUE(find_param(p->m, u.params, "lr", lr));

  auto v6 = parse_copy(dialog_request("From: <sip:alice@atlanta.example.com>;tag=1", "To: <sip:bob@biloxi.example.com>",
                                      "INVITE sips:[2001:db8::7]:5071 SIP/2.0"));
  ASSERT_EQ(v6->err, ParseError::none);
  ASSERT_EQ(request_uri(v6->m, u), ParseError::none);
  EXPECT_EQ(v6->text(u.scheme), "sips");
  EXPECT_EQ(v6->text(u.host), "[2001:db8::7]");
  EXPECT_EQ(u.port, 5071);
  EXPECT_TRUE(u.user.empty());
}

// ---------------------------------------------------------------------------------------------
// ValueIterator

struct Val {
  std::string text;
  uint8_t field;
  friend bool operator==(const Val&, const Val&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Val& v) {
    return os << "{\"" << v.text << "\", " << int{v.field} << "}";
  }
};

std::vector<Val> all_values(const Message& m, HeaderId id) {
  std::vector<Val> out;
  ValueIterator it(m, id);
  Span v;
  uint8_t idx = 0xee;
  while (it.next(v, &idx)) {
    out.push_back({std::string(m.text(v)), idx});
    if (out.size() > 100) break;
  }
  Span after;
  EXPECT_FALSE(it.next(after)) << "next() after the end";
  return out;
}

// parse_name_addr takes the tag while checking the parameters: it must be what find_param finds.
TEST(ParseNameAddr, TagAsFindParamFindsIt) {
  for (const char* text : {"<sip:a@b>;tag=1", "<sip:a@b> ; TAG = x1 ;q=1", "<sip:a@b>;tag", "<sip:a@b>;tag ;x=1",
                           "<sip:a@b>;tag=\"q;x\";y", "<sip:a@b>;x=1;tag=2;tag=3", "<sip:a@b>;tagx=1;tag=2",
                           "<sip:a@b>;;tag=1", "<sip:a@b>;Tag=AbC", "sip:a@b;tag=9", "<sip:a@b>;x=\"tag=1\"",
                           "<sip:a@b>;x=tag;t=1", "<sip:a@b>"}) {
    SCOPED_TRACE(text);
    TextMessage t(text);
    NameAddr na;
    ASSERT_TRUE(parse_name_addr(t.m, t.all(), na));
    Span tag;
    bool found = find_param(t.m, na.params, "tag", tag);
    EXPECT_EQ(na.has_tag, found);
    if (found) {
      EXPECT_EQ(t.text(na.tag), t.text(tag));
      EXPECT_EQ(na.tag, tag);
    }
  }
}

TEST(ValueIterator, SplitsOnCommasOutsideQuotesAndAngleBrackets) {
  auto p = parse_copy(sip_message({
      "INVITE sip:bob@biloxi.example.com SIP/2.0",                                          // -
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1,SIP/2.0/UDP b.example.com;branch=z9hG4bK2",  // 0
      "To: <sip:bob@biloxi.example.com>",                                                    // 1
      "Route:   <sip:r1.example.com;lr>  ,,  ,<sip:r2.example.com;lr>,",                     // 2
      "From: <sip:alice@atlanta.example.com>;tag=1",                                         // 3
      "v: SIP/2.0/TCP c.example.com;branch=z9hG4bK3",                                         // 4
      "Contact: \"Doe, John\" <sip:john@example.com;p=a,b>, \"a\\\"b, c\" <sip:q@example.com>",  // 5
      "Route: <sip:r3.example.com;lr>,",                                                      // 6
      "\t<sip:r4.example.com;lr>",
      "Call-ID: vi@example.com",                                                              // 7
      "CSeq: 1 INVITE",                                                                       // 8
      "Contact: <sip:x@example.com?h=1,2>;expires=60",                                        // 9
      "Content-Length: 0",                                                                    // 10
  }));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(all_values(p->m, HeaderId::via),
            (std::vector<Val>{{"SIP/2.0/UDP a.example.com;branch=z9hG4bK1", 0},
                              {"SIP/2.0/UDP b.example.com;branch=z9hG4bK2", 0},
                              {"SIP/2.0/TCP c.example.com;branch=z9hG4bK3", 4}}));
  EXPECT_EQ(all_values(p->m, HeaderId::route),
            (std::vector<Val>{{"<sip:r1.example.com;lr>", 2},
                              {"<sip:r2.example.com;lr>", 2},
                              {"<sip:r3.example.com;lr>", 6},
                              {"<sip:r4.example.com;lr>", 6}}));
  EXPECT_EQ(all_values(p->m, HeaderId::contact),
            (std::vector<Val>{{"\"Doe, John\" <sip:john@example.com;p=a,b>", 5},
                              {"\"a\\\"b, c\" <sip:q@example.com>", 5},
                              {"<sip:x@example.com?h=1,2>;expires=60", 9}}));
  EXPECT_EQ(all_values(p->m, HeaderId::call_id), (std::vector<Val>{{"vi@example.com", 7}}));
  EXPECT_TRUE(all_values(p->m, HeaderId::record_route).empty());
  // Without the index pointer.
  ValueIterator it(p->m, HeaderId::route);
  Span v;
  ASSERT_TRUE(it.next(v));
  EXPECT_EQ(p->text(v), "<sip:r1.example.com;lr>");
}

// The top Via comes from what parse() delimited; the values after it from the comma search. Both
// must split alike: LWS before the comma, a quoted comma in a parameter, one value alone.
TEST(ValueIterator, TopViaAsParsedThenTheRest) {
  auto p = parse_copy(sip_message({
      "OPTIONS sip:bob@biloxi.example.com SIP/2.0",
      "Via: SIP/2.0/UDP a.example.com;x=\"p,q\";branch=z9hG4bK1  ,  SIP/2.0/UDP b.example.com",
      "Via: SIP/2.0/UDP c.example.com:5070",
      "To: <sip:bob@biloxi.example.com>",
      "From: <sip:alice@atlanta.example.com>;tag=1",
      "Call-ID: tv@example.com",
      "CSeq: 1 OPTIONS",
  }));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(all_values(p->m, HeaderId::via),
            (std::vector<Val>{{"SIP/2.0/UDP a.example.com;x=\"p,q\";branch=z9hG4bK1", 0},
                              {"SIP/2.0/UDP b.example.com", 0},
                              {"SIP/2.0/UDP c.example.com:5070", 1}}));
  auto q = parse_copy(sip_message({
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1",
      "To: <sip:bob@biloxi.example.com>;tag=2",
      "From: <sip:alice@atlanta.example.com>;tag=1",
      "Call-ID: tv@example.com",
      "CSeq: 1 OPTIONS",
  }));
  ASSERT_EQ(q->err, ParseError::none);
  EXPECT_EQ(all_values(q->m, HeaderId::via), (std::vector<Val>{{"SIP/2.0/UDP a.example.com;branch=z9hG4bK1", 0}}));
}

TEST(ValueIterator, FoldedViaValues) {
  auto p = parse_copy(sip_message({
      "INVITE sip:bob@biloxi.example.com SIP/2.0",
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1,",
      " SIP/2.0/UDP b.example.com",
      "  ;branch=z9hG4bK2",
      "To: <sip:bob@biloxi.example.com>",
      "From: <sip:alice@atlanta.example.com>;tag=1",
      "Call-ID: vi@example.com",
      "CSeq: 1 INVITE",
      "Content-Length: 0",
  }));
  ASSERT_EQ(p->err, ParseError::none);
  EXPECT_EQ(all_values(p->m, HeaderId::via),
            (std::vector<Val>{{"SIP/2.0/UDP a.example.com;branch=z9hG4bK1", 0},
                              {"SIP/2.0/UDP b.example.com\r\n  ;branch=z9hG4bK2", 0}}));
}

// ---------------------------------------------------------------------------------------------
// parse_contact

TEST(ParseContact, StarExpiresAndQ) {
  {
    TextMessage t("*");
    Contact c;
    ASSERT_TRUE(parse_contact(t.m, t.all(), c));
    EXPECT_TRUE(c.star);
  }
  {
    TextMessage t("<sip:alice@pc33.example.com>;expires=3600;q=0.7");
    Contact c;
    ASSERT_TRUE(parse_contact(t.m, t.all(), c));
    EXPECT_FALSE(c.star);
    EXPECT_EQ(t.text(c.address.uri), "sip:alice@pc33.example.com");
    EXPECT_TRUE(c.has_expires);
    EXPECT_EQ(c.expires, 3600u);
    EXPECT_TRUE(c.has_q);
    EXPECT_EQ(c.q_millis, 700);
  }
  {
    TextMessage t("<sip:plain@example.com>");
    Contact c;
    ASSERT_TRUE(parse_contact(t.m, t.all(), c));
    EXPECT_FALSE(c.star);
    EXPECT_FALSE(c.has_expires);
    EXPECT_FALSE(c.has_q);
    EXPECT_EQ(c.q_millis, 1000);
  }
  {
    TextMessage t("\"Mr. Watson\" <sip:watson@worcester.example.com>;Q=0.5; EXPIRES = 0 ;foo");
    Contact c;
    ASSERT_TRUE(parse_contact(t.m, t.all(), c));
    EXPECT_EQ(t.text(c.address.display), "\"Mr. Watson\"");
    EXPECT_TRUE(c.has_expires);
    EXPECT_EQ(c.expires, 0u);
    EXPECT_EQ(c.q_millis, 500);
  }
}

TEST(ParseContact, ParametersOfTheUriAreNotContactParameters) {
  {
    TextMessage t("sip:user@host.example.com;expires=60");  // addr-spec: a header parameter
    Contact c;
    ASSERT_TRUE(parse_contact(t.m, t.all(), c));
    EXPECT_EQ(t.text(c.address.uri), "sip:user@host.example.com");
    EXPECT_TRUE(c.has_expires);
    EXPECT_EQ(c.expires, 60u);
  }
  {
    TextMessage t("<sip:user@host.example.com;expires=60;q=0.1>");  // inside <>: URI parameters
    Contact c;
    ASSERT_TRUE(parse_contact(t.m, t.all(), c));
    EXPECT_FALSE(c.has_expires);
    EXPECT_FALSE(c.has_q);
  }
}

TEST(ParseContact, QValues) {
  const std::pair<const char*, int> good[] = {{"1", 1000}, {"0", 0},      {"0.001", 1},   {"1.0", 1000},
                                              {"1.000", 1000}, {"0.33", 330}, {"0.5", 500}, {"0.999", 999},
                                              {"0.", 0}};
  for (auto [q, millis] : good) {
    SCOPED_TRACE(q);
    TextMessage t(std::string("<sip:a@example.com>;q=") + q);
    Contact c;
    ASSERT_TRUE(parse_contact(t.m, t.all(), c));
    EXPECT_TRUE(c.has_q);
    EXPECT_EQ(c.q_millis, millis);
  }
  for (const char* q : {"1.5", "2", "1.001", "abc", "-0.5", ""}) {
    SCOPED_TRACE(q);
    TextMessage t(std::string("<sip:a@example.com>;q=") + q);
    Contact c;
    EXPECT_FALSE(parse_contact(t.m, t.all(), c));
  }
}

TEST(ParseContact, BadExpiresAndMalformed) {
  for (const char* text : {"<sip:a@example.com>;expires=abc", "<sip:a@example.com>;expires=-1",
                           "<sip:a@example.com>;expires=", "<sip:a@example.com", "\"open <sip:a@example.com>"}) {
    SCOPED_TRACE(text);
    TextMessage t(text);
    Contact c;
    EXPECT_FALSE(parse_contact(t.m, t.all(), c));
  }
  // RFC 4475 3.1.2.4: an expires past 32 bits is clamped like the Expires header or rejected,
  // never wrapped to a small number.
  TextMessage t("<sip:user@host129.example.com>\r\n  ;expires=280297596632815");
  Contact c;
  if (parse_contact(t.m, t.all(), c)) {
    EXPECT_TRUE(c.has_expires);
    EXPECT_EQ(c.expires, UINT32_MAX);
  }
}

// ---------------------------------------------------------------------------------------------
// expires_header, auth_username

std::string with_header(const std::string& line) {
  std::vector<std::string_view> lines = {
      "REGISTER sip:registrar.example.com SIP/2.0",
      "Via: SIP/2.0/UDP bobspc.example.com:5060;branch=z9hG4bKnashds7",
      "Max-Forwards: 70",
      "To: Bob <sip:bob@example.com>",
      "From: Bob <sip:bob@example.com>;tag=456248",
      "Call-ID: 843817637684230@998sdasdh09",
      "CSeq: 1826 REGISTER",
  };
  std::string out;
  for (auto l : lines) (out += l) += "\r\n";
  if (!line.empty()) out += line + "\r\n";
  out += "Content-Length: 0\r\n\r\n";
  return out;
}

TEST(ExpiresHeader, Values) {
  const std::pair<const char*, uint32_t> good[] = {
      {"Expires: 3600", 3600},
      {"Expires: 0", 0},
      {"Expires:   120  ", 120},
      {"expires: 4294967295", 4294967295u},
      {"Expires: 4294967296", UINT32_MAX},
      {"Expires: 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
       UINT32_MAX},
  };
  for (auto [line, value] : good) {
    SCOPED_TRACE(line);
    auto p = parse_copy(with_header(line));
    ASSERT_EQ(p->err, ParseError::none);
    uint32_t got = 12345;
    ASSERT_TRUE(expires_header(p->m, got));
    EXPECT_EQ(got, value);
  }
  for (const char* line : {"", "Expires: abc", "Expires: -5", "Expires: Thu, 01 Dec 1994 16:00:00 GMT"}) {
    SCOPED_TRACE(line);
    auto p = parse_copy(with_header(line));
    ASSERT_EQ(p->err, ParseError::none);
    uint32_t got = 0;
    EXPECT_FALSE(expires_header(p->m, got));
  }
}

std::string auth_message(const std::vector<std::string>& extra) {
  std::string lines;
  for (const auto& l : extra) lines += (lines.empty() ? "" : "\r\n") + l;
  return with_header(lines);
}

TEST(AuthUsername, DigestUsernameWithoutQuotes) {
  struct Case {
    std::vector<std::string> lines;
    const char* user;
  };
  const Case cases[] = {
      {{"Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"dcd98b\", "
        "uri=\"sip:bob@biloxi.example.com\", response=\"245f23415f11432b3434341c022\""},
       "bob"},
      {{"Proxy-Authorization: Digest realm=\"atlanta.example.com\",username=\"alice\",nonce=\"x\""}, "alice"},
      // Authorization wins over Proxy-Authorization whatever their order.
      {{"Proxy-Authorization: Digest username=\"proxyuser\", realm=\"p\"",
        "Authorization: Digest username=\"uauser\", realm=\"u\""},
       "uauser"},
      {{"Authorization: Digest realm=\"the username=mallory realm\", username=\"carol\""}, "carol"},
      {{"Authorization: Digest realm=\"r\",\r\n  username=\"folded\""}, "folded"},
      {{"Authorization: digest USERNAME=\"dave\", realm=\"r\""}, "dave"},
      {{}, ""},
      // RFC 4475 3.3.7: not Digest.
      {{"Authorization: NoOneKnowsThisScheme opaque-data=here"}, ""},
  };
  for (const auto& c : cases) {
    std::string msg = auth_message(c.lines);
    SCOPED_TRACE(msg);
    auto p = parse_copy(msg);
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->text(auth_username(p->m)), c.user);
  }
}

// ---------------------------------------------------------------------------------------------
// parse_via

TEST(ParseVia, Fields) {
  struct Case {
    std::string text;
    const char* transport;
    const char* host;
    uint16_t port;
    const char* branch;
    const char* received;
    bool has_rport;
    const char* rport;
    const char* params;
  };
  const Case cases[] = {
      {"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;received=10.1.1.1;rport=5061", "UDP", "192.0.2.1", 5060,
       "z9hG4bK776", "10.1.1.1", true, "5061", ";branch=z9hG4bK776;received=10.1.1.1;rport=5061"},
      {"SIP/2.0/TLS host.example.com;rport;branch=z9hG4bKx", "TLS", "host.example.com", 0, "z9hG4bKx", "", true, "",
       ";rport;branch=z9hG4bKx"},
      {"SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKv6", "UDP", "[2001:db8::1]", 5070, "z9hG4bKv6", "", false, "",
       ";branch=z9hG4bKv6"},
      {"SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en", "UNKNOWN", "t4.example.com", 0, "z9hG4bKasd0f3en",
       "", false, "", ";branch=z9hG4bKasd0f3en"},
      {"SIP/2.0/UDP host.example.com;maddr=239.1.1.1;ttl=16", "UDP", "host.example.com", 0, "", "", false, "",
       ";maddr=239.1.1.1;ttl=16"},
      {"SIP/2.0/SCTP t2.example.com", "SCTP", "t2.example.com", 0, "", "", false, "", ""},
      {"SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23", "UDP", "255.255.255.255", 0, "z9hG4bK1saber23", "",
       false, "", ";branch=z9hG4bK1saber23"},
      {"SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw", "UDP", "192.0.2.2", 0, "390skdjuw", "", false, "",
       ";branch=390skdjuw"},
      {"SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8", "TCP", "spindle.example.com", 0,
       "z9hG4bK9ikj8", "", false, "", ";\r\n  branch  =   z9hG4bK9ikj8"},
      {"SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=verylonglong", "TCP", "host.example.com", 0,
       "verylonglong", "192.0.2.5", false, "", ";received=192.0.2.5;branch=verylonglong"},
      {"SIP/2.0/UDP host.example.com:5060 ;BRANCH=z9hG4bKup;RPORT=7", "UDP", "host.example.com", 5060,
       "z9hG4bKup", "", true, "7", ";BRANCH=z9hG4bKup;RPORT=7"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    TextMessage t(c.text);
    Via v;
    ASSERT_TRUE(parse_via(t.m, t.all(), v));
    EXPECT_EQ(t.text(v.value), c.text);
    EXPECT_EQ(t.text(v.transport), c.transport);
    EXPECT_EQ(t.text(v.host), c.host);
    EXPECT_EQ(v.port, c.port);
    EXPECT_EQ(t.text(v.branch), c.branch);
    EXPECT_EQ(t.text(v.received), c.received);
    EXPECT_EQ(v.has_rport, c.has_rport);
    EXPECT_EQ(t.text(v.rport), c.rport);
    EXPECT_EQ(t.text(v.params), c.params);
  }
}

// second_via() on the shapes of a Via list: values split by commas, over several fields, empty
// values, malformed next values, other fields between.
TEST(SecondVia, AsValueIteratorAndParseVia) {
  const std::vector<std::vector<std::string>> via_lines = {
      {"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1"},
      {"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;received=1.2.3.4;rport=7"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1 ,SIP/2.0/UDP 10.0.0.2 ;rport , SIP/2.0/TCP c"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1", "Via: SIP/2.0/UDP [fd00::2]:5062;branch=z9hG4bK2"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1", "X-Other: a, b", "v: SIP/2.0/UDP b;branch=z9hG4bK2"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, , ,", "Via: ,SIP/2.0/UDP b;branch=z9hG4bK2"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1,", "Via: , ,"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP", "Via: SIP/2.0/UDP c"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP b;x=\"a,b\", SIP/2.0/UDP c"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP b;x=<a,b>, SIP/2.0/UDP c"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, <SIP/2.0/UDP b, SIP/2.0/UDP c>"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP b;branch=", "Via: SIP/2.0/UDP c"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP b:;x", "Via: SIP/2.0/UDP c"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP b\"x\", c"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1,\r\n SIP/2.0/UDP b;rport=1\r\n ;branch=z9hG4bK2"},
      {"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP / 2.0 / UDP b : 5 ; rport = 1 ,c"},
  };
  for (const auto& vias : via_lines) {
    std::string text = "SIP/2.0 200 OK\r\n";
    std::string label;
    for (const auto& v : vias) (text += v) += "\r\n", (label += v) += " | ";
    text += "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n";
    auto p = parse_copy(text);
    test::expect_second_via_as_iterator(p->m, label);
  }
}

TEST(ParseVia, Malformed) {
  for (std::string text : {"", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP/2.0/UDP 192.0.2.15;;", "SIP/2.0 192.0.2.1",
                           "192.0.2.1;branch=z9hG4bK1", "SIP/2.0/UDP host.example.com:99999",
                           "SIP/2.0/UDP host.example.com:", "SIP/2.0/UDP host.example.com:5x",
                           "SIP/2.0/UDP [2001:db8::1;branch=z9hG4bK1", "SIP/2.0/UDP host.example.com;branch=a;",
                           "SIP/2.0/ host.example.com"}) {
    SCOPED_TRACE("\"" + text + "\"");
    TextMessage t(text);
    Via v;
    EXPECT_FALSE(parse_via(t.m, t.all(), v));
  }
}

}  // namespace
}  // namespace siplb::sip
