// The HA state machine (control/ha/state_machine.*) on simulated time: two machines in a loop
// stepped every 250 us, each sending on its interval and at once when asked, their heartbeats
// delivered instantly unless a link is cut. Start grace and the joint start, takeover within the
// dead time, no failback, the switchover handshake (never a moment with no active node), split
// brain in both orders and both preferences, health, replays, forgeries and the counters.
#include "../../control/ha/state_machine.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace siplb::control::ha {
namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::microseconds;

constexpr auto kStep = 250us;
const Time kStart = Time{} + 1h;

MachineSettings node(uint32_t id, uint8_t priority = 100) {
  MachineSettings s;
  s.node_id = id;
  s.priority = priority;
  s.key = "pair key";
  return s;
}

struct Node {
  MachineSettings settings;
  std::optional<StateMachine> machine;
  bool running = false;
  bool healthy = true;
  bool send_pending = false;
  Time next_send{};
  uint64_t boots = 0;
  std::vector<RoleEvent> events;
  std::vector<HeartbeatBytes> sent;
};

// Two machines wired together on simulated time.
class Pair {
 public:
  Pair(MachineSettings a, MachineSettings b) {
    nodes_[0].settings = std::move(a);
    nodes_[1].settings = std::move(b);
  }

  Time now = kStart;
  bool link[2] = {true, true};  // link[i]: what node i sends reaches the other
  // Optional per-direction filter: true drops the datagram.
  std::function<bool(int from, const HeartbeatBytes&)> drop;
  bool saw_no_active = false;  // since watch_for_no_active()

  Node& operator[](int i) { return nodes_[i]; }
  StateMachine& m(int i) { return *nodes_[i].machine; }
  Role role(int i) { return m(i).role(); }

  void start(int i) {
    Node& n = nodes_[i];
    // A later boot has a larger boot id, as the runner's wall-clock ids are.
    n.machine.emplace(n.settings, 1000 * (i + 1) + ++n.boots, now, n.healthy);
    n.running = true;
    n.next_send = now;
    n.events.clear();
  }
  void kill(int i) { nodes_[i].running = false; }

  int active_count() {
    int count = 0;
    for (int i = 0; i < 2; ++i) count += nodes_[i].running && role(i) == Role::active;
    return count;
  }
  void watch_for_no_active() { saw_no_active = false; }

  void step() {
    for (int i = 0; i < 2; ++i) {
      if (nodes_[i].running) record(i, m(i).tick(now, nodes_[i].healthy));
    }
    for (int i = 0; i < 2; ++i) {
      Node& n = nodes_[i];
      if (!n.running) continue;
      if (now >= n.next_send) {
        n.next_send += n.settings.timing.interval;
        send(i);
      } else if (n.send_pending) {
        send(i);
      }
    }
    if (active_count() == 0) saw_no_active = true;
  }
  void run_for(std::chrono::nanoseconds d) {
    const Time end = now + d;
    while (now < end) {
      step();
      now += kStep;
    }
  }
  // Steps until pred() or `limit` passes; returns whether pred() held.
  bool run_until(const std::function<bool()>& pred, std::chrono::nanoseconds limit = 2s) {
    const Time end = now + limit;
    while (now < end) {
      step();
      if (pred()) return true;
      now += kStep;
    }
    return false;
  }

  void deliver(int to, std::span<const uint8_t> bytes) {
    if (!nodes_[to].running) return;
    record(to, m(to).on_datagram(bytes, now));
    if (nodes_[to].send_pending) send(to);
  }

  void record(int i, const Output& out) {
    if (out.event) nodes_[i].events.push_back(*out.event);
    if (out.send_now) nodes_[i].send_pending = true;
  }

  void send(int i) {
    Node& n = nodes_[i];
    n.send_pending = false;
    const HeartbeatBytes bytes = m(i).next_heartbeat(now);
    n.sent.push_back(bytes);
    if (!link[i] || (drop && drop(i, bytes))) return;
    if (++depth_ > 16) {
      ADD_FAILURE() << "heartbeats ping-pong without end";
      --depth_;
      return;
    }
    deliver(1 - i, bytes);
    --depth_;
  }

