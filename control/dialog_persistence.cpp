// ControlPlane: least-loaded dialogs to and from the store. Workers report every dialog created,
// confirmed and ended on their event rings; control writes the dialog (created, confirmed) or
// erases it (ended, expired by the sweep) in the store's next batch. At start the stored dialogs
// go back into the dialog table and onto the LoadBoard, by set id and destination URI (positions
// may differ after a configuration change), so that a restarted node knows the calls its servers
// still carry. Activity after the answer is not written (one write per in-dialog request would
// cost more than the idle timer it serves): a restored dialog's idle time counts from its answer.
//
// The restore streams: the store decodes its dialogs in chunks straight from RocksDB and each
// chunk goes into the dialog table before the next is read (no copy of the whole store in
// memory). It runs on the main thread: the table's shared rte_hash keeps per-lcore caches, and
// only EAL threads have an lcore; control's threads all share the main lcore's core anyway, so a
// second thread reading ahead would not run beside it (measured: no gain).
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "control_plane.hpp"

namespace siplb::control {
int64_t ControlPlane::unix_ms_of(uint64_t tsc) const {
  if (tsc >= tsc_at_start_) return unix_ms_at_start_ + static_cast<int64_t>((tsc - tsc_at_start_) / tsc_per_ms_);
  return unix_ms_at_start_ - static_cast<int64_t>((tsc_at_start_ - tsc) / tsc_per_ms_);
}

void ControlPlane::persist_dialog(const dataplane::DialogView& d, uint64_t tsc) {
  const dataplane::Snapshot* snap = engine_.snapshot();
  if (d.destination >= position_set_.size()) return;
  store::DialogRecord r;
  r.call_id_hash = d.key.call_id_hash;
  r.caller_tag_hash = d.key.caller_tag_hash;
  r.set_id = set_id_of(d.destination);
  r.destination = destination_at(d.destination).uri;
  for (std::size_t k = 0; k < balance::kMaxResources && snap; ++k)
    if (d.resources >> k & 1 && k < snap->resource_names.size()) r.resources.push_back(snap->resource_names[k]);
  r.phase = static_cast<uint8_t>(d.phase);
  r.initial_cseq = d.initial_cseq;
  r.callee_tag = d.callee_tag;
  r.created_unix_ms = unix_ms_of(d.created_tsc);
  r.last_activity_unix_ms = unix_ms_of(tsc);
  store_.put_dialog(r);
  if (channel_) {
    const std::string value = store::encode_dialog_value(r);
    replicate(replication::Kind::dialog, store::encode_dialog_key(r.call_id_hash, r.caller_tag_hash), &value);
  }
}

void ControlPlane::erase_dialog(const dataplane::DialogKey& key) {
  store_.erase_dialog(key.call_id_hash, key.caller_tag_hash);
  if (channel_) replicate(replication::Kind::dialog, store::encode_dialog_key(key.call_id_hash, key.caller_tag_hash), nullptr);
}

void ControlPlane::handle_event(const dataplane::Event& e) {
  switch (e.kind) {
    case dataplane::EventKind::dialog_created: {
      dataplane::DialogView d = e.dialog;
      d.phase = dialog::Phase::early;
      persist_dialog(d, e.event_tsc);
      break;
    }
    case dataplane::EventKind::dialog_confirmed: {
      dataplane::DialogView d = e.dialog;
      d.phase = dialog::Phase::confirmed;
      persist_dialog(d, e.event_tsc);
      break;
    }
    case dataplane::EventKind::dialog_ended:
      erase_dialog(e.dialog.key);
      break;
    case dataplane::EventKind::probe_answer:
    case dataplane::EventKind::binding_changed:
      break;  // the tick gives these to the prober and the registrar
  }
}

void ControlPlane::restore_dialogs() {
  if (store_.durability() == store::Durability::memory) return;
  const auto started = std::chrono::steady_clock::now();
  const dataplane::Snapshot* snap = engine_.snapshot();
  const int64_t now = wall_clock_ms();
  dialog::Timeouts timeouts;  // in milliseconds here
  timeouts.early = uint64_t{running_.dialogs.early_timeout_s} * 1000;
  timeouts.lifetime = uint64_t{running_.dialogs.max_lifetime_s} * 1000;
  timeouts.idle = uint64_t{running_.dialogs.idle_timeout_s} * 1000;
  // Where each stored (set id, URI) and resource name is now: looked up once, not per record.
  std::unordered_map<std::string, int> positions;
  for (uint16_t p = 0; p < position_set_.size(); ++p)
    if (listed(p)) positions.emplace(DestinationOverlay::key(set_id_of(p), destination_at(p).uri), p);
  std::unordered_map<std::string, uint8_t> resource_bits;
  for (std::size_t k = 0; snap && k < snap->resource_names.size(); ++k)
    resource_bits.emplace(snap->resource_names[k], static_cast<uint8_t>(1u << k));

  uint64_t restored = 0, expired = 0, unknown = 0, duplicate = 0, full = 0;
  const std::size_t undecodable = store_.scan_dialogs(4096, [&](std::vector<store::DialogRecord>&& chunk) {
    for (const store::DialogRecord& r : chunk) {
      const auto found = engine_.tracks_dialogs() ? positions.find(DestinationOverlay::key(r.set_id, r.destination))
                                                  : positions.end();
      const auto phase = static_cast<dialog::Phase>(r.phase);
      // Times in the future (a clock stepped back) count as now.
      const uint64_t age = now > r.created_unix_ms ? static_cast<uint64_t>(now - r.created_unix_ms) : 0;
      const uint64_t idle = now > r.last_activity_unix_ms ? static_cast<uint64_t>(now - r.last_activity_unix_ms) : 0;
      dialog::EndReason reason;
      if (found == positions.end() || !dialog::is_live(phase)) {
        ++unknown;  // its destination or set is gone from the configuration (or no least-loaded set)
      } else if (dialog::expired(phase, 0, age - std::min(age, idle), age, timeouts, reason)) {
        ++expired;
      } else {
        dataplane::DialogView d;
        d.key = {r.call_id_hash, r.caller_tag_hash};
        d.destination = static_cast<uint16_t>(found->second);
        for (const std::string& name : r.resources)
          if (auto bit = resource_bits.find(name); bit != resource_bits.end()) d.resources |= bit->second;
        d.phase = phase;
        d.initial_cseq = r.initial_cseq;
        d.callee_tag = r.callee_tag;
        const auto result = engine_.restore_dialog(d, age, idle);
        if (result == dataplane::Engine::Restore::restored) {
          ++restored;
          continue;
        }
        if (result == dataplane::Engine::Restore::exists) {
          ++duplicate;
          continue;
        }
        if (result == dataplane::Engine::Restore::table_full) ++full;
        else ++unknown;
      }
      store_.erase_dialog(r.call_id_hash, r.caller_tag_hash);
    }
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  dialogs_restored_ = restored;
  std::printf(
      "siplbd: store: %llu dialog(s) restored in %.3f s (%llu expired, %llu for destinations no longer "
      "configured, %llu beyond the table's capacity, %zu undecodable, %llu duplicate)\n",
      static_cast<unsigned long long>(restored), seconds, static_cast<unsigned long long>(expired),
      static_cast<unsigned long long>(unknown), static_cast<unsigned long long>(full), undecodable,
      static_cast<unsigned long long>(duplicate));
  std::fflush(stdout);
}

}  // namespace siplb::control
