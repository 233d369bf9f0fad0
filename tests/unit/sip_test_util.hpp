// Helpers shared by the SIP unit tests: building messages from lines, parsing a copy held in an
// exactly-sized heap buffer (so AddressSanitizer sees any read past the range), and printing the
// error enums by name in assertion messages. Test-only.
#pragma once

#include <cstring>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "siplb/sip/accessors.hpp"
#include "siplb/sip/message.hpp"
#include "siplb/sip/parse_error.hpp"
#include "siplb/sip/parser.hpp"
#include "siplb/sip/writer.hpp"

namespace siplb::sip {

// GoogleTest finds these by ADL and prints "bad_via" instead of a byte value.
inline void PrintTo(ParseError e, std::ostream* os) { *os << parse_error_name(e); }
inline void PrintTo(EditError e, std::ostream* os) { *os << edit_error_name(e); }
inline void PrintTo(Method m, std::ostream* os) {
  *os << "Method(" << static_cast<int>(m) << " " << method_name(m) << ")";
}
inline void PrintTo(HeaderId h, std::ostream* os) {
  *os << "HeaderId(" << static_cast<int>(h) << " " << header_full_name(h) << ")";
}

}  // namespace siplb::sip

namespace siplb::sip::test {

// Joins `lines` with CRLF, adds the empty line that ends the header section, then `body`.
// The body is appended as is; Content-Length (if any) is whatever the lines say.
inline std::string sip_message(std::initializer_list<std::string_view> lines,
                               std::string_view body = {}) {
  std::string out;
  for (std::string_view l : lines) {
    out.append(l);
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(body);
  return out;
}

// A message parsed from its own exactly-sized heap copy. Keeps the copy alive as long as the index.
struct Parsed {
  std::unique_ptr<char[]> buf;
  std::size_t size = 0;
  Message m{};
  ParseError err = ParseError::none;

  std::string_view text(Span s) const { return m.text(s); }
  std::string_view bytes() const { return {buf.get(), size}; }
};

inline std::unique_ptr<Parsed> parse_copy(std::string_view bytes) {
  auto p = std::make_unique<Parsed>();
  p->size = bytes.size();
  p->buf.reset(new char[bytes.size() == 0 ? 1 : bytes.size()]);
  if (!bytes.empty()) std::memcpy(p->buf.get(), bytes.data(), bytes.size());
  p->err = parse(p->buf.get(), p->size, p->m);
  return p;
}

// Parses only the error, from an exactly-sized heap copy.
inline ParseError parse_error_of(std::string_view bytes) { return parse_copy(bytes)->err; }

// A Message whose buffer is `text`, for the accessors that only read spans of it.
struct TextMessage {
  std::unique_ptr<char[]> buf;
  Message m{};
  explicit TextMessage(std::string_view text) : buf(new char[text.size() == 0 ? 1 : text.size()]) {
    if (!text.empty()) std::memcpy(buf.get(), text.data(), text.size());
    m.data = buf.get();
    m.size = static_cast<uint32_t>(text.size());
    std::memset(m.first_header, kNoHeader, sizeof m.first_header);
  }
  Span all() const { return Span{0, static_cast<uint16_t>(m.size)}; }
  std::string_view text(Span s) const { return m.text(s); }
};

// The message octets as the index describes them: [0, message_end()).
inline std::string_view message_octets(const Message& m) { return {m.data, m.message_end()}; }

// Writes `m` back with write_message() into a buffer of `capacity` octets (0 = the message size).
inline std::string rewrite(const Message& m, std::size_t capacity = 0) {
  if (capacity == 0) capacity = m.message_end() + 1;
  std::string out(capacity, '\0');
  std::size_t n = write_message(m, out.data(), out.size());
  out.resize(n);
  return out;
}

// from_tag()/to_tag() give what from_header()/to_header() give (a value they reject: not valid).
// Returns how many of the two headers went through the comparison (0 when absent).
inline int expect_tags_as_name_addr(const Message& m, std::string_view label) {
  int compared = 0;
  for (HeaderId id : {HeaderId::from, HeaderId::to}) {
    if (!m.has(id)) continue;
    ++compared;
    NameAddr na;
    ParseError err = id == HeaderId::from ? from_header(m, na) : to_header(m, na);
    HeaderTag tag = id == HeaderId::from ? from_tag(m) : to_tag(m);
    bool valid = err == ParseError::none;
    EXPECT_EQ(tag.valid, valid) << label << " " << header_full_name(id);
    EXPECT_EQ(tag.has_tag, valid && na.has_tag) << label << " " << header_full_name(id);
    const Span expected = valid && na.has_tag ? na.tag : Span{};
    EXPECT_EQ(tag.tag, expected) << label << " " << header_full_name(id);
  }
  return compared;
}

// second_via() gives what a ValueIterator over Via and parse_via() on its second value give.
// Returns whether there is a second Via.
inline bool expect_second_via_as_iterator(const Message& m, std::string_view label) {
  ValueIterator vias(m, HeaderId::via);
  Span first, second;
  SecondVia expected = SecondVia::absent;
  Via want;
  if (vias.next(first) && vias.next(second))
    expected = parse_via(m, second, want) ? SecondVia::ok : SecondVia::malformed;
  Via got;
  SecondVia result = second_via(m, got);
  EXPECT_EQ(static_cast<int>(result), static_cast<int>(expected)) << label;
  if (result == SecondVia::ok && expected == SecondVia::ok) {
    EXPECT_EQ(got.value, want.value) << label;
    EXPECT_EQ(got.transport, want.transport) << label;
    EXPECT_EQ(got.host, want.host) << label;
    EXPECT_EQ(got.port, want.port) << label;
    EXPECT_EQ(got.params, want.params) << label;
    EXPECT_EQ(got.branch, want.branch) << label;
    EXPECT_EQ(got.received, want.received) << label;
    EXPECT_EQ(got.rport, want.rport) << label;
    EXPECT_EQ(got.has_rport, want.has_rport) << label;
  }
  return expected != SecondVia::absent;
}

}  // namespace siplb::sip::test
