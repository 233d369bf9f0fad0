// Typed views of the header values a balancer looks at, parsed on demand from a Message index.
// Every view holds Spans into the message buffer; nothing is copied or allocated. Pure functions:
// any thread may call them on a Message it owns.
#pragma once

#include <cstdint>
#include <string_view>

#include "siplb/sip/message.hpp"
#include "siplb/sip/parse_error.hpp"

namespace siplb::sip {

// A SIP or SIPS URI (RFC 3261 19.1): sip:user:password@host:port;params?headers.
// Other schemes (tel:, http:, ...) parse with only `scheme` and `opaque` set.
struct Uri {
  Span scheme;     // "sip", "sips", "tel", ...
  Span opaque;     // everything after "scheme:"
  Span user;       // may contain escapes and ';' parameters of the user part (RFC 4475 3.1.1.9)
  Span password;
  Span host;       // an IPv6 reference keeps its brackets
  uint16_t port = 0;  // 0 when absent
  Span params;     // from the first ';' after the host part, without the '?headers'
  Span headers;    // after '?', empty when absent
  bool is_sip = false;  // scheme is sip or sips, so user/host/port/params are filled in
};

// Parses the URI in [uri.off, uri.end()). Returns false when a SIP/SIPS URI is malformed (no host,
// bad port, LWS or a control octet inside) or the text has no scheme.
bool parse_uri(const Message& m, Span uri, Uri& out);

// Looks up a parameter (";name" or ";name=value", name case-insensitive) in a parameter list
// such as Uri::params or Via::params. Returns false when absent; `value` is empty when valueless.
bool find_param(const Message& m, Span params, std::string_view name, Span& value);

// A name-addr or addr-spec value (From, To, Contact, Route, Record-Route):
// [display-name] <uri> ;params   or   uri ;params (then ';' ends the URI, RFC 3261 20).
struct NameAddr {
  Span display;  // as written, quotes included; empty when absent
  Span uri;
  Span params;   // header parameters after the URI, from the first ';'
  Span tag;      // value of ;tag=, empty when absent
  bool has_tag = false;
  bool bracketed = false;  // the URI was inside <...>
};

// Parses one name-addr/addr-spec value. Returns false when it is malformed (unbalanced <> or
// quotes, no URI).
bool parse_name_addr(const Message& m, Span value, NameAddr& out);

// From and To of the message (their presence and uniqueness were checked by parse()).
ParseError from_header(const Message& m, NameAddr& out);  // none or bad_from
ParseError to_header(const Message& m, NameAddr& out);    // none or bad_to

// The tag of From or To: what from_header()/to_header() say of it (valid: the value parses;
// has_tag and tag as in NameAddr). Cheaper than those for the usual <uri>;tag=x shape, which is
// checked in one pass; other shapes go through parse_name_addr().
struct HeaderTag {
  bool valid = false;
  bool has_tag = false;
  Span tag;  // empty unless has_tag
};
HeaderTag from_tag(const Message& m);
HeaderTag to_tag(const Message& m);

// The Request-URI of a request, parsed (user, host, port, params).
ParseError request_uri(const Message& m, Uri& out);  // none or bad_request_uri

// Iterates the values of every header field with one id, in message order, splitting fields that
// carry several comma-separated values (commas inside quotes or <> do not split). The first value
// returned is the top one. Empty values (",,") are skipped.
class ValueIterator {
 public:
  ValueIterator(const Message& m, HeaderId id);
  // Stores the next value (trimmed of LWS) and the index of its header field; false at the end.
  bool next(Span& value, uint8_t* header_index = nullptr);

 private:
  const Message& m_;
  HeaderId id_;
  uint16_t header_ = 0;
  uint16_t pos_ = 0;  // next octet to scan inside the current field's value, 0 = not started
};

// One Contact value: "*" or a name-addr with its expires and q parameters.
struct Contact {
  bool star = false;
  NameAddr address;
  bool has_expires = false;
  uint32_t expires = 0;  // seconds
  bool has_q = false;
  uint16_t q_millis = 1000;  // q=0.5 -> 500
};

// Parses one Contact value as returned by ValueIterator. Returns false when malformed
// (including an expires that is not a number and a q outside 0..1).
bool parse_contact(const Message& m, Span value, Contact& out);

// The Expires header value in seconds. Returns false when absent or not a number; values past
// 2^32-1 are clamped there (RFC 3261 20.19 leaves the upper bound to the implementation).
bool expires_header(const Message& m, uint32_t& out);

// The username parameter of the first Authorization header, or of Proxy-Authorization if there is
// none, without its quotes. Empty when neither carries a Digest username.
Span auth_username(const Message& m);

// Parses one Via value (a via-parm) with the rules parse() applies to the top one.
bool parse_via(const Message& m, Span value, Via& out);

// The Via value after the top one (where a response goes next), parsed: what parse_via() gives
// on the second value a ValueIterator over Via returns, but parsed straight from where it starts
// (parse_via stops at the comma that ends it), without delimiting it in a pass of its own.
enum class SecondVia : uint8_t { absent, malformed, ok };
SecondVia second_via(const Message& m, Via& out);

}  // namespace siplb::sip
