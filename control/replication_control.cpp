// ControlPlane, the replication half of the HA pair (on the control thread): every change this
// node persists (bindings, dialogs) also goes to the peer as a record with a version (a hybrid
// clock: wall milliseconds with a counter, moved past every version received, so a later change
// anywhere is newer), and the peer's records are applied here: to the tables the workers use and
// to the local store, unless the version already held is newer (a late or repeated record never
// overwrites). A full sync from an active peer replaces what this node holds.
#include <chrono>
#include <cstdio>

#include "control/replication/channel.hpp"
#include "control_plane.hpp"
#include "siplb/registrar/aor.hpp"
#include "siplb/registrar/binding_codec.hpp"
#include "siplb/registrar/register.hpp"
#include "store/dialog_record.hpp"

namespace siplb::control {

namespace {

std::string kind_key(replication::Kind kind, std::string_view key) {
  std::string k(1, static_cast<char>(kind));
  k.append(key);
  return k;
}

}  // namespace

replication::Version ControlPlane::next_version() {
  const auto wall = static_cast<uint64_t>(wall_clock_ms()) << 16;
  clock_ = std::max(clock_ + 1, wall);
  return {clock_, node_id_};
}

void ControlPlane::replicate(replication::Kind kind, std::string_view key, const std::string* value) {
  if (!channel_) return;
  const replication::Version version = next_version();
  versions_[kind_key(kind, key)] = version;
  last_appended_ = channel_->append(value ? replication::Record::put(kind, std::string(key), *value, version)
                                          : replication::Record::erase(kind, std::string(key), version));
}

bool ControlPlane::accept_version(replication::Kind kind, std::string_view key, const replication::Version& incoming) {
  clock_ = std::max(clock_, incoming.counter);  // later local changes are newer than this one
  auto [it, inserted] = versions_.try_emplace(kind_key(kind, key), incoming);
  if (inserted) return true;
  if (!replication::newer(incoming, it->second)) {
    ++replication_stale_;
    return false;
  }
  it->second = incoming;
  return true;
}

void ControlPlane::apply_replicated(const replication::Record& r) {
  if (!accept_version(r.kind, r.key, r.version)) return;
  ++replication_applied_;
  switch (r.kind) {
    case replication::Kind::binding:
      apply_replicated_binding(r);
      break;
    case replication::Kind::dialog:
      apply_replicated_dialog(r);
      break;
    case replication::Kind::destination:
      break;  // the operator's overlay is not replicated yet
  }
}

void ControlPlane::apply_replicated_binding(const replication::Record& r) {
  if (!engine_.serves_registrar()) return;
  registrar::AorState& aor = binding_scratch_;
  if (r.operation == replication::Operation::erase) {
    if (!registrar::aor_key_from_text(r.key, aor.key)) return;
    aor.count = 0;
    store_.erase_binding(r.key);
  } else {
    if (!registrar::decode_aor_state(r.value, aor)) {
      ++replication_undecodable_;
      return;
    }
    store_.put_binding(r.key, r.value);
  }
  uint64_t version = 0;
  const int32_t position = engine_.write_binding(aor, version);
  if (position >= 0) engine_.binding_persisted(position, version);  // the store has it (queued above)
}

void ControlPlane::apply_replicated_dialog(const replication::Record& r) {
  if (!engine_.tracks_dialogs() || r.key.size() != store::kDialogKeySize) return;
  if (r.operation == replication::Operation::erase) {
    uint64_t call_id_hash = 0, caller_tag_hash = 0;
    if (!store::decode_dialog_key(r.key, call_id_hash, caller_tag_hash)) return;
    engine_.end_dialog({call_id_hash, caller_tag_hash});
    store_.erase_dialog(call_id_hash, caller_tag_hash);
    return;
  }
  std::optional<store::DialogRecord> record = store::decode_dialog(r.key, r.value);
  dataplane::DialogView d;
  if (!record || !dialog_view_of(*record, d)) {
    ++replication_undecodable_;
    return;
  }
  const int64_t now = wall_clock_ms();
  const uint64_t age = now > record->created_unix_ms ? static_cast<uint64_t>(now - record->created_unix_ms) : 0;
  const uint64_t idle =
      now > record->last_activity_unix_ms ? static_cast<uint64_t>(now - record->last_activity_unix_ms) : 0;
  // A dialog the peer confirmed after creating it: its phase and callee tag replace the early one.
  if (engine_.restore_dialog(d, age, idle) == dataplane::Engine::Restore::exists) {
    engine_.end_dialog(d.key);
    engine_.restore_dialog(d, age, idle);
  }
  store_.put_dialog(*record);
}

bool ControlPlane::dialog_view_of(const store::DialogRecord& r, dataplane::DialogView& d) const {
  const int position = find_position(r.set_id, r.destination);
  const auto phase = static_cast<dialog::Phase>(r.phase);
  if (position < 0 || !dialog::is_live(phase)) return false;
  const dataplane::Snapshot* snap = engine_.snapshot();
  d = dataplane::DialogView{};
  d.key = {r.call_id_hash, r.caller_tag_hash};
  d.destination = static_cast<uint16_t>(position);
  for (const std::string& name : r.resources)
    for (std::size_t k = 0; snap && k < snap->resource_names.size(); ++k)
      if (snap->resource_names[k] == name) d.resources |= static_cast<uint8_t>(1u << k);
  d.phase = phase;
  d.initial_cseq = r.initial_cseq;
  d.callee_tag = r.callee_tag;
  return true;
}

void ControlPlane::replication_sync_begin(bool peer_is_active) {
  ++syncs_received_;
  std::printf("siplbd: replication: full sync from the peer begins%s\n",
              peer_is_active ? " (the active node: what this node holds is replaced)" : "");
  std::fflush(stdout);
  if (!peer_is_active) return;  // a backup's snapshot adds to what we hold, never replaces it
  // The active peer's snapshot is the whole truth: drop what this node holds first.
  registrar::AorState& aor = binding_scratch_;
  for (int32_t p = engine_.next_binding(0, aor); p >= 0; p = engine_.next_binding(static_cast<uint32_t>(p) + 1, aor)) {
    store_.erase_binding(aor.key.view());
    aor.count = 0;
    uint64_t version = 0;
    const int32_t position = engine_.write_binding(aor, version);
    if (position >= 0) engine_.binding_persisted(position, version);
  }
  dataplane::DialogView d;
  for (int32_t s = engine_.next_dialog(0, d); s >= 0; s = engine_.next_dialog(static_cast<uint32_t>(s) + 1, d)) {
    engine_.end_dialog(d.key);
    store_.erase_dialog(d.key.call_id_hash, d.key.caller_tag_hash);
  }
  versions_.clear();
}

void ControlPlane::replication_sync_end(bool completed, uint64_t records) {
  std::printf("siplbd: replication: full sync from the peer %s (%llu records)\n", completed ? "done" : "abandoned",
              static_cast<unsigned long long>(records));
  std::fflush(stdout);
}

api::Json ControlPlane::replication_json() const {
  api::Json out;
  out["configured"] = channel_ != nullptr;
  if (!channel_) return out;
  const replication::ChannelStats s = channel_->stats();
  out["state"] = std::string(replication::link_state_name(s.state));
  out["records_appended"] = s.records_appended;
  out["records_sent"] = s.records_sent;
  out["last_acked_seq"] = s.last_acked_seq;
  out["lag_records"] = s.lag_records;
  out["lag_ms"] = s.lag_ms;
  out["ring_overwritten"] = s.ring_overwritten;
  out["records_received"] = s.records_received;
  out["records_applied"] = replication_applied_;
  out["records_stale"] = replication_stale_;
  out["records_undecodable"] = replication_undecodable_;
  out["bytes_sent"] = s.bytes_sent;
  out["bytes_received"] = s.bytes_received;
  out["full_syncs_sent"] = s.full_syncs_sent;
  out["full_syncs_sent_completed"] = s.full_syncs_sent_completed;
  out["full_syncs_received"] = s.full_syncs_received;
  out["full_syncs_received_completed"] = s.full_syncs_received_completed;
  out["sync_records_sent"] = s.sync_records_sent;
  out["sync_records_received"] = s.sync_records_received;
  out["sync_timeouts"] = s.sync_timeouts;
  if (s.sync_percent) out["sync_percent"] = *s.sync_percent;
  out["sync_records_per_second"] = s.sync_records_per_second;
  out["auth_failures"] = s.auth_failures;
  out["parse_failures"] = s.parse_failures;
  out["connections"] = s.connections;
  out["reconnects"] = s.reconnects;
  if (!s.last_error.empty()) out["last_error"] = s.last_error;
  return out;
}

}  // namespace siplb::control
