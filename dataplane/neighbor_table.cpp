// Lock-free ARP cache: linear probing over a power-of-two array, slots claimed by CAS.
#include "neighbor_table.hpp"

#include <cstring>

namespace siplb::dataplane {
namespace {
inline uint32_t slot_hash(uint32_t ip) {
  uint32_t h = ip * 0x9e3779b1u;
  return h ^ (h >> 16);
}
constexpr uint32_t kMaxProbe = 32;
}  // namespace

NeighborTable::NeighborTable(uint32_t capacity_pow2)
    : slots_(new NeighborEntry[capacity_pow2]), mask_(capacity_pow2 - 1) {}

NeighborEntry* NeighborTable::find(uint32_t ip_be, bool create) {
  if (ip_be == 0) return nullptr;
  uint32_t i = slot_hash(ip_be) & mask_;
  for (uint32_t n = 0; n < kMaxProbe && n <= mask_; ++n, i = (i + 1) & mask_) {
    NeighborEntry& e = slots_[i];
    uint32_t cur = e.ip.load(std::memory_order_acquire);
    if (cur == ip_be) return &e;
    if (cur == 0) {
      if (!create) return nullptr;
      uint32_t expected = 0;
      if (e.ip.compare_exchange_strong(expected, ip_be, std::memory_order_acq_rel)) return &e;
      if (expected == ip_be) return &e;  // another worker claimed it for the same address
    }
  }
  return nullptr;
}

void NeighborTable::learn(uint32_t ip_be, const uint8_t* mac, uint64_t now_tsc) {
  NeighborEntry* e = find(ip_be, true);
  if (!e) return;
  uint64_t v = 0;
  std::memcpy(&v, mac, 6);
  e->mac.store(v | kResolved, std::memory_order_release);
  e->confirmed_tsc.store(now_tsc, std::memory_order_relaxed);
}

NeighborTable::Resolution NeighborTable::resolve(uint32_t ip_be, uint64_t now_tsc,
                                                 uint64_t max_age_tsc, uint64_t grace_tsc,
                                                 uint8_t* mac_out) {
  NeighborEntry* e = find(ip_be, false);
  if (!e) return Resolution::unresolved;
  uint64_t v = e->mac.load(std::memory_order_acquire);
  if (!(v & kResolved)) return Resolution::unresolved;
  uint64_t age = now_tsc - e->confirmed_tsc.load(std::memory_order_relaxed);
  if (age > max_age_tsc + grace_tsc) return Resolution::unresolved;
  std::memcpy(mac_out, &v, 6);
  return age > max_age_tsc ? Resolution::refresh : Resolution::fresh;
}

}  // namespace siplb::dataplane
