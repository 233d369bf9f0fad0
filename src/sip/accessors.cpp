// Typed header accessors: URIs, name-addr values, multi-value iteration, Contact, Expires and
// the Digest username. Everything returns Spans into the message; nothing is copied.
#include "siplb/sip/accessors.hpp"

#include "scan.hpp"

namespace siplb::sip {
namespace {

using scan::is_digit;
using scan::skip_lws;
using scan::trim_lws_back;

inline uint16_t off_of(const Message& m, const char* p) { return static_cast<uint16_t>(p - m.data); }
inline Span span_of(const Message& m, const char* b, const char* e) {
  return {off_of(m, b), static_cast<uint16_t>(e - b)};
}
inline bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

const char* find_char(const char* p, const char* e, char c) { return scan::find_octet(p, e, c); }
// In a URI, which always lies inside the message after at least a start line's worth of octets:
// blocks that end at `e` may reach back before `p` (see scan::find_first).
const char* find_char_in(const Message& m, const char* p, const char* e, char c) {
  return scan::find_octet(p, e, c, m.data);
}

// Header parameters: *( SEMI token [ EQUAL ( token / host / quoted-string ) ] ). A quote may
// only open a value, and must be closed: otherwise whatever follows (a tag a reply adds) would be
// read as part of it. Empty parameters (";;") are tolerated. The value of the first "tag"
// parameter goes to `tag` on the way (what find_param(..., "tag", ...) would find in these
// well-formed parameters), so that name-addr parsing need not walk them twice.
bool params_well_formed(const Message& m, const char* p, const char* e, Span& tag, bool& has_tag) {
  while (p < e) {
    p = skip_lws(p, e);
    if (p == e) break;
    if (*p != ';') return false;
    p = skip_lws(p + 1, e);
    const char* name = p;
    p = scan::skip_token(p, e);
    bool is_tag = !has_tag && p - name == 3 && scan::iequals_lower(name, 3, "tag");
    const char* v = p;  // a valueless tag: empty value right after the name, as find_param gives
    const char* ve = p;
    p = skip_lws(p, e);
    if (p < e && *p == '=') {
      p = skip_lws(p + 1, e);
      v = p;
      if (p < e && *p == '"') {
        p = scan::skip_quoted(p, e);
        if (!p) return false;
      } else {
        while (p < e && *p != ';' && !scan::is_lws(*p)) {
          if (*p == '"') return false;
          ++p;
        }
      }
      ve = p;
    } else {
      v = ve = p;
    }
    if (is_tag) {
      tag = span_of(m, v, ve);
      has_tag = true;
    }
  }
  return true;
}

ParseError name_addr_header(const Message& m, HeaderId id, NameAddr& out, ParseError bad) {
  const HeaderField* h = m.first(id);
  if (!h) return id == HeaderId::from ? ParseError::missing_from : ParseError::missing_to;
  return parse_name_addr(m, h->value, out) ? ParseError::none : bad;
}

// The tag of a name-addr value of the usual shape, [display] <uri> [;tag=token], decided as
// parse_name_addr() decides it but in one pass without a second look at the parameters. Returns
// false for every other shape (addr-spec, LWS around the URI, other or more parameters, a tag
// that is not a token), which the caller then gives to parse_name_addr().
bool quick_tag(const Message& m, Span value, HeaderTag& out) {
  const char* p = m.data + value.off;
  const char* e = p + value.len;  // header values are trimmed of LWS at both ends
  if (p == e) return false;
  const char* lt = p;
  if (*p == '"') {
    const char* q = scan::skip_quoted(p, e);
    if (!q) return false;
    lt = skip_lws(q, e);
  } else {
    while (lt < e && *lt != '<' && *lt != ';' && *lt != '"') ++lt;
  }
  if (lt == e || *lt != '<') return false;
  const char* gt = find_char(lt + 1, e, '>');
  if (gt == e || gt == lt + 1 || scan::is_lws(lt[1]) || scan::is_lws(gt[-1])) return false;
  const char* params = gt + 1;
  if (params == e) {
    out = {true, false, {}};
    return true;
  }
  if (e - params < 5 || params[0] != ';' || (params[1] | 0x20) != 't' || (params[2] | 0x20) != 'a' ||
      (params[3] | 0x20) != 'g' || params[4] != '=')
    return false;
  const char* v = params + 5;
  if (scan::skip_class(v, e, scan::kToken, m.data) != e) return false;
  out = {true, true, span_of(m, v, e)};
  return true;
}

HeaderTag header_tag(const Message& m, HeaderId id) {
  const HeaderField* h = m.first(id);
  if (!h) return {};
  HeaderTag out;
  if (quick_tag(m, h->value, out)) return out;
  NameAddr na;
  if (!parse_name_addr(m, h->value, na)) return {};
  return {true, na.has_tag, na.tag};
}

}  // namespace

namespace {
// parse_uri() for a span known to hold no octet a URI may not (kUriStop).
bool parse_uri_of_uri_octets(const Message& m, Span uri, Uri& out) {
  out = Uri{};
  const char* p = m.data + uri.off;
  const char* e = p + uri.len;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  const char* q = p;
  if (e - p > 4 && (scan::load32(p) | 0x20202020u) == scan::load32("sip:")) {
    // "sip:" in any case, in one compare (or-ing 0x20 maps only 'S', 'I', 'P' and the control
    // octet 0x1a onto the text, and find_uri_stop has ruled out control octets).
    q = p + 3;
    out.is_sip = true;
  } else {
    if (p == e || !is_alpha(*p)) return false;
    while (q < e && (is_alpha(*q) || is_digit(*q) || *q == '+' || *q == '-' || *q == '.')) ++q;
    if (q == e || *q != ':' || q + 1 == e) return false;
    std::size_t scheme_len = static_cast<std::size_t>(q - p);
    out.is_sip = scan::iequals_lower(p, scheme_len, "sip") || scan::iequals_lower(p, scheme_len, "sips");
  }
  out.scheme = span_of(m, p, q);
  p = q + 1;
  out.opaque = span_of(m, p, e);
  if (!out.is_sip) return true;

  // userinfo: an unescaped '@' can only end the user part (params and headers may not hold one).
  const char* at = find_char_in(m, p, e, '@');
  if (at < e) {
    const char* colon = find_char_in(m, p, at, ':');
    out.user = span_of(m, p, colon);
    if (colon < at) out.password = span_of(m, colon + 1, at);
    p = at + 1;
  }
  // hostport
  const char* h = p;
  if (h < e && *h == '[') {
    q = h + 1;
    while (q < e && (scan::is(*q, scan::kHostChar) || *q == ':')) ++q;
    if (q == e || *q != ']' || q == h + 1) return false;
    ++q;
  } else {
    q = scan::skip_class(h, e, scan::kHostChar, m.data);
  }
  if (q == h) return false;
  out.host = span_of(m, h, q);
  if (q < e && *q == ':') {
    uint64_t port = 0;
    bool overflow = false;
    const char* pe = scan::parse_uint(q + 1, e, 65535, port, overflow);
    if (!pe || overflow || port == 0) return false;
    out.port = static_cast<uint16_t>(port);
    q = pe;
  }
  if (q < e && *q != ';' && *q != '?') return false;
  const char* question = find_char_in(m, q, e, '?');
  if (q < question) out.params = span_of(m, q, question);
  if (question < e) out.headers = span_of(m, question + 1, e);
  return true;
}
}  // namespace

bool parse_uri(const Message& m, Span uri, Uri& out) {
  const char* p = m.data + uri.off;
  if (scan::find_uri_stop(p, p + uri.len) != p + uri.len) {
    out = Uri{};
    return false;
  }
  return parse_uri_of_uri_octets(m, uri, out);
}

bool find_param(const Message& m, Span params, std::string_view name, Span& value) {
  const char* p = m.data + params.off;
  const char* e = p + params.len;
  while (p < e) {
    p = skip_lws(p, e);
    if (p == e) break;
    if (*p == ';') {  // empty parameters (";;") are skipped one separator at a time
      ++p;
      continue;
    }
    const char* n = p;
    while (p < e && *p != '=' && *p != ';' && !scan::is_lws(*p)) ++p;
    const char* ne = p;
    p = skip_lws(p, e);
    const char* v = p;
    const char* ve = p;
    if (p < e && *p == '=') {
      v = skip_lws(p + 1, e);
      if (v < e && *v == '"') {
        ve = scan::skip_quoted(v, e);
        if (!ve) ve = e;
      } else {
        ve = v;
        while (ve < e && *ve != ';' && !scan::is_lws(*ve)) ++ve;
      }
      p = ve;
    }
    // Name comparison: case-insensitive for the ASCII letters parameter names use.
    std::size_t len = static_cast<std::size_t>(ne - n);
    if (len == name.size()) {
      bool same = true;
      for (std::size_t i = 0; i < len && same; ++i)
        same = (static_cast<uint8_t>(n[i]) | 0x20) == (static_cast<uint8_t>(name[i]) | 0x20);
      if (same) {
        value = span_of(m, v, ve);
        return true;
      }
    }
    while (p < e && *p != ';') ++p;  // whatever trails the parameter, up to the next one
  }
  return false;
}

bool parse_name_addr(const Message& m, Span value, NameAddr& out) {
  out = NameAddr{};
  const char* p = m.data + value.off;
  const char* e = p + value.len;
  p = skip_lws(p, e);
  e = trim_lws_back(p, e);
  if (p == e) return false;

  const char* params = nullptr;
  if (*p == '"') {
    const char* q = scan::skip_quoted(p, e);
    if (!q) return false;
    out.display = span_of(m, p, q);
    p = skip_lws(q, e);
    if (p == e || *p != '<') return false;
  }
  // Is there a '<' before the parameters? Then this is a name-addr.
  const char* lt = p;
  while (lt < e && *lt != '<' && *lt != ';' && *lt != '"') ++lt;
  if (lt < e && *lt == '<') {
    if (out.display.empty() && lt > p) out.display = span_of(m, p, trim_lws_back(p, lt));
    const char* gt = find_char(lt + 1, e, '>');
    if (gt == e) return false;
    const char* u = skip_lws(lt + 1, gt);
    const char* ue = trim_lws_back(u, gt);
    if (u == ue) return false;
    out.uri = span_of(m, u, ue);
    out.bracketed = true;
    params = skip_lws(gt + 1, e);
    if (params < e && *params != ';') return false;
  } else {
    if (lt < e && *lt == '"') return false;  // a quote inside an addr-spec
    // addr-spec: the first ';' ends the URI (RFC 3261 20: its parameters are header parameters).
    const char* semi = find_char(p, e, ';');
    const char* ue = trim_lws_back(p, semi);
    if (ue == p) return false;
    for (const char* c = p; c < ue; ++c)
      if (scan::is_lws(*c)) return false;
    out.uri = span_of(m, p, ue);
    params = semi;
  }
  if (params < e) {
    if (!params_well_formed(m, params, e, out.tag, out.has_tag)) return false;
    out.params = span_of(m, params, e);
  }
  return true;
}

ParseError from_header(const Message& m, NameAddr& out) {
  return name_addr_header(m, HeaderId::from, out, ParseError::bad_from);
}

ParseError to_header(const Message& m, NameAddr& out) {
  return name_addr_header(m, HeaderId::to, out, ParseError::bad_to);
}

HeaderTag from_tag(const Message& m) { return header_tag(m, HeaderId::from); }
HeaderTag to_tag(const Message& m) { return header_tag(m, HeaderId::to); }

ParseError request_uri(const Message& m, Uri& out) {
  if (!m.is_request || m.request_uri.empty()) return ParseError::bad_request_uri;
  // parse() ends the Request-URI at its first octet that may not be in a URI: none is inside.
  return parse_uri_of_uri_octets(m, m.request_uri, out) ? ParseError::none : ParseError::bad_request_uri;
}

ValueIterator::ValueIterator(const Message& m, HeaderId id) : m_(m), id_(id) {
  uint8_t first = m.first_header[static_cast<std::size_t>(id)];
  header_ = first == kNoHeader ? m.header_count : first;
  pos_ = header_ < m.header_count ? m.headers[header_].value.off : 0;
}

bool ValueIterator::next(Span& value, uint8_t* header_index) {
  while (header_ < m_.header_count) {
    const HeaderField& h = m_.headers[header_];
    if (h.id != id_) {
      ++header_;
      if (header_ < m_.header_count) pos_ = m_.headers[header_].value.off;
      continue;
    }
    const char* base = m_.data;
    const char* p = base + pos_;
    const char* e = base + h.value.end();
    if (id_ == HeaderId::via && header_ == m_.top_via_header && pos_ == h.value.off) {
      // parse() already delimited the top Via: it ends where only LWS separates it from a comma
      // or the end of the field, which is where the comma search below would stop.
      value = m_.top_via.value;
      const char* q = skip_lws(base + value.end(), e);
      pos_ = static_cast<uint16_t>((q < e ? q + 1 : e) - base);
      if (header_index) *header_index = static_cast<uint8_t>(header_);
      return true;
    }
    if (p >= e) {
      ++header_;
      if (header_ < m_.header_count) pos_ = m_.headers[header_].value.off;
      continue;
    }
    // Find the comma that ends this value, outside quotes and angle brackets.
    const char* q = p;
    int angle = 0;
    while ((q = scan::find_value_delimiter(q, e)) < e) {
      if (*q == '"') {
        const char* r = scan::skip_quoted(q, e);
        q = r ? r : e;
        continue;
      }
      if (*q == '<') ++angle;
      else if (*q == '>' && angle > 0) --angle;
      else if (*q == ',' && angle == 0) break;
      ++q;
    }
    pos_ = static_cast<uint16_t>((q < e ? q + 1 : e) - base);
    const char* vb = skip_lws(p, q);
    const char* ve = trim_lws_back(vb, q);
    if (vb == ve) continue;  // empty value between commas
    value = span_of(m_, vb, ve);
    if (header_index) *header_index = static_cast<uint8_t>(header_);
    return true;
  }
  return false;
}

bool parse_contact(const Message& m, Span value, Contact& out) {
  out = Contact{};
  if (value.len == 1 && m.data[value.off] == '*') {
    out.star = true;
    return true;
  }
  if (!parse_name_addr(m, value, out.address)) return false;
  Span v;
  if (!out.address.params.empty() && find_param(m, out.address.params, "expires", v)) {
    uint64_t n = 0;
    bool overflow = false;
    const char* p = m.data + v.off;
    if (scan::parse_uint(p, p + v.len, 0xffffffffu, n, overflow) != p + v.len) return false;
    out.has_expires = true;
    out.expires = overflow ? 0xffffffffu : static_cast<uint32_t>(n);
  }
  if (!out.address.params.empty() && find_param(m, out.address.params, "q", v)) {
    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
    const char* p = m.data + v.off;
    const char* e = p + v.len;
    if (p == e || (*p != '0' && *p != '1')) return false;
    unsigned whole = static_cast<unsigned>(*p - '0');
    unsigned frac = 0;
    ++p;
    if (p < e) {
      if (*p != '.') return false;
      ++p;
      unsigned scale = 100;
      int digits = 0;
      for (; p < e; ++p, ++digits) {
        if (!is_digit(*p) || digits == 3) return false;
        frac += static_cast<unsigned>(*p - '0') * scale;
        scale /= 10;
      }
    }
    if (whole == 1 && frac != 0) return false;
    out.has_q = true;
    out.q_millis = static_cast<uint16_t>(whole * 1000 + frac);
  }
  return true;
}

bool expires_header(const Message& m, uint32_t& out) {
  const HeaderField* h = m.first(HeaderId::expires);
  if (!h) return false;
  uint64_t n = 0;
  bool overflow = false;
  const char* p = m.data + h->value.off;
  if (scan::parse_uint(p, p + h->value.len, 0xffffffffu, n, overflow) != p + h->value.len) return false;
  out = overflow ? 0xffffffffu : static_cast<uint32_t>(n);
  return true;
}

Span auth_username(const Message& m) {
  const HeaderField* h = m.first(HeaderId::authorization);
  if (!h) h = m.first(HeaderId::proxy_authorization);
  if (!h) return {};
  const char* p = m.data + h->value.off;
  const char* e = p + h->value.len;
  // credentials = auth-scheme LWS auth-param *(COMMA auth-param)
  const char* q = scan::skip_token(p, e);
  if (!scan::iequals_lower(p, static_cast<std::size_t>(q - p), "digest")) return {};
  p = q;
  while (p < e) {
    p = skip_lws(p, e);
    const char* n = p;
    p = scan::skip_token(p, e);
    const char* ne = p;
    p = skip_lws(p, e);
    if (p == e || *p != '=') return {};
    p = skip_lws(p + 1, e);
    const char* v = p;
    const char* ve;
    bool quoted = p < e && *p == '"';
    if (quoted) {
      ve = scan::skip_quoted(p, e);
      if (!ve) return {};
      p = ve;
    } else {
      while (p < e && *p != ',' && !scan::is_lws(*p)) ++p;
      ve = p;
    }
    if (scan::iequals_lower(n, static_cast<std::size_t>(ne - n), "username"))
      return quoted ? span_of(m, v + 1, ve - 1) : span_of(m, v, ve);
    p = skip_lws(p, e);
    if (p < e && *p != ',') return {};
    if (p < e) ++p;
  }
  return {};
}

}  // namespace siplb::sip
