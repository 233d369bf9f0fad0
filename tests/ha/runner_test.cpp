// The HA runner (control/ha/runner.*): two real runners in this process, heartbeating over UDP on
// 127.0.0.1 with the default timing. A killed active is taken over (the detection times are
// printed; the bound is generous for a loaded 2-core CI machine), a gracefully stopped one at
// once; switchover both ways; a partition both ways and its healing leave exactly one active;
// forged datagrams are counted; the health callback; start-up errors.
#include "../../control/ha/runner.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace siplb::control::ha {
namespace {

using namespace std::chrono_literals;

// A free UDP port on 127.0.0.1 (bound then released: each runner must know its peer's port before
// the peer exists).
uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t length = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
  close(fd);
  return ntohs(a.sin_port);
}

// Role events as the HA thread delivers them.
class Recorder {
 public:
  void operator()(const RoleEvent& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
  }
  std::vector<RoleEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::optional<RoleEvent> last() {
    std::lock_guard lock(mutex_);
    if (events_.empty()) return std::nullopt;
    return events_.back();
  }

 private:
  std::mutex mutex_;
  std::vector<RoleEvent> events_;
};

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 3s) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(200us);
  }
  return pred();
}

double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Two nodes on fixed loopback ports; each can be (re)started and stopped.
class HaRunnerPair : public ::testing::Test {
 protected:
  void SetUp() override {
    port_[0] = free_port();
    port_[1] = free_port();
    ASSERT_NE(port_[0], port_[1]);
  }
  void TearDown() override {
    for (auto& r : runner_) r.reset();
  }

  RunnerSettings settings(int i) {
    RunnerSettings s;
    s.machine.node_id = static_cast<uint32_t>(i + 1);
    s.machine.priority = 100;
    s.machine.key = "runner test key";
    s.local_address = "127.0.0.1";
    s.local_port = port_[i];
    s.peer_address = "127.0.0.1";
    s.peer_port = port_[1 - i];
    auto recorder = recorder_[i];
    s.on_role_event = [recorder](const RoleEvent& e) { (*recorder)(e); };
    s.healthy = [flag = healthy_[i]] { return flag->load(); };
    return s;
  }
  void start(int i) {
    recorder_[i] = std::make_shared<Recorder>();
    std::string error;
    runner_[i] = Runner::start(settings(i), error);
    ASSERT_TRUE(runner_[i]) << error;
  }
  Role role(int i) { return runner_[i] ? runner_[i]->role() : Role::fault; }
  int active_count() { return (role(0) == Role::active) + (role(1) == Role::active); }

  // `first` active, the other backup.
  void settle(int first) {
    start(first);
    ASSERT_TRUE(wait_until([&] { return role(first) == Role::active; }));
    start(1 - first);
    ASSERT_TRUE(wait_until([&] { return role(1 - first) == Role::backup; }));
    std::this_thread::sleep_for(100ms);
    ASSERT_EQ(role(first), Role::active);
  }

  // The active node once one is active and the other backup for 50 ms running, or -1.
  int stable_active() {
    const auto end = Clock::now() + 3s;
    auto since = Clock::now();
    int seen = -1;
    while (Clock::now() < end) {
      int now_active = -1;
      if (role(0) == Role::active && role(1) == Role::backup) now_active = 0;
      if (role(1) == Role::active && role(0) == Role::backup) now_active = 1;
      if (now_active != seen) {
        seen = now_active;
        since = Clock::now();
      } else if (seen >= 0 && Clock::now() - since >= 50ms) {
        return seen;
      }
      std::this_thread::sleep_for(200us);
    }
    return -1;
  }

  uint16_t port_[2] = {};
  std::unique_ptr<Runner> runner_[2];
  std::shared_ptr<Recorder> recorder_[2] = {std::make_shared<Recorder>(),
                                            std::make_shared<Recorder>()};
  std::shared_ptr<std::atomic<bool>> healthy_[2] = {std::make_shared<std::atomic<bool>>(true),
                                                    std::make_shared<std::atomic<bool>>(true)};
};