 private:
  Node nodes_[2];
  int depth_ = 0;
};

// A active, B backup, settled.
void settle_a_active(Pair& p) {
  p.start(0);
  p.run_for(300ms);
  ASSERT_EQ(p.role(0), Role::active);
  p.start(1);
  p.run_for(50ms);
  ASSERT_EQ(p.role(1), Role::backup);
  ASSERT_EQ(p.active_count(), 1);
}

const RoleEvent& last(Pair& p, int i) { return p[i].events.back(); }

// --- start ---------------------------------------------------------------------------------

TEST(HaStateMachine, AloneItWaitsTheGraceThenBecomesActive) {
  Pair p(node(1), node(2));
  p.start(0);
  ASSERT_TRUE(p.run_until([&] { return p.role(0) != Role::joining; }));
  EXPECT_EQ(p.role(0), Role::active);
  EXPECT_EQ(p.now - kStart, p.m(0).settings().timing.startup_grace);
  ASSERT_EQ(p[0].events.size(), 1u);
  EXPECT_EQ(last(p, 0).from, Role::joining);
  EXPECT_EQ(last(p, 0).reason, Reason::startup);
  EXPECT_EQ(last(p, 0).epoch, 1u);
}

TEST(HaStateMachine, AStartingNodeHearingAnActivePeerIsBackupAtOnce) {
  Pair p(node(1), node(2, 200));  // even when it is preferred
  p.start(0);
  p.run_for(300ms);
  p.start(1);
  const Time started = p.now;
  ASSERT_TRUE(p.run_until([&] { return p.role(1) != Role::joining; }));
  EXPECT_EQ(p.role(1), Role::backup);
  EXPECT_LE(p.now - started, 5ms);  // within one of the peer's intervals, not the grace
  EXPECT_EQ(last(p, 1).reason, Reason::startup);
  EXPECT_EQ(p.m(1).epoch(), 1u) << "a backup adopts the active's epoch";
  p.run_for(1s);
  EXPECT_EQ(p.role(0), Role::active);
  EXPECT_EQ(p.role(1), Role::backup);
}

struct JointStart {
  int b_priority;
  int b_offset_ms;  // B starts this much after A (negative: before)
  int expected_active;
};

class HaJointStart : public ::testing::TestWithParam<JointStart> {};

TEST_P(HaJointStart, ExactlyOneBecomesActiveAndItIsThePreferred) {
  const JointStart c = GetParam();
  Pair p(node(1), node(2, static_cast<uint8_t>(c.b_priority)));
  const int first = c.b_offset_ms >= 0 ? 0 : 1;
  p.start(first);
  p.run_for(std::chrono::milliseconds(std::abs(c.b_offset_ms)));
  p.start(1 - first);
  bool ever_two = false;
  for (int i = 0; i < 4000; ++i) {  // 1 s
    p.step();
    ever_two |= p.active_count() == 2;
    p.now += kStep;
  }
  EXPECT_FALSE(ever_two);
  EXPECT_EQ(p.active_count(), 1);
  EXPECT_EQ(p.role(c.expected_active), Role::active);
  EXPECT_EQ(p.role(1 - c.expected_active), Role::backup);
}

INSTANTIATE_TEST_SUITE_P(
    Offsets, HaJointStart,
    ::testing::Values(JointStart{100, 0, 0},      // equal priorities: the lower node id
                      JointStart{100, 50, 0},     // the preferred starts first
                      JointStart{100, -50, 0},    // the preferred starts second, within the grace
                      JointStart{150, 0, 1},      // higher priority wins over the lower id
                      JointStart{150, 50, 1},
                      JointStart{150, -50, 1},
                      JointStart{150, 300, 0}));  // past the grace: the first stays (no failback)

// --- takeover --------------------------------------------------------------------------------

