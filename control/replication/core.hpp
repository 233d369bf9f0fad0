// Internal: what outlives one TCP connection. The I/O thread and its io_context, the listener and
// the connector (who connects is decided by node ids), the outgoing ring, what this node has
// received from the peer's stream (for resume), the ack waiters and the statistics.
//
// Threads: the public methods used by Channel (append, when_acked, stats, the test hooks) may be
// called from any thread (mutexes: ring, waiters, stats). Everything else (sessions, timers,
// delivered position) belongs to the I/O thread. Callbacks leave through post_to_control().
#pragma once

#include <asio.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "channel.hpp"
#include "frame_codec.hpp"
#include "ring_log.hpp"
#include "snapshot_streamer.hpp"

namespace siplb::control::replication {

class Session;

class Core : public std::enable_shared_from_this<Core> {
 public:
  using Clock = std::chrono::steady_clock;
  Core(Settings settings, Handlers handlers);
  ~Core();

  // Owner (Channel) side.
  bool start(std::string& error);  // binds, starts the I/O thread
  void stop();                     // closes everything, joins the threads
  uint64_t append(Record record);
  void when_acked(uint64_t seq, std::chrono::milliseconds timeout, std::function<void(bool)> done);
  ChannelStats stats() const;
  uint16_t listen_port() const { return listen_port_; }
  void run_on_session(std::function<void(Session&)> action);  // test hooks: on the current session

  // Session side (I/O thread).
  const Settings& settings() const { return settings_; }
  const Handlers& handlers() const { return handlers_; }
  asio::io_context& io() { return io_; }
  RingLog& ring() { return ring_; }
  uint64_t epoch() const { return epoch_; }
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  // Runs `action` through Handlers::post_to_control (or right here without one).
  void post_to_control(std::function<void()> action);
  void update_stats(const std::function<void(ChannelStats&)>& change);
  void set_state(LinkState state);
  void note_error(std::string error);

  // The peer's stream as handed to apply (what a resume asks for).
  StreamPosition delivered() const { return delivered_; }
  void set_delivered(StreamPosition position) { delivered_ = position; }
  // A batch of the peer's records was applied on the control thread (called there): count it, and
  // when it ends at a sequence number, acknowledge it on the current connection.
  void records_applied(std::size_t count, std::optional<StreamPosition> ack);
  // The peer acknowledged our stream up to `seq` (I/O thread): trim and wake the waiters.
  void acknowledged(uint64_t seq);

  // Sync progress for the stats (I/O thread).
  void sync_progress_begin(std::optional<uint64_t> total);
  void sync_progress_add(uint64_t records);
  void sync_progress_end();

  // Session lifecycle (I/O thread).
  void session_established(const std::shared_ptr<Session>& session);
  void session_closed(Session* session);
  // A streamer whose connection is gone: kept (and joined) here until its thread returns.
  void retire_streamer(std::shared_ptr<SnapshotStreamer> streamer);

 private:
  struct Waiter {
    Clock::time_point deadline;
    std::function<void(bool)> done;
  };

  void accept_next();
  void connect();
  void schedule_reconnect();
  void housekeeping();
  void expire_waiters(Clock::time_point now, bool all);
  void close_all();
  bool initiates() const { return settings_.node_id < settings_.peer_node_id; }

  const Settings settings_;
  const Handlers handlers_;
  const uint64_t epoch_;
  RingLog ring_;

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer reconnect_timer_;
  asio::steady_timer housekeeping_timer_;
  uint16_t listen_port_ = 0;
  std::thread io_thread_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> kick_pending_{false};  // a pump of the current session is already posted

  // I/O thread only.
  std::set<std::shared_ptr<Session>> sessions_;  // open (handshaking or established)
  std::shared_ptr<Session> current_;             // the established one
  std::vector<std::shared_ptr<SnapshotStreamer>> retired_streamers_;
  StreamPosition delivered_;
  bool connecting_ = false;

  std::mutex waiters_mutex_;
  std::multimap<uint64_t, Waiter> waiters_;

  mutable std::mutex stats_mutex_;
  ChannelStats stats_;
  Clock::time_point sync_started_{};
  uint64_t sync_progress_records_ = 0;
  std::optional<uint64_t> sync_total_;
  bool sync_in_progress_ = false;
};

}  // namespace siplb::control::replication
