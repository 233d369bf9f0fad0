// The live dialogs of least-loaded calls, shared by all workers: which destination each call is
// on, its phase, and the resources it holds on the LoadBoard. A DPDK rte_hash in lock-free
// read-write mode (lookups never block; inserts and deletes from several threads) maps a dialog
// key to a position in a slot array; a key position is reused only after every worker has passed
// a quiescent state (the hash's DPDK QSBR defer queue), so a worker may read a slot it looked up
// until its next quiescent state.
//
// Each slot's phase changes only by compare-and-swap (dialog_state.hpp): whichever event ends a
// dialog first (BYE from either side, CANCEL, a rejection, a timer) wins the swap and is the only
// one to give the resources back and delete the key. A full table refuses new dialogs (the caller
// answers 503); a live dialog is never evicted.
//
// Threads: workers create, look up and end dialogs; the control thread sweeps expired ones
// (sweep) and reads counts. Created and destroyed by the main thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "siplb/balance/load_board.hpp"
#include "siplb/dataplane/dialog_view.hpp"
#include "siplb/dialog/dialog_state.hpp"

struct rte_hash;
struct rte_rcu_qsbr;

namespace siplb::dataplane {

struct DialogSettings {
  uint32_t capacity = 1u << 20;
  dialog::Timeouts timeouts;  // TSC cycles
  // false: a table used by one thread only (no lock-free multi-writer mode, no QSBR): the
  // per-lcore tables of the software-steering design that perf/dialog_table_bench measures
  // against the shared table siplbd uses.
  bool shared = true;
};

class DialogTable {
 public:
  // nullptr on failure (logged). `rcu` is the workers' QSBR variable; `board` receives releases.
  static std::unique_ptr<DialogTable> create(const char* name, const DialogSettings& settings,
                                             rte_rcu_qsbr* rcu, balance::LoadBoard* board, int socket_id);
  ~DialogTable();

  enum class Begin : uint8_t { created, exists, full };
  // Records an early dialog for an initial INVITE sent to `destination` (global position) holding
  // `resources` (LoadBoard columns) there. `exists`: the key is live already (a retransmission or
  // a spiral): nothing is recorded and `slot` names the live one; the caller gives its own units
  // back. `full`: no room; the caller gives its units back and answers 503.
  Begin begin(const DialogKey& key, uint16_t destination, uint8_t resources, uint32_t cseq,
              uint64_t now, int32_t& slot);

  // The live dialog of a key, or -1.
  int32_t find(const DialogKey& key) const;
  uint16_t destination(int32_t slot) const { return slots_[slot].destination; }
  uint32_t initial_cseq(int32_t slot) const { return slots_[slot].initial_cseq; }
  // The callee's tag (hash of the To-tag its 1xx/2xx carried), 0 until known.
  uint64_t callee_tag(int32_t slot) const { return slots_[slot].callee_tag.load(std::memory_order_relaxed); }
  // Records the callee's tag: a 2xx's tag is final, a 1xx's only fills an unknown one (forks).
  void learn_callee_tag(int32_t slot, uint64_t tag_hash, bool final_answer) {
    uint64_t unknown = 0;
    if (final_answer) slots_[slot].callee_tag.store(tag_hash, std::memory_order_relaxed);
    else slots_[slot].callee_tag.compare_exchange_strong(unknown, tag_hash, std::memory_order_relaxed);
  }
  dialog::Phase phase(int32_t slot) const {
    return static_cast<dialog::Phase>(slots_[slot].phase.load(std::memory_order_acquire));
  }

  // What an event did: confirmed the dialog (early -> confirmed), or ended it (its resources are
  // back on the board) for `reason`. Both false: it only refreshed the activity time, or the
  // dialog had ended already.
  struct Change {
    bool confirmed = false;
    bool ended = false;
    dialog::EndReason reason = dialog::EndReason::count;
  };
  // Applies an event to the dialog in `slot` (found for `key`) and refreshes its activity time.
  Change apply(int32_t slot, const DialogKey& key, dialog::Event event, uint64_t now);

  // Ends the dialogs whose timers ran out among the next `budget` slots (continuing where the last
  // sweep stopped), counting each end in ends[reason]. Returns how many it ended; with `ended`,
  // up to `ended_capacity` of them are copied there (control persists their ends).
  uint32_t sweep(uint64_t now, uint32_t budget, uint64_t (&ends)[dialog::kEndReasonCount],
                 DialogView* ended = nullptr, uint32_t ended_capacity = 0);

  // The dialog in `slot` by value; false when the slot holds no live dialog.
  bool view(int32_t slot, DialogView& out) const;
  // The slot's fields whatever its phase (a worker reporting the dialog it just ended, whose
  // slot cannot be reused before its next quiescent state).
  void view_any(int32_t slot, DialogView& out) const;
  // Live dialogs from slot `from` on: the next one's slot with `out` filled, or -1 (control:
  // listings; one slot at a time, so a listing may miss or repeat a dialog created meanwhile).
  int32_t next_live(uint32_t from, DialogView& out) const;
  // Re-creates a persisted dialog (restart): as begin() with the phase, times and callee tag
  // given. The caller has taken its resources on the board (and gives them back unless created).
  Begin restore(const DialogView& dialog);

  // Dialogs recorded and not yet ended (at most capacity(): begin() refuses beyond it).
  uint32_t live() const { return live_.load(std::memory_order_relaxed); }
  uint32_t capacity() const { return capacity_; }
  uint32_t slot_count() const { return slot_count_; }
  // Live dialogs per destination, counted slot by slot into counts[0..n) (control: reports and
  // audits; one pass over the slots).
  void count_by_destination(uint32_t* counts, std::size_t n) const;
  const dialog::Timeouts& timeouts() const { return timeouts_; }

 private:
  DialogTable() = default;
  struct alignas(64) Slot {
    std::atomic<uint8_t> phase{0};
    uint8_t resources = 0;
    uint16_t destination = 0;
    uint32_t initial_cseq = 0;
    DialogKey key{};
    uint64_t created = 0;
    std::atomic<uint64_t> last_activity{0};
    std::atomic<uint64_t> callee_tag{0};
  };
  // Gives the resources back, removes the key and frees the slot; the caller won the swap to busy.
  void finish(Slot& s);

  rte_hash* hash_ = nullptr;
  Slot* slots_ = nullptr;  // rte_zmalloc'd, slot_count_ long
  uint32_t slot_count_ = 0;
  uint32_t capacity_ = 0;
  uint32_t sweep_next_ = 0;  // control thread only
  // Counts against capacity: rte_hash's own limit depends on how keys fall into its buckets.
  alignas(64) std::atomic<uint32_t> live_{0};
  balance::LoadBoard* board_ = nullptr;
  dialog::Timeouts timeouts_;
};

}  // namespace siplb::dataplane
