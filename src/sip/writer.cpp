// In-place editing of a parsed message: edits are collected, then applied in one pass from the
// bottom of the message up, so the offsets of the edits not yet applied stay valid. Each edit
// moves the shorter side of the message into the headroom or the tailroom.
#include "siplb/sip/writer.hpp"

#include <cassert>
#include <charconv>
#include <cstring>

#include "scan.hpp"
#include "siplb/sip/accessors.hpp"
#include "small_copy.hpp"

namespace siplb::sip {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Decimal text of v into buf (at least 5 octets); returns its length.
std::size_t format_u16(uint16_t v, char* buf) { return static_cast<std::size_t>(std::to_chars(buf, buf + 5, v).ptr - buf); }

bool has_line_break(std::string_view s) {
  return !scan::has_no_line_break(s.data(), s.data() + s.size());
}

}  // namespace

std::string_view edit_error_name(EditError e) {
  constexpr std::string_view kNames[] = {
#define SIPLB_X(name) #name,
      SIPLB_EDIT_ERRORS(SIPLB_X)
#undef SIPLB_X
  };
  return kNames[static_cast<std::size_t>(e)];
}

MessageEditor::MessageEditor(const Message& m, char* room, uint32_t capacity, uint32_t reserve_front)
    : m_(m),
      room_(room),
      capacity_(capacity),
      reserve_front_(reserve_front),
      head_(static_cast<uint32_t>(m.data - room)),
      length_(m.message_end()) {}

// Inlined into each edit: the pieces are mostly literals of known length there.
[[gnu::always_inline]] inline EditError MessageEditor::add(uint32_t pos, uint32_t old_len, std::string_view a, std::string_view b,
                             std::string_view c, bool first_at_position) {
  if (edit_count_ == kMaxEdits) return EditError::too_many_edits;
  std::size_t n = a.size() + b.size() + c.size();
  if (scratch_used_ + n > kScratchSize) return EditError::too_many_edits;
  char* out = scratch_ + scratch_used_;
  small_copy::copy_down(out, a.data(), a.size());
  small_copy::copy_down(out + a.size(), b.data(), b.size());
  small_copy::copy_down(out + a.size() + b.size(), c.data(), c.size());
  // Edits at one position keep the order they were added in, except one that must come first.
  uint8_t rank = first_at_position ? 0 : static_cast<uint8_t>(edit_count_ + 1);
  edits_[edit_count_++] = {pos, old_len, scratch_used_, static_cast<uint16_t>(n), rank};
  scratch_used_ = static_cast<uint16_t>(scratch_used_ + n);
  return EditError::none;
}

bool is_safe_header_value(std::string_view value) { return !value.empty() && !has_line_break(value); }

EditError MessageEditor::insert_top_via(std::string_view value) {
  if (value.empty() || has_line_break(value)) return EditError::bad_value;
  return insert_top_via_trusted(value);
}

EditError MessageEditor::insert_top_via_trusted(std::string_view value) {
  assert(is_safe_header_value(value));
  const HeaderField* via = m_.first(HeaderId::via);
  uint32_t pos = via ? via->line.off : m_.start_line.end();
  return add(pos, 0, "Via: ", value, kCrlf);
}

EditError MessageEditor::set_top_via_received(std::string_view address) {
  if (address.empty() || has_line_break(address)) return EditError::bad_value;
  if (m_.top_via_header == kNoHeader) return EditError::not_found;
  const Via& via = m_.top_via;
  if (!via.received.empty()) return add(via.received.off, via.received.len, address);
  return add(via.value.end(), 0, ";received=", address);
}

EditError MessageEditor::set_top_via_rport(uint16_t port) {
  if (m_.top_via_header == kNoHeader) return EditError::not_found;
  char digits[32];  // 5 would do; 32 keeps gcc's -Warray-bounds quiet about the inlined copy's block paths
  std::string_view text(digits, format_u16(port, digits));
  const Via& via = m_.top_via;
  if (!via.has_rport) return add(via.value.end(), 0, ";rport=", text);
  // A valueless ;rport may end the value, where ";received=" is appended: its value goes first.
  if (via.rport.empty()) return add(via.rport.off, 0, "=", text, {}, true);
  return add(via.rport.off, via.rport.len, text);
}

EditError MessageEditor::set_max_forwards(uint8_t value) {
  char digits[32];  // 5 would do; 32 keeps gcc's -Warray-bounds quiet about the inlined copy's block paths
  std::string_view text(digits, format_u16(value, digits));
  if (const HeaderField* h = m_.first(HeaderId::max_forwards))
    return add(h->value.off, h->value.len, text);
  return add(m_.start_line.end(), 0, "Max-Forwards: ", text, kCrlf);
}