TEST(HaStateMachine, BackupTakesOverWithinTheDeadTimeOfTheLastHeartbeat) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  // Kill A right after it sent a heartbeat: the worst case for detection.
  p.run_until([&] { return p.now == p[0].next_send - p[0].settings.timing.interval; });
  p.run_for(kStep);
  const Time last_heartbeat = p.m(1).peer().last_heard;
  p.kill(0);
  const Time killed = p.now;
  ASSERT_TRUE(p.run_until([&] { return p.role(1) == Role::active; }));
  EXPECT_EQ(last(p, 1).reason, Reason::peer_dead);
  EXPECT_FALSE(last(p, 1).resync_required);
  const auto detection = p.now - last_heartbeat;
  const auto dead = p.m(1).settings().timing.dead_time;
  EXPECT_GE(detection, dead);
  EXPECT_LE(detection, dead + kStep);
  EXPECT_LT(p.now - killed, 50ms);
  EXPECT_EQ(p.m(1).epoch(), 2u);
  EXPECT_EQ(p.m(1).counters().became_active, 1u);
}

TEST(HaStateMachine, TheNextDeadlineIsTheGraceThenThePeersDeadTime) {
  Pair p(node(1), node(2));
  p.start(0);
  EXPECT_EQ(p.m(0).next_deadline(), kStart + p.m(0).settings().timing.startup_grace);
  p.run_for(300ms);
  EXPECT_EQ(p.m(0).next_deadline(), Time::max());  // active and alone: nothing to wait for
  p.start(1);
  p.run_for(20ms);
  EXPECT_EQ(p.m(1).next_deadline(), p.m(1).peer().last_heard + p.m(1).settings().timing.dead_time);
}

TEST(HaStateMachine, AReturningPreferredNodeStaysBackupNoFailback) {
  Pair p(node(1, 200), node(2, 100));
  settle_a_active(p);
  p.kill(0);
  ASSERT_TRUE(p.run_until([&] { return p.role(1) == Role::active; }));
  p.run_for(100ms);
  p.start(0);  // A comes back, preferred by priority
  ASSERT_TRUE(p.run_until([&] { return p.role(0) != Role::joining; }));
  EXPECT_EQ(p.role(0), Role::backup);
  EXPECT_EQ(last(p, 0).reason, Reason::startup);
  p.run_for(2s);
  EXPECT_EQ(p.role(0), Role::backup);
  EXPECT_EQ(p.role(1), Role::active);
  EXPECT_EQ(p[1].events.size(), 2u) << "B changed role only at start and at the takeover";
  EXPECT_EQ(p.m(1).counters().peer_restarts, 1u);
  EXPECT_EQ(p.m(0).epoch(), p.m(1).epoch());
}

TEST(HaStateMachine, ALeavingPeerIsTakenOverAtOnce) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  const HeartbeatBytes leaving = p.m(0).next_heartbeat(p.now, /*leaving=*/true);
  p.kill(0);
  p.deliver(1, leaving);
  EXPECT_EQ(p.role(1), Role::active);
  EXPECT_EQ(last(p, 1).reason, Reason::peer_gave_way);
}

// --- switchover ------------------------------------------------------------------------------

TEST(HaStateMachine, SwitchoverIsMakeBeforeBreakAndBack) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  for (int from : {0, 1}) {
    const int to = 1 - from;
    p.watch_for_no_active();
    const uint64_t epoch_before = p.m(from).epoch();
    StateMachine::SwitchoverStart s = p.m(from).request_switchover(p.now);
    ASSERT_EQ(s.result, SwitchoverResult::started);
    EXPECT_TRUE(s.output.send_now);
    EXPECT_EQ(p.m(from).switchover_state(), SwitchoverState::pending);
    p.record(from, s.output);
    p.send(from);  // the request, and within it the whole handshake (instant delivery)
    EXPECT_EQ(p.role(to), Role::active);
    EXPECT_EQ(last(p, to).reason, Reason::switchover);
    EXPECT_EQ(p.role(from), Role::backup);
    EXPECT_EQ(last(p, from).reason, Reason::switchover);
    EXPECT_EQ(p.m(from).switchover_state(), SwitchoverState::completed);
    EXPECT_EQ(p.m(to).epoch(), epoch_before + 1);
    p.run_for(500ms);
    EXPECT_FALSE(p.saw_no_active);
    EXPECT_EQ(p.active_count(), 1);
    EXPECT_EQ(p.role(to), Role::active);
    EXPECT_EQ(p.m(from).counters().switchovers_completed, 1u);
    EXPECT_EQ(p.m(from).epoch(), p.m(to).epoch());
  }
}

