// The zero-copy SIP message parser. parse() indexes one message held in a contiguous byte range
// (an mbuf segment, a datagram) without copying or allocating and never reads outside the range.
// Reentrant: any thread may call it on its own Message.
#pragma once

#include <cstddef>

#include "siplb/sip/message.hpp"
#include "siplb/sip/parse_error.hpp"

namespace siplb::sip {

// Parses `size` octets at `data` into `out`, as a message received over UDP: octets past
// Content-Length are not part of the message; without Content-Length the body runs to the end.
// Requires From, To, Call-ID and CSeq (present once each) and a CSeq method equal to the request
// method; a message without Via parses (top_via_header == kNoHeader) and the proxy rejects it as
// missing_via, since it can neither forward nor answer it. Returns ParseError::none on success. On failure `out` holds whatever was indexed before the
// defect (the start line and top Via may be usable to address a reply) and the error names it.
ParseError parse(const char* data, std::size_t size, Message& out);

}  // namespace siplb::sip
