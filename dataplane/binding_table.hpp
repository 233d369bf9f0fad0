// The registrar's bindings, shared by all workers and the control thread: address-of-record ->
// its contacts. Lookups never block; updates from any number of threads are lock-free.
//
// Layout: a DPDK rte_hash in lock-free read-write mode maps an AorKey to a key position; the
// position's slot holds an atomic pointer to the AoR's current record. A record and its bindings
// are immutable once published: a writer copies the record into an AorState, changes the copy
// (registrar logic), allocates a new record from the table's mempools and swaps it in with one
// compare-and-swap on the slot. A writer that loses the swap (another thread changed the AoR
// meanwhile) frees its copy and starts again from the new record, so no change is ever lost. The
// replaced record goes to the writer's own QSBR defer queue and back to the mempools once every
// reader has passed a quiescent state. Nothing is allocated from the heap after create().
//
// An AoR whose last contact is removed keeps its key with an empty record until the control
// thread's sweep has seen that state persisted; the sweep then marks the slot dead (writers that
// meet a dead slot look the key up again and get a fresh one), deletes the key, and frees the
// key position only after a grace period, when no thread can still hold it.
//
// Threads: writers and readers are the workers (writer id = worker index) and the control thread
// (writer id = the worker count); each must be a QSBR reader of `rcu` and pass quiescent states.
// create/destroy and restore (before the workers start) on the main thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "siplb/registrar/binding.hpp"

struct rte_hash;
struct rte_mempool;
struct rte_rcu_qsbr;
struct rte_rcu_qsbr_dq;

namespace siplb::dataplane {

struct BindingTableSettings {
  uint32_t aors = 1u << 20;      // AoRs the table holds at most
  uint32_t bindings = 1u << 20;  // contacts over all AoRs at most
  uint16_t writers = 1;          // threads that update: the workers and control
};

// One published version of an AoR. Immutable.
struct AorRecord {
  registrar::AorKey key;
  uint64_t version = 0;  // +1 on every change of this AoR
  uint8_t count = 0;
  const registrar::Binding* bindings[registrar::kMaxContactsPerAor] = {};
};

class BindingTable {
 public:
  // nullptr on failure (logged).
  static std::unique_ptr<BindingTable> create(const char* name, const BindingTableSettings& settings,
                                              rte_rcu_qsbr* rcu, int socket_id);
  ~BindingTable();
  BindingTable(const BindingTable&) = delete;
  BindingTable& operator=(const BindingTable&) = delete;

  // The current record of a key, nullptr when it has none (or none with contacts is published).
  // Valid until the caller's next quiescent state.
  const AorRecord* find(const registrar::AorKey& key) const;
  // Copies a record into an AorState (bindings in record order).
  static void copy(const AorRecord& record, registrar::AorState& out);

  // A read for an update: where the key is and which record the update starts from.
  struct Handle {
    int32_t position = -1;
    const AorRecord* base = nullptr;  // nullptr: the AoR has no record yet
  };
  enum class Begin : uint8_t { ok, full, busy };
  // Finds or adds the key and copies its current record into `state` (count 0 when none).
  // full: no room for another AoR. busy: the key is being deleted and kept on failing.
  Begin begin(const registrar::AorKey& key, registrar::AorState& state, Handle& handle);

  enum class Commit : uint8_t { ok, conflict, no_memory };
  // Publishes `next` as the AoR's new record if it is still `handle.base`. conflict: another
  // writer changed it first (begin() again); no_memory: the mempools are exhausted (the bindings
  // limit): nothing changed. On ok, `version` is the new record's.
  Commit commit(uint16_t writer, const Handle& handle, const registrar::AorState& next, uint64_t& version);

  // Hands records replaced by this writer back to the mempools once safe (non-blocking).
  void reclaim(uint16_t writer);

  // --- control thread ---
  // The key position's current record (listings, persistence by position); nullptr when none.
  const AorRecord* at(int32_t position) const;
  // Marks that the record `version` of the AoR at `position` is persisted: an empty one may go.
  void mark_persisted(int32_t position, uint64_t version);
  // Deletes up to `budget` AoRs (from the sweep cursor on) whose record is empty and persisted;
  // frees positions deleted by earlier calls whose grace period is over. Returns how many it deleted.
  uint32_t collect_empty(uint16_t writer, uint32_t budget);

  uint32_t slot_count() const { return slot_count_; }
  uint32_t aors() const { return aors_.load(std::memory_order_relaxed); }         // with contacts
  uint32_t contacts() const { return contacts_.load(std::memory_order_relaxed); }  // published
  uint32_t aor_capacity() const { return aor_capacity_; }
  uint32_t binding_capacity() const { return binding_capacity_; }

 private:
  BindingTable() = default;
  struct alignas(64) Slot {
    std::atomic<const AorRecord*> current{nullptr};
    std::atomic<uint64_t> persisted{0};  // version control has persisted
  };
  struct Retired {  // a key position waiting for its grace period (control thread)
    int32_t position;
    uint64_t token;
  };
  static void free_records(void* table, void* entries, unsigned count);
  void release(const AorRecord* record);
  void retire(uint16_t writer, const AorRecord* record);
  static const AorRecord* dead();

  rte_hash* hash_ = nullptr;
  rte_rcu_qsbr* rcu_ = nullptr;
  rte_mempool* records_ = nullptr;
  rte_mempool* binding_pool_ = nullptr;
  std::vector<rte_rcu_qsbr_dq*> retire_;  // one per writer
  Slot* slots_ = nullptr;                 // rte_zmalloc'd, slot_count_ long
  uint32_t slot_count_ = 0;
  uint32_t aor_capacity_ = 0;
  uint32_t binding_capacity_ = 0;
  alignas(64) std::atomic<uint32_t> aors_{0};
  std::atomic<uint32_t> contacts_{0};
  // Control thread only.
  uint32_t collect_cursor_ = 0;
  std::vector<Retired> deleted_;
};

}  // namespace siplb::dataplane
