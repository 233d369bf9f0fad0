// The HA thread: heartbeats out on schedule, datagrams in as they come, the state machine between.
#include "runner.hpp"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <utility>

namespace siplb::control::ha {
namespace {

// The wall clock in nanoseconds: larger on every start unless the clock is set back, which is
// what the peer's replay check needs of a boot id.
uint64_t new_boot_id() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

timespec until(Time wake, Time now) {
  const auto left = std::max(std::chrono::nanoseconds{0}, wake - now);
  return timespec{static_cast<time_t>(left.count() / 1'000'000'000),
                  static_cast<long>(left.count() % 1'000'000'000)};
}

}  // namespace

std::unique_ptr<Runner> Runner::start(RunnerSettings settings, std::string& error) {
  if (std::optional<std::string> problem = validate(settings.machine)) {
    error = "HA settings: " + *problem;
    return nullptr;
  }
  std::unique_ptr<HeartbeatSocket> socket =
      HeartbeatSocket::open(settings.local_address, settings.local_port, settings.peer_address,
                            settings.peer_port, error);
  if (!socket) return nullptr;
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    error = std::string("HA eventfd: ") + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<Runner> runner(new Runner(std::move(settings), std::move(socket), wake_fd));
  runner->thread_ = std::thread([r = runner.get()] { r->run(); });
  return runner;
}

Runner::Runner(RunnerSettings settings, std::unique_ptr<HeartbeatSocket> socket, int wake_fd)
    : settings_(std::move(settings)), socket_(std::move(socket)), wake_fd_(wake_fd) {
  healthy_ = settings_.healthy ? settings_.healthy() : true;
  machine_.emplace(settings_.machine, new_boot_id(), Clock::now(), healthy_);
  local_.node_id = settings_.machine.node_id;
  local_.priority = settings_.machine.priority;
  local_.boot_id = machine_->boot_id();
  publish();
}

Runner::~Runner() {
  stop(StopMode::graceful);
  close(wake_fd_);
}

void Runner::stop(StopMode mode) {
  std::lock_guard lock(stop_mutex_);
  if (stopped_) return;
  stopped_ = true;
  leave_gracefully_.store(mode == StopMode::graceful);
  stopping_.store(true);
  wake();
  if (thread_.joinable()) thread_.join();
  answer_ready_.notify_all();
}

void Runner::wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

uint16_t Runner::local_port() const { return socket_->local_port(); }

SwitchoverResult Runner::switchover() {
  std::lock_guard callers(switchover_callers_);
  if (stopping_.load()) return SwitchoverResult::not_running;
  const uint64_t request = switchover_requested_.fetch_add(1) + 1;
  wake();
  std::unique_lock lock(answer_mutex_);
  // The HA thread notifies without the lock (it must not wait for callers), so a wake-up can be
  // missed: wait in short slices.
  const auto give_up = Clock::now() + std::chrono::seconds(1);
  while (switchover_answered_.load(std::memory_order_acquire) < request) {
    if (stopping_.load() || Clock::now() >= give_up) return SwitchoverResult::not_running;
    answer_ready_.wait_for(lock, std::chrono::milliseconds(1));
  }
  return switchover_answer_.load(std::memory_order_acquire);
}

Status Runner::status() const {
  Status s;
  {
    std::lock_guard lock(status_mutex_);
    s = published_;
  }
  if (s.peer.heard) {
    s.peer_last_heard_ago =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - s.peer.last_heard);
  }
  return s;
}

void Runner::run() {
  pthread_setname_np(pthread_self(), "siplb-ha");
  // Timer wake-ups to the microsecond rather than the default 50 us of slack.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  if (settings_.realtime_priority > 0) {
    sched_param param{};
    param.sched_priority = settings_.realtime_priority;
    if (const int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param); rc == 0) {
      local_.realtime = true;
    } else {
      local_.last_error = std::string("SCHED_FIFO for the HA thread: ") + std::strerror(rc);
    }
  }

