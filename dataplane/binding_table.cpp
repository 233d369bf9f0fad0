// BindingTable: rte_hash (lock-free readers, multi-writer) + slots of atomic record pointers,
// records and bindings in mempools, replaced records reclaimed through per-writer QSBR queues.
#include "binding_table.hpp"

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include <cstdio>
#include <cstring>
#include <new>

namespace siplb::dataplane {
namespace {

// A dead slot's pointer: any address no record can have.
alignas(AorRecord) const char kDeadMarker[sizeof(AorRecord)] = {};

// FNV-1a over the key's text up to its padding, finished with a multiply: AoRs share long
// prefixes and suffixes ("sip:", "@example.com") so every octet must count.
uint32_t aor_signature(const void* key, uint32_t, uint32_t) {
  const auto* k = static_cast<const registrar::AorKey*>(key);
  uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < registrar::kAorKeySize && k->text[i]; ++i)
    h = (h ^ static_cast<uint8_t>(k->text[i])) * 0x100000001b3ull;
  h *= 0x9e3779b97f4a7c15ull;
  return static_cast<uint32_t>(h >> 32);
}

// Writes retired in one burst at most before the queue reclaims by itself.
constexpr uint32_t kRetireQueue = 8192;
// Records and bindings beyond the capacity: what replaced records may hold while they wait for
// their grace period (a few bursts' worth per writer).
constexpr uint32_t kSlackPerWriter = 1024;
// How often begin() looks a dead key up again before it gives up (the control thread deletes
// the key right after marking its slot, so this is a few hundred nanoseconds at most).
constexpr int kDeadRetries = 1 << 16;

}  // namespace

const AorRecord* BindingTable::dead() { return reinterpret_cast<const AorRecord*>(kDeadMarker); }

std::unique_ptr<BindingTable> BindingTable::create(const char* name, const BindingTableSettings& settings,
                                                   rte_rcu_qsbr* rcu, int socket_id) {
  std::unique_ptr<BindingTable> t(new BindingTable());
  t->rcu_ = rcu;
  t->aor_capacity_ = settings.aors;
  t->binding_capacity_ = settings.bindings;
  char object_name[64];
  rte_hash_parameters params{};
  params.name = name;
  params.entries = settings.aors;
  params.key_len = sizeof(registrar::AorKey);
  params.hash_func = aor_signature;
  params.socket_id = socket_id;
  // No RCU attached to the hash: deleted key positions are freed by collect_empty() after their
  // grace period, once their slot is reset (a position is never handed out with a stale slot).
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
                      RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  t->hash_ = rte_hash_create(&params);
  if (!t->hash_) {
    RTE_LOG(ERR, USER1, "binding table %s: rte_hash_create(%u) failed: %s\n", name, settings.aors,
            rte_strerror(rte_errno));
    return nullptr;
  }
  t->slot_count_ = static_cast<uint32_t>(rte_hash_max_key_id(t->hash_)) + 1;
  t->slots_ = static_cast<Slot*>(rte_zmalloc_socket("binding_slots", sizeof(Slot) * t->slot_count_,
                                                    alignof(Slot), socket_id));
  if (!t->slots_) {
    RTE_LOG(ERR, USER1, "binding table %s: no memory for %u slots\n", name, t->slot_count_);
    return nullptr;
  }
  for (uint32_t i = 0; i < t->slot_count_; ++i) new (&t->slots_[i]) Slot();

  const uint32_t slack = kSlackPerWriter * settings.writers;
  std::snprintf(object_name, sizeof(object_name), "%s_aor", name);
  t->records_ = rte_mempool_create(object_name, settings.aors + slack, sizeof(AorRecord), 64, 0, nullptr,
                                   nullptr, nullptr, nullptr, socket_id, 0);
  std::snprintf(object_name, sizeof(object_name), "%s_contact", name);
  t->binding_pool_ = rte_mempool_create(object_name, settings.bindings + 4 * slack, sizeof(registrar::Binding),
                                        64, 0, nullptr, nullptr, nullptr, nullptr, socket_id, 0);
  if (!t->records_ || !t->binding_pool_) {
    RTE_LOG(ERR, USER1,
            "binding table %s: no memory for %u AoRs and %u contacts (%zu MB; more with -m or fewer "
            "in [registrar])\n",
            name, settings.aors, settings.bindings,
            (std::size_t{settings.aors} * sizeof(AorRecord) + std::size_t{settings.bindings} * sizeof(registrar::Binding)) >> 20);
    return nullptr;
  }
  for (uint16_t w = 0; w < settings.writers; ++w) {
    rte_rcu_qsbr_dq_parameters dq{};
    std::snprintf(object_name, sizeof(object_name), "%s_retire%u", name, w);
    dq.name = object_name;
    dq.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE;  // one writer thread per queue
    dq.size = kRetireQueue;
    dq.esize = sizeof(void*);
    dq.trigger_reclaim_limit = kRetireQueue / 4;
    dq.max_reclaim_size = 256;
    dq.free_fn = free_records;
    dq.p = t.get();
    dq.v = rcu;
    rte_rcu_qsbr_dq* q = rte_rcu_qsbr_dq_create(&dq);
    if (!q) {
      RTE_LOG(ERR, USER1, "binding table %s: rte_rcu_qsbr_dq_create failed: %s\n", name, rte_strerror(rte_errno));
      return nullptr;
    }
    t->retire_.push_back(q);
  }
  return t;
}