TEST_F(HaRunnerPair, AKilledActiveIsTakenOverWithinTheDeadTimeAndAMargin) {
  settle(0);
  const auto dead_time = settings(0).machine.timing.dead_time;
  std::vector<double> outages;     // kill -> takeover
  std::vector<double> detections;  // the survivor's last heartbeat -> takeover
  for (int round = 0; round < 5; ++round) {
    // Whoever is active now (a loaded machine may have swapped them since the last round).
    const int active = stable_active();
    ASSERT_GE(active, 0) << "round " << round;
    const int backup = 1 - active;
    const auto killed = Clock::now();
    runner_[active]->stop(Runner::StopMode::silent);
    ASSERT_TRUE(wait_until([&] { return role(backup) == Role::active; }, 2s)) << "round " << round;
    const RoleEvent taken = *recorder_[backup]->last();
    EXPECT_EQ(taken.reason, Reason::peer_dead);
    EXPECT_LT(taken.at - killed, 500ms);
    outages.push_back(ms(taken.at - killed));
    const Time last_heard = runner_[backup]->status().peer.last_heard;
    EXPECT_GE(taken.at - last_heard, dead_time) << "never before the dead time";
    detections.push_back(ms(taken.at - last_heard));
    // The killed node comes back as backup (no failback), and is the next one killed's heir.
    runner_[active].reset();
    start(active);
    ASSERT_TRUE(wait_until([&] { return role(active) == Role::backup; }));
  }
  for (auto* v : {&outages, &detections}) std::sort(v->begin(), v->end());
  std::printf("[ HA ] kill -> takeover: min %.2f ms, median %.2f ms, max %.2f ms; "
              "last heartbeat -> takeover (dead time %.0f ms): min %.2f, median %.2f, max %.2f ms\n",
              outages.front(), outages[2], outages.back(), ms(dead_time), detections.front(),
              detections[2], detections.back());
  const int active = stable_active();
  ASSERT_GE(active, 0);
  const Status s = runner_[active]->status();
  std::printf("[ HA ] SCHED_FIFO %s; largest HA thread wake-up delay seen: %lld us (%llu late "
              "wake-ups), longest gap between heartbeats: %.2f ms\n",
              s.realtime ? "on" : "off", static_cast<long long>(s.max_wakeup_delay.count()),
              static_cast<unsigned long long>(s.late_wakeups),
              ms(s.counters.longest_heartbeat_gap));
}
TEST_F(HaRunnerPair, AGracefullyStoppedActiveIsTakenOverAtOnce) {
  settle(0);
  const auto stopped = Clock::now();
  runner_[0]->stop(Runner::StopMode::graceful);
  ASSERT_TRUE(wait_until([&] { return role(1) == Role::active; }, 2s));
  const RoleEvent taken = *recorder_[1]->last();
  EXPECT_EQ(taken.reason, Reason::peer_gave_way);
  std::printf("[ HA ] graceful stop -> takeover: %.2f ms\n", ms(taken.at - stopped));
  EXPECT_LT(taken.at - stopped, 500ms);
}

TEST_F(HaRunnerPair, SwitchoverBothWaysKeepsAnActiveNodeThroughout) {
  settle(0);
  EXPECT_EQ(runner_[1]->switchover(), SwitchoverResult::not_active);
  for (int from : {0, 1}) {
    const int to = 1 - from;
    const auto asked = Clock::now();
    ASSERT_EQ(runner_[from]->switchover(), SwitchoverResult::started);
    ASSERT_TRUE(wait_until([&] { return role(from) == Role::backup && role(to) == Role::active; }));
    const RoleEvent up = *recorder_[to]->last();
    const RoleEvent down = *recorder_[from]->last();
    EXPECT_EQ(up.reason, Reason::switchover);
    EXPECT_EQ(down.reason, Reason::switchover);
    EXPECT_LE(up.at, down.at) << "make before break: the peer was active before this stepped down";
    std::printf("[ HA ] switchover %d -> %d: peer active after %.3f ms, old active down after %.3f ms\n",
                from + 1, to + 1, ms(up.at - asked), ms(down.at - asked));
    // status() is published after the role event, microseconds later.
    EXPECT_TRUE(wait_until(
        [&] { return runner_[from]->status().switchover == SwitchoverState::completed; }));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(active_count(), 1);
  }
}

TEST_F(HaRunnerPair, APartitionThenHealingLeavesExactlyThePreferredActive) {
  settle(1);  // node 2 active; node 1 (preferred: same priority, lower id) backup
  runner_[0]->set_partitioned(true);
  runner_[1]->set_partitioned(true);
  ASSERT_TRUE(wait_until([&] { return active_count() == 2; }, 2s));
  std::this_thread::sleep_for(100ms);
  runner_[0]->set_partitioned(false);
  runner_[1]->set_partitioned(false);
  // The preferred node 1 ends active; stable_active() rides out a stall-induced takeover, which
  // the same rule resolves the same way.
  EXPECT_EQ(stable_active(), 0);
  const RoleEvent lost = *recorder_[1]->last();
  EXPECT_EQ(lost.reason, Reason::split_brain_lost);
  EXPECT_TRUE(lost.resync_required);
  const RoleEvent won = *recorder_[0]->last();
  EXPECT_EQ(won.reason, Reason::split_brain_won);
  EXPECT_TRUE(won.resync_required);
  const Status s = runner_[0]->status();
  EXPECT_GT(s.dropped_by_partition, 0u);
  EXPECT_GE(s.counters.split_brains, 1u);
  EXPECT_EQ(s.epoch, runner_[1]->status().epoch);
}