EditError MessageEditor::remove_top_values(HeaderId id, uint8_t count) {
  if (count == 0) return EditError::none;
  if (id == HeaderId::via && count == 1 && m_.top_via_header != kNoHeader) {
    // parse() delimited the top Via: when only LWS follows it, it is alone in its field.
    const HeaderField& h = m_.headers[m_.top_via_header];
    const char* field_end = m_.data + h.value.end();
    if (scan::skip_lws(m_.data + m_.top_via.value.end(), field_end) == field_end)
      return add(h.line.off, h.line.len, {});
  }
  // Edits added before a failure are taken back, so that the editor is as it was.
  const uint8_t edits_before = edit_count_;
  const uint16_t scratch_before = scratch_used_;
  auto fail = [&](EditError e) {
    edit_count_ = edits_before;
    scratch_used_ = scratch_before;
    return e;
  };
  ValueIterator it(m_, id);
  Span value;
  uint8_t field = kNoHeader;
  if (!it.next(value, &field)) return EditError::not_found;
  uint8_t removed = 0;
  for (;;) {
    // `value` is the first value to remove in `field`: take the values of that field up to count.
    const uint32_t first_off = value.off;
    const uint8_t this_field = field;
    bool more;
    do {
      ++removed;
      more = it.next(value, &field);
    } while (more && removed < count && field == this_field);
    if (more && field == this_field) {
      // The field keeps values: remove the taken ones up to the start of the first kept.
      EditError e = add(first_off, static_cast<uint32_t>(value.off - first_off), {});
      return e == EditError::none ? e : fail(e);
    }
    const HeaderField& h = m_.headers[this_field];
    if (EditError e = add(h.line.off, h.line.len, {}); e != EditError::none) return fail(e);
    if (removed == count) return EditError::none;
    if (!more) return fail(EditError::not_found);
  }
}

EditError MessageEditor::remove_top_via() { return remove_top_values(HeaderId::via, 1); }
EditError MessageEditor::remove_top_route() { return remove_top_values(HeaderId::route, 1); }
EditError MessageEditor::remove_top_routes(uint8_t count) { return remove_top_values(HeaderId::route, count); }

EditError MessageEditor::insert_record_route(std::string_view value) {
  if (value.empty() || has_line_break(value)) return EditError::bad_value;
  return insert_record_route_trusted(value);
}

EditError MessageEditor::insert_record_route_trusted(std::string_view value) {
  assert(is_safe_header_value(value));
  const HeaderField* rr = m_.first(HeaderId::record_route);
  uint32_t pos = rr ? rr->line.off : m_.start_line.end();
  return add(pos, 0, "Record-Route: ", value, kCrlf);
}

EditError MessageEditor::replace_request_uri(std::string_view uri) {
  if (!m_.is_request || m_.request_uri.empty() || uri.empty()) return EditError::bad_value;
  for (char c : uri)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return EditError::bad_value;
  return add(m_.request_uri.off, m_.request_uri.len, uri);
}

EditError MessageEditor::insert_header(std::string_view name, std::string_view value) {
  if (name.empty() || has_line_break(name) || has_line_break(value)) return EditError::bad_value;
  for (char c : name)
    if (!scan::is_token(c)) return EditError::bad_value;
  if (edit_count_ == kMaxEdits) return EditError::too_many_edits;
  // Name and ": " go in one piece, value and CRLF in another, both contiguous in scratch.
  std::size_t n = name.size() + 2 + value.size() + 2;
  if (scratch_used_ + n > kScratchSize) return EditError::too_many_edits;
  char* out = scratch_ + scratch_used_;
  std::memcpy(out, name.data(), name.size());
  std::memcpy(out + name.size(), ": ", 2);
  std::memcpy(out + name.size() + 2, value.data(), value.size());
  std::memcpy(out + n - 2, "\r\n", 2);
  edits_[edit_count_] = {m_.start_line.end(), 0, scratch_used_, static_cast<uint16_t>(n),
                         static_cast<uint8_t>(edit_count_ + 1)};
  ++edit_count_;
  scratch_used_ = static_cast<uint16_t>(scratch_used_ + n);
  return EditError::none;
}

