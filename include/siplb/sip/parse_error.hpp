// Why the SIP parser rejected a message. One X-macro list produces the enum, the names used in
// counters and logs, and the reply a proxy sends for a rejected request (status code and reason
// phrase). Pure data: any thread may use it.
#pragma once

#include <cstdint>
#include <string_view>

namespace siplb::sip {

// X(name, status code for the reply, reason phrase naming the defect)
#define SIPLB_PARSE_ERRORS(X)                                                          \
  X(none, 200, "OK")                                                                   \
  X(empty, 400, "Empty Message")                                                       \
  X(message_too_large, 513, "Message Too Large")                                      \
  X(headers_unterminated, 400, "Bad Request - Header Section Not Terminated")          \
  X(bad_start_line, 400, "Bad Request - Malformed Start Line")                         \
  X(bad_method, 400, "Bad Request - Malformed Method")                                 \
  X(bad_request_uri, 400, "Bad Request - Malformed Request-URI")                       \
  X(unsupported_version, 505, "Version Not Supported")                                 \
  X(bad_status_code, 400, "Bad Request - Malformed Status Code")                       \
  X(bad_reason_phrase, 400, "Bad Request - Malformed Reason Phrase")                   \
  X(bad_header_line, 400, "Bad Request - Malformed Header Line")                       \
  X(header_too_long, 400, "Bad Request - Header Field Too Long")                       \
  X(too_many_headers, 400, "Bad Request - Too Many Header Fields")                     \
  X(missing_via, 400, "Bad Request - Missing Via")                                     \
  X(missing_from, 400, "Bad Request - Missing From")                                   \
  X(missing_to, 400, "Bad Request - Missing To")                                       \
  X(missing_call_id, 400, "Bad Request - Missing Call-ID")                             \
  X(missing_cseq, 400, "Bad Request - Missing CSeq")                                   \
  X(duplicate_from, 400, "Bad Request - Multiple From")                                \
  X(duplicate_to, 400, "Bad Request - Multiple To")                                    \
  X(duplicate_call_id, 400, "Bad Request - Multiple Call-ID")                          \
  X(duplicate_cseq, 400, "Bad Request - Multiple CSeq")                                \
  X(duplicate_max_forwards, 400, "Bad Request - Multiple Max-Forwards")                \
  X(duplicate_content_length, 400, "Bad Request - Multiple Content-Length")            \
  X(bad_via, 400, "Bad Request - Malformed Via")                                       \
  X(bad_from, 400, "Bad Request - Malformed From")                                     \
  X(bad_to, 400, "Bad Request - Malformed To")                                         \
  X(bad_call_id, 400, "Bad Request - Malformed Call-ID")                               \
  X(bad_cseq, 400, "Bad Request - Malformed CSeq")                                     \
  X(cseq_method_mismatch, 400, "Bad Request - CSeq Method Mismatch")                   \
  X(bad_max_forwards, 400, "Bad Request - Malformed Max-Forwards")                     \
  X(bad_content_length, 400, "Bad Request - Malformed Content-Length")                 \
  X(content_length_exceeds_datagram, 400, "Bad Request - Content-Length Exceeds Message")

enum class ParseError : uint8_t {
#define SIPLB_X(name, code, phrase) name,
  SIPLB_PARSE_ERRORS(SIPLB_X)
#undef SIPLB_X
};

inline constexpr std::size_t kParseErrorCount = 0
#define SIPLB_X(name, code, phrase) +1
    SIPLB_PARSE_ERRORS(SIPLB_X)
#undef SIPLB_X
    ;

// Stable snake_case name, used as a counter label ("bad_via").
constexpr std::string_view parse_error_name(ParseError e) {
  constexpr std::string_view kNames[] = {
#define SIPLB_X(name, code, phrase) #name,
      SIPLB_PARSE_ERRORS(SIPLB_X)
#undef SIPLB_X
  };
  return kNames[static_cast<std::size_t>(e)];
}

// Status code a proxy answers a request rejected for this reason with (400, 505, 513).
constexpr uint16_t parse_error_status(ParseError e) {
  constexpr uint16_t kCodes[] = {
#define SIPLB_X(name, code, phrase) code,
      SIPLB_PARSE_ERRORS(SIPLB_X)
#undef SIPLB_X
  };
  return kCodes[static_cast<std::size_t>(e)];
}

// Reason phrase for that reply; it names the defect so the sender can see what was wrong.
constexpr std::string_view parse_error_phrase(ParseError e) {
  constexpr std::string_view kPhrases[] = {
#define SIPLB_X(name, code, phrase) phrase,
      SIPLB_PARSE_ERRORS(SIPLB_X)
#undef SIPLB_X
  };
  return kPhrases[static_cast<std::size_t>(e)];
}

}  // namespace siplb::sip
