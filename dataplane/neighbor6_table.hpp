// IPv6 neighbours (the NDP cache) shared by all workers: the IPv6 twin of NeighborTable. A slot is
// claimed with a CAS on its state (free -> writing -> ready), its 16-octet address written in
// between; it never changes address afterwards. MAC and timestamps are atomics, so lookups and
// updates are lock-free. Any worker reads and writes; control only reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

#include "neighbor_table.hpp"

namespace siplb::dataplane {

struct Neighbor6Entry {
  std::atomic<uint32_t> state{0};  // 0 free, 1 being claimed, 2 ready
  uint8_t ip[16] = {};
  std::atomic<uint64_t> mac{0};    // low 48 bits: MAC; bit 63: resolved
  std::atomic<uint64_t> confirmed_tsc{0};
  std::atomic<uint64_t> requested_tsc{0};
};

class Neighbor6Table {
 public:
  explicit Neighbor6Table(uint32_t capacity_pow2);
  Neighbor6Entry* find(const uint8_t* ip, bool create);
  void learn(const uint8_t* ip, const uint8_t* mac, uint64_t now_tsc);
  NeighborTable::Resolution resolve(const uint8_t* ip, uint64_t now_tsc, uint64_t max_age_tsc,
                                    uint64_t grace_tsc, uint8_t* mac_out);

 private:
  std::unique_ptr<Neighbor6Entry[]> slots_;
  uint32_t mask_;
};

}  // namespace siplb::dataplane
