// The 227 messages of corpus/stream-generic.txt (call flows from rtckit/php-sip's fixtures):
// they parse, write_message gives back the same octets, and inserting a top Via then removing it
// again gives back the original message.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "../support/testdata.hpp"
#include "sip_test_util.hpp"

namespace siplb::sip {
namespace {

using test::parse_copy;

constexpr std::size_t kCorpusSize = 227;

std::string skip_message() {
  return "SIP corpus not found: " + (testdata::root() / "corpus" / "stream-generic.txt").string() +
         " is missing. Set SIPLB_TESTDATA to the folder holding rfc4475/ and corpus/ "
         "(meson passes -Dtestdata_dir, default ../shared/testdata beside the source tree).";
}

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> messages = testdata::generic_corpus();
  return messages;
}

#define SKIP_IF_NO_CORPUS()                                  \
  do {                                                       \
    if (corpus().empty()) GTEST_SKIP() << skip_message(); \
  } while (0)

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// The value of the first header named `full` or `compact` (unfolded lines only), found without
// the parser; empty when absent.
std::string header_value(const std::string& msg, std::string_view full, std::string_view compact) {
  std::size_t end = msg.find("\r\n\r\n");
  std::size_t pos = msg.find("\r\n") + 2;
  while (pos < end) {
    std::size_t eol = msg.find("\r\n", pos);
    std::string_view line(msg.data() + pos, eol - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name = lower(line.substr(0, colon));
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
      if (name == lower(full) || (!compact.empty() && name == compact)) {
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        return std::string(v.empty() ? " " : v);  // present but empty: not confused with absent
      }
    }
    pos = eol + 2;
  }
  return {};
}

bool has_via(const std::string& msg) { return !header_value(msg, "Via", "v").empty(); }

TEST(Corpus, HasAll227Messages) {
  SKIP_IF_NO_CORPUS();
  EXPECT_EQ(corpus().size(), kCorpusSize);
}

// Every message parses. The corpus holds 11 abbreviated examples (from RFC 5626 flows) written
// without any Via: they parse too, with no top Via (parser.hpp: the proxy rejects them as
// missing_via, since it can neither forward nor answer them).
TEST(Corpus, EveryMessageParses) {
  SKIP_IF_NO_CORPUS();
  std::size_t parsed = 0, without_via = 0;
  for (std::size_t i = 0; i < corpus().size(); ++i) {
    const std::string& msg = corpus()[i];
    SCOPED_TRACE("corpus message #" + std::to_string(i) + ":\n" + msg.substr(0, msg.find("\r\n")));
    auto p = parse_copy(msg);
    ASSERT_EQ(p->err, ParseError::none);
    ++parsed;
    const Message& m = p->m;
    EXPECT_EQ(m.message_end(), msg.size());
    EXPECT_EQ(m.is_request, msg.rfind("SIP/2.0 ", 0) != 0);
    EXPECT_EQ(p->text(m.call_id), header_value(msg, "Call-ID", "i"));
    const std::string cseq = header_value(msg, "CSeq", "");
    EXPECT_EQ(std::to_string(m.cseq_number) + " " + std::string(p->text(m.cseq_method_text)), cseq);
    if (m.is_request) {
      EXPECT_EQ(m.cseq_method, m.method);
    }
    ValueIterator it(m, HeaderId::via);
    Span top;
    if (!has_via(msg)) {
      ++without_via;
      EXPECT_EQ(m.top_via_header, kNoHeader);
      EXPECT_FALSE(it.next(top));
      continue;
    }
    ASSERT_TRUE(it.next(top));
    EXPECT_EQ(top, m.top_via.value);
    EXPECT_NE(m.top_via_header, kNoHeader);
    EXPECT_FALSE(m.top_via.host.empty());
    EXPECT_FALSE(m.top_via.transport.empty());
  }
  EXPECT_EQ(parsed, kCorpusSize);
  EXPECT_EQ(without_via, 11u);
}

// The From/To tag shortcut agrees with the full name-addr parse on every message.
TEST(Corpus, FromAndToTagsAsFullNameAddrParse) {
  SKIP_IF_NO_CORPUS();
  int compared = 0;
  for (std::size_t i = 0; i < corpus().size(); ++i) {
    auto p = parse_copy(corpus()[i]);
    compared += test::expect_tags_as_name_addr(p->m, "corpus message " + std::to_string(i));
  }
  EXPECT_EQ(compared, static_cast<int>(2 * corpus().size()));
}

// second_via() agrees with a ValueIterator and parse_via() on every message.
TEST(Corpus, SecondViaAsValueIterator) {
  SKIP_IF_NO_CORPUS();
  int with_second = 0;
  for (std::size_t i = 0; i < corpus().size(); ++i) {
    auto p = parse_copy(corpus()[i]);
    with_second += test::expect_second_via_as_iterator(p->m, "corpus message " + std::to_string(i));
  }
  EXPECT_GT(with_second, 20);
}

TEST(Corpus, WriteMessageGivesBackTheSameOctets) {
  SKIP_IF_NO_CORPUS();
  std::size_t checked = 0;
  for (std::size_t i = 0; i < corpus().size(); ++i) {
    const std::string& msg = corpus()[i];
    auto p = parse_copy(msg);
    if (p->err != ParseError::none) continue;
    SCOPED_TRACE("corpus message #" + std::to_string(i));
    EXPECT_EQ(test::rewrite(p->m), msg);
    EXPECT_EQ(test::rewrite(p->m, msg.size()), msg);
    ++checked;
  }
  EXPECT_EQ(checked, kCorpusSize);
}

// The result of committing `ops` on `msg` held with head- and tailroom.
std::string edited(const std::string& msg, const std::function<EditError(MessageEditor&)>& ops, EditError& err) {
  const uint32_t room = 256;
  std::vector<char> buf(room + msg.size() + room, '#');
  std::memcpy(buf.data() + room, msg.data(), msg.size());
  Message m{};
  if (parse(buf.data() + room, msg.size(), m) != ParseError::none) {
    err = EditError::bad_value;
    return {};
  }
  MessageEditor ed(m, buf.data(), static_cast<uint32_t>(buf.size()));
  err = ops(ed);
  if (err == EditError::none) err = ed.commit();
  if (err != EditError::none) return {};
  return std::string(ed.data(), ed.length());
}

TEST(Corpus, InsertTopViaThenRemoveItGivesBackTheOriginal) {
  SKIP_IF_NO_CORPUS();
  const std::string via = "SIP/2.0/UDP 192.0.2.250:5060;branch=z9hG4bKcorpus.lb.1";
  std::size_t checked = 0;
  for (std::size_t i = 0; i < corpus().size(); ++i) {
    const std::string& msg = corpus()[i];
    SCOPED_TRACE("corpus message #" + std::to_string(i));
    EditError err;
    const std::string with = edited(msg, [&](MessageEditor& e) { return e.insert_top_via(via); }, err);
    ASSERT_EQ(err, EditError::none);
    EXPECT_EQ(with.size(), msg.size() + via.size() + 7);  // "Via: " + value + CRLF
    auto p = parse_copy(with);
    ASSERT_EQ(p->err, ParseError::none) << with;
    EXPECT_EQ(p->text(p->m.top_via.value), via);
    EXPECT_EQ(p->text(p->m.top_via.branch), "z9hG4bKcorpus.lb.1");
    EXPECT_EQ(p->text(p->m.call_id), header_value(msg, "Call-ID", "i"));

    const std::string back = edited(with, [](MessageEditor& e) { return e.remove_top_via(); }, err);
    ASSERT_EQ(err, EditError::none);
    EXPECT_EQ(back, msg);
    ++checked;
  }
  EXPECT_EQ(checked, kCorpusSize);
}

}  // namespace
}  // namespace siplb::sip
