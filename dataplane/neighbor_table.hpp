// IPv4 neighbours (ARP cache) shared by all workers of a port set: a fixed open-addressing array
// sized at start-up. Lookups and updates are lock-free: a slot's IP is claimed once by CAS and
// never changes afterwards; its MAC and timestamps are atomics. Entries expire by age (the
// worker re-resolves a stale entry) rather than being removed, so readers never see a slot
// reused for another address. Any worker thread reads and writes; control only reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace siplb::dataplane {

struct NeighborEntry {
  std::atomic<uint32_t> ip{0};           // network order; 0 = free slot
  std::atomic<uint64_t> mac{0};          // low 48 bits: MAC in wire order; bit 63: resolved
  std::atomic<uint64_t> confirmed_tsc{0};  // when an ARP packet from it was last seen
  std::atomic<uint64_t> requested_tsc{0};  // when we last sent it an ARP request
};

class NeighborTable {
 public:
  static constexpr uint64_t kResolved = uint64_t{1} << 63;

  explicit NeighborTable(uint32_t capacity_pow2);

  // Finds the slot of `ip_be`, claiming a free one when `create` is set. nullptr when absent (or
  // the table is full).
  NeighborEntry* find(uint32_t ip_be, bool create);

  // Records that `ip_be` is at `mac` (6 octets) as of `now_tsc`.
  void learn(uint32_t ip_be, const uint8_t* mac, uint64_t now_tsc);

  enum class Resolution : uint8_t {
    fresh,       // MAC copied, entry confirmed within max_age
    refresh,     // MAC copied, entry older than max_age: use it, and send an ARP request
    unresolved,  // no usable MAC: queue the packet and send an ARP request
  };
  // Looks up `ip_be`. An entry older than max_age + grace is unresolved again, so a neighbour
  // that stopped answering is dropped from use after `grace`.
  Resolution resolve(uint32_t ip_be, uint64_t now_tsc, uint64_t max_age_tsc, uint64_t grace_tsc,
                     uint8_t* mac_out);

  uint32_t capacity() const { return mask_ + 1; }
  const NeighborEntry& slot(uint32_t i) const { return slots_[i]; }

 private:
  std::unique_ptr<NeighborEntry[]> slots_;
  uint32_t mask_;
};

}  // namespace siplb::dataplane
