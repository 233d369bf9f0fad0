#include "dialog_record.hpp"

#include <limits>

namespace siplb::control::store {
namespace {

void append_big_endian(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t read_big_endian(std::string_view in) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

void append_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

void append_bytes(std::string& out, std::string_view bytes) {
  append_varint(out, bytes.size());
  out.append(bytes);
}

// Reads the value front to back; any failure sticks, so callers check once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  uint8_t byte() {
    if (in_.empty()) return fail();
    uint8_t b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return b;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return fail();
      uint8_t b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      // The tenth byte may only carry the top bit of a 64-bit value.
      if (shift == 63 && b > 1) return fail();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  uint32_t varint32() {
    uint64_t v = varint();
    if (v > std::numeric_limits<uint32_t>::max()) return fail();
    return static_cast<uint32_t>(v);
  }
  uint64_t fixed64_little_endian() {
    if (in_.size() < 8) return fail();
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return v;
  }
  std::string bytes() {
    uint64_t n = varint();
    if (n > in_.size()) return fail(), std::string();
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::size_t remaining() const { return in_.size(); }
  bool ok() const { return ok_; }

 private:
  uint8_t fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string encode_dialog_key(uint64_t call_id_hash, uint64_t caller_tag_hash) {
  std::string key;
  key.reserve(kDialogKeySize);
  append_big_endian(key, call_id_hash);
  append_big_endian(key, caller_tag_hash);
  return key;
}

bool decode_dialog_key(std::string_view key, uint64_t& call_id_hash, uint64_t& caller_tag_hash) {
  if (key.size() != kDialogKeySize) return false;
  call_id_hash = read_big_endian(key.substr(0, 8));
  caller_tag_hash = read_big_endian(key.substr(8, 8));
  return true;
}

std::string encode_dialog_value(const DialogRecord& r) {
  std::string out;
  out.reserve(32 + r.destination.size() + r.resources.size() * 8);
  out.push_back(static_cast<char>(kDialogRecordVersion));
  out.push_back(static_cast<char>(r.phase));
  append_varint(out, r.set_id);
  append_varint(out, r.initial_cseq);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((r.callee_tag >> (8 * i)) & 0xff));
  append_varint(out, zigzag(r.created_unix_ms));
  // Unsigned subtraction wraps instead of overflowing; the reader adds it back the same way.
  uint64_t activity_delta =
      static_cast<uint64_t>(r.last_activity_unix_ms) - static_cast<uint64_t>(r.created_unix_ms);
  append_varint(out, zigzag(static_cast<int64_t>(activity_delta)));
  append_bytes(out, r.destination);
  append_varint(out, r.resources.size());
  for (const std::string& resource : r.resources) append_bytes(out, resource);
  return out;
}

std::optional<DialogRecord> decode_dialog(std::string_view key, std::string_view value) {
  if (key.size() != kDialogKeySize) return std::nullopt;
  Reader in(value);
  if (in.byte() != kDialogRecordVersion || !in.ok()) return std::nullopt;
  DialogRecord r;
  r.call_id_hash = read_big_endian(key.substr(0, 8));
  r.caller_tag_hash = read_big_endian(key.substr(8, 8));
  r.phase = in.byte();
  r.set_id = in.varint32();
  r.initial_cseq = in.varint32();
  r.callee_tag = in.fixed64_little_endian();
  r.created_unix_ms = unzigzag(in.varint());
  uint64_t activity_delta = static_cast<uint64_t>(unzigzag(in.varint()));
  r.last_activity_unix_ms = static_cast<int64_t>(static_cast<uint64_t>(r.created_unix_ms) + activity_delta);
  r.destination = in.bytes();
  uint64_t resource_count = in.varint();
  // Each resource takes at least its length byte: a larger count is damage, not a reason to reserve.
  if (!in.ok() || resource_count > in.remaining()) return std::nullopt;
  r.resources.reserve(resource_count);
  for (uint64_t i = 0; i < resource_count; ++i) r.resources.push_back(in.bytes());
  if (!in.ok() || in.remaining() != 0) return std::nullopt;
  return r;
}

}  // namespace siplb::control::store