TEST_F(HaRunnerPair, StatusShowsThePeerTheCountersAndTheTransitions) {
  const auto wall_before = std::chrono::system_clock::now();
  settle(0);
  // A third party without the key, and junk.
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(port_[0]);
  Heartbeat forged;
  forged.node_id = 2;
  forged.role = Role::active;
  forged.priority = 255;
  forged.boot_id = forged.counter = ~0ULL;
  const HeartbeatBytes bytes = HeartbeatCodec("wrong key").encode(forged);
  sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  sendto(fd, "junk", 4, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  close(fd);
  ASSERT_TRUE(wait_until([&] { return runner_[0]->status().counters.refused_malformed == 1; }));

  const Status s = runner_[0]->status();
  EXPECT_EQ(s.node_id, 1u);
  EXPECT_EQ(s.role, Role::active);
  EXPECT_TRUE(s.healthy);
  EXPECT_GE(s.epoch, 1u);
  EXPECT_TRUE(s.peer.alive);
  EXPECT_EQ(s.peer.node_id, 2u);
  EXPECT_EQ(s.peer.role, Role::backup);
  ASSERT_TRUE(s.peer_last_heard_ago.has_value());
  EXPECT_LT(*s.peer_last_heard_ago, 100ms);
  EXPECT_GT(s.heartbeats_sent, 10u);
  EXPECT_GT(s.counters.heartbeats_received, 10u);
  EXPECT_EQ(s.counters.refused_bad_mac, 1u);
  EXPECT_EQ(s.counters.refused_malformed, 1u);
  EXPECT_EQ(s.send_errors, 0u);
  EXPECT_EQ(s.role, Role::active);
  // One transition, unless the loaded machine stalled a thread past the dead time (a takeover and
  // split brain would follow; the other tests cover those).
  ASSERT_GE(s.transitions.size(), 1u);
  EXPECT_EQ(s.transitions[0].event.to, Role::active);
  EXPECT_EQ(s.transitions[0].event.reason, Reason::startup);
  EXPECT_GE(s.transitions[0].wall_time, wall_before);
  EXPECT_LE(s.transitions[0].wall_time, std::chrono::system_clock::now());
  EXPECT_EQ(runner_[1]->status().transitions.back().event.to, Role::backup);
}

TEST_F(HaRunnerPair, TheHealthCallbackKeepsAFaultyNodeFromTakingOver) {
  settle(0);
  healthy_[1]->store(false);
  ASSERT_TRUE(wait_until([&] { return role(1) == Role::fault; }));
  EXPECT_TRUE(wait_until([&] { return !runner_[1]->status().healthy; }));
  EXPECT_EQ(runner_[0]->switchover(), SwitchoverResult::peer_not_ready);
  runner_[0]->stop(Runner::StopMode::silent);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(role(1), Role::fault);
  healthy_[1]->store(true);
  ASSERT_TRUE(wait_until([&] { return role(1) == Role::active; }));
  EXPECT_EQ(recorder_[1]->last()->reason, Reason::peer_dead);
}

TEST(HaRunner, StartRefusesBadSettingsAndAddressesWithOneLine) {
  RunnerSettings s;
  s.machine.node_id = 1;
  s.machine.key = "k";
  s.local_address = "127.0.0.1";
  s.peer_address = "127.0.0.1";
  s.peer_port = 9;
  std::string error;
  s.machine.key.clear();
  EXPECT_EQ(Runner::start(s, error), nullptr);
  EXPECT_EQ(error, "HA settings: the heartbeat key is empty");
  s.machine.key = "k";
  s.local_address = "not-an-address";
  EXPECT_EQ(Runner::start(s, error), nullptr);
  EXPECT_NE(error.find("not-an-address"), std::string::npos) << error;
  s.local_address = "::1";
  EXPECT_EQ(Runner::start(s, error), nullptr);
  EXPECT_NE(error.find("different families"), std::string::npos) << error;
  s.local_address = "192.0.2.77";  // TEST-NET-1: not ours
  EXPECT_EQ(Runner::start(s, error), nullptr);
  EXPECT_NE(error.find("bind 192.0.2.77:0"), std::string::npos) << error;
}

TEST(HaRunner, AloneItBecomesActiveAfterTheGraceAndStopsCleanly) {
  RunnerSettings s;
  s.machine.node_id = 1;
  s.machine.key = "k";
  s.local_address = "127.0.0.1";
  s.peer_address = "127.0.0.1";
  s.peer_port = free_port();
  std::string error;
  const auto started = Clock::now();
  std::unique_ptr<Runner> r = Runner::start(s, error);
  ASSERT_TRUE(r) << error;
  EXPECT_NE(r->local_port(), 0);
  EXPECT_EQ(r->role(), Role::joining);
  ASSERT_TRUE(wait_until([&] { return r->role() == Role::active; }));
  EXPECT_GE(Clock::now() - started, s.machine.timing.startup_grace);
  r->stop();
  r->stop();  // idempotent
  EXPECT_EQ(r->switchover(), SwitchoverResult::not_running);
  EXPECT_EQ(r->status().role, Role::active);
}

}  // namespace
}  // namespace siplb::control::ha
