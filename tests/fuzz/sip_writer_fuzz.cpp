// libFuzzer target: MessageEditor and build_reply() on messages that parse.
//
// The whole input is the datagram. Its last 8 octets also choose what to do (k[0] is the last
// octet, k[1] the one before; zeros when the input is shorter), so raw SIP messages work as seeds
// and the fuzzer steers the edits by changing or appending octets (octets past Content-Length are
// not part of the message):
//   k[0]  edit mask: 1 insert_top_via, 2 set_top_via_received, 4 set_top_via_rport,
//         8 set_max_forwards, 16 remove_top_via, 32 remove_top_route, 64 insert_record_route,
//         128 insert_header
//   k[1]  which text each edit uses (2 bits each: Via, received, Record-Route, header)
//   k[2]  headroom (low nibble) and tailroom (high nibble), 24 octets a step
//   k[3]  reserve_front (low 6 bits), 64 = edits in reverse order, 128 = every edit asked twice
//         (then only memory safety and the buffer bounds are checked, not the result)
//   k[4]  Max-Forwards value; its low bit also makes the Route removal take two values
//         (remove_top_routes(2), a double Record-Route coming back);  k[5] k[6]  rport (big-endian)
//   k[7]  reply: code (low 4 bits), 16 extra header, 32 received, 64 rport, 128 small buffer
//
// The message is placed in an exact-size heap buffer between the headroom and tailroom, as in an
// mbuf. After commit() the result must stay inside the buffer, leave reserve_front untouched,
// re-parse (unless an edit legitimately made it invalid, e.g. removed the only Via) and show each
// edit that was accepted; a failed commit must leave the buffer as it was. Text with a line break
// must be refused (no header injection). build_reply() on a parsed request must give a response
// that parses and matches the request; on a response, or a request without Via, it must return 0.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "siplb/sip/accessors.hpp"
#include "siplb/sip/parser.hpp"
#include "siplb/sip/writer.hpp"

