// The HA runner: the dedicated "siplb-ha" thread that sends and checks heartbeats on its own UDP
// socket and drives the state machine (state_machine.hpp), independent of the control thread,
// which a busy store or API can stall.
//
// Threads:
//   - the HA thread: owns the state machine and the socket; calls `healthy` (once per interval)
//     and `on_role_event` (on every role change) itself.
//   - any other thread: start(), stop(), switchover(), role(), status(), set_partitioned(). None of
//     these makes the HA thread wait: it publishes its status with try_lock (skipping a publish
//     when a reader holds the lock, then publishing on its next wake-up) and reads requests from
//     atomics, so a reader descheduled under the lock cannot hold back a heartbeat.
//
// Loop: wake at the earliest of the next heartbeat, the next health check and the machine's next
// deadline (ppoll with a nanosecond timeout on the socket and an eventfd), or when a datagram or a
// request arrives. Each wake-up first reads every queued datagram and only then checks the timers:
// a thread kept off its core for a while judges the peer on what arrived meanwhile, rather than
// declaring it dead because it did not look. After a wake-up later than an interval (this thread,
// or the whole machine, was stalled) the timers wait one more interval before judging, so that a
// stall both nodes shared (one host) is not taken for the peer's death.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "heartbeat_socket.hpp"
#include "role.hpp"
#include "state_machine.hpp"

namespace siplb::control::ha {

struct RunnerSettings {
  MachineSettings machine;  // node id, priority, key, timing (defaults and why: state_machine.hpp)
  std::string local_address;  // numeric IPv4/IPv6 of the management interface
  uint16_t local_port = 0;    // 0: an ephemeral port (tests)
  std::string peer_address;
  uint16_t peer_port = 0;
  // This node's health (e.g. its DPDK links are up, its gateway answers): called once by start()
  // and then on the HA thread once per heartbeat interval, so it must return at once (read an
  // atomic that another thread maintains; never probe the network here). Empty: always healthy.
  std::function<bool()> healthy;
  // Every role change, and the split-brain win (role unchanged, resync_required), called on the HA
  // thread as it happens. It must be quick and never block: flip the dataplane's atomic, queue the
  // gratuitous ARPs, and hand logging to another thread. Exceptions are caught and counted. It
  // must not call switchover() (that waits for the HA thread, which is busy calling it).
  std::function<void(const RoleEvent&)> on_role_event;
  // SCHED_FIFO priority (1-99) for the HA thread; 0 keeps the normal scheduler. On by default: on
  // the 2-vCPU development VM at load 3.5, a normal-priority HA thread was kept waiting up to
  // 146 ms (11 false takeovers in 30 s with the default timing), a SCHED_FIFO one at most 4 ms
  // (one whole-vCPU freeze of about 100 ms aside, which no priority helps). The thread sleeps
  // between heartbeats and works microseconds at a time, so it cannot starve the core. Without
  // the permission (no CAP_SYS_NICE / RLIMIT_RTPRIO), it runs normally and status() says why.
  int realtime_priority = 10;
  std::size_t history = 32;  // role events kept for status()
};

struct Transition {
  RoleEvent event;
  std::chrono::system_clock::time_point wall_time;
};

struct Status {
  uint32_t node_id = 0;
  uint8_t priority = 0;
  Role role = Role::joining;
  bool healthy = false;
  uint64_t epoch = 0;
  uint64_t boot_id = 0;
  SwitchoverState switchover = SwitchoverState::none;
  PeerView peer;  // as of the HA thread's last wake-up
  // Since the last accepted heartbeat, measured when status() is called; nothing if never heard.
  std::optional<std::chrono::microseconds> peer_last_heard_ago;
  MachineCounters counters;
  uint64_t heartbeats_sent = 0;
  uint64_t send_errors = 0;
  uint64_t receive_errors = 0;
  uint64_t callback_exceptions = 0;
  uint64_t dropped_by_partition = 0;  // test hook: datagrams dropped while partitioned
  // How late the HA thread woke after its timer, the largest seen: the scheduling delay the dead
  // time has to absorb on this machine.
  std::chrono::microseconds max_wakeup_delay{0};
  // Wake-ups later than an interval; after each, the timers wait one more interval (runner.cpp).
  uint64_t late_wakeups = 0;
  bool realtime = false;
  std::string last_error;  // the last send/receive/scheduling problem, empty if none
  std::vector<Transition> transitions;  // oldest first, at most settings.history
};

class Runner {
 public:
  // Validates the settings, opens the socket, starts the HA thread (as joining). Returns nullptr
  // and sets `error` to one line on failure.
  static std::unique_ptr<Runner> start(RunnerSettings settings, std::string& error);
  ~Runner();  // stop(StopMode::graceful)
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  enum class StopMode {
    graceful,  // a last heartbeat says "leaving": the peer takes over at once
    silent,    // stop sending, as if killed: the peer takes over after the dead time
  };
  // Stops and joins the HA thread; no role event follows. Idempotent.
  void stop(StopMode mode = StopMode::graceful);

  // Asks the HA thread to start a switchover and returns its verdict (usually within
  // microseconds). The step-down itself comes later as a role event (reason switchover), or the
  // status shows the switchover timed out or aborted. Returns not_running when the thread is
  // stopped or does not answer within a second.
  SwitchoverResult switchover();

  // The role as of the last role event (set before on_role_event is called).
  Role role() const { return role_.load(std::memory_order_acquire); }
  // A copy of what the HA thread published at its last wake-up: it may trail role() by the
  // microseconds between a role event and the end of that wake-up.
  Status status() const;
  uint16_t local_port() const;

  // Test hook: while set, every heartbeat sent or received is dropped (a partition both ways).
  void set_partitioned(bool partitioned) { partitioned_.store(partitioned); }

 private:
  explicit Runner(RunnerSettings settings, std::unique_ptr<HeartbeatSocket> socket, int wake_fd);
  void run();
  void handle(const Output& output);
  void drain_socket();
  void answer_switchover_request();
  void send_heartbeat(bool leaving);
  void publish();
  void wake();

  RunnerSettings settings_;
  std::unique_ptr<HeartbeatSocket> socket_;
  int wake_fd_;  // eventfd: stop and switchover requests
  std::thread thread_;

  // HA thread only.
  std::optional<StateMachine> machine_;
  bool healthy_ = true;
  bool send_now_ = false;
  std::deque<Transition> history_;
  Status local_;  // what the next publish copies

  // Shared.
  std::atomic<Role> role_{Role::joining};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> leave_gracefully_{true};
  std::atomic<bool> partitioned_{false};
  std::atomic<uint64_t> switchover_requested_{0};
  std::atomic<uint64_t> switchover_answered_{0};
  std::atomic<SwitchoverResult> switchover_answer_{SwitchoverResult::not_active};
  std::mutex switchover_callers_;  // one switchover() at a time
  std::mutex answer_mutex_;
  std::condition_variable answer_ready_;
  mutable std::mutex status_mutex_;
  Status published_;
  bool stopped_ = false;  // stop() has run (guarded by stop_mutex_)
  std::mutex stop_mutex_;
};

}  // namespace siplb::control::ha
