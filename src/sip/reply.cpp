// Replies the proxy sends itself (RFC 3261 8.2.6.2): built from the request's Vias, From, To,
// Call-ID and CSeq into a caller's buffer, with bounds checked on every write.
#include <charconv>
#include <cstring>
#include <utility>

#include "siplb/sip/accessors.hpp"
#include "siplb/sip/writer.hpp"

namespace siplb::sip {
namespace {

class Out {
 public:
  Out(char* buf, std::size_t cap) : buf_(buf), cap_(cap) {}
  void put(std::string_view s) {
    if (!ok_ || s.empty()) return;
    if (n_ + s.size() > cap_) {
      ok_ = false;
      return;
    }
    std::memcpy(buf_ + n_, s.data(), s.size());
    n_ += s.size();
  }
  void put_uint(unsigned v) {
    char digits[10];
    put({digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof(digits), v).ptr - digits)});
  }
  bool ok() const { return ok_; }
  std::size_t size() const { return n_; }

 private:
  char* buf_;
  std::size_t cap_;
  std::size_t n_ = 0;
  bool ok_ = true;
};

}  // namespace

std::size_t build_reply(const Message& m, const ReplySpec& spec, char* out, std::size_t capacity) {
  if (!m.is_request || m.top_via_header == kNoHeader || spec.code < 100 || spec.code > 699) return 0;
  const HeaderField* from = m.first(HeaderId::from);
  const HeaderField* to = m.first(HeaderId::to);
  const HeaderField* call_id = m.first(HeaderId::call_id);
  const HeaderField* cseq = m.first(HeaderId::cseq);
  if (!from || !to || !call_id || !cseq) return 0;
  for (char c : spec.reason)
    if (c == '\r' || c == '\n') return 0;

  Out o(out, capacity);
  o.put("SIP/2.0 ");
  o.put_uint(spec.code);
  o.put(" ");
  o.put(spec.reason);
  o.put("\r\n");

  // Every Via as received, in order; the top one gains received/rport (RFC 3261 18.2.1, RFC 3581).
  for (uint16_t i = 0; i < m.header_count; ++i) {
    const HeaderField& h = m.headers[i];
    if (h.id != HeaderId::via) continue;
    if (i != m.top_via_header) {
      o.put(m.text(h.line));
      continue;
    }
    // At most two splices into the top Via line: the rport value (only a valueless ;rport is
    // filled in, RFC 3581 4) and the received value (replaced, or appended at the value's end).
    const Via& via = m.top_via;
    struct Splice {
      uint32_t pos;
      uint32_t old_len;
      bool is_rport;
    } splice[2];
    int count = 0;
    if (spec.rport != 0 && via.has_rport && via.rport.empty())
      splice[count++] = {via.rport.off, 0, true};
    if (!spec.received.empty())
      splice[count++] = via.received.empty() ? Splice{via.value.end(), 0, false}
                                             : Splice{via.received.off, via.received.len, false};
    // An rport that ends the value sits where ";received=" is appended: it goes first.
    if (count == 2 && splice[1].pos < splice[0].pos) std::swap(splice[0], splice[1]);
    uint32_t cursor = h.line.off;
    for (int k = 0; k < count; ++k) {
      o.put({m.data + cursor, splice[k].pos - cursor});
      if (splice[k].is_rport) {
        o.put("=");
        o.put_uint(spec.rport);
      } else {
        if (via.received.empty()) o.put(";received=");
        o.put(spec.received);
      }
      cursor = splice[k].pos + splice[k].old_len;
    }
    o.put({m.data + cursor, h.line.end() - cursor});
  }

  o.put(m.text(from->line));
  // To gains our tag unless it has one or this is a 100 (RFC 3261 8.2.6.2).
  NameAddr to_value;
  bool add_tag = spec.code > 100 && !spec.to_tag.empty() &&
                 parse_name_addr(m, to->value, to_value) && !to_value.has_tag;
  if (add_tag) {
    o.put({m.data + to->line.off, static_cast<std::size_t>(to->value.end() - to->line.off)});
    o.put(";tag=");
    o.put(spec.to_tag);
    o.put({m.data + to->value.end(), static_cast<std::size_t>(to->line.end() - to->value.end())});
  } else {
    o.put(m.text(to->line));
  }
  o.put(m.text(call_id->line));
  o.put(m.text(cseq->line));
  o.put(spec.extra_headers);
  o.put("Content-Length: 0\r\n\r\n");
  return o.ok() ? o.size() : 0;
}

}  // namespace siplb::sip
