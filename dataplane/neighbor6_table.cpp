// Lock-free NDP cache: linear probing, slots claimed by CAS on their state.
#include "neighbor6_table.hpp"

namespace siplb::dataplane {
namespace {
constexpr uint32_t kMaxProbe = 32;
constexpr uint32_t kFree = 0, kClaiming = 1, kReady = 2;
inline uint32_t slot_hash(const uint8_t* ip) {
  uint64_t a, b;
  std::memcpy(&a, ip, 8);
  std::memcpy(&b, ip + 8, 8);
  uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
  return static_cast<uint32_t>(h >> 32);
}
}  // namespace

Neighbor6Table::Neighbor6Table(uint32_t capacity_pow2)
    : slots_(new Neighbor6Entry[capacity_pow2]), mask_(capacity_pow2 - 1) {}

Neighbor6Entry* Neighbor6Table::find(const uint8_t* ip, bool create) {
  uint32_t i = slot_hash(ip) & mask_;
  for (uint32_t n = 0; n < kMaxProbe && n <= mask_; ++n, i = (i + 1) & mask_) {
    Neighbor6Entry& e = slots_[i];
    uint32_t st = e.state.load(std::memory_order_acquire);
    // Another worker is writing this slot's address: it takes nanoseconds, wait for it.
    for (int spin = 0; st == kClaiming && spin < 1000; ++spin) st = e.state.load(std::memory_order_acquire);
    if (st == kReady) {
      if (std::memcmp(e.ip, ip, 16) == 0) return &e;
      continue;
    }
    if (st == kFree) {
      if (!create) return nullptr;
      uint32_t expected = kFree;
      if (e.state.compare_exchange_strong(expected, kClaiming, std::memory_order_acq_rel)) {
        std::memcpy(e.ip, ip, 16);
        e.state.store(kReady, std::memory_order_release);
        return &e;
      }
      --n;  // lost the race for this slot: look at it again
      i = (i - 1) & mask_;
    }
  }
  return nullptr;
}

void Neighbor6Table::learn(const uint8_t* ip, const uint8_t* mac, uint64_t now_tsc) {
  Neighbor6Entry* e = find(ip, true);
  if (!e) return;
  uint64_t v = 0;
  std::memcpy(&v, mac, 6);
  e->mac.store(v | NeighborTable::kResolved, std::memory_order_release);
  e->confirmed_tsc.store(now_tsc, std::memory_order_relaxed);
}

NeighborTable::Resolution Neighbor6Table::resolve(const uint8_t* ip, uint64_t now_tsc,
                                                  uint64_t max_age_tsc, uint64_t grace_tsc,
                                                  uint8_t* mac_out) {
  Neighbor6Entry* e = find(ip, false);
  if (!e) return NeighborTable::Resolution::unresolved;
  uint64_t v = e->mac.load(std::memory_order_acquire);
  if (!(v & NeighborTable::kResolved)) return NeighborTable::Resolution::unresolved;
  uint64_t age = now_tsc - e->confirmed_tsc.load(std::memory_order_relaxed);
  if (age > max_age_tsc + grace_tsc) return NeighborTable::Resolution::unresolved;
  std::memcpy(mac_out, &v, 6);
  return age > max_age_tsc ? NeighborTable::Resolution::refresh : NeighborTable::Resolution::fresh;
}

}  // namespace siplb::dataplane