TEST(HaStateMachine, SwitchoverWithADelayedConfirmationKeepsOneNodeActiveThroughout) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  // B's heartbeats reach A only every 4th: the confirmation arrives late.
  int count = 0;
  p.drop = [&](int from, const HeartbeatBytes&) { return from == 1 && (++count % 4) != 0; };
  p.watch_for_no_active();
  StateMachine::SwitchoverStart s = p.m(0).request_switchover(p.now);
  ASSERT_EQ(s.result, SwitchoverResult::started);
  p.record(0, s.output);
  ASSERT_TRUE(p.run_until([&] { return p.role(0) == Role::backup; }, 100ms));
  EXPECT_EQ(p.role(1), Role::active);
  EXPECT_FALSE(p.saw_no_active);
  EXPECT_EQ(p.m(0).counters().split_brains + p.m(1).counters().split_brains, 0u);
}

TEST(HaStateMachine, SwitchoverIsRefusedWhenItCannotWork) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  EXPECT_EQ(p.m(1).request_switchover(p.now).result, SwitchoverResult::not_active);
  p[1].healthy = false;
  p.run_for(10ms);
  ASSERT_EQ(p.role(1), Role::fault);
  EXPECT_EQ(p.m(0).request_switchover(p.now).result, SwitchoverResult::peer_not_ready);
  p[1].healthy = true;
  p.run_for(10ms);
  p.drop = [](int from, const HeartbeatBytes&) { return from == 0; };  // B cannot answer in time
  EXPECT_EQ(p.m(0).request_switchover(p.now).result, SwitchoverResult::started);
  EXPECT_EQ(p.m(0).request_switchover(p.now).result, SwitchoverResult::already_pending);
  p.kill(1);
  EXPECT_EQ(p.role(0), Role::active);
  EXPECT_EQ(p.m(0).request_switchover(p.now + 1h).result, SwitchoverResult::peer_not_ready);
  EXPECT_EQ(p.m(0).switchover_state(), SwitchoverState::aborted);
  EXPECT_EQ(p.role(0), Role::active);
}

TEST(HaStateMachine, SwitchoverTimesOutWhenThePeerCannotTakeOverAndTheActiveStays) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  StateMachine::SwitchoverStart s = p.m(0).request_switchover(p.now);
  ASSERT_EQ(s.result, SwitchoverResult::started);
  p[1].healthy = false;  // B turns faulty before the request reaches it
  p.m(1).tick(p.now, false);
  ASSERT_EQ(p.role(1), Role::fault);
  p.record(0, s.output);
  const Time asked = p.now;
  ASSERT_TRUE(p.run_until(
      [&] { return p.m(0).switchover_state() != SwitchoverState::pending; }, 1s));
  EXPECT_EQ(p.m(0).switchover_state(), SwitchoverState::timed_out);
  EXPECT_GE(p.now - asked, p.m(0).settings().timing.switchover_timeout);
  EXPECT_EQ(p.role(0), Role::active);
  EXPECT_EQ(p.m(0).counters().switchovers_failed, 1u);
}

// --- split brain -----------------------------------------------------------------------------

struct SplitBrain {
  int b_priority;
  int heal_first;  // the direction that comes back first: 0 = A -> B, 1 = B -> A
  int winner;
};

class HaSplitBrain : public ::testing::TestWithParam<SplitBrain> {};

