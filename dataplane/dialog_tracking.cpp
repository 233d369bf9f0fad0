// Dialog tracking for least-loaded sets (see dialog_tracking.hpp).
#include "dialog_tracking.hpp"

#include <rte_lcore.h>

#include "event_emit.hpp"
#include "siplb/config/config.hpp"
#include "siplb/sip/accessors.hpp"

namespace siplb::dataplane {
namespace {

uint64_t tag_hash(const sip::Message& msg, sip::Span tag) { return balance::hash_key(msg.text(tag)); }

// Tells control about a dialog that was created, confirmed or ended in `slot`. An ended dialog's
// slot still holds its fields: the position is reused only after this worker's next quiescent
// state.
void emit_dialog(WorkerContext& ctx, EventKind kind, const DialogTable& table, int32_t slot, const DialogKey& key,
                 dialog::EndReason reason = dialog::EndReason::count) {
  if (!ctx.events) return;
  Event e;
  e.kind = kind;
  e.end_reason = static_cast<uint8_t>(reason);
  e.event_tsc = ctx.now_tsc;
  table.view_any(slot, e.dialog);
  e.dialog.key = key;
  emit_event(ctx, e);
}

void count_change(WorkerContext& ctx, const DialogTable& table, int32_t slot, const DialogKey& key,
                  const DialogTable::Change& change) {
  if (change.confirmed) {
    ctx.counters.dialogs_confirmed.add();
    emit_dialog(ctx, EventKind::dialog_confirmed, table, slot, key);
  }
  if (change.ended) {
    ctx.counters.dialog_ends[static_cast<std::size_t>(change.reason)].add();
    emit_dialog(ctx, EventKind::dialog_ended, table, slot, key, change.reason);
  }
}

}  // namespace

bool create_dialog_tracking(Shared& shared, const config::Config& config, rte_rcu_qsbr* rcu, int socket,
                            std::string& error) {
  if (!config.uses_least_loaded()) return true;
  // A row for every position a destination can take while siplbd runs (control adds
  // destinations at run time into positions it keeps free).
  shared.loads = std::make_unique<balance::LoadBoard>(kMaxDestinations);
  DialogSettings settings;
  settings.capacity = config.dialogs.capacity;
  const uint64_t per_s = shared.tsc_hz ? shared.tsc_hz : rte_get_tsc_hz();
  settings.timeouts.early = per_s * config.dialogs.early_timeout_s;
  settings.timeouts.lifetime = per_s * config.dialogs.max_lifetime_s;
  settings.timeouts.idle = per_s * config.dialogs.idle_timeout_s;
  static int serial = 0;  // rte_hash names are process-wide
  const std::string name = "dialogs_" + std::to_string(serial++);
  shared.dialogs = DialogTable::create(name.c_str(), settings, rcu, shared.loads.get(), socket);
  if (!shared.dialogs) {
    error = "cannot create the dialog table for " + std::to_string(config.dialogs.capacity) +
            " dialogs ([dialogs] capacity; give EAL more memory with -m or hugepages)";
    return false;
  }
  return true;
}

CallStart start_call(WorkerContext& ctx, const Snapshot& snap, int32_t set_position, const sip::Message& msg,
                     uint64_t call_id_hash, sip::Span from_tag, int32_t& destination) {
  Shared& sh = *ctx.shared;
  const DialogKey key{call_id_hash, tag_hash(msg, from_tag)};
  // A retransmission of the INVITE (or a spiral back through us) keeps its dialog's destination.
  if (int32_t slot = sh.dialogs->find(key); slot >= 0) {
    destination = sh.dialogs->destination(slot);
    return CallStart::existing;
  }
  const uint32_t base = snap.set_base[static_cast<std::size_t>(set_position)];
  const balance::Selection s =
      snap.selector->select_least_loaded(set_position, *sh.loads, base, true, ctx.select_state);
  if (s.index < 0) {
    ctx.counters.least_loaded_full.add();
    return CallStart::all_full;
  }
  const auto global = static_cast<uint16_t>(base + static_cast<uint32_t>(s.index));
  int32_t slot = -1;
  switch (sh.dialogs->begin(key, global, s.resources, msg.cseq_number, ctx.now_tsc, slot)) {
    case DialogTable::Begin::created:
      ctx.counters.dialogs_created.add();
      emit_dialog(ctx, EventKind::dialog_created, *sh.dialogs, slot, key);
      destination = global;
      return CallStart::started;
    case DialogTable::Begin::exists:  // another worker recorded it first: its choice stands
      sh.loads->release(global, s.resources);
      destination = sh.dialogs->destination(slot);
      return CallStart::existing;
    case DialogTable::Begin::full:
      break;
  }
  sh.loads->release(global, s.resources);
  ctx.counters.dialog_table_full.add();
  return CallStart::table_full;
}

DialogMatch track_request(WorkerContext& ctx, const sip::Message& msg, uint64_t call_id_hash,
                          sip::Span from_tag, sip::Span to_tag, bool has_to_tag) {
  DialogTable& table = *ctx.shared->dialogs;
  DialogMatch match;
  DialogKey key{call_id_hash, tag_hash(msg, from_tag)};
  int32_t slot = table.find(key);
  match.from_caller = slot >= 0;
  if (slot < 0 && has_to_tag) {  // from the callee: the caller's tag is the To-tag
    key.caller_tag_hash = tag_hash(msg, to_tag);
    slot = table.find(key);
    // ... and its own tag (its From-tag) the one its answer gave, once known: a request of
    // another fork or a stray one does not end the call.
    if (slot >= 0) {
      const uint64_t callee = table.callee_tag(slot);
      if (callee != 0 && callee != tag_hash(msg, from_tag)) return match;
    }
  }
  if (slot < 0) return match;
  match.destination = table.destination(slot);
  dialog::Event event = dialog::Event::in_dialog_request;
  if (msg.method == sip::Method::bye) {
    event = match.from_caller ? dialog::Event::bye_caller : dialog::Event::bye_callee;
  } else if (msg.method == sip::Method::cancel) {
    if (!match.from_caller || msg.cseq_number != table.initial_cseq(slot)) return match;
    event = dialog::Event::cancel;
  }
  count_change(ctx, table, slot, key, table.apply(slot, key, event, ctx.now_tsc));
  return match;
}

void track_response(WorkerContext& ctx, const sip::Message& msg) {
  DialogTable& table = *ctx.shared->dialogs;
  const sip::HeaderTag from = sip::from_tag(msg);
  if (!from.valid) return;
  const DialogKey key{balance::hash_key(msg.text(msg.call_id)), tag_hash(msg, from.tag)};
  const int32_t slot = table.find(key);
  if (slot < 0) return;
  const sip::HeaderTag to = sip::to_tag(msg);
  if (to.valid && to.has_tag && msg.status_code < 300)
    table.learn_callee_tag(slot, tag_hash(msg, to.tag), msg.status_code >= 200);
  dialog::Event event;
  if (msg.status_code < 200) {
    event = dialog::Event::provisional;
  } else if (msg.status_code < 300) {
    event = dialog::Event::success;
  } else {
    // Only the answer to the initial INVITE ends the call; a failed re-INVITE leaves it up.
    if (msg.cseq_number != table.initial_cseq(slot)) return;
    event = dialog::Event::failure;
  }
  count_change(ctx, table, slot, key, table.apply(slot, key, event, ctx.now_tsc));
}

}  // namespace siplb::dataplane