EditError MessageEditor::commit() {
  // A local count: the loops below store octets (order[], the text), which the compiler must
  // otherwise assume may change the member and reload it at every step.
  const uint8_t count = edit_count_;
  // Bottom-up order; among edits at one position the highest rank is applied first, so that the
  // final text has them in rank order (the order they were added in, unless one must lead).
  uint8_t order[kMaxEdits];
  for (uint8_t i = 0; i < count; ++i) order[i] = i;
  for (uint8_t i = 1; i < count; ++i) {
    uint8_t k = order[i];
    int j = i - 1;
    while (j >= 0 && (edits_[order[j]].pos < edits_[k].pos ||
                      (edits_[order[j]].pos == edits_[k].pos && edits_[order[j]].rank < edits_[k].rank))) {
      order[j + 1] = order[j];
      --j;
    }
    order[j + 1] = k;
  }
  // Validate everything before touching the buffer, so a failure leaves it unchanged.
  int64_t net = 0;
  int64_t peak = 0;  // largest running growth in application order: the room actually needed
  for (uint8_t i = 0; i < count; ++i) {
    const Edit& e = edits_[order[i]];
    if (e.pos + e.old_len > length_) return EditError::overlapping_edits;
    if (i > 0) {
      const Edit& above = edits_[order[i - 1]];  // applied before e, lies at or after it
      if (e.pos + e.old_len > above.pos) return EditError::overlapping_edits;
    }
    net += int64_t{e.text_len} - e.old_len;
    if (net > peak) peak = net;
  }
  if (int64_t{length_} + net > int64_t{kMaxMessageSize}) return EditError::too_large;
  int64_t head_free = int64_t{head_} - reserve_front_;
  int64_t tail_free = int64_t{capacity_} - head_ - length_;
  if (head_free < 0) head_free = 0;
  if (peak > head_free + tail_free) return EditError::no_room;

  // Common case (a proxy's edits near the top, headroom enough): one pass from the top down,
  // moving each stretch between edits left once. It applies when no stretch has to move right,
  // i.e. no running total of the growth from the top exceeds the final growth.
  if (net >= 0 && net <= head_free) {
    int64_t cum = 0;
    bool left_only = true;
    for (int i = count - 1; i >= 0 && left_only; --i) {
      const Edit& e = edits_[order[i]];
      cum += int64_t{e.text_len} - e.old_len;
      left_only = cum <= net;
    }
    if (left_only) {
      char* old_base = room_ + head_;
      char* dst = old_base - net;
      uint32_t src = 0;
      for (int i = count - 1; i >= 0; --i) {
        const Edit& e = edits_[order[i]];
        uint32_t n = e.pos - src;
        if (dst != old_base + src) small_copy::copy_down(dst, old_base + src, n);
        dst += n;
        small_copy::copy_down(dst, scratch_ + e.text_off, e.text_len);
        dst += e.text_len;
        src = e.pos + e.old_len;
      }
      // What follows the last edit is already in place.
      head_ = static_cast<uint32_t>(int64_t{head_} - net);
      length_ = static_cast<uint32_t>(int64_t{length_} + net);
      edit_count_ = 0;
      scratch_used_ = 0;
      return EditError::none;
    }
  }

  for (uint8_t i = 0; i < count; ++i) {
    const Edit& e = edits_[order[i]];
    int64_t d = int64_t{e.text_len} - e.old_len;
    uint32_t prefix = e.pos;
    uint32_t suffix = length_ - e.pos - e.old_len;
    head_free = int64_t{head_} - reserve_front_;
    if (head_free < 0) head_free = 0;
    tail_free = int64_t{capacity_} - head_ - length_;
    // `front` is how far the prefix moves left (negative: right); the suffix moves by d - front.
    int64_t front;
    if (d >= 0) {
      if (prefix <= suffix)
        front = d <= head_free ? d : head_free;
      else
        front = d <= tail_free ? 0 : d - tail_free;
      if (front > head_free) front = head_free;
    } else {
      front = prefix <= suffix ? d : 0;
    }
    int64_t back = d - front;
    char* base = room_ + head_;
    char* suffix_at = base + e.pos + e.old_len;
    if (back > 0) small_copy::copy_up(suffix_at + back, suffix_at, suffix);
    if (back < 0) small_copy::copy_down(suffix_at + back, suffix_at, suffix);
    if (front > 0) small_copy::copy_down(base - front, base, prefix);
    if (front < 0) small_copy::copy_up(base - front, base, prefix);
    head_ = static_cast<uint32_t>(int64_t{head_} - front);
    small_copy::copy_down(room_ + head_ + e.pos, scratch_ + e.text_off, e.text_len);
    length_ = static_cast<uint32_t>(int64_t{length_} + d);
  }
  edit_count_ = 0;
  scratch_used_ = 0;
  return EditError::none;
}

std::size_t write_message(const Message& m, char* out, std::size_t capacity) {
  std::size_t n = 0;
  auto put = [&](Span s) {
    if (n + s.len > capacity) return false;
    std::memcpy(out + n, m.data + s.off, s.len);
    n += s.len;
    return true;
  };
  if (!put(m.start_line)) return 0;
  for (uint16_t i = 0; i < m.header_count; ++i)
    if (!put(m.headers[i].line)) return 0;
  if (!put({m.headers_end, static_cast<uint16_t>(m.body_offset - m.headers_end)})) return 0;
  if (!put({m.body_offset, m.body_length})) return 0;
  return n;
}

}  // namespace siplb::sip
