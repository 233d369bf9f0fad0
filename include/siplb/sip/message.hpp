// The parsed form of one SIP message: a fixed-capacity index of offsets and lengths into the
// bytes the message arrived in (an mbuf's data, a datagram). Nothing is copied out of the buffer;
// the index is plain data that a worker keeps on its stack or in its per-lcore context and refills
// for each packet. Owned by whoever called parse(); not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siplb::sip {

// Limits of the index. A message past any of them is rejected with a named ParseError, never
// truncated. UDP carries at most 65507 octets, so 16-bit offsets cover every datagram.
inline constexpr std::size_t kMaxMessageSize = 65535;
inline constexpr std::size_t kMaxHeaders = 96;
inline constexpr std::size_t kMaxHeaderFieldSize = 8192;  // one field, continuation lines included

// A range [off, off + len) of the message buffer.
struct Span {
  uint16_t off = 0;
  uint16_t len = 0;
  constexpr bool empty() const { return len == 0; }
  constexpr uint32_t end() const { return uint32_t{off} + len; }
  friend constexpr bool operator==(Span, Span) = default;
};

// X(enumerator, canonical name). Recognised methods; anything else is `extension` and keeps its text.
#define SIPLB_SIP_METHODS(X) \
  X(extension, "")           \
  X(invite, "INVITE")        \
  X(ack, "ACK")              \
  X(bye, "BYE")              \
  X(cancel, "CANCEL")        \
  X(options, "OPTIONS")      \
  X(register_, "REGISTER")   \
  X(prack, "PRACK")          \
  X(subscribe, "SUBSCRIBE")  \
  X(notify, "NOTIFY")        \
  X(publish, "PUBLISH")      \
  X(info, "INFO")            \
  X(refer, "REFER")          \
  X(message, "MESSAGE")      \
  X(update, "UPDATE")

enum class Method : uint8_t {
#define SIPLB_X(e, s) e,
  SIPLB_SIP_METHODS(SIPLB_X)
#undef SIPLB_X
};

// Method from its text; methods are case-sensitive (RFC 3261 7.1). Unknown text gives `extension`.
Method method_from_text(std::string_view text);
std::string_view method_name(Method m);

// X(enumerator, full name, compact form or 0). Header names compare case-insensitively; compact
// forms are those of RFC 3261 7.3.3 and the later RFCs that registered one.
#define SIPLB_SIP_HEADERS(X)                          \
  X(other, "", 0)                                     \
  X(via, "Via", 'v')                                  \
  X(from, "From", 'f')                                \
  X(to, "To", 't')                                    \
  X(call_id, "Call-ID", 'i')                          \
  X(cseq, "CSeq", 0)                                  \
  X(max_forwards, "Max-Forwards", 0)                  \
  X(content_length, "Content-Length", 'l')            \
  X(content_type, "Content-Type", 'c')                \
  X(content_encoding, "Content-Encoding", 'e')        \
  X(contact, "Contact", 'm')                          \
  X(route, "Route", 0)                                \
  X(record_route, "Record-Route", 0)                  \
  X(expires, "Expires", 0)                            \
  X(authorization, "Authorization", 0)                \
  X(proxy_authorization, "Proxy-Authorization", 0)    \
  X(require, "Require", 0)                            \
  X(proxy_require, "Proxy-Require", 0)                \
  X(supported, "Supported", 'k')                      \
  X(subject, "Subject", 's')                          \
  X(event, "Event", 'o')                              \
  X(allow_events, "Allow-Events", 'u')                \
  X(refer_to, "Refer-To", 'r')                        \
  X(referred_by, "Referred-By", 'b')                  \
  X(session_expires, "Session-Expires", 'x')          \
  X(accept_contact, "Accept-Contact", 'a')            \
  X(reject_contact, "Reject-Contact", 'j')            \
  X(request_disposition, "Request-Disposition", 'd')  \
  X(identity, "Identity", 'y')                        \
  X(path, "Path", 0)                                  \
  X(retry_after, "Retry-After", 0)                    \
  X(user_agent, "User-Agent", 0)