TEST_P(HaSplitBrain, AfterAPartitionExactlyThePreferredStaysActive) {
  const SplitBrain c = GetParam();
  Pair p(node(1), node(2, static_cast<uint8_t>(c.b_priority)));
  settle_a_active(p);
  p.link[0] = p.link[1] = false;
  ASSERT_TRUE(p.run_until([&] { return p.role(1) == Role::active; }));
  p.run_for(100ms);
  ASSERT_EQ(p.active_count(), 2);
  const uint64_t top_epoch = std::max(p.m(0).epoch(), p.m(1).epoch());

  p.link[c.heal_first] = true;
  p.run_for(2ms);
  p.link[1 - c.heal_first] = true;
  p.run_for(500ms);

  const int loser = 1 - c.winner;
  EXPECT_EQ(p.role(c.winner), Role::active);
  EXPECT_EQ(p.role(loser), Role::backup);
  EXPECT_EQ(last(p, loser).reason, Reason::split_brain_lost);
  EXPECT_TRUE(last(p, loser).resync_required);
  EXPECT_EQ(last(p, c.winner).reason, Reason::split_brain_won);
  EXPECT_EQ(last(p, c.winner).from, Role::active);
  EXPECT_EQ(last(p, c.winner).to, Role::active);
  EXPECT_TRUE(last(p, c.winner).resync_required);
  EXPECT_GT(p.m(c.winner).epoch(), top_epoch) << "a new term above both";
  EXPECT_EQ(p.m(loser).epoch(), p.m(c.winner).epoch());
  // Reported once per contact, not once per heartbeat.
  int won = 0;
  for (const RoleEvent& e : p[c.winner].events) won += e.reason == Reason::split_brain_won;
  EXPECT_EQ(won, 1);
  EXPECT_EQ(p.m(c.winner).counters().split_brains, 1u);
  EXPECT_FALSE(p.m(c.winner).peer().lost_split_brain) << "the winner acknowledged";
  EXPECT_EQ(p.m(loser).counters().split_brains, 1u);
}

INSTANTIATE_TEST_SUITE_P(Orders, HaSplitBrain,
                         ::testing::Values(SplitBrain{100, 0, 0}, SplitBrain{100, 1, 0},
                                           SplitBrain{150, 0, 1}, SplitBrain{150, 1, 1}));

// --- health ----------------------------------------------------------------------------------

TEST(HaStateMachine, AnUnhealthyBackupDoesNotTakeOverUntilHealthyAgain) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  p[1].healthy = false;
  p.run_for(10ms);
  EXPECT_EQ(p.role(1), Role::fault);
  EXPECT_EQ(last(p, 1).reason, Reason::unhealthy);
  p.kill(0);
  p.run_for(1s);
  EXPECT_EQ(p.role(1), Role::fault);
  p[1].healthy = true;
  p.step();
  EXPECT_EQ(p.role(1), Role::active);
  EXPECT_EQ(last(p, 1).from, Role::fault);
  EXPECT_EQ(last(p, 1).reason, Reason::peer_dead);
}

TEST(HaStateMachine, AFaultyBackupThatRecoversIsBackupAgain) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  p[1].healthy = false;
  p.run_for(10ms);
  p[1].healthy = true;
  p.run_for(10ms);
  EXPECT_EQ(p.role(1), Role::backup);
  EXPECT_EQ(last(p, 1).reason, Reason::healthy_again);
  EXPECT_EQ(p.role(0), Role::active);
}

TEST(HaStateMachine, AnUnhealthyActiveGivesWayToAHealthyBackup) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  p[0].healthy = false;
  p.step();  // A steps down and tells B at once
  EXPECT_EQ(p.role(0), Role::fault);
  EXPECT_EQ(last(p, 0).reason, Reason::unhealthy);
  EXPECT_EQ(p.role(1), Role::active);
  EXPECT_EQ(last(p, 1).reason, Reason::peer_gave_way);
  p.run_for(200ms);
  EXPECT_EQ(p.role(0), Role::fault);
  p[0].healthy = true;
  p.run_for(10ms);
  EXPECT_EQ(p.role(0), Role::backup);
  EXPECT_EQ(p.role(1), Role::active);
}

