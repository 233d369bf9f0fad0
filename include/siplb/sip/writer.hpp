// What a proxy changes in a SIP message, done in place, and the replies it builds itself.
//
// MessageEditor collects edits against a parsed Message (insert a top Via, add received/rport,
// set Max-Forwards, remove the top Via or Route value, insert a Record-Route) and applies them in
// one pass with commit(), inside the buffer the message already occupies. The buffer has room
// before and after the message (an mbuf's headroom and tailroom); each edit moves whichever side
// of it is shorter, so the usual edits near the top of a message move only the start line and a
// few headers. No allocation; the editor keeps its replacement text in a fixed scratch area.
// After commit() the Message index no longer describes the buffer: parse again if needed.
// Owned by one thread at a time (a worker, for one packet).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "siplb/sip/message.hpp"

namespace siplb::sip {

#define SIPLB_EDIT_ERRORS(X)                                                  \
  X(none)              /* done */                                             \
  X(no_room)           /* the buffer has not enough headroom plus tailroom */ \
  X(too_large)         /* the result would exceed kMaxMessageSize */          \
  X(too_many_edits)    /* more than kMaxEdits, or the scratch text is full */ \
  X(overlapping_edits) /* two edits touch the same octets */                  \
  X(not_found)         /* the header or value to change is absent */          \
  X(bad_value)         /* the text given would not make a valid header */

enum class EditError : uint8_t {
#define SIPLB_X(name) name,
  SIPLB_EDIT_ERRORS(SIPLB_X)
#undef SIPLB_X
};
std::string_view edit_error_name(EditError e);

// What the editor accepts as a header value: not empty, no CR or LF (it could end the line).
bool is_safe_header_value(std::string_view value);

class MessageEditor {
 public:
  static constexpr std::size_t kMaxEdits = 10;
  static constexpr std::size_t kScratchSize = 1024;

  // `m` indexes a message that starts `m.data - room` octets into a buffer of `capacity` octets
  // beginning at `room`. The first `reserve_front` octets of the buffer stay untouched (room for
  // the L2-L4 headers a dataplane prepends afterwards). Octets past m.message_end() are dropped.
  MessageEditor(const Message& m, char* room, uint32_t capacity, uint32_t reserve_front = 0);

  // Inserts a new Via header line above all others; `value` is a via-parm such as
  // "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK...".
  EditError insert_top_via(std::string_view value);
  // Adds ;received=<address> to the top Via, replacing an existing received value.
  EditError set_top_via_received(std::string_view address);
  // Gives the top Via's ;rport its value (RFC 3581 4); adds ;rport=<port> when absent.
  EditError set_top_via_rport(uint16_t port);
  // Sets Max-Forwards, inserting the header after the start line when absent.
  EditError set_max_forwards(uint8_t value);
  // Removes the top Via value: the whole field if it carries one value, else that value and its comma.
  EditError remove_top_via();
  // Removes the top Route value the same way.
  EditError remove_top_route();
  // Removes the first `count` Route values (a proxy's double Record-Route comes back as two),
  // with one edit per field they occupy: a field left without values goes whole, one that keeps
  // values loses the removed ones and their commas. not_found, with nothing changed, when the
  // message has fewer Route values.
  EditError remove_top_routes(uint8_t count);
  // Inserts a Record-Route line above the existing ones (or after the start line when none);
  // `value` is a name-addr such as "<sip:192.0.2.1;lr>".
  EditError insert_record_route(std::string_view value);
  // insert_top_via and insert_record_route without the check of `value`, for text the caller
  // built from pieces that passed is_safe_header_value() once (at start-up), not per message.
  EditError insert_top_via_trusted(std::string_view value);
  EditError insert_record_route_trusted(std::string_view value);
  // Replaces the Request-URI of a request (a registrar routing to a contact); `uri` must hold no
  // LWS or line break.
  EditError replace_request_uri(std::string_view uri);
  // Inserts a whole header line (name, colon, value; the line end is added) after the start line.
  EditError insert_header(std::string_view name, std::string_view value);

  // Applies every edit. On success the message occupies [room + head(), room + head() + length()).
  // On failure the buffer is unchanged.
  EditError commit();

  uint32_t head() const { return head_; }
  uint32_t length() const { return length_; }
  const char* data() const { return room_ + head_; }

 private:
  struct Edit {
    uint32_t pos;      // offset in the message as parsed
    uint32_t old_len;  // octets replaced
    uint16_t text_off; // replacement text in scratch_
    uint16_t text_len;
    uint8_t rank;      // among edits at one position, lower rank comes first in the result
  };
  EditError add(uint32_t pos, uint32_t old_len, std::string_view a, std::string_view b = {},
                std::string_view c = {}, bool first_at_position = false);
  EditError remove_top_values(HeaderId id, uint8_t count);

  const Message& m_;
  char* room_;
  uint32_t capacity_;
  uint32_t reserve_front_;
  uint32_t head_;
  uint32_t length_;
  uint8_t edit_count_ = 0;
  uint16_t scratch_used_ = 0;
  Edit edits_[kMaxEdits];
  char scratch_[kScratchSize];
};

// A reply the proxy sends itself for a request (RFC 3261 8.2.6): the status line, every Via as
// received (the top one with received/rport when given), From, To (with `to_tag` added when it has
// none and the code is above 100), Call-ID, CSeq, then `extra_headers` (complete lines, each
// ending in CRLF, e.g. "Retry-After: 30\r\n") and Content-Length: 0.
struct ReplySpec {
  uint16_t code = 500;
  std::string_view reason;
  std::string_view to_tag;
  std::string_view received;  // added to the top Via when not empty
  uint16_t rport = 0;         // fills a valueless ;rport on the top Via when not 0
  std::string_view extra_headers;
};

// Writes the reply into [out, out + capacity). Returns its length, or 0 when it does not fit, the
// request lacks a header a reply must copy, or `m` is not a request.
std::size_t build_reply(const Message& m, const ReplySpec& spec, char* out, std::size_t capacity);

// Writes the message back from its index (start line, each header field, the empty line, the
// body). With no edits the result is the message's own octets: the round-trip check of the index.
// Returns the length, or 0 when it does not fit.
std::size_t write_message(const Message& m, char* out, std::size_t capacity);

}  // namespace siplb::sip
