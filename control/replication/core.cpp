// The connection-independent half of the channel: I/O thread, listener, connector, ring, waiters,
// statistics (see core.hpp).
#include "core.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <exception>

#include "frame_auth.hpp"
#include "peer_session.hpp"

namespace siplb::control::replication {

namespace {

uint64_t random_epoch() {
  for (;;) {
    const std::string bytes = random_bytes(8);
    uint64_t epoch = 0;
    std::memcpy(&epoch, bytes.data(), sizeof epoch);
    if (epoch != 0) return epoch;  // 0 means "nothing applied" on the wire
  }
}

constexpr std::chrono::milliseconds kHousekeepingTick{20};

}  // namespace

Core::Core(Settings settings, Handlers handlers)
    : settings_(std::move(settings)),
      handlers_(std::move(handlers)),
      epoch_(random_epoch()),
      ring_(settings_.ring_capacity),
      io_(1),
      work_(asio::make_work_guard(io_)),
      acceptor_(io_),
      reconnect_timer_(io_),
      housekeeping_timer_(io_) {}

Core::~Core() { stop(); }

bool Core::start(std::string& error) {
  asio::error_code ec;
  const asio::ip::address address = asio::ip::make_address(settings_.listen_address, ec);
  const std::string where = "replication listen address " + settings_.listen_address + ":" + std::to_string(settings_.listen_port);
  if (ec) {
    error = where + ": not an IP address";
    return false;
  }
  const asio::ip::tcp::endpoint endpoint(address, settings_.listen_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = where + ": " + ec.message();
    return false;
  }
  listen_port_ = acceptor_.local_endpoint(ec).port();
  asio::post(io_, [this] {
    accept_next();
    if (initiates()) connect();
    housekeeping();
  });
  io_thread_ = std::thread([this] {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {  // a handler threw (libcrypto failure): keep serving
        note_error(std::string("replication I/O thread: ") + e.what());
      }
    }
  });
  pthread_setname_np(io_thread_.native_handle(), "siplb-peer");
  return true;
}

void Core::stop() {
  if (stopped_.exchange(true)) return;
  asio::post(io_, [this] { close_all(); });
  work_.reset();
  if (io_thread_.joinable()) io_thread_.join();
  retired_streamers_.clear();  // joins: waits for a provider's next() to return
  expire_waiters(Clock::now(), true);
}

void Core::close_all() {
  asio::error_code ignored;
  acceptor_.close(ignored);
  reconnect_timer_.cancel();
  housekeeping_timer_.cancel();
  const auto sessions = sessions_;
  for (const auto& session : sessions) session->close(Session::Failure::none, "channel stopped");
  current_.reset();
  set_state(LinkState::disconnected);
}

uint64_t Core::append(Record record) {
  const uint64_t seq = ring_.append(std::move(record));
  // One wake-up of the I/O thread covers every append made before it runs.
  if (!kick_pending_.exchange(true, std::memory_order_acq_rel)) {
    asio::post(io_, [this] {
      kick_pending_.store(false, std::memory_order_release);
      if (current_) current_->pump();
    });
  }
  return seq;
}

void Core::when_acked(uint64_t seq, std::chrono::milliseconds timeout, std::function<void(bool)> done) {
  bool now_done = false, result = false;
  {
    std::lock_guard lock(waiters_mutex_);
    // Checked under the waiters' lock: acknowledged() trims the ring before taking it.
    if (stopped()) {
      now_done = true;
    } else if (ring_.positions().acknowledged >= seq) {
      now_done = result = true;
    } else {
      waiters_.emplace(seq, Waiter{Clock::now() + timeout, std::move(done)});
    }
  }
  if (now_done) post_to_control([done = std::move(done), result] { done(result); });
}

void Core::acknowledged(uint64_t seq) {
  ring_.acknowledge(seq);
  std::vector<std::function<void(bool)>> ready;
  {
    std::lock_guard lock(waiters_mutex_);
    auto end = waiters_.upper_bound(seq);
    for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second.done));
    waiters_.erase(waiters_.begin(), end);
  }
  for (auto& done : ready) post_to_control([done = std::move(done)] { done(true); });
}

