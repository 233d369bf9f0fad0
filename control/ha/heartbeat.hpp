// The heartbeat message between the two nodes of an HA pair: its fields, its fixed wire layout and
// its authentication (HMAC-SHA-256 over everything before the MAC, with the pair's shared key).
//
// Owns: a copy of the key. encode() and decode() are const and keep no state, so one codec may be
// used from any thread; in siplbd only the HA thread ("siplb-ha") uses it.
//
// Wire layout (72 bytes, integers big-endian):
//    0  magic "SLHA"           4
//    4  version (1)            1
//    5  role                   1   Role
//    6  flags                  1   bit 0 healthy, 1 takeover_request, 2 leaving, 3 hears_peer,
//                                  4 lost_split_brain, 5 split_brain_ack
//    7  priority               1
//    8  node id                4
//   12  reserved (0)           4
//   16  boot id                8   the sender's incarnation: larger on each start
//   24  counter                8   1, 2, 3, ... within one boot id
//   32  epoch                  8   the active term the sender knows
//   40  HMAC-SHA-256          32   over bytes 0..39
// Replays and reordering are refused by the receiver, which accepts only a (boot id, counter)
// larger than the last one it accepted (state_machine.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "role.hpp"

namespace siplb::control::ha {

inline constexpr std::size_t kHeartbeatSize = 72;
inline constexpr uint8_t kHeartbeatVersion = 1;

struct Heartbeat {
  uint32_t node_id = 0;
  uint8_t priority = 0;
  Role role = Role::joining;
  bool healthy = false;
  bool takeover_request = false;  // the active sender asks the receiver to take over (switchover)
  bool leaving = false;           // the sender stops now: take over without waiting the dead time
  bool hears_peer = false;        // the sender currently receives the receiver's heartbeats
  // Split-brain handshake: the loser says so until the winner acknowledges, so that the winner
  // learns of it (and resyncs the loser) even when the loser heard of the conflict first and
  // stepped down before the winner ever saw it active.
  bool lost_split_brain = false;
  bool split_brain_ack = false;
  uint64_t boot_id = 0;
  uint64_t counter = 0;
  uint64_t epoch = 0;
};

enum class DecodeResult : uint8_t {
  ok,
  malformed,  // wrong size or magic: not a heartbeat at all
  bad_mac,    // a heartbeat whose MAC does not match: forged, corrupted or another key
  unsupported,  // authentic, but a version or role this build does not know
};

using HeartbeatBytes = std::array<uint8_t, kHeartbeatSize>;

class HeartbeatCodec {
 public:
  // An empty key is refused by the settings' validation (state_machine.hpp), not here.
  explicit HeartbeatCodec(std::string key) : key_(std::move(key)) {}

  HeartbeatBytes encode(const Heartbeat& heartbeat) const;
  // Checks size and magic, then the MAC (in constant time), then version and role; fills `out`
  // only when it returns ok.
  DecodeResult decode(std::span<const uint8_t> datagram, Heartbeat& out) const;

 private:
  std::string key_;
};

}  // namespace siplb::control::ha
