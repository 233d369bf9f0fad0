// ControlPlane, the HA pair's half on the control thread: the role changes the HA thread reports
// (logged and counted here; the VIP itself was taken or given up on the HA thread already, see
// daemon.cpp), the repeated gratuitous ARPs after a takeover, and the API's ha.status and
// ha.switchover.
#include <chrono>
#include <cstdio>

#include "control/ha/runner.hpp"
#include "control/replication/channel.hpp"
#include "api/api_args.hpp"
#include "control_plane.hpp"

namespace siplb::control {

using api::Json;
using api::Reply;

namespace {

// After the announcement made at the takeover itself, again at these delays: a switch or a host
// that missed the first (a lost frame, a port still coming up) learns the VIP's new MAC.
constexpr std::chrono::milliseconds kReannounce[] = {std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};

int64_t millis_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void ControlPlane::on_role_event(const ha::RoleEvent& event) {
  ++role_changes_;
  if (event.reason == ha::Reason::split_brain_lost || event.reason == ha::Reason::split_brain_won)
    ++split_brains_;
  std::printf("siplbd: ha: %s -> %s (%s, epoch %llu)%s\n", std::string(ha::role_name(event.from)).c_str(),
              std::string(ha::role_name(event.to)).c_str(), std::string(ha::reason_name(event.reason)).c_str(),
              static_cast<unsigned long long>(event.epoch),
              event.resync_required ? ": the two nodes served alone; a full resync is needed" : "");
  std::fflush(stdout);
  if (event.to == ha::Role::active && (event.from != ha::Role::active || event.reason == ha::Reason::split_brain_won)) {
    const auto now = std::chrono::steady_clock::now();
    reannounce_at_.clear();
    for (auto delay : kReannounce) reannounce_at_.push_back(now + delay);
  }
}

bool ControlPlane::owns_timers() const { return !ha_ || ha_->role() == ha::Role::active; }

void ControlPlane::reannounce_vips() {
  if (reannounce_at_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < reannounce_at_.front()) return;
  reannounce_at_.erase(reannounce_at_.begin());
  if (engine_.vip_active()) engine_.announce_vips();
}

Json ControlPlane::ha_status_json() const {
  Json out;
  out["vip_active"] = engine_.vip_active();
  if (!ha_) {
    out["configured"] = false;
    return out;
  }
  const ha::Status s = ha_->status();
  out["configured"] = true;
  out["node_id"] = s.node_id;
  out["priority"] = s.priority;
  out["role"] = std::string(ha::role_name(s.role));
  out["healthy"] = s.healthy;
  out["epoch"] = s.epoch;
  out["switchover"] = std::string(ha::switchover_state_name(s.switchover));
  Json peer;
  peer["alive"] = s.peer.alive;
  peer["role"] = std::string(ha::role_name(s.peer.role));
  peer["node_id"] = s.peer.node_id;
  peer["priority"] = s.peer.priority;
  if (s.peer_last_heard_ago) peer["last_heard_ms"] = static_cast<double>(s.peer_last_heard_ago->count()) / 1000.0;
  else peer["last_heard_ms"] = nullptr;
  out["peer"] = peer;
  Json counters;
  counters["heartbeats_sent"] = s.heartbeats_sent;
  counters["heartbeats_received"] = s.counters.heartbeats_received;
  counters["heartbeats_lost"] = s.counters.heartbeats_lost;
  counters["heartbeats_refused"] = s.counters.refused_bad_mac + s.counters.refused_replay +
                                   s.counters.refused_malformed + s.counters.refused_unsupported +
                                   s.counters.refused_own_id;
  counters["split_brains"] = s.counters.split_brains;
  counters["send_errors"] = s.send_errors;
  counters["max_wakeup_delay_us"] = s.max_wakeup_delay.count();
  out["counters"] = counters;
  Json transitions = Json::array();
  for (const ha::Transition& t : s.transitions) {
    Json j;
    j["at_ms"] = millis_since_epoch(t.wall_time);
    j["from"] = std::string(ha::role_name(t.event.from));
    j["to"] = std::string(ha::role_name(t.event.to));
    j["reason"] = std::string(ha::reason_name(t.event.reason));
    j["epoch"] = t.event.epoch;
    transitions.push_back(j);
  }
  out["transitions"] = transitions;
  if (!s.last_error.empty()) out["last_error"] = s.last_error;
  out["replication"] = replication_json();
  return out;
}

void ControlPlane::ha_metrics(api::PrometheusText& out) const {
  using api::MetricType;
  out.family("siplb_ha_vip_active", MetricType::gauge, "1 while this node holds the virtual IPs");
  out.sample("siplb_ha_vip_active", {}, uint64_t{engine_.vip_active() ? 1u : 0u});
  if (!ha_) return;
  const ha::Status s = ha_->status();
  out.family("siplb_ha_role", MetricType::gauge, "1 for this node's current HA role");
  for (uint8_t r = 0; r < ha::kRoleCount; ++r)
    out.sample("siplb_ha_role", {{"role", std::string(ha::role_name(static_cast<ha::Role>(r)))}},
               uint64_t{s.role == static_cast<ha::Role>(r) ? 1u : 0u});
  out.family("siplb_ha_peer_alive", MetricType::gauge, "1 while the peer's heartbeats arrive");
  out.sample("siplb_ha_peer_alive", {}, uint64_t{s.peer.alive ? 1u : 0u});
  out.family("siplb_ha_role_changes_total", MetricType::counter, "Role changes of this node (and split brains won)");
  out.sample("siplb_ha_role_changes_total", {}, role_changes_);
  out.family("siplb_ha_split_brains_total", MetricType::counter, "Both nodes found active, resolved by the priority rule");
  out.sample("siplb_ha_split_brains_total", {}, split_brains_);
  out.family("siplb_ha_heartbeats_total", MetricType::counter, "Heartbeats sent, received, lost and refused");
  out.sample("siplb_ha_heartbeats_total", {{"what", "sent"}}, s.heartbeats_sent);
  out.sample("siplb_ha_heartbeats_total", {{"what", "received"}}, s.counters.heartbeats_received);
  out.sample("siplb_ha_heartbeats_total", {{"what", "lost"}}, s.counters.heartbeats_lost);
  out.sample("siplb_ha_heartbeats_total", {{"what", "refused"}},
             s.counters.refused_bad_mac + s.counters.refused_replay + s.counters.refused_malformed +
                 s.counters.refused_unsupported + s.counters.refused_own_id);
  if (!channel_) return;
  const replication::ChannelStats r = channel_->stats();
  out.family("siplb_replication_state", MetricType::gauge, "1 for the replication link's current state");
  for (auto state : {replication::LinkState::disconnected, replication::LinkState::connecting,
                     replication::LinkState::handshaking, replication::LinkState::syncing,
                     replication::LinkState::streaming})
    out.sample("siplb_replication_state", {{"state", std::string(replication::link_state_name(state))}},
               uint64_t{r.state == state ? 1u : 0u});
  out.family("siplb_replication_lag_records", MetricType::gauge, "Changes sent to the peer and not yet acknowledged");
  out.sample("siplb_replication_lag_records", {}, r.lag_records);
  out.family("siplb_replication_lag_seconds", MetricType::gauge, "Age of the oldest change the peer has not acknowledged");
  out.sample("siplb_replication_lag_seconds", {}, static_cast<double>(r.lag_ms) / 1000.0);
  out.family("siplb_replication_records_total", MetricType::counter, "Replicated changes, by what happened to them");
  out.sample("siplb_replication_records_total", {{"what", "appended"}}, r.records_appended);
  out.sample("siplb_replication_records_total", {{"what", "sent"}}, r.records_sent);
  out.sample("siplb_replication_records_total", {{"what", "received"}}, r.records_received);
  out.sample("siplb_replication_records_total", {{"what", "applied"}}, replication_applied_);
  out.sample("siplb_replication_records_total", {{"what", "stale"}}, replication_stale_);
  out.sample("siplb_replication_records_total", {{"what", "undecodable"}}, replication_undecodable_);
  out.sample("siplb_replication_records_total", {{"what", "ring_overwritten"}}, r.ring_overwritten);
  out.family("siplb_replication_full_syncs_total", MetricType::counter, "Full syncs given to and taken from the peer");
  out.sample("siplb_replication_full_syncs_total", {{"direction", "sent"}}, r.full_syncs_sent);
  out.sample("siplb_replication_full_syncs_total", {{"direction", "received"}}, r.full_syncs_received);
  out.family("siplb_replication_frames_refused_total", MetricType::counter,
             "Frames that failed authentication or parsing (the connection was closed)");
  out.sample("siplb_replication_frames_refused_total", {{"why", "auth"}}, r.auth_failures);
  out.sample("siplb_replication_frames_refused_total", {{"why", "parse"}}, r.parse_failures);
  out.family("siplb_register_replies_unreplicated_total", MetricType::counter,
             "REGISTER 200 OKs sent on the local write alone under durability peer (the peer was away)");
  out.sample("siplb_register_replies_unreplicated_total", {}, replies_unreplicated_);
}

Reply ControlPlane::ha_command(const std::string& name, const Json& args) {
  Reply bad;
  if (!api::check_known(args, {}, bad)) return bad;
  if (name == "ha.status") return Reply::success(ha_status_json());
  if (name == "peer.status") return Reply::success(replication_json());
  // ha.switchover
  if (!ha_) return Reply::failure(api::code::failed, "", "no [peer] in the configuration: not an HA pair");
  const ha::SwitchoverResult result = ha_->switchover();
  Json out;
  out["result"] = std::string(ha::switchover_result_name(result));
  if (result != ha::SwitchoverResult::started)
    return Reply::failure(api::code::conflict, "", "switchover not started: " + std::string(ha::switchover_result_name(result)));
  return Reply::success(out);
}

}  // namespace siplb::control
