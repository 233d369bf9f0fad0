// Where each INVITE went, so that its CANCEL and the ACK of a non-2xx final answer follow it even
// if destination health changed in between (RFC 3261 16.10, 17.1.1.3). One table per worker:
// RSS keeps the datagrams of one client socket on one queue, so the INVITE, its CANCEL and its
// ACK are all seen by the same worker. The table is used by that worker alone (no locks, no
// sharing); entries expire after a TTL and are swept a few per loop iteration.
//
// Open addressing with linear probing over twice as many slots as entries allowed. The key's
// Call-ID part is already a 64-bit hash, so placing an entry is a multiply, and a slot holds key,
// route and expiry together: a lookup usually touches one cache line.
#pragma once

#include <cstdint>
#include <memory>

namespace siplb::dataplane {

struct TransactionKey {
  uint64_t call_id_hash;
  uint32_t cseq_number;
  uint32_t zero = 0;  // keeps the key's padding defined
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
  // Creates the table on `socket_id`'s memory (`name` names the allocation). nullptr on failure
  // (logged).
  static std::unique_ptr<TransactionTable> create(const char* name, uint32_t capacity, int socket_id);
  ~TransactionTable();

  // Records (or refreshes) the route of a transaction. False when the table holds `capacity`
  // entries already.
  bool remember(const TransactionKey& key, const TransactionRoute& route, uint64_t expires_tsc);
  // Finds a live route; false on a miss or an expired entry (which is deleted).
  bool find(const TransactionKey& key, uint64_t now_tsc, TransactionRoute& out);
  // Looks at up to `budget` entries, deleting the expired ones, continuing where the last sweep
  // stopped.
  void sweep(uint64_t now_tsc, uint32_t budget);
  uint32_t size() const { return count_; }

 private:
  TransactionTable() = default;
  struct Slot {
    uint64_t call_id_hash;
    uint64_t expires_tsc;
    uint32_t cseq_number;
    bool used;
    TransactionRoute route;
  };
  uint32_t home(uint64_t call_id_hash, uint32_t cseq_number) const;
  uint32_t next(uint32_t i) const { return i + 1 == slot_count_ ? 0 : i + 1; }
  // Index of the key's slot, or of the empty slot ending its probe sequence.
  uint32_t probe(const TransactionKey& key) const;
  void erase(uint32_t i);

  Slot* slots_ = nullptr;
  uint32_t slot_count_ = 0;
  uint32_t capacity_ = 0;
  uint32_t count_ = 0;
  uint32_t sweep_next_ = 0;
};

}  // namespace siplb::dataplane
