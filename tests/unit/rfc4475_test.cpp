// The RFC 4475 torture messages, with what MANIFEST.tsv says a load balancer does with each:
// 'accept' files parse and their key fields are right (table below, read off the .dat files);
// 'reject' files give the ParseError named for them (or parse, for the two the balancer rejects
// later); 'either' files give the same result every time and, when they parse, write back
// byte for byte. Every file and every prefix of it is parsed from an exactly-sized heap copy.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../support/testdata.hpp"
#include "sip_test_util.hpp"

namespace siplb::sip {
namespace {

using test::parse_copy;

std::filesystem::path rfc4475_dir() { return testdata::root() / "rfc4475"; }

std::string skip_message() {
  return "RFC 4475 test data not found: " + (rfc4475_dir() / "MANIFEST.tsv").string() +
         " is missing or empty. Set SIPLB_TESTDATA to the folder holding rfc4475/ and corpus/ "
         "(meson passes -Dtestdata_dir, default ../shared/testdata beside the source tree).";
}

#define SKIP_IF_NO_DATA(rows)                          \
  do {                                                 \
    if ((rows).empty()) GTEST_SKIP() << skip_message(); \
  } while (0)

std::string expectation(const testdata::ManifestRow& row) {
  return row.expected.substr(0, row.expected.find_first_of(" \t("));
}

std::string load(const std::string& file) {
  std::string bytes;
  EXPECT_TRUE(testdata::read_file(rfc4475_dir() / file, bytes)) << "cannot read " << (rfc4475_dir() / file);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// What each file must give.

struct Accepted {
  bool is_request;
  const char* method_text;  // requests
  uint16_t status;          // responses
  const char* call_id;
  uint32_t cseq;
  const char* cseq_method;
  const char* branch;
  const char* host;
  uint16_t port;
  const char* transport;
};

const std::map<std::string, Accepted>& accepted() {
  static const std::map<std::string, Accepted> table = {
      {"wsinv.dat", {true, "INVITE", 0, "wsinv.ndaksdj@192.0.2.1", 9, "INVITE", "390skdjuw", "192.0.2.2", 0, "UDP"}},
      {"intmeth.dat",
       {true, "!interesting-Method0123456789_*+`.%indeed'~", 0, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{",
        139122385, "!interesting-Method0123456789_*+`.%indeed'~", "z9hG4bK-.!%66*_+`'~", "host1.example.com", 0,
        "TCP"}},
      {"esc01.dat", {true, "INVITE", 0, "esc01.239409asdfakjkn23onasd0-3234", 234234, "INVITE", "z9hG4bKkdjuw",
                     "host5.example.net", 0, "UDP"}},
      {"escnull.dat", {true, "REGISTER", 0, "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd", 14398234, "REGISTER",
                       "z9hG4bKkdjuw", "host5.example.com", 0, "UDP"}},
      {"esc02.dat", {true, "RE%47IST%45R", 0, "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf", 29344, "RE%47IST%45R",
                     "z9hG4bK209%fzsnel234", "host.example.com", 0, "TCP"}},
      {"lwsdisp.dat", {true, "OPTIONS", 0, "lwsdisp.1234abcd@funky.example.com", 60, "OPTIONS", "z9hG4bKkdjuw",
                       "funky.example.com", 0, "UDP"}},
      {"longreq.dat",
       {true, "INVITE", 0,
        "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreally"
        "reallyreallyreallyreallylongcallid",
        3882340, "INVITE", "", "sip33.example.com", 0, "TCP"}},
      {"dblreq.dat", {true, "REGISTER", 0, "dblreq.0ha0isndaksdj99sdfafnl3lk233412", 8, "REGISTER",
                      "z9hG4bKkdjuw23492", "192.0.2.125", 0, "UDP"}},
      {"semiuri.dat", {true, "OPTIONS", 0, "semiuri.0ha0isndaksdj", 8, "OPTIONS", "z9hG4bKkdjuw", "192.0.2.1", 0,
                       "UDP"}},
      {"transports.dat", {true, "OPTIONS", 0, "transports.kijh4akdnaqjkwendsasfdj", 60, "OPTIONS", "z9hG4bKkdjuw",
                          "t1.example.com", 0, "UDP"}},
      {"mpart01.dat", {true, "MESSAGE", 0, "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", 1, "MESSAGE",
                       "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-", "127.0.0.1", 5070, "UDP"}},
      {"unreason.dat", {false, "", 200, "unreason.1234ksdfak3j2erwedfsASdf", 35, "INVITE", "z9hG4bK1324923",
                        "192.0.2.198", 0, "UDP"}},
      {"noreason.dat", {false, "", 100, "noreason.asndj203insdf99223ndf", 35, "INVITE", "z9hG4bK2398ndaoe",
                        "192.0.2.105", 0, "UDP"}},
      {"badbranch.dat", {true, "OPTIONS", 0, "badbranch.sadonfo23i420jv0as0derf3j3n", 8, "OPTIONS", "z9hG4bK",
                         "192.0.2.1", 0, "UDP"}},
      {"unksm2.dat", {true, "REGISTER", 0, "unksm2.daksdj@hyphenated-host.example.com", 234902, "REGISTER",
                      "z9hG4bKkdjuw", "192.0.2.21", 5060, "UDP"}},
      {"invut.dat", {true, "INVITE", 0, "invut.0ha0isndaksdjadsfij34n23d", 235448, "INVITE", "z9hG4bKkdjuw",
                     "somehost.example.com", 0, "UDP"}},
      {"cparam01.dat", {true, "REGISTER", 0, "cparam01.70710@saturn.example.com", 2, "REGISTER", "z9hG4bKkdjuw",
                        "saturn.example.com", 5060, "UDP"}},
      {"cparam02.dat", {true, "REGISTER", 0, "cparam02.70710@saturn.example.com", 3, "REGISTER", "z9hG4bKkdjuw",
                        "saturn.example.com", 5060, "UDP"}},
      {"regescrt.dat", {true, "REGISTER", 0, "regescrt.k345asrl3fdbv@192.0.2.1", 14398234, "REGISTER",
                        "z9hG4bKkdjuw", "host5.example.com", 0, "UDP"}},
      {"sdp01.dat", {true, "INVITE", 0, "sdp01.ndaksdj9342dasdd", 8, "INVITE", "z9hG4bKkdjuw", "192.0.2.15", 0,
                     "UDP"}},
      {"inv2543.dat", {true, "INVITE", 0, "inv2543.1717@ift.client.example.com", 56, "INVITE", "",
                       "iftgw.example.com", 0, "UDP"}},
  };
  return table;
}

// 'reject' files: the reasons parse() may give (the first listed is the one meant). Empty: the
// message parses and is rejected later by the balancer (bcast: a response that is not ours;
// zeromf: Max-Forwards 0, answered with 483).
const std::map<std::string, std::vector<ParseError>>& rejected() {
  using E = ParseError;
  static const std::map<std::string, std::vector<ParseError>> table = {
      {"badinv01.dat", {E::bad_via}},
      {"clerr.dat", {E::content_length_exceeds_datagram}},
      {"ncl.dat", {E::bad_content_length}},
      // CSeq 2^65 comes before Max-Forwards 300 in the message; either defect names it.
      {"scalar02.dat", {E::bad_cseq, E::bad_max_forwards}},
      {"scalarlg.dat", {E::bad_cseq}},
      {"ltgtruri.dat", {E::bad_request_uri}},
      {"lwsruri.dat", {E::bad_start_line}},
      {"lwsstart.dat", {E::bad_start_line}},
      {"trws.dat", {E::bad_start_line}},
      {"badvers.dat", {E::unsupported_version}},
      {"mismatch01.dat", {E::cseq_method_mismatch}},
      {"mismatch02.dat", {E::cseq_method_mismatch}},
      {"bigcode.dat", {E::bad_status_code}},
      // No To, From or Call-ID (Via and CSeq are there).
      {"insuf.dat", {E::missing_to, E::missing_from, E::missing_call_id}},
      // Two CSeq, Call-ID, To, From and Max-Forwards; one Content-Length.
      {"multi01.dat",
       {E::duplicate_cseq, E::duplicate_call_id, E::duplicate_to, E::duplicate_from, E::duplicate_max_forwards}},
      {"mcl01.dat", {E::duplicate_content_length}},
      {"bcast.dat", {}},
      {"zeromf.dat", {}},
  };
  return table;
}

const std::set<std::string>& either() {
  static const std::set<std::string> files = {"quotbal.dat", "escruri.dat", "baddate.dat", "regbadct.dat",
                                              "badaspec.dat", "baddn.dat", "unkscm.dat", "novelsc.dat",
                                              "bext01.dat", "regaut01.dat"};
  return files;
}

std::string names(const std::vector<ParseError>& v) {
  std::string s;
  for (auto e : v) (s += s.empty() ? "" : " or ") += parse_error_name(e);
  return s;
}

// ---------------------------------------------------------------------------------------------

TEST(Rfc4475, ManifestMatchesTheseTables) {
  const auto rows = testdata::rfc4475_manifest();
  SKIP_IF_NO_DATA(rows);
  EXPECT_EQ(rows.size(), 49u);
  std::set<std::string> seen;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.file);
    EXPECT_TRUE(seen.insert(row.file).second) << "listed twice";
    const std::string e = expectation(row);
    if (e == "accept") {
      EXPECT_TRUE(accepted().count(row.file)) << "no expected fields for this accepted file";
    } else if (e == "reject") {
      EXPECT_TRUE(rejected().count(row.file)) << "no expected reason for this rejected file";
    } else if (e == "either") {
      EXPECT_TRUE(either().count(row.file)) << "not known as an 'either' file";
    } else {
      ADD_FAILURE() << "unknown expectation '" << row.expected << "'";
    }
    EXPECT_TRUE(std::filesystem::exists(rfc4475_dir() / row.file));
  }
  for (const auto& [file, _] : accepted()) EXPECT_TRUE(seen.count(file)) << file << " not in the manifest";
  for (const auto& [file, _] : rejected()) EXPECT_TRUE(seen.count(file)) << file << " not in the manifest";
  for (const auto& file : either()) EXPECT_TRUE(seen.count(file)) << file << " not in the manifest";
}

TEST(Rfc4475, AcceptedFilesParseWithTheirKeyFields) {
  const auto rows = testdata::rfc4475_manifest();
  SKIP_IF_NO_DATA(rows);
  int checked = 0;
  for (const auto& row : rows) {
    if (expectation(row) != "accept") continue;
    SCOPED_TRACE(row.file + " (RFC 4475 " + row.section + " " + row.title + ")");
    auto it = accepted().find(row.file);
    ASSERT_NE(it, accepted().end());
    const Accepted& a = it->second;
    auto p = parse_copy(load(row.file));
    ASSERT_EQ(p->err, ParseError::none);
    ++checked;
    const Message& m = p->m;
    EXPECT_EQ(m.is_request, a.is_request);
    if (a.is_request) {
      EXPECT_EQ(p->text(m.method_text), a.method_text);
      EXPECT_EQ(m.method, method_from_text(a.method_text));
    } else {
      EXPECT_EQ(m.status_code, a.status);
    }
    EXPECT_EQ(p->text(m.call_id), a.call_id);
    EXPECT_EQ(m.cseq_number, a.cseq);
    EXPECT_EQ(p->text(m.cseq_method_text), a.cseq_method);
    EXPECT_EQ(m.cseq_method, method_from_text(a.cseq_method));
    EXPECT_EQ(p->text(m.top_via.branch), a.branch);
    EXPECT_EQ(p->text(m.top_via.host), a.host);
    EXPECT_EQ(m.top_via.port, a.port);
    EXPECT_EQ(p->text(m.top_via.transport), a.transport);
    EXPECT_LE(m.message_end(), m.size);
    EXPECT_EQ(test::rewrite(m), test::message_octets(m));
  }
  EXPECT_EQ(checked, 21);
}

// The From/To tag shortcut agrees with the full name-addr parse on every file, whatever parse()
// says of it (torture From/To values: escapes, quotes, LWS, addr-specs, odd parameters).
TEST(Rfc4475, FromAndToTagsAsFullNameAddrParse) {
  const auto rows = testdata::rfc4475_manifest();
  SKIP_IF_NO_DATA(rows);
  int compared = 0;
  for (const auto& row : rows) compared += test::expect_tags_as_name_addr(parse_copy(load(row.file))->m, row.file);
  EXPECT_GT(compared, 60);
}

// second_via() agrees with a ValueIterator and parse_via() on every file.
TEST(Rfc4475, SecondViaAsValueIterator) {
  const auto rows = testdata::rfc4475_manifest();
  SKIP_IF_NO_DATA(rows);
  for (const auto& row : rows) test::expect_second_via_as_iterator(parse_copy(load(row.file))->m, row.file);
}

// Details of some accepted files beyond the table.
TEST(Rfc4475, AcceptedFileDetails) {
  if (testdata::rfc4475_manifest().empty()) GTEST_SKIP() << skip_message();
  {
    auto p = parse_copy(load("wsinv.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.max_forwards, 68);
    EXPECT_EQ(p->m.body_length, 150);
    std::vector<std::string> vias;
    ValueIterator it(p->m, HeaderId::via);
    Span v;
    while (it.next(v)) {
      Via via;
      ASSERT_TRUE(parse_via(p->m, v, via));
      vias.emplace_back(p->text(via.branch));
    }
    EXPECT_EQ(vias, (std::vector<std::string>{"390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"}));
    NameAddr from, to;
    ASSERT_EQ(from_header(p->m, from), ParseError::none);
    EXPECT_EQ(p->text(from.tag), "98asjd8");
    EXPECT_EQ(p->text(from.uri), "sip:jdrosen@example.com");
    ASSERT_EQ(to_header(p->m, to), ParseError::none);
    EXPECT_EQ(p->text(to.tag), "1918181833n");
    ValueIterator ci(p->m, HeaderId::contact);
    ASSERT_TRUE(ci.next(v));
    Contact c;
    ASSERT_TRUE(parse_contact(p->m, v, c));
    EXPECT_TRUE(c.has_q);
    EXPECT_EQ(c.q_millis, 330);
    EXPECT_EQ(p->text(c.address.uri), "sip:jdrosen@example.com");
  }
  {
    auto p = parse_copy(load("intmeth.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.method, Method::extension);
    EXPECT_EQ(p->m.max_forwards, 255);
    NameAddr from;
    ASSERT_EQ(from_header(p->m, from), ParseError::none);
    EXPECT_EQ(p->text(from.tag), "_token~1'+`*%!-.");
    Uri ruri;
    ASSERT_EQ(request_uri(p->m, ruri), ParseError::none);
    EXPECT_EQ(p->text(ruri.host), "example.com");
  }
  {
    auto p = parse_copy(load("esc02.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.method, Method::extension);  // RE%47IST%45R is not REGISTER
    int contacts = 0;
    ValueIterator it(p->m, HeaderId::contact);
    Span v;
    while (it.next(v)) ++contacts;
    EXPECT_EQ(contacts, 2);  // C%6Fntact is another header
  }
  {
    auto p = parse_copy(load("longreq.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    int vias = 0;
    ValueIterator it(p->m, HeaderId::via);
    Span v, last;
    while (it.next(v)) {
      ++vias;
      last = v;
    }
    EXPECT_EQ(vias, 34);
    Via bottom;
    ASSERT_TRUE(parse_via(p->m, last, bottom));
    EXPECT_EQ(p->text(bottom.received), "192.0.2.5");
    EXPECT_EQ(p->text(bottom.host), "host.example.com");
  }
  {
    auto p = parse_copy(load("dblreq.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.body_length, 0);
    EXPECT_LT(p->m.message_end(), p->size);
    EXPECT_EQ(std::string_view(p->m.data + p->m.message_end(), 8), "\r\nINVITE");
  }
  {
    auto p = parse_copy(load("semiuri.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    Uri ruri;
    ASSERT_EQ(request_uri(p->m, ruri), ParseError::none);
    EXPECT_EQ(p->text(ruri.user), "user;par=u%40example.net");
    EXPECT_EQ(p->text(ruri.host), "example.com");
  }
  {
    auto p = parse_copy(load("transports.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    std::vector<std::string> transports;
    ValueIterator it(p->m, HeaderId::via);
    Span v;
    while (it.next(v)) {
      Via via;
      ASSERT_TRUE(parse_via(p->m, v, via));
      transports.emplace_back(p->text(via.transport));
    }
    EXPECT_EQ(transports, (std::vector<std::string>{"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"}));
  }
  {
    auto p = parse_copy(load("mpart01.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_EQ(p->m.body_length, 553);
    EXPECT_TRUE(p->m.top_via.has_rport);
    EXPECT_TRUE(p->m.top_via.rport.empty());
  }
  {
    auto p = parse_copy(load("noreason.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_TRUE(p->m.reason.empty());
  }
  {
    auto p = parse_copy(load("inv2543.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    EXPECT_FALSE(p->m.has_content_length);
    EXPECT_EQ(p->m.body_length, 105);
    EXPECT_EQ(p->m.max_forwards, -1);
    NameAddr from;
    ASSERT_EQ(from_header(p->m, from), ParseError::none);
    EXPECT_FALSE(from.has_tag);
  }
  {
    auto p = parse_copy(load("cparam01.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    ValueIterator it(p->m, HeaderId::contact);
    Span v;
    ASSERT_TRUE(it.next(v));
    Contact c;
    ASSERT_TRUE(parse_contact(p->m, v, c));
    EXPECT_EQ(p->text(c.address.uri), "sip:+19725552222@gw1.example.net");
    EXPECT_EQ(p->text(c.address.params), ";unknownparam");
  }
  {
    auto p = parse_copy(load("cparam02.dat"));
    ASSERT_EQ(p->err, ParseError::none);
    ValueIterator it(p->m, HeaderId::contact);
    Span v;
    ASSERT_TRUE(it.next(v));
    Contact c;
    ASSERT_TRUE(parse_contact(p->m, v, c));
    EXPECT_EQ(p->text(c.address.uri), "sip:+19725552222@gw1.example.net;unknownparam");
    EXPECT_TRUE(c.address.params.empty());
  }
}

TEST(Rfc4475, RejectedFilesGiveTheirReason) {
  const auto rows = testdata::rfc4475_manifest();
  SKIP_IF_NO_DATA(rows);
  int checked = 0;
  for (const auto& row : rows) {
    if (expectation(row) != "reject") continue;
    SCOPED_TRACE(row.file + " (RFC 4475 " + row.section + " " + row.title + ")");
    auto it = rejected().find(row.file);
    ASSERT_NE(it, rejected().end());
    const auto& allowed = it->second;
    auto p = parse_copy(load(row.file));
    ++checked;
    if (allowed.empty()) {
      EXPECT_EQ(p->err, ParseError::none) << "parses; the balancer rejects it later";
      continue;
    }
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), p->err), allowed.end())
        << "got " << parse_error_name(p->err) << ", expected " << names(allowed);
  }
  EXPECT_EQ(checked, 18);
}

TEST(Rfc4475, RejectedButParsed) {
  if (testdata::rfc4475_manifest().empty()) GTEST_SKIP() << skip_message();
  auto zero = parse_copy(load("zeromf.dat"));
  ASSERT_EQ(zero->err, ParseError::none);
  EXPECT_EQ(zero->m.max_forwards, 0);
  EXPECT_EQ(zero->m.method, Method::options);
  EXPECT_EQ(zero->text(zero->m.top_via.branch), "z9hG4bKkdjuw2349i");

  auto bcast = parse_copy(load("bcast.dat"));
  ASSERT_EQ(bcast->err, ParseError::none);
  EXPECT_FALSE(bcast->m.is_request);
  EXPECT_EQ(bcast->m.status_code, 200);
  EXPECT_EQ(bcast->text(bcast->m.top_via.host), "192.0.2.198");
  ValueIterator it(bcast->m, HeaderId::via);
  Span v;
  ASSERT_TRUE(it.next(v));
  ASSERT_TRUE(it.next(v));
  Via second;
  ASSERT_TRUE(parse_via(bcast->m, v, second));
  EXPECT_EQ(bcast->text(second.host), "255.255.255.255");
}

TEST(Rfc4475, RejectStatusCodes) {
  if (testdata::rfc4475_manifest().empty()) GTEST_SKIP() << skip_message();
  // The reply to a request of an unknown version is 505 (RFC 3261 21.5.6), others 400.
  EXPECT_EQ(parse_error_status(parse_copy(load("badvers.dat"))->err), 505);
  EXPECT_EQ(parse_error_status(parse_copy(load("badinv01.dat"))->err), 400);
  EXPECT_EQ(parse_error_status(parse_copy(load("clerr.dat"))->err), 400);
}

TEST(Rfc4475, EitherFilesAreDeterministicAndWriteBackExactly) {
  const auto rows = testdata::rfc4475_manifest();
  SKIP_IF_NO_DATA(rows);
  int checked = 0;
  for (const auto& row : rows) {
    if (expectation(row) != "either") continue;
    SCOPED_TRACE(row.file + " (RFC 4475 " + row.section + " " + row.title + ")");
    const std::string bytes = load(row.file);
    auto a = parse_copy(bytes);
    auto b = parse_copy(bytes);
    ++checked;
    ASSERT_EQ(a->err, b->err);
    std::cout << "[          ] " << row.file << ": " << parse_error_name(a->err) << "\n";
    if (a->err != ParseError::none) continue;
    EXPECT_EQ(a->m.header_count, b->m.header_count);
    EXPECT_EQ(a->m.call_id, b->m.call_id);
    EXPECT_EQ(a->m.top_via.value, b->m.top_via.value);
    EXPECT_EQ(a->m.message_end(), b->m.message_end());
    EXPECT_LE(a->m.message_end(), a->m.size);
    EXPECT_FALSE(a->m.call_id.empty());
    EXPECT_EQ(test::rewrite(a->m), test::message_octets(a->m));
    EXPECT_EQ(test::rewrite(a->m), bytes);  // all of these carry exactly Content-Length octets
  }
  EXPECT_EQ(checked, 10);
}

// No crash and no read outside the range, for whole files and every prefix of them (run under
// AddressSanitizer to catch over-reads: each parse sees an exactly-sized heap copy).
TEST(Rfc4475, EveryFileAndEveryPrefixParsesWithoutCrashing) {
  const auto rows = testdata::rfc4475_manifest();
  SKIP_IF_NO_DATA(rows);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.file);
    const std::string bytes = load(row.file);
    ASSERT_FALSE(bytes.empty());
    auto whole = parse_copy(bytes);
    const std::size_t header_end = bytes.find("\r\n\r\n");
    ASSERT_NE(header_end, std::string::npos);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto p = parse_copy(std::string_view(bytes).substr(0, n));
      if (n <= header_end + 3) {
        EXPECT_NE(p->err, ParseError::none) << "prefix of " << n << " octets, no end of headers";
      }
      if (p->err == ParseError::none) {
        EXPECT_LE(p->m.message_end(), n);
        EXPECT_EQ(test::rewrite(p->m), test::message_octets(p->m));
      }
    }
    if (whole->err == ParseError::none) {
      EXPECT_LE(whole->m.message_end(), bytes.size());
    }
  }
}

}  // namespace
}  // namespace siplb::sip
