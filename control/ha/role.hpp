// The HA pair's vocabulary: a node's roles, the reasons it changes role, and the one rule that
// orders two nodes when exactly one of them may be active (election at start, split brain).
//
// Owns nothing: enums and pure functions, usable from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace siplb::control::ha {

enum class Role : uint8_t {
  joining = 0,  // listening after start (startup grace) before it may take over
  backup = 1,   // healthy and ready to take over
  active = 2,   // owns the VIP
  fault = 3,    // unhealthy (e.g. its links are down): never takes over until healthy again
};
inline constexpr uint8_t kRoleCount = 4;

// Why a node changed role (or, for split_brain_won, kept it). The integrator logs and counts them.
enum class Reason : uint8_t {
  startup = 0,           // the startup grace ended (or an active peer was heard during it)
  peer_dead = 1,         // no valid heartbeat within the dead time: takeover
  peer_gave_way = 2,     // the peer is alive but not active and not the better candidate
                         // (it stopped gracefully, went to fault, or restarted)
  switchover = 3,        // the operator's switchover: the backup took over, the active stepped down
  split_brain_lost = 4,  // both were active; the rule kept the peer: this node stepped down
  split_brain_won = 5,   // both were active; the rule kept this node (role unchanged)
  unhealthy = 6,         // this node's health check failed
  healthy_again = 7,     // this node's health check passed again: fault -> backup
};

std::string_view role_name(Role role);      // "joining", "backup", "active", "fault"
std::string_view reason_name(Reason reason);  // "startup", "peer_dead", ... as spelled above

// The deterministic preference between two nodes: the higher priority wins, and between equal
// priorities the lower node id (node ids of a pair differ). Both nodes evaluate it with the same
// inputs and so agree on the winner without another message.
constexpr bool preferred_over(uint8_t priority, uint32_t node_id, uint8_t other_priority,
                              uint32_t other_node_id) {
  if (priority != other_priority) return priority > other_priority;
  return node_id < other_node_id;
}

}  // namespace siplb::control::ha
