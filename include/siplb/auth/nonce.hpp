// Digest nonces: issued and checked by every worker against one NonceAuthority that the control
// thread creates at start-up (it allocates the slot array and may draw the secret there) and that
// lives as long as the workers. issue(), check(), advance_nc() and record_failure() take no lock,
// allocate nothing and make no syscall: a few relaxed/acq-rel atomics on one 8-octet slot and an
// HMAC-SHA-256 over ~40 octets.
//
// A nonce is the lower-case hex of {issue time (s), slot, generation} (4 octets each, big endian)
// followed by the first 16 octets of HMAC-SHA-256(secret, "siplb-nonce-1" realm payload): 56
// characters. So it is authentic for one realm only, and its age needs no table.
//
// Replay protection (RFC 7616 3.4.5 nonce-count): nonces are issued round-robin into a fixed array
// of slots (slot = issue counter % slots, generation = issue counter / slots). A slot is one
// atomic word {generation (low 23 bits), failed responses (8 bits), highest nc seen (32 bits)}.
// advance_nc() accepts only an nc strictly above the highest seen (compare-and-swap), so a
// replayed or out-of-order request is refused; reissuing a slot resets it under a newer
// generation, which makes the older nonce of that slot stale. With S slots a nonce therefore lives
// until S newer ones were issued or lifetime_s passed, whichever comes first: size slots above the
// challenges issued per lifetime. record_failure() counts wrong responses per nonce so the caller
// can answer 403 after `retries` of them instead of challenging for ever.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "siplb/auth/digest_hash.hpp"

namespace siplb::auth {

struct NonceSettings {
  uint32_t lifetime_s = 300;  // older nonces are stale (RFC 7616 stale=true)
  uint32_t slots = 65536;     // nonces tracked at once (8 octets each)
  uint8_t retries = 3;        // wrong responses with one nonce before giving up (403); 0: never
  // HMAC key. All zero: create() draws one from the OS (so nonces die with the process); HA peers
  // that verify each other's nonces must configure the same one.
  std::array<uint8_t, 32> secret{};
};

inline constexpr std::size_t kNonceLength = 56;

struct NonceText {
  char text[kNonceLength] = {};
  std::string_view view() const { return {text, kNonceLength}; }
};

// What the nonce says about itself once decoded and authenticated.
struct NonceRef {
  uint32_t issued_s = 0;
  uint32_t slot = 0;
  uint32_t generation = 0;
};

enum class NonceCheck : uint8_t {
  ok,       // authentic, young enough, its slot still holds it
  stale,    // authentic, but older than lifetime_s or its slot was reissued
  invalid,  // not one of ours: malformed, another realm, forged, or another secret
};

struct NonceStatus {
  NonceCheck check = NonceCheck::invalid;
  NonceRef ref;
  uint8_t failures = 0;  // wrong responses recorded so far (when ok)
};

enum class NcResult : uint8_t { ok, replayed, stale };
enum class FailureResult : uint8_t { retry, give_up, stale };

class NonceAuthority {
 public:
  // Control thread. Refuses (nullptr, `error` set) slots of 0 or above 2^28, or a failing RNG.
  static std::unique_ptr<NonceAuthority> create(const NonceSettings& settings, std::string* error);

  NonceAuthority(const NonceAuthority&) = delete;
  NonceAuthority& operator=(const NonceAuthority&) = delete;

  // A fresh nonce for `realm`, taking the next slot. Any worker.
  NonceText issue(std::string_view realm, uint64_t now_s);

  // Decodes and authenticates `nonce` for `realm`; ok/stale/invalid as above. Any worker.
  NonceStatus check(std::string_view nonce, std::string_view realm, uint64_t now_s) const;

  // Accepts nc if it is above every nc accepted for this nonce (then remembers it): ok; replayed
  // otherwise; stale when the slot was reissued meanwhile.
  NcResult advance_nc(const NonceRef& ref, uint32_t nc);

  // Counts one wrong response: retry while fewer than `retries`, give_up from then on.
  FailureResult record_failure(const NonceRef& ref);

  bool exhausted(uint8_t failures) const { return settings_.retries != 0 && failures >= settings_.retries; }
  const NonceSettings& settings() const { return settings_; }

 private:
  explicit NonceAuthority(const NonceSettings& settings);

  NonceSettings settings_;
  HmacSha256 hmac_;
  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
  alignas(64) std::atomic<uint64_t> issued_{0};
};

}  // namespace siplb::auth
