// The zero-copy SIP parser: start line, header fields (full and compact names, folding, LWS),
// the eagerly needed values (top Via, Call-ID, CSeq, Max-Forwards, Content-Length) and body
// framing. One pass over the header section: the common line ("Name: value", short name, no
// continuation) is delimited with one 32-octet compare (AVX2), other lines by the general code;
// line ends are found 16 or 32 octets at a time.
#include <cstring>

#include "header_lookup.hpp"
#include "scan.hpp"
#include "siplb/sip/accessors.hpp"
#include "siplb/sip/parser.hpp"

namespace siplb::sip {
namespace {

using scan::is_digit;
using scan::is_sp_ht;

// Largest CSeq sequence number (RFC 3261 8.1.1.5: less than 2**31).
constexpr uint64_t kMaxCSeq = (uint64_t{1} << 31) - 1;
constexpr uint64_t kMaxMaxForwards = 255;

class Parser {
 public:
  Parser(const char* data, std::size_t size, Message& m) : m_(m), end_(data + size) {}

  ParseError run();

 private:
  uint16_t off(const char* p) const { return static_cast<uint16_t>(p - m_.data); }
  Span span(const char* b, const char* e) const { return {off(b), static_cast<uint16_t>(e - b)}; }
  void fail(ParseError e) {
    if (error_ == ParseError::none) error_ = e;
  }

  void parse_start_line(const char* p, const char* line_end);
  void parse_request_line(const char* p, const char* line_end);
  void parse_status_line(const char* p, const char* line_end);
  bool parse_version(const char* p, const char* e);
  [[gnu::always_inline]] inline void on_header(HeaderField& h, uint8_t index);
  [[gnu::always_inline]] inline bool add_field(const char* data, uint16_t index, const char* field,
                                               const char* name_end, const char* colon, const char* lf);

  void parse_cseq(Span value);
  bool parse_number(Span value, uint64_t limit, uint64_t& out, bool& overflow);

