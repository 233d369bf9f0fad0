// The HA pair's role logic as a pure, deterministic state machine: no threads, no sockets, no
// clock of its own. Its inputs are ticks (the time and this node's health), received datagrams and
// switchover requests, each with the monotonic time it happens at; its outputs are role events and
// "send a heartbeat now". The runner (runner.hpp) drives it on the HA thread; tests drive it with
// simulated time and pass the bytes of one machine's heartbeats to the other.
//
// Owns: this node's role, epoch and heartbeat counter, what it knows of the peer (from the last
// accepted heartbeat), the pending switchover, and the counters. Not thread-safe: one thread calls
// everything (in siplbd the HA thread).
//
// Rules (evaluated after every input; at most one role change per input):
//   joining  an active peer heard -> backup (startup), even before the grace ends. After the
//            startup grace: unhealthy -> fault; no live peer -> active; a live healthy peer that
//            is joining or backup and preferred (role.hpp) -> backup, else active (all: startup).
//   backup   unhealthy -> fault (unhealthy). No live peer -> active (peer_dead, or peer_gave_way
//            when its last heartbeat said it was leaving). A live active peer asking to be
//            relieved -> active (switchover). A live peer that is not active and not a preferred
//            healthy backup or joining node -> active (peer_gave_way). A live active peer: stay,
//            even if this node is preferred (no automatic failback).
//   fault    healthy again -> whatever backup would do now, else backup (healthy_again).
//   active   while its switchover is pending: the peer confirms by being active -> backup
//            (switchover); the peer dies -> the switchover is aborted; no answer within
//            switchover_timeout -> timed out; either way this node stays active. Unhealthy with a
//            live healthy backup peer -> fault (unhealthy), and the peer takes over at once
//            (peer_gave_way); unhealthy without one -> stays active (nobody better can serve).
//            A live active peer not handing over (split brain) -> the preferred node stays
//            (split_brain_won, reported once per contact, with a new epoch), the other steps
//            down to backup (split_brain_lost); both events say resync_required. Whichever hears
//            the other first decides, so the loser may step down before the winner ever sees it
//            active: the loser's heartbeats say lost_split_brain until the winner's acknowledge
//            it, and an active node seeing that flag reports split_brain_won all the same.
// The peer is alive while its last accepted heartbeat is younger than the dead time and did not
// say it was leaving.
//
// Epoch: the active term. A node that becomes active (or wins a split brain) takes one more than
// the largest it knows; a node that is not active adopts a larger epoch heard from an active peer.
// The replication layer can tag its messages with it and refuse those of an older term.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "heartbeat.hpp"
#include "role.hpp"