BindingTable::~BindingTable() {
  for (rte_rcu_qsbr_dq* q : retire_) rte_rcu_qsbr_dq_delete(q);  // reclaims what waits (threads stopped)
  if (slots_) {
    for (uint32_t i = 0; i < slot_count_; ++i) {
      const AorRecord* r = slots_[i].current.load(std::memory_order_relaxed);
      if (r && r != dead()) release(r);
    }
    rte_free(slots_);
  }
  if (records_) rte_mempool_free(records_);
  if (binding_pool_) rte_mempool_free(binding_pool_);
  if (hash_) rte_hash_free(hash_);
}

void BindingTable::free_records(void* table, void* entries, unsigned count) {
  auto* self = static_cast<BindingTable*>(table);
  auto* records = static_cast<const AorRecord**>(entries);
  for (unsigned i = 0; i < count; ++i) self->release(records[i]);
}

void BindingTable::release(const AorRecord* record) {
  for (uint8_t i = 0; i < record->count; ++i)
    rte_mempool_put(binding_pool_, const_cast<registrar::Binding*>(record->bindings[i]));
  rte_mempool_put(records_, const_cast<AorRecord*>(record));
}

void BindingTable::retire(uint16_t writer, const AorRecord* record) {
  if (writer >= retire_.size()) {  // a thread the table has no queue for (tests): wait here
    rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
    release(record);
    return;
  }
  if (rte_rcu_qsbr_dq_enqueue(retire_[writer], &record) == 0) return;
  // The queue is full of records still in their grace period: wait for it (this thread counts
  // as quiescent here), then free at once. Only under a flood of updates to few AoRs.
  rte_rcu_qsbr_dq_reclaim(retire_[writer], kRetireQueue, nullptr, nullptr, nullptr);
  if (rte_rcu_qsbr_dq_enqueue(retire_[writer], &record) == 0) return;
  rte_rcu_qsbr_synchronize(rcu_, writer);
  release(record);
}

void BindingTable::reclaim(uint16_t writer) {
  if (writer >= retire_.size()) return;
  rte_rcu_qsbr_dq_reclaim(retire_[writer], 256, nullptr, nullptr, nullptr);
}

const AorRecord* BindingTable::find(const registrar::AorKey& key) const {
  const int32_t pos = rte_hash_lookup(hash_, &key);
  if (pos < 0) return nullptr;
  const AorRecord* r = slots_[pos].current.load(std::memory_order_acquire);
  return r == dead() || (r && r->count == 0) ? nullptr : r;
}

const AorRecord* BindingTable::at(int32_t position) const {
  if (position < 0 || static_cast<uint32_t>(position) >= slot_count_) return nullptr;
  const AorRecord* r = slots_[position].current.load(std::memory_order_acquire);
  return r == dead() ? nullptr : r;
}

void BindingTable::copy(const AorRecord& record, registrar::AorState& out) {
  out.key = record.key;
  out.count = record.count;
  for (uint8_t i = 0; i < record.count; ++i) out.bindings[i] = *record.bindings[i];
}

