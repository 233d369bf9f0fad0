// The heartbeat codec (control/ha/heartbeat.*): every field survives a round trip; a flipped bit
// anywhere, another key, a wrong size or magic are refused with the right reason; an authentic
// message with an unknown role is "unsupported", not accepted.
#include "../../control/ha/heartbeat.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace siplb::control::ha {
namespace {

Heartbeat sample() {
  Heartbeat h;
  h.node_id = 0xA1B2C3D4;
  h.priority = 201;
  h.role = Role::active;
  h.healthy = true;
  h.takeover_request = true;
  h.leaving = false;
  h.hears_peer = true;
  h.lost_split_brain = true;
  h.split_brain_ack = false;
  h.boot_id = 0x0102030405060708ULL;
  h.counter = 0x1122334455667788ULL;
  h.epoch = 42;
  return h;
}

TEST(HeartbeatCodec, RoundTripKeepsEveryField) {
  const HeartbeatCodec codec("shared secret");
  const HeartbeatBytes bytes = codec.encode(sample());
  EXPECT_EQ(bytes[0], 'S');
  EXPECT_EQ(bytes[4], kHeartbeatVersion);
  Heartbeat out;
  ASSERT_EQ(codec.decode(bytes, out), DecodeResult::ok);
  const Heartbeat in = sample();
  EXPECT_EQ(out.node_id, in.node_id);
  EXPECT_EQ(out.priority, in.priority);
  EXPECT_EQ(out.role, in.role);
  EXPECT_EQ(out.healthy, in.healthy);
  EXPECT_EQ(out.takeover_request, in.takeover_request);
  EXPECT_EQ(out.leaving, in.leaving);
  EXPECT_EQ(out.hears_peer, in.hears_peer);
  EXPECT_EQ(out.lost_split_brain, in.lost_split_brain);
  EXPECT_EQ(out.split_brain_ack, in.split_brain_ack);
  EXPECT_EQ(out.boot_id, in.boot_id);
  EXPECT_EQ(out.counter, in.counter);
  EXPECT_EQ(out.epoch, in.epoch);

  Heartbeat flags_off = sample();
  flags_off.healthy = flags_off.takeover_request = flags_off.hears_peer = false;
  flags_off.leaving = flags_off.split_brain_ack = true;
  flags_off.lost_split_brain = false;
  ASSERT_EQ(codec.decode(codec.encode(flags_off), out), DecodeResult::ok);
  EXPECT_FALSE(out.healthy);
  EXPECT_FALSE(out.takeover_request);
  EXPECT_TRUE(out.leaving);
  EXPECT_FALSE(out.lost_split_brain);
  EXPECT_TRUE(out.split_brain_ack);
  EXPECT_FALSE(out.hears_peer);
}

TEST(HeartbeatCodec, AnyFlippedBitAfterTheMagicIsABadMac) {
  const HeartbeatCodec codec("shared secret");
  const HeartbeatBytes good = codec.encode(sample());
  for (std::size_t i = 4; i < kHeartbeatSize; ++i) {
    HeartbeatBytes bad = good;
    bad[i] ^= 0x01;
    Heartbeat out;
    EXPECT_EQ(codec.decode(bad, out), DecodeResult::bad_mac) << "byte " << i;
  }
}

TEST(HeartbeatCodec, AnotherKeyIsABadMac) {
  const HeartbeatBytes bytes = HeartbeatCodec("key one").encode(sample());
  Heartbeat out;
  EXPECT_EQ(HeartbeatCodec("key two").decode(bytes, out), DecodeResult::bad_mac);
}

TEST(HeartbeatCodec, WrongSizeOrMagicIsMalformed) {
  const HeartbeatCodec codec("k");
  const HeartbeatBytes good = codec.encode(sample());
  Heartbeat out;
  EXPECT_EQ(codec.decode(std::span(good).first(kHeartbeatSize - 1), out), DecodeResult::malformed);
  std::vector<uint8_t> longer(good.begin(), good.end());
  longer.push_back(0);
  EXPECT_EQ(codec.decode(longer, out), DecodeResult::malformed);
  EXPECT_EQ(codec.decode({}, out), DecodeResult::malformed);
  HeartbeatBytes magic = good;
  magic[0] = 'X';
  EXPECT_EQ(codec.decode(magic, out), DecodeResult::malformed);
}

TEST(HeartbeatCodec, AuthenticButUnknownVersionOrRoleIsUnsupported) {
  // An authentic message with a role this build does not know (a newer peer's).
  const HeartbeatCodec codec("k");
  Heartbeat h = sample();
  h.role = static_cast<Role>(7);
  Heartbeat out;
  EXPECT_EQ(codec.decode(codec.encode(h), out), DecodeResult::unsupported);
}

}  // namespace
}  // namespace siplb::control::ha
