// REGISTER processing (RFC 3261 10.3 steps 5-8, RFC 3327 Path, RFC 5626 instance/reg-id): from a
// parsed REGISTER and the AoR's current bindings, the bindings it leaves and the answer it gets.
// Authentication, the Request-URI/domain check and Require are the caller's (steps 1-4).
// Pure function over caller-provided structs: no allocation, no lock, no syscall, so a DPDK
// worker may call it per packet. Any thread.
//
// How a caller uses it:
//   1. register_aor_key(msg, key) -> on failure answer code/reason from the result it fills.
//   2. Look the key up in the binding table: current = the stored AorState or null.
//   3. process_register(settings, msg, source, now_ms, current, next) -> result.
//   4. result.code == 200: if result.changed, store `next` (next.count == 0: erase the AoR); answer
//      200 with write_register_reply() of `next` (Contact lines, Date, Path echo).
//      result.code == 423: answer 423 with "Min-Expires: result.min_expires" (write_register_reply).
//      any other code: answer it with result.reason as the reason phrase; nothing to store.
//   On every code but 200, `next` equals *current (or is an empty state of the key when current is
//   null) and changed is false.
#pragma once

#include <cstdint>
#include <string_view>

#include "siplb/registrar/binding.hpp"
#include "siplb/registrar/registrar_settings.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::registrar {

struct RegisterResult {
  uint16_t code = 500;
  std::string_view reason = "Server Internal Error";  // a static text: the reply's reason phrase
  uint32_t min_expires = 0;  // 423: the Min-Expires value to send
  AorKey key;                // the AoR of the To URI (empty when To gave none)
  bool changed = false;         // next differs from current: persist it
  bool retransmission = false;  // a copy of a REGISTER already applied: 200, nothing changed
  bool removed_all = false;     // Contact: * applied
  bool query = false;           // no Contact: 200 listing the bindings
  // What changed, for counters.
  uint8_t added = 0;
  uint8_t refreshed = 0;
  uint8_t removed = 0;   // by expires 0 or the wildcard
  uint8_t replaced = 0;  // oldest bindings given up for new ones (OverflowMode::replace_oldest)
  uint8_t expired = 0;   // bindings of current already expired at now_ms, dropped from next
};

// The AoR key of a REGISTER's To URI. On failure, `result` holds the answer (400 malformed To,
// 404 not a SIP AoR / no user, 400 too long).
bool register_aor_key(const sip::Message& msg, AorKey& key, RegisterResult* result = nullptr);

// `current` (null: the AoR has no bindings) must be the stored state of the To AoR and must not be
// `next`. `source` is where the REGISTER came from (recorded as each binding's `received`).
// now_ms: Unix time in milliseconds.
RegisterResult process_register(const RegistrarSettings& settings, const sip::Message& msg, const Source& source,
                                int64_t now_ms, const AorState* current, AorState& next);

// The 64-bit Call-ID hash bindings keep (Binding::call_id_hash).
uint64_t call_id_hash(std::string_view call_id);

// Live means expires_at is still ahead of now (seconds = floor(now_ms / 1000)).
inline int64_t seconds_of(int64_t now_ms) { return now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000); }
inline bool binding_live(const Binding& b, int64_t now_ms) { return b.expires_at > seconds_of(now_ms); }

}  // namespace siplb::registrar