TEST(HaStateMachine, AnUnhealthyActiveWithoutABetterPeerStaysActive) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  p[1].healthy = false;
  p.run_for(10ms);  // B in fault
  p[0].healthy = false;
  p.run_for(100ms);
  EXPECT_EQ(p.role(0), Role::active);
  p.kill(1);
  p.run_for(100ms);
  EXPECT_EQ(p.role(0), Role::active);
}

TEST(HaStateMachine, AnUnhealthyNodeAtTheEndOfItsGraceIsFaulty) {
  Pair p(node(1), node(2));
  p[0].healthy = false;
  p.start(0);
  p.run_for(300ms);
  EXPECT_EQ(p.role(0), Role::fault);
}

// --- what is refused -------------------------------------------------------------------------

TEST(HaStateMachine, ReplayedAndReorderedHeartbeatsAreRefusedAndCounted) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  const std::vector<HeartbeatBytes> old = p[0].sent;
  const uint64_t received = p.m(1).counters().heartbeats_received;
  for (const HeartbeatBytes& h : old) p.deliver(1, h);
  EXPECT_EQ(p.m(1).counters().refused_replay, old.size());
  EXPECT_EQ(p.m(1).counters().heartbeats_received, received);

  // Out of order: the later one first; the earlier one is then refused, and was counted lost.
  const HeartbeatBytes first = p.m(0).next_heartbeat(p.now);
  const HeartbeatBytes second = p.m(0).next_heartbeat(p.now);
  const uint64_t lost = p.m(1).counters().heartbeats_lost;
  p.deliver(1, second);
  p.deliver(1, first);
  EXPECT_EQ(p.m(1).counters().heartbeats_lost, lost + 1);
  EXPECT_EQ(p.m(1).counters().refused_replay, old.size() + 1);

  // Replaying A's old heartbeats after it died does not keep B from taking over on time.
  p.kill(0);
  const Time last_heard = p.m(1).peer().last_heard;
  std::size_t next = 0;
  while (p.role(1) != Role::active && p.now < last_heard + 1s) {
    p.deliver(1, old[next++ % old.size()]);
    p.step();
    p.now += kStep;
  }
  EXPECT_EQ(p.role(1), Role::active);
  EXPECT_LE(p.now - last_heard, p.m(1).settings().timing.dead_time + kStep);
}

TEST(HaStateMachine, ForgedAndMalformedDatagramsAreRefusedAndCounted) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  p.kill(0);
  // An attacker without the key claims to be a preferred active peer with a huge counter.
  Heartbeat forged;
  forged.node_id = 1;
  forged.priority = 255;
  forged.role = Role::active;
  forged.healthy = true;
  forged.boot_id = ~0ULL;
  forged.counter = ~0ULL;
  const HeartbeatBytes with_other_key = HeartbeatCodec("guessed key").encode(forged);
  HeartbeatBytes flipped = p[0].sent.back();
  flipped[kHeartbeatSize - 1] ^= 0x80;
  const uint8_t junk[10] = {};
  const Time last_heard = p.m(1).peer().last_heard;
  while (p.role(1) != Role::active && p.now < last_heard + 1s) {
    p.deliver(1, with_other_key);
    p.deliver(1, flipped);
    p.deliver(1, junk);
    p.step();
    p.now += kStep;
  }
  EXPECT_EQ(p.role(1), Role::active) << "forgeries do not keep the peer alive";
  EXPECT_LE(p.now - last_heard, p.m(1).settings().timing.dead_time + kStep);
  const MachineCounters& c = p.m(1).counters();
  EXPECT_GT(c.refused_bad_mac, 0u);
  EXPECT_EQ(c.refused_bad_mac, 2 * c.refused_malformed);
  EXPECT_EQ(p.m(1).peer().boot_id, p.m(0).boot_id()) << "nothing forged was taken in";
}

