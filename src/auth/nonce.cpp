// Nonce issue and checks: HMAC-signed stateless text plus one atomic word per slot.
#include "siplb/auth/nonce.hpp"

#include <openssl/rand.h>

#include <cstring>

namespace siplb::auth {

namespace {

constexpr std::string_view kDomainTag = "siplb-nonce-1";
constexpr std::size_t kPayload = 12;  // issued_s, slot, generation
constexpr std::size_t kMacBytes = 16;
static_assert(kNonceLength == 2 * (kPayload + kMacBytes));

// Slot word: claimed (bit 63) | generation (low 23 bits) << 40 | failures << 32 | highest nc.
// A slot never issued is 0, without the claimed bit, so no nonce matches it.
constexpr uint64_t kClaimed = uint64_t{1} << 63;
constexpr uint64_t kGenMask = 0x7fffff;
constexpr uint64_t word(uint32_t generation, uint8_t failures, uint32_t nc) {
  return kClaimed | (uint64_t{generation} & kGenMask) << 40 | uint64_t{failures} << 32 | nc;
}
constexpr uint32_t word_generation(uint64_t w) { return static_cast<uint32_t>(w >> 40 & kGenMask); }
constexpr uint8_t word_failures(uint64_t w) { return static_cast<uint8_t>(w >> 32); }
constexpr uint32_t word_nc(uint64_t w) { return static_cast<uint32_t>(w); }
bool same_generation(uint64_t w, uint32_t generation) {
  return (w & kClaimed) && word_generation(w) == (generation & kGenMask);
}

void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
uint32_t get32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // we issue lower case only
}

std::string_view as_text(const uint8_t* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }

}  // namespace

std::unique_ptr<NonceAuthority> NonceAuthority::create(const NonceSettings& settings, std::string* error) {
  auto fail = [&](const char* why) {
    if (error) *error = why;
    return std::unique_ptr<NonceAuthority>{};
  };
  if (settings.slots == 0 || settings.slots > (1u << 28)) return fail("nonce slots must be 1..268435456");
  if (settings.lifetime_s == 0) return fail("nonce lifetime must be at least 1 s");
  NonceSettings s = settings;
  static constexpr std::array<uint8_t, 32> kZero{};
  if (s.secret == kZero && RAND_bytes(s.secret.data(), static_cast<int>(s.secret.size())) != 1)
    return fail("no random secret for nonces: RAND_bytes failed");
  // The issue counter starts at a random point, so that nonces signed with a configured secret
  // before a restart name generations the fresh slots do not hold (stale, not replayable).
  uint64_t start = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&start), sizeof start) != 1)
    return fail("no random start for nonces: RAND_bytes failed");
  std::unique_ptr<NonceAuthority> a(new NonceAuthority(s));
  a->issued_.store(start >> 8, std::memory_order_relaxed);  // far from wrapping
  return a;
}

NonceAuthority::NonceAuthority(const NonceSettings& settings)
    : settings_(settings),
      hmac_(settings.secret.data(), settings.secret.size()),
      slots_(new std::atomic<uint64_t>[settings.slots]) {
  for (uint32_t i = 0; i < settings.slots; ++i) slots_[i].store(0, std::memory_order_relaxed);
}

NonceText NonceAuthority::issue(std::string_view realm, uint64_t now_s) {
  const uint64_t n = issued_.fetch_add(1, std::memory_order_relaxed);
  const uint32_t slot = static_cast<uint32_t>(n % settings_.slots);
  const uint32_t generation = static_cast<uint32_t>(n / settings_.slots);

  // Claim the slot for this generation unless a racing issuer already put a newer one there
  // (23-bit serial-number comparison).
  std::atomic<uint64_t>& w = slots_[slot];
  uint64_t old = w.load(std::memory_order_relaxed);
  for (;;) {
    const uint32_t ahead = (word_generation(old) - generation) & kGenMask;
    if ((old & kClaimed) && ahead != 0 && ahead < (1u << 22)) break;
    if (w.compare_exchange_weak(old, word(generation, 0, 0), std::memory_order_acq_rel)) break;
  }

  uint8_t raw[kPayload + HmacSha256::kSize];
  put32(raw, static_cast<uint32_t>(now_s));
  put32(raw + 4, slot);
  put32(raw + 8, generation);
  hmac_.mac({kDomainTag, realm, as_text(raw, kPayload)}, raw + kPayload);
  NonceText t;
  to_hex(raw, kPayload + kMacBytes, t.text);
  return t;
}

NonceStatus NonceAuthority::check(std::string_view nonce, std::string_view realm, uint64_t now_s) const {
  NonceStatus st;
  if (nonce.size() != kNonceLength) return st;
  uint8_t raw[kPayload + kMacBytes];
  for (std::size_t i = 0; i < sizeof raw; ++i) {
    const int hi = hex_value(nonce[2 * i]);
    const int lo = hex_value(nonce[2 * i + 1]);
    if (hi < 0 || lo < 0) return st;
    raw[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  uint8_t mac[HmacSha256::kSize];
  hmac_.mac({kDomainTag, realm, as_text(raw, kPayload)}, mac);
  if (!constant_time_equal(as_text(mac, kMacBytes), as_text(raw + kPayload, kMacBytes))) return st;

  st.ref = {get32(raw), get32(raw + 4), get32(raw + 8)};
  if (st.ref.slot >= settings_.slots) return st;  // signed by us with other settings
  // Age in 32-bit serial arithmetic; a nonce from a little ahead (a peer's clock) counts as new.
  const int32_t age = static_cast<int32_t>(static_cast<uint32_t>(now_s) - st.ref.issued_s);
  const uint64_t w = slots_[st.ref.slot].load(std::memory_order_acquire);
  if (age > static_cast<int64_t>(settings_.lifetime_s) || age < -5 || !same_generation(w, st.ref.generation)) {
    st.check = NonceCheck::stale;
    return st;
  }
  st.failures = word_failures(w);
  st.check = NonceCheck::ok;
  return st;
}

NcResult NonceAuthority::advance_nc(const NonceRef& ref, uint32_t nc) {
  std::atomic<uint64_t>& w = slots_[ref.slot];
  uint64_t old = w.load(std::memory_order_acquire);
  for (;;) {
    if (!same_generation(old, ref.generation)) return NcResult::stale;
    if (nc <= word_nc(old)) return NcResult::replayed;
    if (w.compare_exchange_weak(old, word(ref.generation, word_failures(old), nc), std::memory_order_acq_rel))
      return NcResult::ok;
  }
}

FailureResult NonceAuthority::record_failure(const NonceRef& ref) {
  std::atomic<uint64_t>& w = slots_[ref.slot];
  uint64_t old = w.load(std::memory_order_acquire);
  for (;;) {
    if (!same_generation(old, ref.generation)) return FailureResult::stale;
    const uint8_t f = word_failures(old);
    const uint8_t next = f == 0xff ? f : static_cast<uint8_t>(f + 1);
    if (w.compare_exchange_weak(old, word(ref.generation, next, word_nc(old)), std::memory_order_acq_rel))
      return exhausted(next) ? FailureResult::give_up : FailureResult::retry;
  }
}

}  // namespace siplb::auth