enum class HeaderId : uint8_t {
#define SIPLB_X(e, full, compact) e,
  SIPLB_SIP_HEADERS(SIPLB_X)
#undef SIPLB_X
};

inline constexpr std::size_t kHeaderIdCount = 0
#define SIPLB_X(e, full, compact) +1
    SIPLB_SIP_HEADERS(SIPLB_X)
#undef SIPLB_X
    ;

// Header id from a name as written (full or compact, any case). Unknown names give `other`.
HeaderId header_id_from_name(std::string_view name);
std::string_view header_full_name(HeaderId id);

// One header field as it stands in the message.
struct HeaderField {
  Span line;   // name through the line end of its last continuation line (what removing it removes)
  Span name;   // as written, without the LWS before the colon
  Span value;  // first to last non-LWS octet after the colon; may span folded lines
  HeaderId id = HeaderId::other;
};

// The top Via value, parsed during parse() because every forwarding decision needs it.
struct Via {
  Span value;      // the whole via-parm: from the protocol name to the end of its last parameter
  Span transport;  // "UDP", "TCP", "TLS", "SCTP", ...
  Span host;       // sent-by host; an IPv6 reference keeps its brackets
  uint16_t port = 0;  // sent-by port, 0 when absent
  Span params;     // from the first ';' to the end of the value, empty when there are none
  Span branch;     // value of ;branch=, empty when absent
  Span received;   // value of ;received=, empty when absent
  Span rport;      // value of ;rport=, empty when absent or valueless
  bool has_rport = false;  // ;rport present, with or without a value (RFC 3581)
};

inline constexpr uint8_t kNoHeader = 0xff;

// The index of one message. `data` points at the first octet of the start line.
struct Message {
  const char* data = nullptr;
  uint32_t size = 0;  // octets received (a datagram may carry more than the message, see body)

  bool is_request = false;
  Span start_line;  // including its line end
  // Requests.
  Method method = Method::extension;
  Span method_text;
  Span request_uri;
  // Responses.
  uint16_t status_code = 0;
  Span reason;

  uint16_t header_count = 0;
  uint16_t headers_end = 0;  // offset of the empty line that ends the header section
  uint16_t body_offset = 0;  // first octet after that empty line
  uint16_t body_length = 0;  // Content-Length, or what the datagram holds when it is absent
  bool has_content_length = false;

  Span call_id;
  uint32_t cseq_number = 0;
  Method cseq_method = Method::extension;
  Span cseq_method_text;
  int16_t max_forwards = -1;  // -1 when the header is absent
  Via top_via;
  uint8_t top_via_header = kNoHeader;  // index in headers[] of the field holding the top Via

  uint8_t first_header[kHeaderIdCount];  // index of the first field of each id, kNoHeader if none
  // Fields [0, header_count). Left uninitialized on construction (a worker builds a Message per
  // packet, and zeroing 1.3 KB each time cost more than parsing a header): parse() writes every
  // entry below header_count, and none past it is read.
  union {
    HeaderField headers[kMaxHeaders];
  };

  Message() {}  // not `= default`: that would zero headers[] through its members' initializers

  // Octets that make up the message; what a datagram carries past Content-Length is not part of it.
  uint32_t message_end() const { return uint32_t{body_offset} + body_length; }

  std::string_view text(Span s) const { return {data + s.off, s.len}; }
  const HeaderField* first(HeaderId id) const {
    uint8_t i = first_header[static_cast<std::size_t>(id)];
    return i == kNoHeader ? nullptr : &headers[i];
  }
  bool has(HeaderId id) const { return first_header[static_cast<std::size_t>(id)] != kNoHeader; }
};

}  // namespace siplb::sip