void Core::expire_waiters(Clock::time_point now, bool all) {
  std::vector<std::function<void(bool)>> expired;
  {
    std::lock_guard lock(waiters_mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (all || it->second.deadline <= now) {
        expired.push_back(std::move(it->second.done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& done : expired) post_to_control([done = std::move(done)] { done(false); });
}

void Core::records_applied(std::size_t count, std::optional<StreamPosition> ack) {
  update_stats([count](ChannelStats& s) { s.records_applied += count; });
  if (!ack || stopped()) return;
  asio::post(io_, [this, position = *ack] {
    if (current_) current_->send_ack(position);
  });
}

void Core::post_to_control(std::function<void()> action) {
  if (handlers_.post_to_control) {
    handlers_.post_to_control(std::move(action));
  } else {
    action();
  }
}

void Core::update_stats(const std::function<void(ChannelStats&)>& change) {
  std::lock_guard lock(stats_mutex_);
  change(stats_);
}

void Core::set_state(LinkState state) {
  std::lock_guard lock(stats_mutex_);
  stats_.state = state;
}

void Core::note_error(std::string error) {
  std::lock_guard lock(stats_mutex_);
  stats_.last_error = std::move(error);
}

void Core::sync_progress_begin(std::optional<uint64_t> total) {
  std::lock_guard lock(stats_mutex_);
  sync_in_progress_ = true;
  sync_started_ = Clock::now();
  sync_progress_records_ = 0;
  sync_total_ = total;
}

void Core::sync_progress_add(uint64_t records) {
  std::lock_guard lock(stats_mutex_);
  sync_progress_records_ += records;
}

void Core::sync_progress_end() {
  std::lock_guard lock(stats_mutex_);
  sync_in_progress_ = false;
}

ChannelStats Core::stats() const {
  const RingLog::Positions positions = ring_.positions();
  std::lock_guard lock(stats_mutex_);
  ChannelStats out = stats_;
  out.records_appended = positions.last_appended;
  out.last_acked_seq = positions.acknowledged;
  out.lag_records = positions.last_appended - positions.acknowledged;
  out.lag_ms = static_cast<uint64_t>(positions.oldest_unacked_age.count());
  out.ring_overwritten = positions.overwritten;
  if (sync_in_progress_) {
    const double seconds = std::chrono::duration<double>(Clock::now() - sync_started_).count();
    if (seconds > 0) out.sync_records_per_second = static_cast<double>(sync_progress_records_) / seconds;
    if (sync_total_ && *sync_total_ > 0) {
      out.sync_percent = std::min(100.0, 100.0 * static_cast<double>(sync_progress_records_) / static_cast<double>(*sync_total_));
    } else if (sync_total_) {
      out.sync_percent = 100.0;
    }
  }
  return out;
}

void Core::run_on_session(std::function<void(Session&)> action) {
  asio::post(io_, [this, action = std::move(action)] {
    if (current_) action(*current_);
  });
}

void Core::accept_next() {
  acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopped() || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (initiates()) {
        // The lower node id connects; the higher one accepts. One connection, never two.
        asio::error_code ignored;
        socket.close(ignored);
      } else {
        auto session = std::make_shared<Session>(shared_from_this(), std::move(socket), Session::Role::responder);
        sessions_.insert(session);
        if (!current_) set_state(LinkState::handshaking);
        session->start();
      }
    }
    accept_next();
  });
}

void Core::connect() {
  if (stopped() || connecting_ || !sessions_.empty()) return;
  asio::error_code ec;
  const asio::ip::address peer = asio::ip::make_address(settings_.peer_address, ec);
  if (ec) {
    note_error("replication peer address " + settings_.peer_address + ": not an IP address");
    return;
  }
  connecting_ = true;
  set_state(LinkState::connecting);
  auto socket = std::make_shared<asio::ip::tcp::socket>(io_);
  const asio::ip::tcp::endpoint endpoint(peer, settings_.peer_port);
  socket->async_connect(endpoint, [this, socket](const asio::error_code& error) {
    connecting_ = false;
    if (stopped() || error == asio::error::operation_aborted) return;
    if (error) {
      update_stats([](ChannelStats& s) { ++s.connect_failures; });
      note_error("replication: connect to peer " + settings_.peer_address + ":" + std::to_string(settings_.peer_port) +
                 ": " + error.message());
      schedule_reconnect();
      return;
    }
    auto session = std::make_shared<Session>(shared_from_this(), std::move(*socket), Session::Role::initiator);
    sessions_.insert(session);
    set_state(LinkState::handshaking);
    session->start();
  });
}

void Core::schedule_reconnect() {
  if (stopped() || !initiates() || connecting_ || !sessions_.empty()) return;
  set_state(LinkState::connecting);
  reconnect_timer_.expires_after(settings_.reconnect_interval);
  reconnect_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec && !stopped()) connect();
  });
}

void Core::housekeeping() {
  if (stopped()) return;
  std::erase_if(retired_streamers_, [](const std::shared_ptr<SnapshotStreamer>& s) { return s->done(); });
  expire_waiters(Clock::now(), false);
  housekeeping_timer_.expires_after(kHousekeepingTick);
  housekeeping_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) housekeeping();
  });
}

void Core::session_established(const std::shared_ptr<Session>& session) {
  if (current_ && current_ != session) current_->close(Session::Failure::none, "replaced by a newer connection");
  current_ = session;
  update_stats([](ChannelStats& s) {
    ++s.connections;
    if (s.connections > 1) ++s.reconnects;
  });
}

void Core::session_closed(Session* session) {
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->get() == session) {
      sessions_.erase(it);
      break;
    }
  }
  if (current_.get() == session) current_.reset();
  if (stopped()) return;
  if (!current_) set_state(sessions_.empty() ? (initiates() ? LinkState::connecting : LinkState::disconnected) : LinkState::handshaking);
  schedule_reconnect();
}

void Core::retire_streamer(std::shared_ptr<SnapshotStreamer> streamer) {
  if (streamer) retired_streamers_.push_back(std::move(streamer));
}

}  // namespace siplb::control::replication
