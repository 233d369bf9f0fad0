// Via value parsing (RFC 3261 20.42, RFC 3581): sent-protocol, sent-by and the parameters a
// proxy reads. LWS may stand around every '/', ';', '=' and ':' and lines may be folded.
#include "scan.hpp"
#include "siplb/sip/accessors.hpp"

namespace siplb::sip {
namespace {

using scan::skip_lws;

inline uint16_t off_of(const Message& m, const char* p) { return static_cast<uint16_t>(p - m.data); }
inline Span span_of(const Message& m, const char* b, const char* e) {
  return {off_of(m, b), static_cast<uint16_t>(e - b)};
}

// Skips a '/' with the SWS around it; nullptr if absent.
const char* expect_slash(const char* p, const char* end) {
  p = skip_lws(p, end);
  if (p == end || *p != '/') return nullptr;
  return skip_lws(p + 1, end);
}

}  // namespace

bool parse_via(const Message& m, Span value, Via& out) {
  out = Via{};
  const char* p = m.data + value.off;
  const char* end = p + value.len;
  p = skip_lws(p, end);
  const char* begin = p;

  // sent-protocol = protocol-name SLASH protocol-version SLASH transport. Nearly every Via starts
  // "SIP/2.0/" with no white space: one 8-octet compare (every octet of the text has bit 0x20, so
  // or-ing 0x20 in folds only letters' case).
  const char* q;
  if (end - p >= 9 && (scan::load64(p) | 0x2020202020202020ull) == scan::load64("sip/2.0/")) {
    p += 8;
  } else {
    q = scan::skip_token(p, end);
    if (q == p) return false;
    if (!(p = expect_slash(q, end))) return false;
    q = scan::skip_token(p, end);
    if (q == p) return false;
    if (!(p = expect_slash(q, end))) return false;
  }
  q = scan::skip_token(p, end);
  if (q == p) return false;
  out.transport = span_of(m, p, q);

  // LWS sent-by = host [ COLON port ]; usually one SP.
  p = q;
  if (p + 1 < end && *p == ' ' && !scan::is_lws(p[1])) {
    ++p;
  } else {
    const char* after_lws = skip_lws(p, end);
    if (after_lws == p) return false;
    p = after_lws;
  }
  if (p < end && *p == '[') {
    q = p + 1;
    while (q < end && (scan::is(*q, scan::kHostChar) || *q == ':')) ++q;
    if (q == end || *q != ']' || q == p + 1) return false;
    ++q;
  } else {
    q = p;
    q = scan::skip_class(p, end, scan::kHostChar);
    if (q == p) return false;
  }
  out.host = span_of(m, p, q);
  const char* last = q;  // end of the value as parsed so far
  p = skip_lws(q, end);
  if (p < end && *p == ':') {
    p = skip_lws(p + 1, end);
    uint64_t port = 0;
    bool overflow = false;
    q = scan::parse_uint(p, end, 65535, port, overflow);
    if (!q || overflow || port == 0) return false;
    out.port = static_cast<uint16_t>(port);
    last = q;
    p = skip_lws(q, end);
  }

  // *( SEMI via-params ), each generic-param = token [ EQUAL gen-value ]
  const char* params_begin = nullptr;
  while (p < end && *p == ';') {
    if (!params_begin) params_begin = p;
    p = skip_lws(p + 1, end);
    const char* name = p;
    q = scan::skip_token(p, end);
    if (q == name) return false;  // ";;" or a trailing ';'
    const char* name_end = q;
    last = q;
    Span param_value{off_of(m, name_end), 0};
    bool has_value = false;
    p = skip_lws(q, end);
    if (p < end && *p == '=') {
      p = skip_lws(p + 1, end);
      const char* v = p;
      if (p < end && *p == '"') {
        q = scan::skip_quoted(p, end);
        if (!q) return false;
      } else {
        q = p;
        // token, host or an IPv6 reference (received=[2001:db8::1])
        // The value runs to the next delimiter; '<', '>' and '"' cannot be in it (they would change
        // how the header splits into values). Other octets are not checked: a proxy only compares
        // branch and reads rport, and forwards the rest as it came.
        q = scan::find_param_end(p, end, m.data + m.size);
        if (q == v || (q < end && (*q == '<' || *q == '>' || *q == '"'))) return false;
      }
      param_value = span_of(m, v, q);
      has_value = true;
      last = q;
      p = skip_lws(q, end);
    }
    std::size_t n = static_cast<std::size_t>(name_end - name);
    // The length picks the one name worth comparing.
    if (n == 6 && scan::iequals_lower_words(name, "branch", n)) {
      out.branch = param_value;
    } else if (n == 8 && scan::iequals_lower_words(name, "received", n)) {
      out.received = param_value;
    } else if (n == 5 && scan::iequals_lower_words(name, "rport", n)) {
      out.has_rport = true;
      out.rport = param_value;  // valueless: empty span right after the name
      if (has_value) {
        uint64_t port = 0;
        bool overflow = false;
        const char* v = m.data + param_value.off;
        const char* e = scan::parse_uint(v, v + param_value.len, 65535, port, overflow);
        if (e != v + param_value.len || overflow) return false;
      }
    }
  }
  if (p != end && *p != ',') return false;  // anything else after the value is malformed
  if (params_begin) out.params = span_of(m, params_begin, last);
  out.value = span_of(m, begin, last);
  return true;
}

SecondVia second_via(const Message& m, Via& out) {
  auto parsed = [&](Span value) { return parse_via(m, value, out) ? SecondVia::ok : SecondVia::malformed; };
  if (m.top_via_header == kNoHeader) {  // the top value was not delimited by parse(): the long way
    ValueIterator vias(m, HeaderId::via);
    Span first, second;
    if (!vias.next(first) || !vias.next(second)) return SecondVia::absent;
    return parsed(second);
  }
  // After the top value come LWS and a comma, or the end of its field. Empty values (",,") and
  // fields are skipped as ValueIterator skips them.
  uint16_t i = m.top_via_header;
  const char* p = m.data + m.top_via.value.end();
  for (;;) {
    const char* e = m.data + m.headers[i].value.end();
    while (p < e && (scan::is_lws(*p) || *p == ',')) ++p;
    if (p < e) return parsed(span_of(m, p, e));
    do ++i;
    while (i < m.header_count && m.headers[i].id != HeaderId::via);
    if (i >= m.header_count) return SecondVia::absent;
    p = m.data + m.headers[i].value.off;
  }
}

}  // namespace siplb::sip
