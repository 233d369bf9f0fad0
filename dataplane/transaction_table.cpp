// Per-worker transaction routes: a linear-probing index over dense entries. Deletion shifts the
// index back (no tombstones, so probe sequences stay as short as the live keys make them) and
// moves the last entry into the freed one. Single thread, no lock.
#include "transaction_table.hpp"

#include <rte_common.h>
#include <rte_log.h>
#include <rte_malloc.h>

namespace siplb::dataplane {

std::unique_ptr<TransactionTable> TransactionTable::create(const char* name, uint32_t capacity,
                                                           int socket_id) {
  std::unique_ptr<TransactionTable> t(new TransactionTable());
  // Twice as many index slots as entries: at most half full, so a probe rarely goes past a slot
  // or two.
  if (capacity > 0 && capacity <= UINT32_MAX / 2) {
    t->slots_ = static_cast<Slot*>(
        rte_zmalloc_socket(name, sizeof(Slot) * uint64_t{capacity} * 2, RTE_CACHE_LINE_SIZE, socket_id));
    t->entries_ = static_cast<Entry*>(
        rte_zmalloc_socket(name, sizeof(Entry) * uint64_t{capacity}, RTE_CACHE_LINE_SIZE, socket_id));
  }
  if (!t->slots_ || !t->entries_) {
    RTE_LOG(ERR, USER1, "transaction table %s: cannot allocate %u entries\n", name, capacity);
    return nullptr;
  }
  t->capacity_ = capacity;
  t->slot_count_ = capacity * 2;
  return t;
}

TransactionTable::~TransactionTable() {
  rte_free(slots_);
  rte_free(entries_);
}

uint32_t TransactionTable::tag_of(uint64_t call_id_hash, uint32_t cseq_number) {
  // The Call-ID hash is uniform already; the multiply spreads the CSeq number over the high half,
  // which is the tag and, scaled to the slot count, the home slot (no power-of-two size needed).
  uint64_t h = (call_id_hash ^ (uint64_t{cseq_number} * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
  return static_cast<uint32_t>(h >> 32);
}

uint32_t TransactionTable::probe(const TransactionKey& key, uint32_t tag) const {
  // Ends: at most capacity_ of the 2 * capacity_ slots are used.
  uint32_t i = home(tag);
  for (; slots_[i].entry != 0; i = next(i)) {
    if (slots_[i].tag != tag) continue;
    const Entry& e = entries_[slots_[i].entry - 1];
    if (e.call_id_hash == key.call_id_hash && e.cseq_number == key.cseq_number) break;
  }
  return i;
}

bool TransactionTable::remember(const TransactionKey& key, const TransactionRoute& route,
                                uint64_t expires_tsc) {
  uint32_t tag = tag_of(key.call_id_hash, key.cseq_number);
  uint32_t i = probe(key, tag);
  if (slots_[i].entry == 0) {
    if (count_ == capacity_) return false;
    entries_[count_].call_id_hash = key.call_id_hash;
    entries_[count_].cseq_number = key.cseq_number;
    slots_[i] = {++count_, tag};
  }
  Entry& e = entries_[slots_[i].entry - 1];
  e.route = route;
  e.expires_tsc = expires_tsc;
  return true;
}

bool TransactionTable::find(const TransactionKey& key, uint64_t now_tsc, TransactionRoute& out) {
  uint32_t i = probe(key, tag_of(key.call_id_hash, key.cseq_number));
  if (slots_[i].entry == 0) return false;
  const Entry& e = entries_[slots_[i].entry - 1];
  if (e.expires_tsc < now_tsc) {
    erase(i);
    return false;
  }
  out = e.route;
  return true;
}

void TransactionTable::erase(uint32_t i) {
  uint32_t freed = slots_[i].entry - 1;
  // Close the gap in the index: a later slot of the same cluster moves into it unless its home
  // lies (cyclically) after the gap, where a probe starting at its home would no longer pass it.
  for (uint32_t j = next(i); slots_[j].entry != 0; j = next(j)) {
    uint32_t k = home(slots_[j].tag);
    bool home_after_gap = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!home_after_gap) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i].entry = 0;
  // Keep the entries dense: the last one moves into the freed one, and its slot follows.
  uint32_t last = --count_;
  if (freed == last) return;
  entries_[freed] = entries_[last];
  uint32_t j = home(tag_of(entries_[freed].call_id_hash, entries_[freed].cseq_number));
  while (slots_[j].entry != last + 1) j = next(j);
  slots_[j].entry = freed + 1;
}

void TransactionTable::sweep(uint64_t now_tsc, uint32_t budget) {
  for (uint32_t n = 0; n < budget; ++n) {
    if (sweep_next_ >= count_) {
      sweep_next_ = 0;  // wrapped: start again next time
      return;
    }
    const Entry& e = entries_[sweep_next_];
    if (e.expires_tsc < now_tsc) {
      TransactionKey key{e.call_id_hash, e.cseq_number};
      erase(probe(key, tag_of(key.call_id_hash, key.cseq_number)));
      // The last entry moved into this one: look at it next.
    } else {
      ++sweep_next_;
    }
  }
}

}  // namespace siplb::dataplane
