// Per-worker transaction routes: linear probing, deletion by backward shift (no tombstones, so
// probe sequences stay as short as the live entries make them). Single thread, no lock.
#include "transaction_table.hpp"

#include <rte_common.h>
#include <rte_log.h>
#include <rte_malloc.h>

namespace siplb::dataplane {

std::unique_ptr<TransactionTable> TransactionTable::create(const char* name, uint32_t capacity,
                                                           int socket_id) {
  std::unique_ptr<TransactionTable> t(new TransactionTable());
  // Twice the entries allowed: at most half full, so a probe rarely goes past a slot or two.
  if (capacity > 0 && capacity <= UINT32_MAX / 2)
    t->slots_ = static_cast<Slot*>(rte_zmalloc_socket(name, sizeof(Slot) * uint64_t{capacity} * 2,
                                                      RTE_CACHE_LINE_SIZE, socket_id));
  if (!t->slots_) {
    RTE_LOG(ERR, USER1, "transaction table %s: cannot allocate %u entries\n", name, capacity);
    return nullptr;
  }
  t->capacity_ = capacity;
  t->slot_count_ = capacity * 2;
  return t;
}

TransactionTable::~TransactionTable() { rte_free(slots_); }

uint32_t TransactionTable::home(uint64_t call_id_hash, uint32_t cseq_number) const {
  // The Call-ID hash is uniform already; the multiply spreads the CSeq number over the high bits,
  // and the high half scaled to slot_count_ picks the slot (no power-of-two size needed).
  uint64_t h = (call_id_hash ^ (uint64_t{cseq_number} * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
  return static_cast<uint32_t>(((h >> 32) * slot_count_) >> 32);
}

uint32_t TransactionTable::probe(const TransactionKey& key) const {
  uint32_t i = home(key.call_id_hash, key.cseq_number);
  // Ends: at most capacity_ of the 2 * capacity_ slots are used.
  while (slots_[i].used &&
         (slots_[i].call_id_hash != key.call_id_hash || slots_[i].cseq_number != key.cseq_number))
    i = next(i);
  return i;
}

bool TransactionTable::remember(const TransactionKey& key, const TransactionRoute& route,
                                uint64_t expires_tsc) {
  uint32_t i = probe(key);
  Slot& s = slots_[i];
  if (!s.used) {
    if (count_ == capacity_) return false;
    s.used = true;
    s.call_id_hash = key.call_id_hash;
    s.cseq_number = key.cseq_number;
    ++count_;
  }
  s.route = route;
  s.expires_tsc = expires_tsc;
  return true;
}

bool TransactionTable::find(const TransactionKey& key, uint64_t now_tsc, TransactionRoute& out) {
  uint32_t i = probe(key);
  if (!slots_[i].used) return false;
  if (slots_[i].expires_tsc < now_tsc) {
    erase(i);
    return false;
  }
  out = slots_[i].route;
  return true;
}

void TransactionTable::erase(uint32_t i) {
  // Close the gap: a later entry of the same cluster moves into it unless its home lies
  // (cyclically) after the gap, where a lookup starting at its home would no longer pass the gap.
  for (uint32_t j = next(i); slots_[j].used; j = next(j)) {
    uint32_t k = home(slots_[j].call_id_hash, slots_[j].cseq_number);
    bool home_after_gap = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!home_after_gap) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i].used = false;
  --count_;
}

void TransactionTable::sweep(uint64_t now_tsc, uint32_t budget) {
  // `budget` entries looked at, and at most 4 * budget slots, so an empty table costs little too.
  uint32_t entries = 0;
  for (uint32_t slots = 0; entries < budget && slots < 4 * budget; ++slots) {
    if (sweep_next_ >= slot_count_) {
      sweep_next_ = 0;  // wrapped: start again next time
      return;
    }
    Slot& s = slots_[sweep_next_];
    if (!s.used) {
      ++sweep_next_;
      continue;
    }
    ++entries;
    if (s.expires_tsc < now_tsc)
      erase(sweep_next_);  // look at this slot again: a later entry may have moved into it
    else
      ++sweep_next_;
  }
}

}  // namespace siplb::dataplane