  Message& m_;
  const char* end_;
  ParseError error_ = ParseError::none;
  bool content_length_overflow_ = false;
  bool cseq_is_request_method_ = false;  // the CSeq method text is the request line's
};

// Strips the CR of a CRLF line end: `lf` points at the LF (or end); returns the content end.
inline const char* content_end(const char* line_begin, const char* lf) {
  return (lf > line_begin && lf[-1] == '\r') ? lf - 1 : lf;
}

bool Parser::parse_version(const char* p, const char* e) {
  // The version nearly every message carries, in one compare.
  if (e - p == 7 && std::memcmp(p, "SIP/2.0", 7) == 0) return true;
  // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive. Known shape, other number: 505.
  if (e - p < 7 || !scan::iequals_lower_words(p, "sip/", 4)) {
    fail(ParseError::bad_start_line);
    return false;
  }
  const char* q = p + 4;
  const char* major = q;
  while (q < e && is_digit(*q)) ++q;
  if (q == major || q == e || *q != '.') {
    fail(ParseError::bad_start_line);
    return false;
  }
  const char* minor = ++q;
  while (q < e && is_digit(*q)) ++q;
  if (q == minor || q != e) {
    fail(ParseError::bad_start_line);
    return false;
  }
  if (e - p != 7 || std::memcmp(p + 4, "2.0", 3) != 0) {
    fail(ParseError::unsupported_version);
    return false;
  }
  return true;
}

void Parser::parse_request_line(const char* p, const char* e) {
  // Request-Line = Method SP Request-URI SP SIP-Version, single SP, nothing after the version.
  m_.is_request = true;
  const char* q = scan::skip_token(p, e);
  if (q == p) return fail(ParseError::bad_start_line);
  if (q == e) return fail(ParseError::bad_start_line);
  if (*q != ' ') return fail(ParseError::bad_method);
  m_.method_text = span(p, q);
  m_.method = method_from_text(m_.text(m_.method_text));
  p = q + 1;
  q = p;
  q = scan::find_uri_stop(p, e);
  if (q < e && *q != ' ') return fail(ParseError::bad_request_uri);  // CTL, <, > or " inside
  if (q == p || q == e) return fail(ParseError::bad_start_line);
  m_.request_uri = span(p, q);
  // The URI needs a scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":"), so "<sip:...>" fails,
  // and must not contain white space or control octets.
  const char* s = p;
  auto is_alpha = [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; };
  if (!is_alpha(*s)) return fail(ParseError::bad_request_uri);
  while (s < q && (is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-' || *s == '.')) ++s;
  if (s == q || *s != ':' || s + 1 == q) return fail(ParseError::bad_request_uri);
  parse_version(q + 1, e);
}

void Parser::parse_status_line(const char* p, const char* e) {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
  m_.is_request = false;
  const char* sp = p;
  while (sp < e && *sp != ' ') ++sp;
  if (!parse_version(p, sp)) return;
  if (sp == e) {
    fail(ParseError::bad_status_code);
    return;
  }
  const char* c = sp + 1;
  const char* q = c;
  while (q < e && is_digit(*q)) ++q;
  if (q - c != 3 || (q < e && *q != ' ') || *c < '1' || *c > '6') {
    fail(ParseError::bad_status_code);
    return;
  }
  m_.status_code = static_cast<uint16_t>((c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0'));
  if (q < e) {
    for (const char* r = q + 1; r < e; ++r)
      if (static_cast<uint8_t>(*r) < 0x20 && *r != '\t') {
        fail(ParseError::bad_reason_phrase);
        return;
      }
    m_.reason = span(q + 1, e);
  } else {
    m_.reason = span(q, q);
  }
}

void Parser::parse_start_line(const char* p, const char* e) {
  if (e - p >= 4 && scan::iequals_lower_words(p, "sip/", 4))
    parse_status_line(p, e);
  else
    parse_request_line(p, e);
}

bool Parser::parse_number(Span value, uint64_t limit, uint64_t& out, bool& overflow) {
  const char* p = m_.data + value.off;
  const char* e = p + value.len;
  const char* q = scan::parse_uint(p, e, limit, out, overflow);
  return q == e && !overflow;
}

void Parser::parse_cseq(Span value) {
  // CSeq = 1*DIGIT LWS Method
  const char* p = m_.data + value.off;
  const char* e = p + value.len;
  uint64_t n = 0;
  bool overflow = false;
  const char* q = scan::parse_uint(p, e, kMaxCSeq, n, overflow);
  if (!q || overflow) return fail(ParseError::bad_cseq);
  const char* method = scan::skip_lws(q, e);
  if (method == q || method == e) return fail(ParseError::bad_cseq);
  // In a request the CSeq method is nearly always the request's own, a token already looked up.
  auto len = static_cast<std::size_t>(e - method);
  const char* request_method = m_.data + m_.method_text.off;
  bool same = m_.is_request && m_.method_text.len == len;
  for (std::size_t i = 0; same && i < len; ++i) same = method[i] == request_method[i];
  if (same) {
    m_.cseq_method = m_.method;
  } else {
    if (scan::skip_token(method, e) != e) return fail(ParseError::bad_cseq);
    m_.cseq_method = method_from_text({method, len});
  }
  cseq_is_request_method_ = same;
  m_.cseq_number = static_cast<uint32_t>(n);
  m_.cseq_method_text = span(method, e);
}

inline void Parser::on_header(HeaderField& h, uint8_t index) {
  bool first = m_.first_header[static_cast<std::size_t>(h.id)] == kNoHeader;
  if (first) m_.first_header[static_cast<std::size_t>(h.id)] = index;
  uint64_t n = 0;
  bool overflow = false;
  switch (h.id) {
    case HeaderId::via:
      if (first) {
        m_.top_via_header = index;
        if (!parse_via(m_, h.value, m_.top_via)) {
          m_.top_via_header = kNoHeader;
          fail(ParseError::bad_via);
        }
      }
      break;
    case HeaderId::from:
      if (!first) fail(ParseError::duplicate_from);
      break;
    case HeaderId::to:
      if (!first) fail(ParseError::duplicate_to);
      break;
    case HeaderId::call_id: {
      if (!first) return fail(ParseError::duplicate_call_id);
      // Call-ID = word ["@" word]: no white space inside.
      const char* p = m_.data + h.value.off;
      if (h.value.len == 0 || !scan::has_no_lws(p, p + h.value.len)) return fail(ParseError::bad_call_id);
      m_.call_id = h.value;
      break;
    }
    case HeaderId::cseq:
      if (!first) return fail(ParseError::duplicate_cseq);
      parse_cseq(h.value);
      break;
    case HeaderId::max_forwards:
      if (!first) return fail(ParseError::duplicate_max_forwards);
      if (!parse_number(h.value, kMaxMaxForwards, n, overflow)) return fail(ParseError::bad_max_forwards);
      m_.max_forwards = static_cast<int16_t>(n);
      break;
    case HeaderId::content_length: {
      if (!first) return fail(ParseError::duplicate_content_length);
      const char* p = m_.data + h.value.off;
      const char* e = p + h.value.len;
      if (scan::parse_uint(p, e, kMaxMessageSize, n, overflow) != e)
        return fail(ParseError::bad_content_length);
      m_.has_content_length = true;
      // A value past the largest message cannot fit any datagram; remember it as too large.
      content_length_overflow_ = overflow;
      m_.body_length = overflow ? 0 : static_cast<uint16_t>(n);
      break;
    }
    default:
      break;
  }
}

// Adds the field [field, lf] whose name ends at name_end and whose colon is at `colon` as
// headers[index] (index == header_count): its name looked up, its value trimmed of the LWS around
// it, the eager values read. False, with nothing added, when the name is not a token (a malformed
// line). `data` is m_.data, passed so that it stays in a register.
inline bool Parser::add_field(const char* data, uint16_t index, const char* field, const char* name_end,
                              const char* colon, const char* lf) {
  auto name_len = static_cast<std::size_t>(name_end - field);
  HeaderId id = header_lookup::find_in_buffer(field, name_len, end_);
  // A known name is a valid token by construction; check the octets of the others.
  if (id == HeaderId::other && scan::skip_token(field, name_end) != name_end) return false;
  // Usually one SP after the colon and CRLF at the end: take those without loops. colon < lf, so
  // v[0] is inside the field, and v[1] too when v[0] is SP.
  const char* v = colon + 1;
  if (*v == ' ' && !scan::is_lws(v[1]))
    ++v;
  else
    v = scan::skip_lws(v, lf);
  const char* ve = (lf - 1 > v && lf[-1] == '\r' && !scan::is_lws(lf[-2])) ? lf - 1 : scan::trim_lws_back(v, lf);
  const auto at = static_cast<uint16_t>(field - data);
  const auto value_at = static_cast<uint16_t>(v - data);
  HeaderField& h = m_.headers[index];
  h.line = {at, static_cast<uint16_t>(lf + 1 - field)};
  h.name = {at, static_cast<uint16_t>(name_len)};
  h.value = {value_at, static_cast<uint16_t>(ve - v)};
  h.id = id;
  m_.header_count = static_cast<uint16_t>(index + 1);
  on_header(h, static_cast<uint8_t>(index));
  return true;
}

ParseError Parser::run() {
  const char* data = m_.data;
  const char* end = end_;
  if (end == data) return ParseError::empty;
  if (static_cast<std::size_t>(end - data) > kMaxMessageSize) return ParseError::message_too_large;

  // Start line.
  const char* lf = scan::find_lf(data, end);
  if (lf == end) return ParseError::headers_unterminated;
  parse_start_line(data, content_end(data, lf));
  m_.start_line = span(data, lf + 1);

  // Header fields, until the empty line.
  const char* p = lf + 1;
  auto off_in = [data](const char* q) { return static_cast<uint16_t>(q - data); };
  for (;;) {
#if defined(__AVX2__)
    // The common line, "Name: value" CRLF with a name under 32 octets, the colon right after it,
    // no continuation, at least 32 octets before the end: one block compare finds the name's end
    // and usually the line's. Anything else (and the empty line) takes the general code below,
    // which then handles that one line exactly as it would have without this.
    {
      const __m256i space = _mm256_set1_epi8(' ');
      const __m256i colon_octet = _mm256_set1_epi8(':');
      const __m256i lf_octet = _mm256_set1_epi8('\n');
      uint16_t count = m_.header_count;
      while (end - p >= 32 && count < kMaxHeaders) {
        const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        // Stops: octets up to SP (controls, CR, LF among them) and ':'.
        auto stops = static_cast<unsigned>(_mm256_movemask_epi8(
            _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(b, space), b), _mm256_cmpeq_epi8(b, colon_octet))));
        if (stops == 0 || (stops & 1u)) break;  // a long name, or a line starting with CR/LF/SP/':'
        const char* colon = p + __builtin_ctz(stops);
        if (*colon != ':') break;
        auto lfs = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, lf_octet)));
        const char* line_lf = lfs ? p + __builtin_ctz(lfs) : scan::find_lf(p + 32, end);
        if (line_lf + 1 >= end || is_sp_ht(line_lf[1])) break;  // the end, or continuation lines
        if (line_lf + 1 - p > static_cast<std::ptrdiff_t>(kMaxHeaderFieldSize)) break;
        if (!add_field(data, count, p, colon, colon, line_lf)) break;  // the general code reports it
        ++count;
        p = line_lf + 1;
      }
    }
#endif
    if (p >= end) return error_ != ParseError::none ? error_ : ParseError::headers_unterminated;
    if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
      m_.headers_end = off_in(p);
      m_.body_offset = off_in(p + (*p == '\n' ? 1 : 2));
      break;
    }
    const char* field = p;
    auto [name_end, first_lf] = scan::find_name_end_and_lf(p, end);
    const char* colon = name_end;
    while (colon < end && is_sp_ht(*colon)) ++colon;
    // Field end: the LF of the last line, continuation lines (starting with SP/HT) included.
    lf = first_lf;
    while (lf < end && lf + 1 < end && is_sp_ht(lf[1])) lf = scan::find_lf(lf + 1, end);
    if (lf == end) return error_ != ParseError::none ? error_ : ParseError::headers_unterminated;
    p = lf + 1;
    if (name_end == field || *colon != ':') {
      fail(ParseError::bad_header_line);
      continue;
    }
    if (p - field > static_cast<std::ptrdiff_t>(kMaxHeaderFieldSize))
      return error_ != ParseError::none ? error_ : ParseError::header_too_long;
    if (m_.header_count == kMaxHeaders)
      return error_ != ParseError::none ? error_ : ParseError::too_many_headers;
    if (!add_field(data, m_.header_count, field, name_end, colon, lf)) fail(ParseError::bad_header_line);
  }