BindingTable::Begin BindingTable::begin(const registrar::AorKey& key, registrar::AorState& state, Handle& handle) {
  for (int attempt = 0; attempt < kDeadRetries; ++attempt) {
    const int32_t pos = rte_hash_add_key(hash_, &key);
    if (pos < 0) return Begin::full;
    const AorRecord* r = slots_[pos].current.load(std::memory_order_acquire);
    if (r == dead()) continue;  // being deleted: the next add gives a fresh position
    handle.position = pos;
    handle.base = r;
    if (r) {
      copy(*r, state);
    } else {
      state.key = key;
      state.count = 0;
    }
    return Begin::ok;
  }
  return Begin::busy;
}

BindingTable::Commit BindingTable::commit(uint16_t writer, const Handle& handle, const registrar::AorState& next,
                                          uint64_t& version) {
  const uint8_t base_count = handle.base ? handle.base->count : 0;
  if (next.count > base_count &&
      contacts_.load(std::memory_order_relaxed) + (next.count - base_count) > binding_capacity_)
    return Commit::no_memory;
  void* objects[registrar::kMaxContactsPerAor + 1];
  if (rte_mempool_get(records_, &objects[0]) != 0) return Commit::no_memory;
  if (next.count && rte_mempool_get_bulk(binding_pool_, &objects[1], next.count) != 0) {
    rte_mempool_put(records_, objects[0]);
    return Commit::no_memory;
  }
  auto* record = static_cast<AorRecord*>(objects[0]);
  record->key = next.key;
  record->version = (handle.base ? handle.base->version : 0) + 1;
  record->count = next.count;
  for (uint8_t i = 0; i < next.count; ++i) {
    auto* b = static_cast<registrar::Binding*>(objects[1 + i]);
    std::memcpy(static_cast<void*>(b), &next.bindings[i], sizeof(registrar::Binding));
    record->bindings[i] = b;
  }
  const AorRecord* expected = handle.base;
  if (!slots_[handle.position].current.compare_exchange_strong(expected, record, std::memory_order_acq_rel)) {
    release(record);
    return Commit::conflict;
  }
  version = record->version;
  if (handle.base) retire(writer, handle.base);
  contacts_.fetch_add(static_cast<uint32_t>(next.count) - base_count, std::memory_order_relaxed);
  if (base_count == 0 && next.count) aors_.fetch_add(1, std::memory_order_relaxed);
  if (base_count && next.count == 0) aors_.fetch_sub(1, std::memory_order_relaxed);
  return Commit::ok;
}

void BindingTable::mark_persisted(int32_t position, uint64_t version) {
  if (position < 0 || static_cast<uint32_t>(position) >= slot_count_) return;
  Slot& s = slots_[position];
  uint64_t seen = s.persisted.load(std::memory_order_relaxed);
  while (seen < version && !s.persisted.compare_exchange_weak(seen, version, std::memory_order_relaxed)) {
  }
}

uint32_t BindingTable::collect_empty(uint16_t writer, uint32_t budget) {
  // Positions deleted earlier whose grace period is over: reset and hand back to the hash.
  std::size_t kept = 0;
  for (const Retired& d : deleted_) {
    if (rte_rcu_qsbr_check(rcu_, d.token, false) == 1) {
      slots_[d.position].persisted.store(0, std::memory_order_relaxed);
      slots_[d.position].current.store(nullptr, std::memory_order_release);
      rte_hash_free_key_with_position(hash_, d.position);
    } else {
      deleted_[kept++] = d;
    }
  }
  deleted_.resize(kept);

  uint32_t collected = 0;
  for (uint32_t n = 0; n < budget && slot_count_; ++n) {
    const uint32_t pos = collect_cursor_;
    collect_cursor_ = (collect_cursor_ + 1) % slot_count_;
    Slot& s = slots_[pos];
    const AorRecord* r = s.current.load(std::memory_order_acquire);
    if (!r || r == dead() || r->count != 0 || s.persisted.load(std::memory_order_relaxed) < r->version) continue;
    // Writers that read `r` fail their swap from here on and look the key up again.
    if (!s.current.compare_exchange_strong(r, dead(), std::memory_order_acq_rel)) continue;
    registrar::AorKey key = r->key;
    rte_hash_del_key(hash_, &key);
    retire(writer, r);
    deleted_.push_back({static_cast<int32_t>(pos), rte_rcu_qsbr_start(rcu_)});
    ++collected;
  }
  return collected;
}

}  // namespace siplb::dataplane
