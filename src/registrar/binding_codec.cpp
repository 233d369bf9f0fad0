// Stored form of bindings (see include/siplb/registrar/binding_codec.hpp).
#include "siplb/registrar/binding_codec.hpp"

#include <algorithm>
#include <cstring>

namespace siplb::registrar {

namespace {

constexpr char kMagic = 'R';
constexpr uint8_t kFlagQ = 1, kFlagV6 = 2;

template <class T>
void put_le(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
}

void put_bytes(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>(s.size()));
  out.append(s);
}

struct Reader {
  std::string_view in;
  bool ok = true;

  template <class T>
  T get() {
    if (!ok || in.size() < sizeof(T)) {
      ok = false;
      return T{};
    }
    uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
    in.remove_prefix(sizeof(T));
    return static_cast<T>(v);
  }
  // length (1) + octets into dst[max]; returns the length.
  uint8_t bytes(char* dst, std::size_t max) {
    const uint8_t n = get<uint8_t>();
    if (!ok || n > max || in.size() < n) {
      ok = false;
      return 0;
    }
    std::memcpy(dst, in.data(), n);
    in.remove_prefix(n);
    return n;
  }
};

}  // namespace

void encode_aor_state(const AorState& state, std::string& out) {
  const uint8_t count = state.count <= kMaxContactsPerAor ? state.count : kMaxContactsPerAor;
  out.push_back(kMagic);
  out.push_back(static_cast<char>(kAorCodecVersion));
  put_bytes(out, state.key.view().substr(0, kAorKeySize - 1));
  out.push_back(static_cast<char>(count));
  for (uint8_t i = 0; i < count; ++i) {
    const Binding& b = state.bindings[i];
    put_le<uint64_t>(out, static_cast<uint64_t>(b.expires_at));
    put_le<uint64_t>(out, static_cast<uint64_t>(b.updated_ms));
    put_le<uint64_t>(out, b.call_id_hash);
    put_le<uint32_t>(out, b.cseq);
    put_le<uint32_t>(out, b.reg_id);
    put_le<uint16_t>(out, b.q_millis);
    out.push_back(static_cast<char>((b.has_q ? kFlagQ : 0) | (b.received.v6 ? kFlagV6 : 0)));
    out.append(reinterpret_cast<const char*>(b.received.ip), b.received.v6 ? 16 : 4);
    put_le<uint16_t>(out, b.received.port);
    put_bytes(out, {b.contact, std::min<std::size_t>(b.contact_length, kMaxContactUri)});
    put_bytes(out, {b.path, std::min<std::size_t>(b.path_length, kMaxPath)});
    put_bytes(out, {b.instance, std::min<std::size_t>(b.instance_length, kMaxInstance)});
    put_bytes(out, {b.call_id, std::min<std::size_t>(b.call_id_length, kMaxCallIdText)});
  }
}

bool decode_aor_state(std::string_view data, AorState& out) {
  out = AorState{};
  auto fail = [&] {
    out = AorState{};
    return false;
  };
  Reader r{data};
  if (r.get<uint8_t>() != static_cast<uint8_t>(kMagic) || r.get<uint8_t>() != kAorCodecVersion) return fail();
  const uint8_t key_length = r.bytes(out.key.text, kAorKeySize - 1);
  if (!r.ok || key_length == 0 || std::memchr(out.key.text, 0, key_length)) return fail();
  const uint8_t count = r.get<uint8_t>();
  if (!r.ok || count > kMaxContactsPerAor) return fail();
  for (uint8_t i = 0; i < count; ++i) {
    Binding& b = out.bindings[i];
    b.expires_at = static_cast<int64_t>(r.get<uint64_t>());
    b.updated_ms = static_cast<int64_t>(r.get<uint64_t>());
    b.call_id_hash = r.get<uint64_t>();
    b.cseq = r.get<uint32_t>();
    b.reg_id = r.get<uint32_t>();
    b.q_millis = r.get<uint16_t>();
    const uint8_t flags = r.get<uint8_t>();
    if (!r.ok || (flags & ~(kFlagQ | kFlagV6)) || b.q_millis > 1000) return fail();
    b.has_q = flags & kFlagQ;
    b.received.v6 = flags & kFlagV6;
    const std::size_t ip_length = b.received.v6 ? 16 : 4;
    if (r.in.size() < ip_length) return fail();
    std::memcpy(b.received.ip, r.in.data(), ip_length);
    r.in.remove_prefix(ip_length);
    b.received.port = r.get<uint16_t>();
    b.contact_length = r.bytes(b.contact, kMaxContactUri);
    b.path_length = r.bytes(b.path, kMaxPath);
    b.instance_length = r.bytes(b.instance, kMaxInstance);
    b.call_id_length = r.bytes(b.call_id, kMaxCallIdText);
    if (!r.ok || b.contact_length == 0) return fail();
  }
  if (!r.in.empty()) return fail();
  out.count = count;
  return true;
}

}  // namespace siplb::registrar
