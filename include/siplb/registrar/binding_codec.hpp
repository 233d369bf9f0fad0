// The stored form of an AoR's bindings: control persists key = AoR text, value = encode_aor_state()
// and reads it back at start with decode_aor_state(). Compact, versioned, little-endian; the
// decoder checks every length and flag, so a corrupt or foreign value is refused (false), never
// read past its end. The control thread (encode appends to a std::string: it allocates).
//
// Version 1: 'R' 1, key length (1) key, count (1), then per binding: expires_at (8), updated_ms (8),
// call_id_hash (8), cseq (4), reg_id (4), q_millis (2), flags (1: has_q 1, v6 2), received ip (4 or
// 16) port (2), then contact, path, instance, call_id each as length (1) + octets. Nothing after.
#pragma once

#include <string>
#include <string_view>

#include "siplb/registrar/binding.hpp"

namespace siplb::registrar {

inline constexpr uint8_t kAorCodecVersion = 1;

// Appends the encoding of `state` (its count bindings, in order) to `out`.
void encode_aor_state(const AorState& state, std::string& out);

// Decodes a whole value into `out`. False (and `out` cleared) when it is not exactly one valid
// version-1 encoding: bad magic or version, a length past its field's size or past the end, a
// count above kMaxContactsPerAor, unknown flag bits, q above 1000, an empty key or one holding a NUL,
// octets left over.
bool decode_aor_state(std::string_view data, AorState& out);

}  // namespace siplb::registrar