  const auto interval = settings_.machine.timing.interval;
  Time next_send = Clock::now();  // announce ourselves at once
  Time next_health = next_send + interval;
  Time judge_from = next_send;  // see the stall rule below
  pollfd fds[2] = {{socket_->fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (!stopping_.load(std::memory_order_acquire)) {
    drain_socket();
    if (fds[1].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &count, sizeof count);
    }
    answer_switchover_request();

    Time now = Clock::now();
    if (now >= next_health) {
      healthy_ = settings_.healthy ? settings_.healthy() : true;
      next_health = now + interval;
    }
    if (now >= judge_from) handle(machine_->tick(now, healthy_));

    if (send_now_ || now >= next_send) {
      send_heartbeat(false);
      // Keep the schedule (no drift), but never send a burst to catch up after a stall.
      next_send += interval;
      if (next_send <= now) next_send = now + interval;
    }
    publish();

    const Time wake_at =
        std::min({next_send, next_health, std::max(judge_from, machine_->next_deadline())});
    const timespec timeout = until(wake_at, Clock::now());
    fds[0].revents = fds[1].revents = 0;
    ppoll(fds, 2, &timeout, nullptr);
    // Stall rule: a wake-up later than an interval means this thread was kept off the CPU (or
    // the whole machine was frozen). The peer's silence during that time may be ours too (one
    // host, one hypervisor), so the timers wait one more interval for what the peer sends once it
    // runs again. A heartbeat arriving meanwhile is still taken at once; a real death is detected
    // one interval later, and only after such a stall.
    const Time woke = Clock::now();
    if (woke > wake_at) {
      const auto late = std::chrono::duration_cast<std::chrono::microseconds>(woke - wake_at);
      local_.max_wakeup_delay = std::max(local_.max_wakeup_delay, late);
      if (late >= interval) {
        ++local_.late_wakeups;
        judge_from = woke + interval;
      }
    }
  }
  if (leave_gracefully_.load()) {
    // Twice: losing the one "leaving" heartbeat would cost the peer the whole dead time.
    send_heartbeat(true);
    send_heartbeat(true);
  }
  publish();
}

void Runner::drain_socket() {
  uint8_t buffer[kHeartbeatSize * 2];
  for (;;) {
    int error = 0;
    const long n = socket_->receive(buffer, error);
    if (n < 0) {
      if (error != 0) {
        ++local_.receive_errors;
        local_.last_error = std::string("HA receive: ") + std::strerror(error);
      }
      return;
    }
    if (partitioned_.load(std::memory_order_relaxed)) {
      ++local_.dropped_by_partition;
      continue;
    }
    handle(machine_->on_datagram(std::span<const uint8_t>(buffer, static_cast<std::size_t>(n)),
                                 Clock::now()));
  }
}

void Runner::answer_switchover_request() {
  const uint64_t requested = switchover_requested_.load(std::memory_order_acquire);
  if (requested == switchover_answered_.load(std::memory_order_relaxed)) return;
  StateMachine::SwitchoverStart start = machine_->request_switchover(Clock::now());
  handle(start.output);
  switchover_answer_.store(start.result, std::memory_order_release);
  switchover_answered_.store(requested, std::memory_order_release);
  answer_ready_.notify_all();
}

void Runner::handle(const Output& output) {
  if (output.send_now) send_now_ = true;
  if (!output.event) return;
  role_.store(output.event->to, std::memory_order_release);
  history_.push_back(Transition{*output.event, std::chrono::system_clock::now()});
  while (history_.size() > settings_.history) history_.pop_front();
  if (settings_.on_role_event) {
    try {
      settings_.on_role_event(*output.event);
    } catch (...) {
      ++local_.callback_exceptions;
    }
  }
}

void Runner::send_heartbeat(bool leaving) {
  send_now_ = false;
  const HeartbeatBytes bytes = machine_->next_heartbeat(Clock::now(), leaving);
  if (partitioned_.load(std::memory_order_relaxed)) {
    ++local_.dropped_by_partition;
    return;
  }
  if (const int error = socket_->send(bytes); error != 0) {
    ++local_.send_errors;
    local_.last_error = std::string("HA send: ") + std::strerror(error);
    return;
  }
  ++local_.heartbeats_sent;
}

void Runner::publish() {
  const StateMachine& m = *machine_;
  local_.role = m.role();
  local_.healthy = m.healthy();
  local_.epoch = m.epoch();
  local_.switchover = m.switchover_state();
  local_.peer = m.peer();
  local_.counters = m.counters();
  // Never wait for a reader: if one holds the lock, the next wake-up (at most an interval away)
  // publishes instead.
  std::unique_lock lock(status_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  Status& p = published_;
  std::vector<Transition> transitions = std::move(p.transitions);
  p = local_;
  transitions.assign(history_.begin(), history_.end());
  p.transitions = std::move(transitions);
}

}  // namespace siplb::control::ha