TEST(HaStateMachine, ItsOwnHeartbeatsComingBackAreRefused) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  p.deliver(0, p[0].sent.back());
  EXPECT_EQ(p.m(0).counters().refused_own_id, 1u);
  EXPECT_EQ(p.role(0), Role::active);
}

TEST(HaStateMachine, APeerRestartNeedsALargerBootId) {
  MachineSettings a = node(1);
  Pair p(a, node(2));
  settle_a_active(p);
  // An older incarnation of A (smaller boot id) is a replay, whatever its counter.
  StateMachine older(a, p.m(0).boot_id() - 1, p.now);
  for (int i = 0; i < 100; ++i) older.next_heartbeat(p.now);
  p.deliver(1, older.next_heartbeat(p.now));
  EXPECT_EQ(p.m(1).counters().refused_replay, 1u);
  EXPECT_EQ(p.m(1).counters().peer_restarts, 0u);
  StateMachine newer(a, p.m(0).boot_id() + 1, p.now);
  p.deliver(1, newer.next_heartbeat(p.now));
  EXPECT_EQ(p.m(1).counters().peer_restarts, 1u);
  EXPECT_EQ(p.m(1).peer().role, Role::joining);
}

TEST(HaStateMachine, LostHeartbeatsAreTheGapsInTheCounter) {
  Pair p(node(1), node(2));
  settle_a_active(p);
  const uint64_t before = p.m(1).counters().heartbeats_lost;
  int dropped = 0;
  p.drop = [&](int from, const HeartbeatBytes&) { return from == 0 && dropped++ < 3; };
  p.run_for(50ms);
  EXPECT_EQ(p.m(1).counters().heartbeats_lost - before, 3u);
  EXPECT_EQ(p.role(1), Role::backup) << "three lost heartbeats (15 ms) are not a dead peer";
}

TEST(HaStateMachine, HeartbeatsSayWhatTheSenderIs) {
  Pair p(node(1, 7), node(2));
  settle_a_active(p);
  const PeerView& a = p.m(1).peer();
  EXPECT_TRUE(a.alive);
  EXPECT_EQ(a.node_id, 1u);
  EXPECT_EQ(a.priority, 7);
  EXPECT_EQ(a.role, Role::active);
  EXPECT_TRUE(a.healthy);
  EXPECT_TRUE(a.hears_us);
  EXPECT_EQ(a.epoch, 1u);
  EXPECT_FALSE(a.takeover_request);
}

// --- settings --------------------------------------------------------------------------------

TEST(HaSettings, ValidateNamesTheProblem) {
  EXPECT_EQ(validate(node(1)), std::nullopt);
  MachineSettings s = node(0);
  EXPECT_EQ(validate(s).value_or(""), "node id must not be 0");
  s = node(1);
  s.key.clear();
  EXPECT_EQ(validate(s).value_or(""), "the heartbeat key is empty");
  s = node(1);
  s.timing.dead_time = s.timing.interval;
  EXPECT_EQ(validate(s).value_or(""), "dead time must be at least twice the heartbeat interval");
  s = node(1);
  s.timing.startup_grace = 10ms;
  EXPECT_EQ(validate(s).value_or(""), "startup grace must be at least the dead time");
  s = node(1);
  s.timing.interval = 0us;
  EXPECT_TRUE(validate(s).has_value());
  s = node(1);
  s.timing.switchover_timeout = 0ms;
  EXPECT_TRUE(validate(s).has_value());
}

TEST(HaSettings, ThePreferenceIsPriorityThenTheLowerNodeId) {
  EXPECT_TRUE(preferred_over(200, 9, 100, 1));
  EXPECT_FALSE(preferred_over(100, 1, 200, 9));
  EXPECT_TRUE(preferred_over(100, 1, 100, 2));
  EXPECT_FALSE(preferred_over(100, 2, 100, 1));
  EXPECT_EQ(role_name(Role::active), "active");
  EXPECT_EQ(reason_name(Reason::split_brain_lost), "split_brain_lost");
}

}  // namespace
}  // namespace siplb::control::ha