namespace siplb::control::ha {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC on Linux
using Time = Clock::time_point;

// Defaults, and why (docs in the runner's settings repeat them for the integrator):
//   interval 5 ms: 200 small datagrams a second each way is nothing, and it leaves the dead time
//     room for six heartbeats.
//   dead_time 30 ms: a false takeover needs six heartbeats in a row lost, or the peer's HA thread
//     kept off its core for about 25 ms. On a saturated core the kernel's CFS wakes a thread that
//     sleeps most of the time within a few milliseconds and its scheduling period on a small
//     machine is about 12-24 ms, so 30 ms rides out that worst case. A real failure is detected
//     25-30 ms after the peer's last heartbeat (it died up to one interval after sending it), and
//     taking over costs one callback, so the outage stays under 50 ms (the switch relearning the
//     VIP from the gratuitous ARP adds well under a millisecond).
//   startup_grace 200 ms: longer than the dead time, so a starting node hears a live peer (even a
//     slow one) before it may take over; short next to siplbd's start-up.
//   switchover_timeout 200 ms: a healthy backup answers within one round trip; an answer later
//     than this is not coming.
struct Timing {
  std::chrono::microseconds interval{5'000};
  std::chrono::microseconds dead_time{30'000};
  std::chrono::milliseconds startup_grace{200};
  std::chrono::milliseconds switchover_timeout{200};
};

struct MachineSettings {
  uint32_t node_id = 0;    // unique within the pair, not 0
  uint8_t priority = 100;  // higher is preferred (election at start, split brain)
  std::string key;         // HMAC-SHA-256 key shared by both nodes, not empty
  Timing timing;
};

// One line naming the first problem of the settings, or nothing when they are usable: node id 0,
// empty key, interval not positive, dead time under twice the interval, grace under the dead time,
// switchover timeout not positive.
std::optional<std::string> validate(const MachineSettings& settings);

struct RoleEvent {
  Role from = Role::joining;
  Role to = Role::joining;  // == from only for split_brain_won
  Reason reason = Reason::startup;
  uint64_t epoch = 0;       // this node's epoch after the change
  // Both sides of a split brain served alone: the loser must take a full resync from the winner,
  // the winner must send one. False for every other reason.
  bool resync_required = false;
  Time at{};
};

enum class SwitchoverResult : uint8_t {
  started,          // the takeover request goes out; the step-down follows the peer's confirmation
  not_active,       // only the active node hands over
  peer_not_ready,   // the peer is not a live, healthy backup
  already_pending,
  not_running,      // (runner) the HA thread is stopped or did not answer
};
std::string_view switchover_result_name(SwitchoverResult result);

enum class SwitchoverState : uint8_t { none, pending, completed, timed_out, aborted };
std::string_view switchover_state_name(SwitchoverState state);

// What one input asks of the driver.
struct Output {
  std::optional<RoleEvent> event;
  bool send_now = false;  // send a heartbeat at once (role changed, request made, peer back)
};

struct PeerView {
  bool heard = false;  // a heartbeat was accepted since this machine started
  bool alive = false;  // as of the last input
  uint32_t node_id = 0;
  uint8_t priority = 0;
  Role role = Role::joining;
  bool healthy = false;
  bool takeover_request = false;
  bool leaving = false;
  bool hears_us = false;
  bool lost_split_brain = false;
  uint64_t boot_id = 0;
  uint64_t counter = 0;
  uint64_t epoch = 0;
  Time last_heard{};
};

struct MachineCounters {
  uint64_t heartbeats_built = 0;
  uint64_t heartbeats_received = 0;  // accepted
  uint64_t heartbeats_lost = 0;      // gaps in the peer's counter (late arrivals count as lost)
  uint64_t refused_bad_mac = 0;
  uint64_t refused_replay = 0;       // (boot id, counter) not above the last accepted
  uint64_t refused_malformed = 0;    // not a heartbeat (size, magic)
  uint64_t refused_unsupported = 0;  // authentic, but an unknown version or role
  uint64_t refused_own_id = 0;       // carries this node's id: a loop or a misconfigured peer
  uint64_t peer_restarts = 0;        // a larger boot id
  uint64_t became_active = 0;
  uint64_t stepped_down = 0;         // active -> another role
  uint64_t split_brains = 0;         // both active in contact (won or lost)
  uint64_t switchovers_started = 0;
  uint64_t switchovers_completed = 0;
  uint64_t switchovers_failed = 0;   // timed out or aborted
  // The longest time between two accepted heartbeats of one peer incarnation: how close to the
  // dead time this pair runs (a gap past the dead time was a takeover, real or false).
  std::chrono::nanoseconds longest_heartbeat_gap{0};
};

class StateMachine {
 public:
  // boot_id: this incarnation's id, larger than any earlier incarnation's (the runner uses the
  // wall clock in nanoseconds at start), so the peer can refuse replays across restarts.
  StateMachine(MachineSettings settings, uint64_t boot_id, Time now, bool healthy = true);

  // Timers (grace, dead peer, switchover timeout) and this node's health.
  Output tick(Time now, bool healthy);
  // One received datagram; whatever it is, it is counted (accepted or the reason it was refused).
  Output on_datagram(std::span<const uint8_t> datagram, Time now);

  struct SwitchoverStart {
    SwitchoverResult result;
    Output output;
  };
  // The operator's switchover: make-before-break. This node stays active and asks the peer to
  // take over; it steps down when a heartbeat shows the peer active. For the moment between, both
  // serve (the dataplane is stateless per request and the VIP's ARP follows the newest gratuitous
  // ARP), so no request is dropped for want of an active node.
  SwitchoverStart request_switchover(Time now);

  // The next heartbeat to send (its counter is used up). leaving: the last one, on a graceful stop.
  HeartbeatBytes next_heartbeat(Time now, bool leaving = false);

  // The earliest time at which tick() may change something without another input (end of the
  // grace, the peer's dead time, the switchover timeout), or Time::max().
  Time next_deadline() const;

  Role role() const { return role_; }
  bool healthy() const { return healthy_; }
  uint64_t epoch() const { return epoch_; }
  uint64_t boot_id() const { return boot_id_; }
  const PeerView& peer() const { return peer_; }
  const MachineCounters& counters() const { return counters_; }
  SwitchoverState switchover_state() const { return switchover_; }
  const MachineSettings& settings() const { return settings_; }

 private:
  Output evaluate(Time now);
  Output decide_joining(Time now);
  Output decide_backup(Time now, Role from);
  Output decide_active(Time now);
  std::optional<Reason> takeover_reason() const;
  bool peer_alive_at(Time now) const;
  bool peer_preferred() const;
  Output change(Role to, Reason reason, Time now, bool resync = false);

  MachineSettings settings_;
  HeartbeatCodec codec_;
  uint64_t boot_id_;
  Time grace_end_;
  Role role_ = Role::joining;
  bool healthy_;
  uint64_t epoch_ = 0;
  uint64_t counter_ = 0;
  PeerView peer_;
  SwitchoverState switchover_ = SwitchoverState::none;
  Time switchover_started_{};
  bool split_brain_reported_ = false;  // split_brain_won reported for this contact
  bool lost_split_brain_ = false;      // said in heartbeats until the winner acknowledges
  MachineCounters counters_;
};

}  // namespace siplb::control::ha
