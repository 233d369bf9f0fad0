// Registrar bindings as every part of siplb holds them (RFC 3261 10.3): one address-of-record
// (AoR) and up to kMaxContactsPerAor contacts, each with what routing to it needs (the contact
// URI, the source address the REGISTER came from for NAT, the Path route set) and what the 10.3
// rules compare (Call-ID, CSeq, expiry). Plain fixed-size data: workers copy it into their
// tables without allocating, control persists it, the API prints it. Any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace siplb::registrar {

inline constexpr std::size_t kAorKeySize = 128;        // "user@domain" and NUL padding
inline constexpr std::size_t kMaxContactsPerAor = 16;  // [registrar] max_contacts is at most this
inline constexpr std::size_t kMaxContactUri = 192;
inline constexpr std::size_t kMaxPath = 192;
inline constexpr std::size_t kMaxInstance = 80;
inline constexpr std::size_t kMaxCallIdText = 64;      // kept for display; comparisons use the hash

// The canonical AoR (RFC 3261 10.3 step 5): "user@host" of the To URI, the host lower-cased, the
// user as written; scheme, port and parameters dropped. Zero-padded to a fixed size so that it
// can be a hash key as it stands; at most kAorKeySize - 1 octets long.
struct AorKey {
  char text[kAorKeySize] = {};
  std::string_view view() const { return {text, ::strnlen(text, kAorKeySize)}; }
  friend bool operator==(const AorKey& a, const AorKey& b) { return std::memcmp(a.text, b.text, kAorKeySize) == 0; }
};

// A source address: IPv4 in the first four octets of ip (network order), or IPv6.
struct Source {
  uint8_t ip[16] = {};
  uint16_t port = 0;  // host order; 0: none recorded
  bool v6 = false;
};

// One contact of an AoR.
struct Binding {
  int64_t expires_at = 0;  // Unix time in seconds; the binding is gone from then on
  int64_t updated_ms = 0;  // Unix time in milliseconds of the REGISTER that last wrote it
  uint64_t call_id_hash = 0;
  uint32_t cseq = 0;
  uint32_t reg_id = 0;     // RFC 5626 reg-id, 0 when absent
  uint16_t q_millis = 1000;  // q=0.5 -> 500
  bool has_q = false;
  Source received;         // where the REGISTER came from (sent to when routing to the contact)
  uint8_t contact_length = 0;
  uint8_t path_length = 0;
  uint8_t instance_length = 0;
  uint8_t call_id_length = 0;
  char contact[kMaxContactUri] = {};  // the URI only (what was inside <>), as written
  char path[kMaxPath] = {};           // the Path values as received, comma-separated (RFC 3327)
  char instance[kMaxInstance] = {};   // +sip.instance value as written (quotes included)
  char call_id[kMaxCallIdText] = {};  // the Call-ID, cut at kMaxCallIdText octets

  std::string_view contact_uri() const { return {contact, contact_length}; }
  std::string_view path_text() const { return {path, path_length}; }
  std::string_view instance_text() const { return {instance, instance_length}; }
  std::string_view call_id_text() const { return {call_id, call_id_length}; }
};

// Every contact of one AoR: what the registrar logic reads and writes, by value.
struct AorState {
  AorKey key;
  uint8_t count = 0;  // bindings[0, count) are live; order is not significant
  Binding bindings[kMaxContactsPerAor];
};

}  // namespace siplb::registrar