  // Body framing: over UDP the datagram ends the message when Content-Length is absent.
  uint32_t available = static_cast<uint32_t>(end - data) - m_.body_offset;
  if (m_.has_content_length) {
    if (content_length_overflow_ || m_.body_length > available) {
      m_.body_length = static_cast<uint16_t>(available);
      fail(ParseError::content_length_exceeds_datagram);
    }
  } else {
    m_.body_length = static_cast<uint16_t>(available);
  }

  if (error_ != ParseError::none) return error_;
  // No Via is not a syntax error (RFC examples omit it); the proxy checks it and answers nothing.
  if (!m_.has(HeaderId::from)) return ParseError::missing_from;
  if (!m_.has(HeaderId::to)) return ParseError::missing_to;
  if (!m_.has(HeaderId::call_id)) return ParseError::missing_call_id;
  if (!m_.has(HeaderId::cseq)) return ParseError::missing_cseq;
  if (m_.is_request && !cseq_is_request_method_ && m_.text(m_.cseq_method_text) != m_.text(m_.method_text))
    return ParseError::cseq_method_mismatch;
  return ParseError::none;
}

}  // namespace

ParseError parse(const char* data, std::size_t size, Message& out) {
  out.data = data;
  out.size = static_cast<uint32_t>(size);
  out.is_request = false;
  out.start_line = out.method_text = out.request_uri = out.reason = Span{};
  out.method = Method::extension;
  out.status_code = 0;
  out.header_count = 0;
  out.headers_end = out.body_offset = out.body_length = 0;
  out.has_content_length = false;
  out.call_id = out.cseq_method_text = Span{};
  out.cseq_number = 0;
  out.cseq_method = Method::extension;
  out.max_forwards = -1;
  out.top_via = Via{};
  out.top_via_header = kNoHeader;
  std::memset(out.first_header, kNoHeader, sizeof(out.first_header));
  Parser parser(data, size, out);
  return parser.run();
}

}  // namespace siplb::sip