namespace {

namespace sip = siplb::sip;

[[noreturn]] void fail(const char* what, unsigned line) {
  std::fprintf(stderr, "sip_writer_fuzz: invariant broken at line %u: %s\n", line, what);
  std::abort();
}
#define CHECK(cond)                    \
  do {                                 \
    if (!(cond)) fail(#cond, __LINE__); \
  } while (0)

std::unique_ptr<sip::Message> fresh_message() {
  auto m = std::make_unique<sip::Message>();
  std::memset(static_cast<void*>(m.get()), 0x01, sizeof(sip::Message));  // stale-looking index
  return m;
}

bool has_line_break(std::string_view s) {
  return s.find('\r') != std::string_view::npos || s.find('\n') != std::string_view::npos;
}

const std::string& long_via() {
  static const std::string v = "SIP/2.0/UDP lb.example.com;branch=z9hG4bK" + std::string(600, 'a');
  return v;
}

std::string_view via_text(unsigned i) {
  switch (i & 3) {
    case 0: return "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-siplb-1";
    case 1: return "SIP/2.0/TCP [2001:db8::10]:5061;branch=z9hG4bK-siplb-2;rport";
    case 2: return long_via();  // exercises the scratch area
    default: return "SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK3\r\nX-Injected: 1";
  }
}
std::string_view received_text(unsigned i) {
  constexpr std::string_view k[] = {"198.51.100.23", "2001:db8::23", "", "192.0.2.1\r\nX-Injected: 1"};
  return k[i & 3];
}
std::string_view record_route_text(unsigned i) {
  constexpr std::string_view k[] = {"<sip:192.0.2.10;lr>", "<sip:[2001:db8::10]:5060;transport=tcp;lr>",
                                    "<sip:lb.example.com;lr;ftag=a1b2>", "<sip:192.0.2.10;lr>\r\nX-Injected: 1"};
  return k[i & 3];
}
struct NameValue {
  std::string_view name, value;
};
NameValue header_text(unsigned i) {
  constexpr NameValue k[] = {{"X-Siplb", "1"}, {"X-Siplb-Node", "node-a;zone=eu"},
                             {"X Bad Name", "1"}, {"X-Siplb", "1\r\nX-Injected: 1"}};
  return k[i & 3];
}

// Values of one header id, in order.
std::vector<sip::Span> values(const sip::Message& m, sip::HeaderId id) {
  std::vector<sip::Span> out;
  sip::ValueIterator it(m, id);
  sip::Span v;
  while (it.next(v) && out.size() <= 2 * sip::kMaxHeaders * 8) out.push_back(v);
  return out;
}

std::string text(const sip::Message& m, sip::Span s) { return std::string(m.text(s)); }

enum Op : unsigned {
  kInsertVia, kReceived, kRport, kMaxForwards, kRemoveVia, kRemoveRoute, kRecordRoute, kHeader, kOps
};

// Diagnostics for a finding: which edits were accepted, and messages with control octets escaped.
void dump_edits(const bool ok[kOps], bool twice, bool reverse) {
  static constexpr const char* kNames[kOps] = {"insert_top_via", "set_top_via_received",
                                               "set_top_via_rport", "set_max_forwards",
                                               "remove_top_via", "remove_top_route",
                                               "insert_record_route", "insert_header"};
  std::fprintf(stderr, "edits accepted (%s%s):", twice ? "each asked twice, " : "",
               reverse ? "reverse order" : "in order");
  for (unsigned i = 0; i < kOps; ++i)
    if (ok[i]) std::fprintf(stderr, " %s", kNames[i]);
  std::fprintf(stderr, "\n");
}
void dump(const char* what, std::string_view text) {
  std::fprintf(stderr, "--- %s (%zu octets):\n", what, text.size());
  for (char ch : text.substr(0, 4096)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n')
      std::fputs("\\n\n", stderr);
    else if (c == '\r')
      std::fputs("\\r", stderr);
    else if (c < 0x20 || c >= 0x7f)
      std::fprintf(stderr, "\\x%02x", c);
    else
      std::fputc(c, stderr);
  }
  std::fputs("\n---\n", stderr);
}

void check_reply(const sip::Message& m, const uint8_t k[8]) {
  static constexpr uint16_t kCodes[] = {100, 180, 183, 200, 202, 302, 400, 403,
                                        404, 408, 480, 486, 500, 503, 504, 603};
  sip::ReplySpec spec;
  spec.code = kCodes[k[7] & 15];
  spec.reason = "Fuzz Reply";
  spec.to_tag = "siplb-fz-tag";
  if (k[7] & 16) spec.extra_headers = "Retry-After: 30\r\n";
  if (k[7] & 32) spec.received = "198.51.100.23";
  if (k[7] & 64) spec.rport = 5062;
  const bool small = (k[7] & 128) != 0;
  const std::size_t capacity = small ? m.message_end() / 2 : m.size + 512;
  auto out = std::make_unique<char[]>(capacity + 1);  // +1: a zero capacity still has a pointer
  const std::size_t n = sip::build_reply(m, spec, out.get(), capacity);
  CHECK(n <= capacity);
  if (!m.is_request) {
    CHECK(n == 0);
    return;
  }
  if (!m.has(sip::HeaderId::via)) {
    CHECK(n == 0);  // nowhere to send it: a request without Via parses but gets no reply
    return;
  }
  if (small && n == 0) return;
  CHECK(n > 0);  // a parsed request has every header a reply copies, and the buffer is ample

  auto r = fresh_message();
  const sip::ParseError e = sip::parse(out.get(), n, *r);
  if (e == sip::ParseError::too_many_headers && std::size_t{m.header_count} + 4 > sip::kMaxHeaders) return;
  if (e == sip::ParseError::header_too_long) return;  // a Via or To near the limit grew
  CHECK(e == sip::ParseError::none);
  CHECK(!r->is_request);
  CHECK(r->status_code == spec.code);
  CHECK(r->message_end() == n);
  CHECK(r->body_length == 0);
  CHECK(r->text(r->call_id) == m.text(m.call_id));
  CHECK(r->cseq_number == m.cseq_number);
  CHECK(r->text(r->cseq_method_text) == m.text(m.cseq_method_text));
  CHECK(r->text(r->top_via.branch) == m.text(m.top_via.branch));
  CHECK(values(*r, sip::HeaderId::via).size() == values(m, sip::HeaderId::via).size());
  sip::Span present;
  if (!spec.received.empty() && !sip::find_param(m, m.top_via.params, "received", present))
    CHECK(r->text(r->top_via.received) == spec.received);
  if (spec.rport != 0 && m.top_via.has_rport && m.top_via.rport.empty())
    CHECK(r->text(r->top_via.rport) == "5062");
  sip::NameAddr req_to, rep_to;
  if (sip::to_header(m, req_to) == sip::ParseError::none &&
      sip::to_header(*r, rep_to) == sip::ParseError::none) {
    if (req_to.has_tag)
      CHECK(r->text(rep_to.tag) == m.text(req_to.tag));
    else if (spec.code > 100)
      CHECK(r->text(rep_to.tag) == spec.to_tag);
    else
      CHECK(!rep_to.has_tag);
  }
  if (!spec.extra_headers.empty()) {
    const sip::HeaderField* ra = r->first(sip::HeaderId::retry_after);
    CHECK(ra != nullptr && r->text(ra->value) == "30");
  }
}

void check_edits(const sip::Message& m, const uint8_t* input, std::size_t size, const uint8_t k[8]) {
  // Facts about the original, kept as copies: commit() rewrites the octets m points into.
  const std::string start_line = text(m, m.start_line);
  const std::string call_id = text(m, m.call_id);
  const std::string body(m.data + m.body_offset, m.body_length);
  const uint32_t cseq = m.cseq_number;
  const std::vector<sip::Span> vias = values(m, sip::HeaderId::via);
  const std::size_t via_count = vias.size();
  std::vector<std::string> routes;
  for (sip::Span v : values(m, sip::HeaderId::route)) routes.push_back(text(m, v));
  const std::size_t route_count = routes.size();
  // What parse() would take as the top Via once the top value is removed: the next value of the
  // same field, else the first value of the next Via field (which may be empty, so invalid).
  bool second_via_ok = false;
  if (m.top_via_header != sip::kNoHeader) {
    sip::ValueIterator it(m, sip::HeaderId::via);
    sip::Span v;
    uint8_t first_field = sip::kNoHeader, field = sip::kNoHeader;
    sip::Via parsed;
    if (it.next(v, &first_field) && it.next(v, &field) && field == first_field) {
      second_via_ok = sip::parse_via(m, v, parsed);
    } else {
      for (uint16_t i = m.top_via_header + 1u; i < m.header_count; ++i)
        if (m.headers[i].id == sip::HeaderId::via) {
          second_via_ok = sip::parse_via(m, m.headers[i].value, parsed);
          break;
        }
    }
  }
  const std::string original(m.data, m.message_end());
  const bool many_headers = std::size_t{m.header_count} + 8 > sip::kMaxHeaders;
  uint32_t longest = 0;
  for (uint16_t i = 0; i < m.header_count; ++i) longest = std::max<uint32_t>(longest, m.headers[i].line.len);
  const bool long_fields = longest + 1024 > sip::kMaxHeaderFieldSize;

  // The buffer: headroom, the message (as parsed, from its own copy), tailroom.
  const uint32_t headroom = (k[2] & 15) * 24u;
  const uint32_t tailroom = (k[2] >> 4) * 24u;
  const uint32_t reserve_front = std::min<uint32_t>(k[3] & 63, headroom);
  const uint32_t capacity = headroom + static_cast<uint32_t>(size) + tailroom;
  auto buffer = std::make_unique<char[]>(capacity + 1);
  std::memset(buffer.get(), 0xEE, capacity + 1);
  std::memcpy(buffer.get() + headroom, input, size);
  auto pm = fresh_message();
  sip::Message& bm = *pm;
  CHECK(sip::parse(buffer.get() + headroom, size, bm) == sip::ParseError::none);
  const std::vector<char> before(buffer.get(), buffer.get() + capacity);

  sip::MessageEditor editor(bm, buffer.get(), capacity, reserve_front);
  const bool reverse = (k[3] & 64) != 0;
  const bool twice = (k[3] & 128) != 0;
  const uint8_t max_forwards = k[4];
  const uint8_t routes_removed = (k[4] & 1) ? 2 : 1;
  const uint16_t rport = static_cast<uint16_t>(k[5] << 8 | k[6]);
  bool ok[kOps] = {};
  auto apply = [&](unsigned op, bool record) {
    sip::EditError e = sip::EditError::none;
    std::string_view refused;  // text that must be refused
    switch (op) {
      case kInsertVia: {
        std::string_view v = via_text(k[1]);
        e = editor.insert_top_via(v);
        if (has_line_break(v)) refused = v;
        break;
      }
      case kReceived: {
        std::string_view v = received_text(k[1] >> 2);
        e = editor.set_top_via_received(v);
        if (has_line_break(v)) refused = v;
        break;
      }
      case kRport: e = editor.set_top_via_rport(rport); break;
      case kMaxForwards: e = editor.set_max_forwards(max_forwards); break;
      case kRemoveVia: e = editor.remove_top_via(); break;
      case kRemoveRoute:
        e = routes_removed == 2 ? editor.remove_top_routes(2) : editor.remove_top_route();
        // Too few values: refused (not_found, or an error met first, such as too_many_edits).
        if (route_count < routes_removed) CHECK(e != sip::EditError::none);
        if (route_count == 0) CHECK(e == sip::EditError::not_found);
        break;
      case kRecordRoute: {
        std::string_view v = record_route_text(k[1] >> 4);
        e = editor.insert_record_route(v);
        if (has_line_break(v)) refused = v;
        break;
      }
      case kHeader: {
        NameValue h = header_text(k[1] >> 6);
        e = editor.insert_header(h.name, h.value);
        if (has_line_break(h.value)) refused = h.value;
        if (h.name.find(' ') != std::string_view::npos) refused = h.name;
        break;
      }
      default: break;
    }
    CHECK(static_cast<unsigned>(e) <= static_cast<unsigned>(sip::EditError::bad_value));
    (void)sip::edit_error_name(e);
    // A line break in the text, or a bad header name, would inject or break a header line.
    if (!refused.empty()) CHECK(e != sip::EditError::none);
    if (record) ok[op] = e == sip::EditError::none;
  };
  for (unsigned round = 0; round < (twice ? 2u : 1u); ++round)
    for (unsigned i = 0; i < kOps; ++i) {
      unsigned op = reverse ? kOps - 1 - i : i;
      if (k[0] & (1u << op)) apply(op, round == 0);
    }

  const sip::EditError ce = editor.commit();
  CHECK(static_cast<unsigned>(ce) <= static_cast<unsigned>(sip::EditError::bad_value));
  if (ce != sip::EditError::none) {
    CHECK(std::memcmp(buffer.get(), before.data(), capacity) == 0);  // unchanged on failure
    return;
  }
  CHECK(editor.head() >= reserve_front);
  CHECK(uint64_t{editor.head()} + editor.length() <= capacity);
  CHECK(editor.data() == buffer.get() + editor.head());
  for (uint32_t i = 0; i < reserve_front; ++i) CHECK(static_cast<uint8_t>(buffer[i]) == 0xEE);
  CHECK(static_cast<uint8_t>(buffer[capacity]) == 0xEE);
  CHECK(editor.length() <= sip::kMaxMessageSize);

  bool any = false;
  for (bool b : ok) any = any || b;
  if (!any && !twice) {
    // Nothing to change: the message comes out as it went in (minus octets past Content-Length).
    CHECK(editor.length() == original.size());
    CHECK(std::memcmp(editor.data(), original.data(), original.size()) == 0);
  }

  auto pr = fresh_message();
  sip::Message& r = *pr;
  const sip::ParseError e = sip::parse(editor.data(), editor.length(), r);
  // Asking each edit twice is the caller's mistake (two ;rport= values, two Max-Forwards): it only
  // has to stay memory-safe and inside the buffer, which is checked above.
  if (twice) return;
  if (e != sip::ParseError::none) {
    // Edits that may legitimately leave a message that does not parse.
    const bool only_removed = ok[kRemoveVia] && !ok[kInsertVia];
    if (e == sip::ParseError::missing_via && only_removed && via_count <= 1) return;
    if (e == sip::ParseError::bad_via && only_removed && !second_via_ok) return;
    if (e == sip::ParseError::too_many_headers && many_headers) return;
    if (e == sip::ParseError::header_too_long && long_fields) return;
    std::fprintf(stderr, "sip_writer_fuzz: edited message does not parse: %s\n",
                 std::string(sip::parse_error_name(e)).c_str());
    dump_edits(ok, twice, reverse);
    dump("original", original);
    dump("edited", std::string_view(editor.data(), editor.length()));
    CHECK(e == sip::ParseError::none);
  }
  CHECK(r.message_end() == editor.length());
  CHECK(r.text(r.start_line) == start_line);
  CHECK(r.text(r.call_id) == call_id);
  CHECK(r.cseq_number == cseq);
  CHECK(r.body_length == body.size());
  CHECK(std::string_view(r.data + r.body_offset, r.body_length) == body);

  const std::vector<sip::Span> new_vias = values(r, sip::HeaderId::via);
  if (ok[kInsertVia]) CHECK(r.text(r.top_via.value) == via_text(k[1]));
  if (ok[kMaxForwards]) CHECK(r.max_forwards == max_forwards);
  CHECK(new_vias.size() == via_count + (ok[kInsertVia] ? 1 : 0) - (ok[kRemoveVia] ? 1 : 0));
  if (ok[kRemoveRoute]) {
    // The values after the removed ones are left as they were.
    const std::vector<sip::Span> left = values(r, sip::HeaderId::route);
    CHECK(left.size() == route_count - routes_removed);
    for (std::size_t i = 0; i < left.size(); ++i) CHECK(r.text(left[i]) == routes[i + routes_removed]);
  }
  if (!ok[kRemoveVia] && (ok[kReceived] || ok[kRport])) {
    // received and rport go on the sender's Via: below ours when one was inserted.
    const std::size_t at = ok[kInsertVia] ? 1 : 0;
    CHECK(at < new_vias.size());
    sip::Via v;
    CHECK(sip::parse_via(r, new_vias[at], v));
    if (ok[kReceived]) CHECK(r.text(v.received) == received_text(k[1] >> 2));
    if (ok[kRport]) CHECK(v.has_rport && r.text(v.rport) == std::to_string(rport));
  }
  if (ok[kRecordRoute]) {
    const std::vector<sip::Span> rr = values(r, sip::HeaderId::record_route);
    CHECK(!rr.empty() && r.text(rr[0]) == record_route_text(k[1] >> 4));
  }
  if (ok[kHeader]) {
    const NameValue h = header_text(k[1] >> 6);
    bool found = false;
    for (uint16_t i = 0; i < r.header_count; ++i)
      found = found || (r.text(r.headers[i].name) == h.name && r.text(r.headers[i].value) == h.value);
    CHECK(found);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size > sip::kMaxMessageSize) return -1;  // not a datagram; keep it out of the corpus
  uint8_t k[8] = {};
  for (std::size_t i = 0; i < 8 && i < size; ++i) k[i] = data[size - 1 - i];

  auto buf = std::make_unique<char[]>(size);
  if (size) std::memcpy(buf.get(), data, size);
  auto m = fresh_message();
  if (sip::parse(buf.get(), size, *m) != sip::ParseError::none) return 0;
  check_reply(*m, k);
  check_edits(*m, data, size, k);
  return 0;
}
