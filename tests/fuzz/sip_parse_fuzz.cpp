// libFuzzer target: siplb::sip::parse() and every accessor on arbitrary octets.
//
// The input is copied into a heap buffer of exactly its size, so AddressSanitizer reports any read
// past the datagram. A message that parses must have an index that stays inside the buffer and is
// consistent, every accessor and ValueIterator must terminate inside it, and write_message() must
// give back the message's own octets (and return 0, writing nothing, into a buffer one octet short).
// from_tag/to_tag and second_via must agree with from_header/to_header and ValueIterator +
// parse_via. A rejected request must still be safe to answer with build_reply(). The Message is pre-filled
// with a stale-looking pattern before parse(), as a worker reuses one Message for every packet.
//
// Run:  build-asan/sip_parse_fuzz -dict=tests/fuzz/sip.dict CORPUS_DIR SEED_DIR
//       (tools/run-fuzzers.sh does this with seeds from the shared test data)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "siplb/sip/accessors.hpp"
#include "siplb/sip/parser.hpp"
#include "siplb/sip/writer.hpp"

namespace {

namespace sip = siplb::sip;

[[noreturn]] void fail(const char* what, unsigned line) {
  std::fprintf(stderr, "sip_parse_fuzz: invariant broken at line %u: %s\n", line, what);
  std::abort();
}
#define CHECK(cond)                    \
  do {                                 \
    if (!(cond)) fail(#cond, __LINE__); \
  } while (0)

// Everything below reads through these, so a wrong span becomes an ASan report or a CHECK.
struct Ctx {
  const char* buf;  // the input copy
  std::size_t size;
  const sip::Message& m;
  uint32_t avail() const { return static_cast<uint32_t>(size - static_cast<std::size_t>(m.data - buf)); }
};

volatile uint32_t g_sink;

void touch(const Ctx& c, sip::Span s) {
  CHECK(s.end() <= c.avail());
  uint32_t h = 0;
  for (char ch : c.m.text(s)) h = h * 31 + static_cast<unsigned char>(ch);
  g_sink = g_sink + h;
}

bool inside(sip::Span inner, sip::Span outer) {
  return inner.empty() || (inner.off >= outer.off && inner.end() <= outer.end());
}

void check_uri(const Ctx& c, sip::Span text) {
  sip::Uri u;
  if (!sip::parse_uri(c.m, text, u)) return;
  for (sip::Span s : {u.scheme, u.opaque, u.user, u.password, u.host, u.params, u.headers}) {
    touch(c, s);
    CHECK(inside(s, text));
  }
  sip::Span v;
  for (std::string_view p : {"transport", "lr", "user", "maddr", "ttl", "method"}) {
    if (sip::find_param(c.m, u.params, p, v)) {
      touch(c, v);
      CHECK(inside(v, u.params));
    }
  }
}

void check_name_addr(const Ctx& c, sip::Span text) {
  sip::NameAddr na;
  if (!sip::parse_name_addr(c.m, text, na)) return;
  for (sip::Span s : {na.display, na.uri, na.params, na.tag}) {
    touch(c, s);
    CHECK(inside(s, text));
  }
  CHECK(na.has_tag || na.tag.empty());
  check_uri(c, na.uri);
  sip::Span v;
  if (sip::find_param(c.m, na.params, "tag", v)) touch(c, v);
}

void check_via(const Ctx& c, const sip::Via& via, sip::Span text) {
  for (sip::Span s : {via.value, via.transport, via.host, via.params, via.branch, via.received,
                      via.rport}) {
    touch(c, s);
    CHECK(inside(s, text));
  }
  CHECK(via.has_rport || via.rport.empty());
  sip::Span v;
  for (std::string_view p : {"branch", "received", "rport", "maddr", "ttl"})
    if (sip::find_param(c.m, via.params, p, v)) touch(c, v);
}

void check_values(const Ctx& c, sip::HeaderId id) {
  const sip::Message& m = c.m;
  sip::ValueIterator it(m, id);
  sip::Span value;
  uint8_t index = sip::kNoHeader;
  std::size_t count = 0;
  bool first = true;
  while (it.next(value, &index)) {
    // Every value holds at least one octet, so there can be no more values than octets.
    CHECK(++count <= c.size + 1);
    CHECK(index < m.header_count);
    const sip::HeaderField& h = m.headers[index];
    CHECK(h.id == id);
    CHECK(!value.empty());
    CHECK(inside(value, h.value));
    touch(c, value);
    if (first && id == sip::HeaderId::via) {
      CHECK(index == m.top_via_header);
      if (m.text(value) != m.text(m.top_via.value)) {
        std::fprintf(stderr, "top Via from parse(): [%.*s]\nfirst Via from ValueIterator: [%.*s]\n",
                     static_cast<int>(m.top_via.value.len), m.data + m.top_via.value.off,
                     static_cast<int>(value.len), m.data + value.off);
        fail("ValueIterator's first Via value == parse()'s top Via value", __LINE__);
      }
    }
    first = false;
    switch (id) {
      case sip::HeaderId::via: {
        sip::Via via;
        if (sip::parse_via(m, value, via)) check_via(c, via, value);
        break;
      }
      case sip::HeaderId::contact: {
        sip::Contact ct;
        if (sip::parse_contact(m, value, ct)) {
          if (!ct.star) check_name_addr(c, value);
          CHECK(!ct.has_q || ct.q_millis <= 1000);
        }
        break;
      }
      case sip::HeaderId::from:
      case sip::HeaderId::to:
      case sip::HeaderId::route:
      case sip::HeaderId::record_route:
      case sip::HeaderId::path:
      case sip::HeaderId::refer_to:
      case sip::HeaderId::referred_by:
        check_name_addr(c, value);
        break;
      default:
        break;
    }
  }
}

void check_message(const Ctx& c) {
  const sip::Message& m = c.m;
  CHECK(m.data >= c.buf && m.data <= c.buf + c.size);
  CHECK(m.message_end() <= c.avail());
  CHECK(m.headers_end <= m.body_offset);
  CHECK(m.body_offset <= m.message_end());
  CHECK(m.header_count <= sip::kMaxHeaders);
  touch(c, m.start_line);
  CHECK(m.start_line.off == 0);
  if (m.is_request) {
    touch(c, m.method_text);
    touch(c, m.request_uri);
    CHECK(inside(m.method_text, m.start_line) && inside(m.request_uri, m.start_line));
    CHECK(m.method == sip::method_from_text(m.text(m.method_text)));
    (void)sip::method_name(m.method);
    sip::Uri ruri;
    if (sip::request_uri(m, ruri) == sip::ParseError::none) check_uri(c, m.request_uri);
  } else {
    CHECK(m.status_code >= 100 && m.status_code <= 999);
    touch(c, m.reason);
    CHECK(inside(m.reason, m.start_line));
  }
  for (uint16_t i = 0; i < m.header_count; ++i) {
    const sip::HeaderField& h = m.headers[i];
    touch(c, h.line);
    CHECK(h.line.off >= m.start_line.end() && h.line.end() <= m.headers_end + 2u);
    CHECK(inside(h.name, h.line) && inside(h.value, h.line));
    CHECK(h.line.len <= sip::kMaxHeaderFieldSize + 2);  // the limit, give or take the line end
    CHECK(sip::header_id_from_name(m.text(h.name)) == h.id);
    (void)sip::header_full_name(h.id);
    if (i > 0) CHECK(h.line.off >= m.headers[i - 1].line.end());
  }
  for (std::size_t id = 0; id < sip::kHeaderIdCount; ++id) {
    uint8_t i = m.first_header[id];
    if (i == sip::kNoHeader) continue;
    CHECK(i < m.header_count);
    CHECK(m.headers[i].id == static_cast<sip::HeaderId>(id));
    for (uint8_t j = 0; j < i; ++j) CHECK(m.headers[j].id != static_cast<sip::HeaderId>(id));
  }
  // What parse() promises on success. A message without Via parses (src/sip/parser.cpp: the
  // proxy checks for it and answers nothing); with one, the top Via is parsed and valid.
  CHECK(m.has(sip::HeaderId::from) && m.has(sip::HeaderId::to) && m.has(sip::HeaderId::call_id) &&
        m.has(sip::HeaderId::cseq));
  if (m.has(sip::HeaderId::via)) {
    CHECK(m.top_via_header == m.first_header[static_cast<std::size_t>(sip::HeaderId::via)]);
    check_via(c, m.top_via, m.headers[m.top_via_header].value);
  } else {
    CHECK(m.top_via_header == sip::kNoHeader);
  }
  touch(c, m.call_id);
  touch(c, m.cseq_method_text);
  // CSeq names the request's own method, ACK and CANCEL included (RFC 4475 3.1.2.17, 3.1.2.18).
  if (m.is_request) {
    CHECK(m.cseq_method == m.method);
    CHECK(m.text(m.cseq_method_text) == m.text(m.method_text));
  }
  CHECK(m.max_forwards >= -1);
  CHECK(m.max_forwards == -1 || m.has(sip::HeaderId::max_forwards));

  sip::NameAddr na;
  if (sip::from_header(m, na) == sip::ParseError::none) check_name_addr(c, m.first(sip::HeaderId::from)->value);
  if (sip::to_header(m, na) == sip::ParseError::none) check_name_addr(c, m.first(sip::HeaderId::to)->value);
  // The shortcuts the proxy takes give what the full parses give.
  for (sip::HeaderId id : {sip::HeaderId::from, sip::HeaderId::to}) {
    sip::NameAddr full;
    bool valid = (id == sip::HeaderId::from ? sip::from_header(m, full) : sip::to_header(m, full)) == sip::ParseError::none;
    sip::HeaderTag tag = id == sip::HeaderId::from ? sip::from_tag(m) : sip::to_tag(m);
    CHECK(tag.valid == valid);
    CHECK(tag.has_tag == (valid && full.has_tag));
    CHECK(tag.tag == (valid && full.has_tag ? full.tag : sip::Span{}));
  }
  {
    sip::ValueIterator vias(m, sip::HeaderId::via);
    sip::Span first, second;
    sip::Via want, got;
    sip::SecondVia expected = sip::SecondVia::absent;
    if (vias.next(first) && vias.next(second))
      expected = sip::parse_via(m, second, want) ? sip::SecondVia::ok : sip::SecondVia::malformed;
    CHECK(sip::second_via(m, got) == expected);
    if (expected == sip::SecondVia::ok) {
      CHECK(got.value == want.value && got.transport == want.transport && got.host == want.host);
      CHECK(got.port == want.port && got.params == want.params && got.branch == want.branch);
      CHECK(got.received == want.received && got.rport == want.rport && got.has_rport == want.has_rport);
    }
  }
  for (std::size_t id = 0; id < sip::kHeaderIdCount; ++id) check_values(c, static_cast<sip::HeaderId>(id));
  uint32_t expires = 0;
  (void)sip::expires_header(m, expires);
  touch(c, sip::auth_username(m));

  // Round trip: with no edits, write_message gives back the message's own octets.
  const std::size_t n = m.message_end();
  auto out = std::make_unique<char[]>(n + 64);
  std::size_t written = sip::write_message(m, out.get(), n + 64);
  CHECK(written == n);
  CHECK(std::memcmp(out.get(), m.data, n) == 0);
  if (n > 0) {
    // One octet short: must return 0 and stay inside the (exact-size) buffer.
    auto small = std::make_unique<char[]>(n - 1);
    CHECK(sip::write_message(m, small.get(), n - 1) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto buf = std::make_unique<char[]>(size);  // exact size: ASan catches any overread
  if (size) std::memcpy(buf.get(), data, size);
  // A worker reuses one Message for every packet; start from a stale-looking index (every octet 1:
  // spans past the input, indices of header 1, bools true) so that a field parse() forgets to set
  // shows up instead of reading as a harmless zero.
  auto m = std::make_unique<sip::Message>();
  std::memset(static_cast<void*>(m.get()), 0x01, sizeof(sip::Message));
  sip::ParseError e = sip::parse(buf.get(), size, *m);
  CHECK(static_cast<std::size_t>(e) < sip::kParseErrorCount);
  (void)sip::parse_error_name(e);
  (void)sip::parse_error_phrase(e);
  CHECK(sip::parse_error_status(e) >= 200);

  if (e == sip::ParseError::none) {
    check_message(Ctx{buf.get(), size, *m});
  } else if (m->is_request && m->top_via_header != sip::kNoHeader) {
    // A rejected request is answered where its Via allows it (shared/testdata/README.md): the
    // index parse() left behind must be safe to build that reply from.
    sip::ReplySpec spec;
    spec.code = sip::parse_error_status(e);
    spec.reason = sip::parse_error_phrase(e);
    spec.to_tag = "fz1";
    char reply[4096];
    std::size_t n = sip::build_reply(*m, spec, reply, sizeof reply);
    CHECK(n <= sizeof reply);
  }
  return 0;
}
