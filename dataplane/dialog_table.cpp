// DialogTable: rte_hash (lock-free readers, multi-writer, QSBR-reclaimed key positions) + slots.
#include "dialog_table.hpp"

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include <cstring>
#include <new>

namespace siplb::dataplane {
namespace {

using dialog::Phase;

// Both halves of the key are 64-bit hashes already: combine them (not a plain XOR, which maps
// correlated halves onto few buckets) and keep the well-mixed high bits.
uint32_t dialog_key_signature(const void* key, uint32_t, uint32_t) {
  const auto* k = static_cast<const DialogKey*>(key);
  uint64_t v = k->call_id_hash ^ ((k->caller_tag_hash << 29) | (k->caller_tag_hash >> 35));
  v *= 0x9e3779b97f4a7c15ull;
  return static_cast<uint32_t>(v >> 32);
}

bool same_key(const DialogKey& a, const DialogKey& b) {
  return a.call_id_hash == b.call_id_hash && a.caller_tag_hash == b.caller_tag_hash;
}

constexpr uint8_t raw(Phase p) { return static_cast<uint8_t>(p); }

}  // namespace

std::unique_ptr<DialogTable> DialogTable::create(const char* name, const DialogSettings& settings,
                                                 rte_rcu_qsbr* rcu, balance::LoadBoard* board,
                                                 int socket_id) {
  rte_hash_parameters params{};
  params.name = name;
  params.entries = settings.capacity;
  params.key_len = sizeof(DialogKey);
  params.hash_func = dialog_key_signature;
  params.socket_id = socket_id;
  // Lock-free lookups concurrent with inserts and deletes from several threads; the extendable
  // bucket table lets the table hold `capacity` keys whatever their distribution.
  params.extra_flag = settings.shared ? RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
                                            RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD | RTE_HASH_EXTRA_FLAGS_EXT_TABLE
                                      : RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  std::unique_ptr<DialogTable> t(new DialogTable());
  t->hash_ = rte_hash_create(&params);
  if (!t->hash_) {
    RTE_LOG(ERR, USER1, "dialog table %s: rte_hash_create(%u) failed: %s\n", name, settings.capacity,
            rte_strerror(rte_errno));
    return nullptr;
  }
  if (rcu && settings.shared) {
    rte_hash_rcu_config rc{};
    rc.v = rcu;
    rc.mode = RTE_HASH_QSBR_MODE_DQ;  // deleted positions wait in a queue, reclaimed when safe
    if (rte_hash_rcu_qsbr_add(t->hash_, &rc) != 0) {
      RTE_LOG(ERR, USER1, "dialog table %s: rte_hash_rcu_qsbr_add failed: %s\n", name, rte_strerror(rte_errno));
      return nullptr;
    }
  }
  t->capacity_ = settings.capacity;
  t->slot_count_ = static_cast<uint32_t>(rte_hash_max_key_id(t->hash_)) + 1;
  t->slots_ = static_cast<Slot*>(rte_zmalloc_socket("dialog_slots", sizeof(Slot) * t->slot_count_,
                                                    alignof(Slot), socket_id));
  if (!t->slots_) {
    RTE_LOG(ERR, USER1, "dialog table %s: no memory for %u slots (%zu MB; more with -m)\n", name,
            t->slot_count_, sizeof(Slot) * t->slot_count_ >> 20);
    return nullptr;
  }
  for (uint32_t i = 0; i < t->slot_count_; ++i) new (&t->slots_[i]) Slot();
  t->board_ = board;
  t->timeouts_ = settings.timeouts;
  return t;
}

DialogTable::~DialogTable() {
  if (slots_) rte_free(slots_);
  if (hash_) rte_hash_free(hash_);
}

DialogTable::Begin DialogTable::begin(const DialogKey& key, uint16_t destination, uint8_t resources,
                                      uint32_t cseq, uint64_t now, int32_t& slot) {
  if (live_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
    live_.fetch_sub(1, std::memory_order_acq_rel);
    return Begin::full;
  }
  const int32_t pos = rte_hash_add_key(hash_, &key);
  if (pos < 0) {
    live_.fetch_sub(1, std::memory_order_acq_rel);
    return Begin::full;
  }
  Slot& s = slots_[pos];
  slot = pos;
  uint8_t expected = raw(Phase::free);
  if (!s.phase.compare_exchange_strong(expected, raw(Phase::busy), std::memory_order_acq_rel)) {
    live_.fetch_sub(1, std::memory_order_acq_rel);
    return Begin::exists;  // the key was there: its dialog is live or being ended
  }
  s.resources = resources;
  s.destination = destination;
  s.initial_cseq = cseq;
  s.key = key;
  s.created = now;
  s.last_activity.store(now, std::memory_order_relaxed);
  s.callee_tag.store(0, std::memory_order_relaxed);
  s.phase.store(raw(Phase::early), std::memory_order_release);  // publishes the fields above
  return Begin::created;
}

int32_t DialogTable::find(const DialogKey& key) const {
  const int32_t pos = rte_hash_lookup(hash_, &key);
  if (pos < 0) return -1;
  return dialog::is_live(phase(pos)) ? pos : -1;
}

void DialogTable::finish(Slot& s) {
  if (board_) board_->release(s.destination, s.resources);
  rte_hash_del_key(hash_, &s.key);
  live_.fetch_sub(1, std::memory_order_acq_rel);
  // The position is reused only after a grace period that starts with the delete above, and the
  // thread running this has not passed a quiescent state yet: no one else can have it now.
  s.phase.store(raw(Phase::free), std::memory_order_release);
}

DialogTable::Change DialogTable::apply(int32_t slot, const DialogKey& key, dialog::Event event, uint64_t now) {
  Change change;
  Slot& s = slots_[slot];
  uint8_t current = s.phase.load(std::memory_order_acquire);
  if (!dialog::is_live(static_cast<Phase>(current)) || !same_key(s.key, key)) return change;
  s.last_activity.store(now, std::memory_order_relaxed);
  for (;;) {
    const dialog::Step step = dialog::on_event(static_cast<Phase>(current), event);
    const uint8_t next = raw(step.next);  // busy when the event ends the dialog
    if (next == current) return change;
    if (s.phase.compare_exchange_weak(current, next, std::memory_order_acq_rel)) {
      if (step.ends) {
        change.ended = true;
        change.reason = step.reason;
        finish(s);
      } else {
        change.confirmed = step.next == Phase::confirmed;
      }
      return change;
    }
    if (!dialog::is_live(static_cast<Phase>(current))) return change;  // another thread ended it
  }
}

uint32_t DialogTable::sweep(uint64_t now, uint32_t budget, uint64_t (&ends)[dialog::kEndReasonCount],
                            DialogView* ended_out, uint32_t ended_capacity) {
  uint32_t ended = 0;
  for (uint32_t n = 0; n < budget && n < slot_count_; ++n) {
    Slot& s = slots_[sweep_next_];
    sweep_next_ = sweep_next_ + 1 == slot_count_ ? 0 : sweep_next_ + 1;
    uint8_t current = s.phase.load(std::memory_order_acquire);
    dialog::EndReason reason;
    if (!dialog::expired(static_cast<Phase>(current), s.created, s.last_activity.load(std::memory_order_relaxed),
                         now, timeouts_, reason))
      continue;
    if (!s.phase.compare_exchange_strong(current, raw(Phase::busy), std::memory_order_acq_rel)) continue;
    if (ended_out && ended < ended_capacity) {
      DialogView& v = ended_out[ended];
      v.key = s.key;
      v.destination = s.destination;
      v.resources = s.resources;
      v.phase = static_cast<Phase>(current);
      v.initial_cseq = s.initial_cseq;
      v.callee_tag = s.callee_tag.load(std::memory_order_relaxed);
      v.created_tsc = s.created;
      v.last_activity_tsc = s.last_activity.load(std::memory_order_relaxed);
    }
    finish(s);
    ++ends[static_cast<std::size_t>(reason)];
    ++ended;
  }
  return ended;
}

bool DialogTable::view(int32_t slot, DialogView& v) const {
  const auto phase = static_cast<Phase>(slots_[slot].phase.load(std::memory_order_acquire));
  if (!dialog::is_live(phase)) return false;
  view_any(slot, v);
  v.phase = phase;
  return true;
}

void DialogTable::view_any(int32_t slot, DialogView& v) const {
  const Slot& s = slots_[slot];
  v.phase = static_cast<Phase>(s.phase.load(std::memory_order_acquire));
  v.key = s.key;
  v.destination = s.destination;
  v.resources = s.resources;
  v.initial_cseq = s.initial_cseq;
  v.callee_tag = s.callee_tag.load(std::memory_order_relaxed);
  v.created_tsc = s.created;
  v.last_activity_tsc = s.last_activity.load(std::memory_order_relaxed);
}

int32_t DialogTable::next_live(uint32_t from, DialogView& out) const {
  for (uint32_t i = from; i < slot_count_; ++i)
    if (view(static_cast<int32_t>(i), out)) return static_cast<int32_t>(i);
  return -1;
}

DialogTable::Begin DialogTable::restore(const DialogView& d) {
  int32_t slot = -1;
  const Begin b = begin(d.key, d.destination, d.resources, d.initial_cseq, d.created_tsc, slot);
  if (b != Begin::created) return b;
  Slot& s = slots_[slot];
  s.last_activity.store(d.last_activity_tsc, std::memory_order_relaxed);
  s.callee_tag.store(d.callee_tag, std::memory_order_relaxed);
  if (d.phase == Phase::confirmed) s.phase.store(raw(Phase::confirmed), std::memory_order_release);
  return b;
}

void DialogTable::count_by_destination(uint32_t* counts, std::size_t n) const {
  for (std::size_t d = 0; d < n; ++d) counts[d] = 0;
  for (uint32_t i = 0; i < slot_count_; ++i) {
    const Slot& s = slots_[i];
    if (dialog::is_live(static_cast<Phase>(s.phase.load(std::memory_order_acquire))) && s.destination < n)
      ++counts[s.destination];
  }
}

}  // namespace siplb::dataplane
