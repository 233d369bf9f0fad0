// Where each INVITE went, so that its CANCEL and the ACK of a non-2xx final answer follow it even
// if destination health changed in between (RFC 3261 16.10, 17.1.1.3). One table per worker:
// RSS keeps the datagrams of one client socket on one queue, so the INVITE, its CANCEL and its
// ACK are all seen by the same worker. The table is used by that worker alone (no locks, no
// sharing); entries expire after a TTL and are swept a few per loop iteration.
//
// Two arrays: the entries, kept dense in [0, size()) (a deletion moves the last entry into the
// hole), and an index of 8-octet slots (entry number and a 32-bit tag of the key) with linear
// probing over twice as many slots as entries allowed. The key's Call-ID part is already a 64-bit
// hash, so placing a key is a multiply; a lookup reads one index slot or two, then one entry. Few
// live entries stay in a few cache lines, and sweeps walk live entries only.
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
  // Creates the table on `socket_id`'s memory (`name` names the allocations). nullptr on failure
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
  struct Entry {
    uint64_t call_id_hash;
    uint64_t expires_tsc;
    uint32_t cseq_number;
    TransactionRoute route;
  };
  struct Slot {
    uint32_t entry;  // entry number + 1; 0: empty
    uint32_t tag;    // high half of the key's mixed hash, which also gives its home slot
  };
  static uint32_t tag_of(uint64_t call_id_hash, uint32_t cseq_number);
  uint32_t home(uint32_t tag) const { return static_cast<uint32_t>((uint64_t{tag} * slot_count_) >> 32); }
  uint32_t next(uint32_t i) const { return i + 1 == slot_count_ ? 0 : i + 1; }
  // Index slot holding the key, or the empty slot ending its probe sequence.
  uint32_t probe(const TransactionKey& key, uint32_t tag) const;
  void erase(uint32_t slot);

  Slot* slots_ = nullptr;
  Entry* entries_ = nullptr;
  uint32_t slot_count_ = 0;
  uint32_t capacity_ = 0;
  uint32_t count_ = 0;
  uint32_t sweep_next_ = 0;  // entry number
};

}  // namespace siplb::dataplane
