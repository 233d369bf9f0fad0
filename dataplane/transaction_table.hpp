// Where each INVITE went, so that its CANCEL and the ACK of a non-2xx final answer follow it even
// if destination health changed in between (RFC 3261 16.10, 17.1.1.3). One table per worker:
// RSS keeps the datagrams of one client socket on one queue, so the INVITE, its CANCEL and its
// ACK are all seen by the same worker. The table is a DPDK rte_hash used by that worker alone
// (no locks, no sharing); entries expire after a TTL and are swept a few per loop iteration.
#pragma once

#include <cstdint>
#include <memory>

struct rte_hash;

namespace siplb::dataplane {

struct TransactionKey {
  uint64_t call_id_hash;
  uint32_t cseq_number;
  uint32_t zero = 0;  // keeps the key's padding defined for the hash
};

struct TransactionRoute {
  uint32_t ip_be = 0;
  uint16_t port = 0;           // host order
  uint16_t destination = 0;    // global destination position, for counters
  bool v6 = false;
  uint8_t ip6[16] = {};
};

class TransactionTable {
 public:
  // Creates the table (`name` must be unique per process). nullptr on failure (logged).
  static std::unique_ptr<TransactionTable> create(const char* name, uint32_t capacity, int socket_id);
  ~TransactionTable();

  // Records (or refreshes) the route of a transaction. False when the table is full.
  bool remember(const TransactionKey& key, const TransactionRoute& route, uint64_t expires_tsc);
  // Finds a live route; false on a miss or an expired entry.
  bool find(const TransactionKey& key, uint64_t now_tsc, TransactionRoute& out);
  // Deletes up to `budget` expired entries, continuing where the last sweep stopped.
  void sweep(uint64_t now_tsc, uint32_t budget);
  uint32_t size() const;

 private:
  TransactionTable() = default;
  struct Slot {
    TransactionRoute route;
    uint64_t expires_tsc;
  };
  rte_hash* hash_ = nullptr;
  std::unique_ptr<Slot[]> slots_;
  uint32_t sweep_next_ = 0;
};

}  // namespace siplb::dataplane
