// ControlPlane, the HA pair's half on the control thread: the role changes the HA thread reports
// (logged and counted here; the VIP itself was taken or given up on the HA thread already, see
// daemon.cpp), the repeated gratuitous ARPs after a takeover, and the API's ha.status and
// ha.switchover.
#include <chrono>
#include <cstdio>

#include "control/ha/runner.hpp"
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
  if (event.to == ha::Role::active && event.from != ha::Role::active) {
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

Reply ControlPlane::ha_command(const std::string& name, const Json& args) {
  Reply bad;
  if (!api::check_known(args, {}, bad)) return bad;
  if (name == "ha.status") return Reply::success(ha_status_json());
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
