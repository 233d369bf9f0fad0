// The HA role rules (see state_machine.hpp for the rules themselves).
#include "state_machine.hpp"

#include <algorithm>
#include <utility>

namespace siplb::control::ha {

std::optional<std::string> validate(const MachineSettings& s) {
  const Timing& t = s.timing;
  if (s.node_id == 0) return "node id must not be 0";
  if (s.key.empty()) return "the heartbeat key is empty";
  if (t.interval.count() <= 0) return "heartbeat interval must be positive";
  if (t.dead_time < 2 * t.interval) return "dead time must be at least twice the heartbeat interval";
  if (t.startup_grace < t.dead_time) return "startup grace must be at least the dead time";
  if (t.switchover_timeout.count() <= 0) return "switchover timeout must be positive";
  return std::nullopt;
}

std::string_view switchover_result_name(SwitchoverResult result) {
  switch (result) {
    case SwitchoverResult::started: return "started";
    case SwitchoverResult::not_active: return "not_active";
    case SwitchoverResult::peer_not_ready: return "peer_not_ready";
    case SwitchoverResult::already_pending: return "already_pending";
    case SwitchoverResult::not_running: return "not_running";
  }
  return "unknown";
}

std::string_view switchover_state_name(SwitchoverState state) {
  switch (state) {
    case SwitchoverState::none: return "none";
    case SwitchoverState::pending: return "pending";
    case SwitchoverState::completed: return "completed";
    case SwitchoverState::timed_out: return "timed_out";
    case SwitchoverState::aborted: return "aborted";
  }
  return "unknown";
}

StateMachine::StateMachine(MachineSettings settings, uint64_t boot_id, Time now, bool healthy)
    : settings_(std::move(settings)),
      codec_(settings_.key),
      boot_id_(boot_id),
      grace_end_(now + settings_.timing.startup_grace),
      healthy_(healthy) {}

bool StateMachine::peer_alive_at(Time now) const {
  return peer_.heard && !peer_.leaving && now - peer_.last_heard < settings_.timing.dead_time;
}

bool StateMachine::peer_preferred() const {
  return preferred_over(peer_.priority, peer_.node_id, settings_.priority, settings_.node_id);
}

Output StateMachine::tick(Time now, bool healthy) {
  healthy_ = healthy;
  return evaluate(now);
}

Output StateMachine::on_datagram(std::span<const uint8_t> datagram, Time now) {
  Heartbeat h;
  switch (codec_.decode(datagram, h)) {
    case DecodeResult::ok: break;
    case DecodeResult::malformed: ++counters_.refused_malformed; return {};
    case DecodeResult::bad_mac: ++counters_.refused_bad_mac; return {};
    case DecodeResult::unsupported: ++counters_.refused_unsupported; return {};
  }
  if (h.node_id == settings_.node_id) {
    ++counters_.refused_own_id;
    return {};
  }
  if (peer_.heard) {
    const bool older_boot = h.boot_id < peer_.boot_id;
    if (older_boot || (h.boot_id == peer_.boot_id && h.counter <= peer_.counter)) {
      ++counters_.refused_replay;
      return {};
    }
    if (h.boot_id == peer_.boot_id) {
      counters_.heartbeats_lost += h.counter - peer_.counter - 1;
      counters_.longest_heartbeat_gap =
          std::max(counters_.longest_heartbeat_gap,
                   std::chrono::nanoseconds(now - peer_.last_heard));
    } else {
      ++counters_.peer_restarts;
    }
  }
  const bool was_alive = peer_alive_at(now);
  ++counters_.heartbeats_received;
  peer_.heard = true;
  peer_.node_id = h.node_id;
  peer_.priority = h.priority;
  peer_.role = h.role;
  peer_.healthy = h.healthy;
  peer_.takeover_request = h.takeover_request;
  peer_.leaving = h.leaving;
  peer_.hears_us = h.hears_peer;
  peer_.lost_split_brain = h.lost_split_brain;
  if (h.split_brain_ack) lost_split_brain_ = false;
  peer_.boot_id = h.boot_id;
  peer_.counter = h.counter;
  peer_.epoch = h.epoch;
  peer_.last_heard = now;
  if (role_ != Role::active && h.role == Role::active) epoch_ = std::max(epoch_, h.epoch);

  Output out = evaluate(now);
  // A peer that comes back learns our role now rather than an interval later.
  if (!was_alive && !h.leaving) out.send_now = true;
  return out;
}

Output StateMachine::evaluate(Time now) {
  peer_.alive = peer_alive_at(now);
  if (!peer_.alive || (peer_.role != Role::active && !peer_.lost_split_brain)) {
    split_brain_reported_ = false;
  }
  switch (role_) {
    case Role::joining: return decide_joining(now);
    case Role::backup: return decide_backup(now, Role::backup);
    case Role::fault: return decide_backup(now, Role::fault);
    case Role::active: return decide_active(now);
  }
  return {};
}

Output StateMachine::decide_joining(Time now) {
  if (peer_.alive && peer_.role == Role::active) return change(Role::backup, Reason::startup, now);
  if (now < grace_end_) return {};
  if (!healthy_) return change(Role::fault, Reason::unhealthy, now);
  if (!peer_.alive) return change(Role::active, Reason::startup, now);
  // Two nodes started together: both apply the same preference, so exactly one takes over.
  const bool peer_competes =
      peer_.healthy && (peer_.role == Role::backup || peer_.role == Role::joining);
  if (peer_competes && peer_preferred()) return change(Role::backup, Reason::startup, now);
  return change(Role::active, Reason::startup, now);
}

std::optional<Reason> StateMachine::takeover_reason() const {
  if (!peer_.alive) return peer_.heard && peer_.leaving ? Reason::peer_gave_way : Reason::peer_dead;
  if (peer_.role == Role::active) {
    return peer_.takeover_request ? std::optional(Reason::switchover) : std::nullopt;
  }
  // Nobody is active: the preferred healthy candidate takes over, so at a joint start this node
  // waits for a preferred peer still in its grace (at most the grace: then it takes over, seeing
  // this node backup). A faulty or unhealthy peer leaves it to this node.
  const bool peer_candidate =
      peer_.healthy && (peer_.role == Role::backup || peer_.role == Role::joining);
  if (peer_candidate && peer_preferred()) return std::nullopt;
  return Reason::peer_gave_way;
}

Output StateMachine::decide_backup(Time now, Role from) {
  if (!healthy_) return from == Role::fault ? Output{} : change(Role::fault, Reason::unhealthy, now);
  if (std::optional<Reason> reason = takeover_reason()) return change(Role::active, *reason, now);
  if (from == Role::fault) return change(Role::backup, Reason::healthy_again, now);
  return {};
}

Output StateMachine::decide_active(Time now) {
  if (switchover_ == SwitchoverState::pending) {
    if (peer_.alive && peer_.role == Role::active) {
      switchover_ = SwitchoverState::completed;
      ++counters_.switchovers_completed;
      return change(Role::backup, Reason::switchover, now);
    }
    if (!peer_.alive) {
      switchover_ = SwitchoverState::aborted;
      ++counters_.switchovers_failed;
    } else if (now - switchover_started_ >= settings_.timing.switchover_timeout) {
      switchover_ = SwitchoverState::timed_out;
      ++counters_.switchovers_failed;
    } else {
      return {};  // handing over: the peer being active soon is expected, not a split brain
    }
  }
  if (!peer_.alive) return {};
  if (!healthy_ && peer_.role == Role::backup && peer_.healthy) {
    return change(Role::fault, Reason::unhealthy, now);
  }
  // An active peer asking us to take over is handing over to us; it steps down on its own.
  const bool both_active = peer_.role == Role::active && !peer_.takeover_request;
  if (!both_active && !peer_.lost_split_brain) return {};
  if (both_active && peer_preferred()) {
    ++counters_.split_brains;
    lost_split_brain_ = true;
    return change(Role::backup, Reason::split_brain_lost, now, true);
  }
  if (split_brain_reported_) return {};
  split_brain_reported_ = true;
  ++counters_.split_brains;
  // A new term above both, so that the loser's replication from its own term is refused.
  epoch_ = std::max(epoch_, peer_.epoch) + 1;
  return Output{RoleEvent{Role::active, Role::active, Reason::split_brain_won, epoch_, true, now},
                true};
}

Output StateMachine::change(Role to, Reason reason, Time now, bool resync) {
  const Role from = role_;
  if (to == Role::active) {
    lost_split_brain_ = false;  // nobody left to resync from
    epoch_ = std::max(epoch_, peer_.epoch) + 1;
    ++counters_.became_active;
  }
  if (from == Role::active) ++counters_.stepped_down;
  role_ = to;
  return Output{RoleEvent{from, to, reason, epoch_, resync, now}, true};
}

StateMachine::SwitchoverStart StateMachine::request_switchover(Time now) {
  SwitchoverStart start{SwitchoverResult::started, evaluate(now)};
  if (role_ != Role::active) {
    start.result = SwitchoverResult::not_active;
  } else if (switchover_ == SwitchoverState::pending) {
    start.result = SwitchoverResult::already_pending;
  } else if (!peer_.alive || peer_.role != Role::backup || !peer_.healthy) {
    start.result = SwitchoverResult::peer_not_ready;
  } else {
    switchover_ = SwitchoverState::pending;
    switchover_started_ = now;
    ++counters_.switchovers_started;
    start.output.send_now = true;
  }
  return start;
}

HeartbeatBytes StateMachine::next_heartbeat(Time now, bool leaving) {
  Heartbeat h;
  h.node_id = settings_.node_id;
  h.priority = settings_.priority;
  h.role = role_;
  h.healthy = healthy_;
  h.takeover_request = role_ == Role::active && switchover_ == SwitchoverState::pending;
  h.leaving = leaving;
  h.hears_peer = peer_alive_at(now);
  h.lost_split_brain = lost_split_brain_;
  h.split_brain_ack = role_ == Role::active && h.hears_peer && peer_.lost_split_brain;
  h.boot_id = boot_id_;
  h.counter = ++counter_;
  h.epoch = epoch_;
  ++counters_.heartbeats_built;
  return codec_.encode(h);
}

Time StateMachine::next_deadline() const {
  Time deadline = Time::max();
  if (role_ == Role::joining) deadline = std::min(deadline, grace_end_);
  if (peer_.alive) deadline = std::min(deadline, peer_.last_heard + settings_.timing.dead_time);
  if (switchover_ == SwitchoverState::pending) {
    deadline = std::min(deadline, switchover_started_ + settings_.timing.switchover_timeout);
  }
  return deadline;
}

}  // namespace siplb::control::ha
