// One connection to the peer: handshake, frames, resume, streaming, full sync (see peer_session.hpp).
#include "peer_session.hpp"

#include <algorithm>

#include "core.hpp"
#include "snapshot_streamer.hpp"

namespace siplb::control::replication {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kWriteHighWater = std::size_t{1} << 20;  // stop pulling from the ring above this
constexpr std::size_t kLiveBatchBytes = std::size_t{256} << 10;
constexpr std::size_t kSyncWindow = 8;  // snapshot chunks read ahead of the socket
constexpr std::size_t kReadSize = std::size_t{64} << 10;

std::string position_body(const StreamPosition& position) {
  std::string body;
  encode_position(body, position);
  return body;
}

}  // namespace

Session::Session(std::shared_ptr<Core> core, asio::ip::tcp::socket socket, Role role)
    : core_(std::move(core)),
      socket_(std::move(socket)),
      role_(role),
      opened_at_(Clock::now()),
      watchdog_timer_(core_->io()),
      read_buffer_(kReadSize) {}

Session::~Session() = default;

void Session::start() {
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  socket_.set_option(asio::socket_base::keep_alive(true), ignored);
  if (role_ == Role::initiator) {
    own_nonce_ = random_bytes(kNonceSize);
    std::string body;
    encode_hello(body, Hello{core_->settings().node_id, core_->epoch(), own_nonce_});
    // The only frame under the long-term key: the session key needs the responder's nonce.
    FrameSealer hello_sealer(core_->settings().key, Direction::hello);
    hello_sealer.seal(pending_, static_cast<uint8_t>(FrameType::hello_initiator), body);
    start_write();
  }
  arm_watchdog();
  read_more();
}

void Session::close(Failure failure, const std::string& reason) {
  if (closed_) return;
  auto keep_alive = shared_from_this();  // Core drops its reference below
  closed_ = true;
  core_->update_stats([&](ChannelStats& s) {
    if (failure == Failure::auth) ++s.auth_failures;
    if (failure == Failure::parse || failure == Failure::protocol) ++s.parse_failures;
  });
  if (failure != Failure::none) core_->note_error(reason);
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  watchdog_timer_.cancel();
  if (streamer_) {
    streamer_->cancel();
    core_->retire_streamer(std::move(streamer_));
    core_->sync_progress_end();
  }
  if (inbound_syncing_) {
    inbound_syncing_ = false;
    core_->sync_progress_end();
    const uint64_t records = inbound_sync_records_;
    core_->post_to_control([core = core_, records] {
      if (!core->stopped() && core->handlers().sync_end) core->handlers().sync_end(false, records);
    });
  }
  core_->session_closed(this);
}

// ---- writing ----

void Session::send(FrameType type, std::string_view body) {
  if (closed_ || !sealer_) return;
  const std::size_t start = pending_.size();
  sealer_->seal(pending_, static_cast<uint8_t>(type), body);
  const std::size_t frame_size = pending_.size() - start;
  last_frame_.assign(pending_, start, frame_size);
  if (corrupt_offset_) {
    if (*corrupt_offset_ < frame_size) pending_[start + *corrupt_offset_] ^= static_cast<char>(0x80);
    corrupt_offset_.reset();
  }
  start_write();
}

void Session::start_write() {
  if (closed_ || write_in_flight_ || pending_.empty()) return;
  writing_.swap(pending_);
  pending_.clear();
  chunks_writing_ = chunks_pending_;
  chunks_pending_ = 0;
  write_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writing_), [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
    self->write_in_flight_ = false;
    if (self->closed_) return;
    if (ec) {
      self->close(Failure::network, "replication peer: write failed: " + ec.message());
      return;
    }
    self->core_->update_stats([n](ChannelStats& s) { s.bytes_sent += n; });
    self->writing_.clear();
    if (self->chunks_writing_ > 0) {
      if (self->streamer_) self->streamer_->chunk_consumed(self->chunks_writing_);
      self->chunks_writing_ = 0;
      self->sync_progress_at_ = Clock::now();
    }
    self->pump();
    self->start_write();
  });
}

void Session::pump() {
  if (closed_ || !established_ || outbound_ != Outbound::streaming) return;
  const std::size_t chunk_records = core_->settings().chunk_records;
  while (pending_.size() < kWriteHighWater) {
    std::string body;
    RecordBatchWriter batch(body, next_seq_);
    const RingLog::ReadResult result = core_->ring().read(next_seq_, chunk_records, kLiveBatchBytes, batch);
    if (result == RingLog::ReadResult::nothing_new) break;
    if (result == RingLog::ReadResult::overwritten) {
      // The ring dropped records the peer has not seen: only a snapshot can catch it up.
      start_full_sync();
      return;
    }
    batch.finish();
    const uint32_t count = batch.count();
    send(FrameType::records, body);
    next_seq_ += count;
    core_->update_stats([count](ChannelStats& s) { s.records_sent += count; });
  }
}

void Session::send_ack(const StreamPosition& position) {
  if (!established_) return;
  send(FrameType::ack, position_body(position));
}

void Session::replay_last_frame() {
  if (closed_ || last_frame_.empty()) return;
  pending_ += last_frame_;  // as sent: the peer's counter has moved on, so the tag must fail
  start_write();
}

// ---- reading ----

void Session::read_more() {
  if (closed_) return;
  socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
    if (self->closed_) return;
    if (ec) {
      self->close(Failure::network, ec == asio::error::eof ? std::string("replication peer closed the connection")
                                                           : "replication peer: read failed: " + ec.message());
      return;
    }
    self->core_->update_stats([n](ChannelStats& s) { s.bytes_received += n; });
    self->input_.append(self->read_buffer_.data(), n);
    self->process_input();
    self->read_more();
  });
}

void Session::process_input() {
  while (!closed_) {
    FrameView frame{};
    const FrameScan scan = scan_frame(std::string_view(input_).substr(input_start_), frame);
    if (scan == FrameScan::need_more) break;
    if (scan == FrameScan::too_large) {
      close(Failure::parse, "replication peer: frame longer than the limit (corrupt or not a siplb peer)");
      return;
    }
    input_start_ += frame.size;
    if (!handle_frame(frame)) return;
  }
  if (closed_) return;
  input_.erase(0, input_start_);  // keeps only a partial frame
  input_start_ = 0;
}

bool Session::handle_frame(const FrameView& frame) {
  if (!established_) return handle_handshake(frame);
  if (!opener_->open(frame.header_and_body, frame.tag)) {
    close(Failure::auth, "replication peer: frame failed authentication (forged, corrupted or replayed)");
    return false;
  }
  switch (frame.type) {
    case FrameType::resume: {
      const std::optional<StreamPosition> position = decode_position(frame.body);
      if (!position) break;
      if (outbound_ != Outbound::awaiting_resume) {
        close(Failure::protocol, "replication peer: second resume on one connection");
        return false;
      }
      handle_resume(*position);
      return !closed_;
    }
    case FrameType::records: return handle_records(frame.body);
    case FrameType::sync_begin: return handle_sync_begin(frame.body);
    case FrameType::sync_chunk: return handle_sync_chunk(frame.body);
    case FrameType::sync_end: return handle_sync_end(frame.body);
    case FrameType::ack: {
      const std::optional<StreamPosition> position = decode_position(frame.body);
      if (!position) break;
      if (position->epoch == core_->epoch()) core_->acknowledged(position->seq);  // else: a previous run's
      return true;
    }
    default: break;
  }
  close(Failure::parse, "replication peer: malformed or unexpected frame (type " +
                            std::to_string(static_cast<unsigned>(frame.type)) + ")");
  return false;
}

bool Session::handle_handshake(const FrameView& frame) {
  const Settings& settings = core_->settings();
  const FrameType expected = role_ == Role::responder ? FrameType::hello_initiator : FrameType::hello_responder;
  if (frame.type != expected) {
    close(Failure::parse, "replication peer: expected a hello, got frame type " +
                              std::to_string(static_cast<unsigned>(frame.type)));
    return false;
  }
  HandshakeParties parties;
  std::optional<Hello> hello;
  if (role_ == Role::responder) {
    FrameOpener hello_opener(settings.key, Direction::hello);
    if (!hello_opener.open(frame.header_and_body, frame.tag)) {
      close(Failure::auth, "replication peer: hello failed authentication (different key?)");
      return false;
    }
    hello = decode_hello(frame.body);
    if (!hello) {
      close(Failure::parse, "replication peer: malformed hello");
      return false;
    }
    own_nonce_ = random_bytes(kNonceSize);
    parties = {hello->node_id, settings.node_id, hello->epoch, core_->epoch(), hello->nonce, own_nonce_};
  } else {
    hello = decode_hello(frame.body);  // read first: its nonce is part of the key that checks it
    if (!hello) {
      close(Failure::parse, "replication peer: malformed hello");
      return false;
    }
    parties = {settings.node_id, hello->node_id, core_->epoch(), hello->epoch, own_nonce_, hello->nonce};
  }
  if (hello->node_id != settings.peer_node_id) {
    close(Failure::protocol, "replication peer: node id " + std::to_string(hello->node_id) + " is not the configured peer " +
                                 std::to_string(settings.peer_node_id));
    return false;
  }
  const std::string session_key = derive_session_key(settings.key, parties);
  if (role_ == Role::responder) {
    sealer_ = std::make_unique<FrameSealer>(session_key, Direction::responder_to_initiator);
    opener_ = std::make_unique<FrameOpener>(session_key, Direction::initiator_to_responder);
    std::string body;
    encode_hello(body, Hello{settings.node_id, core_->epoch(), own_nonce_});
    send(FrameType::hello_responder, body);
  } else {
    opener_ = std::make_unique<FrameOpener>(session_key, Direction::responder_to_initiator);
    if (!opener_->open(frame.header_and_body, frame.tag)) {
      close(Failure::auth, "replication peer: hello failed authentication (different key?)");
      return false;
    }
    sealer_ = std::make_unique<FrameSealer>(session_key, Direction::initiator_to_responder);
  }
  established_now(*hello);
  return !closed_;
}

void Session::established_now(const Hello& peer) {
  established_ = true;
  peer_node_ = peer.node_id;
  peer_epoch_ = peer.epoch;
  core_->session_established(shared_from_this());
  // As the peer's receiver: where its stream stands here (another epoch makes it full-sync us).
  send(FrameType::resume, position_body(core_->delivered()));
  update_state();
}

void Session::update_state() {
  if (closed_) return;
  core_->set_state(outbound_ == Outbound::syncing || inbound_syncing_ ? LinkState::syncing : LinkState::streaming);
}

// ---- sending our stream ----

void Session::handle_resume(const StreamPosition& position) {
  if (position.epoch == core_->epoch() && core_->ring().holds_after(position.seq)) {
    outbound_ = Outbound::streaming;
    next_seq_ = position.seq + 1;
    pump();
  } else {
    start_full_sync();
  }
  update_state();
}

void Session::start_full_sync() {
  if (streamer_) {
    streamer_->cancel();
    core_->retire_streamer(std::move(streamer_));
  }
  outbound_ = Outbound::syncing;
  // Everything appended so far is in the snapshot the provider is about to take. Without a
  // provider the "snapshot" is empty and the ring is all there is: it replays what it still holds.
  const RingLog::Positions positions = core_->ring().positions();
  sync_seq_ = core_->handlers().snapshot ? positions.last_appended : positions.first_held - 1;
  sync_sent_ = 0;
  sync_progress_at_ = Clock::now();
  core_->update_stats([](ChannelStats& s) { ++s.full_syncs_sent; });
  std::weak_ptr<Session> weak = weak_from_this();
  asio::io_context* io = &core_->io();
  SnapshotStreamer::Callbacks callbacks;
  callbacks.started = [weak, io](std::optional<uint64_t> total) {
    asio::post(*io, [weak, total] {
      if (auto self = weak.lock()) self->on_sync_started(total);
    });
  };
  callbacks.chunk = [weak, io](std::string body, uint32_t records) {
    asio::post(*io, [weak, body = std::move(body), records]() mutable {
      if (auto self = weak.lock()) self->on_sync_chunk(std::move(body), records);
    });
  };
  callbacks.finished = [weak, io](uint64_t records) {
    asio::post(*io, [weak, records] {
      if (auto self = weak.lock()) self->on_sync_finished(records);
    });
  };
  callbacks.failed = [weak, io](std::string error) {
    asio::post(*io, [weak, error = std::move(error)] {
      if (auto self = weak.lock()) self->close(Failure::local, "replication: snapshot provider failed: " + error);
    });
  };
  streamer_ = std::make_shared<SnapshotStreamer>(core_->handlers().snapshot, core_->settings().chunk_records,
                                                 kSyncWindow, std::move(callbacks));
  update_state();
}

void Session::on_sync_started(std::optional<uint64_t> total) {
  if (closed_ || outbound_ != Outbound::syncing) return;
  std::string body;
  encode_sync_begin(body, SyncBegin{sync_seq_, total.value_or(kUnknownTotal)});
  send(FrameType::sync_begin, body);
  core_->sync_progress_begin(total);
  sync_progress_at_ = Clock::now();
}

void Session::on_sync_chunk(std::string body, uint32_t records) {
  if (closed_ || outbound_ != Outbound::syncing) return;
  send(FrameType::sync_chunk, body);
  ++chunks_pending_;
  sync_sent_ += records;
  sync_progress_at_ = Clock::now();
  const uint64_t bytes = body.size() + kFrameHeaderSize + kFrameTagSize;
  core_->update_stats([records, bytes](ChannelStats& s) {
    s.sync_records_sent += records;
    s.sync_bytes_sent += bytes;
  });
  core_->sync_progress_add(records);
}

void Session::on_sync_finished(uint64_t records) {
  if (closed_ || outbound_ != Outbound::syncing) return;
  (void)records;  // sync_sent_ counts what was actually sent
  std::string body;
  encode_sync_end(body, SyncEnd{sync_seq_, sync_sent_});
  send(FrameType::sync_end, body);
  if (streamer_) core_->retire_streamer(std::move(streamer_));  // its thread is returning
  core_->update_stats([](ChannelStats& s) { ++s.full_syncs_sent_completed; });
  core_->sync_progress_end();
  // The live records queued meanwhile follow (or another full sync if the ring overflowed).
  outbound_ = Outbound::streaming;
  next_seq_ = sync_seq_ + 1;
  update_state();
  pump();
}

// ---- receiving the peer's stream ----

void Session::deliver(std::vector<Record> records, std::optional<StreamPosition> ack_after) {
  core_->post_to_control([core = core_, records = std::move(records), ack_after] {
    if (core->stopped()) return;
    const auto& apply = core->handlers().apply;
    if (apply) {
      for (const Record& record : records) apply(record);
    }
    core->records_applied(records.size(), ack_after);
  });
}

bool Session::handle_records(std::string_view body) {
  uint64_t first_seq = 0;
  std::vector<Record> records;
  if (!decode_record_batch(body, true, first_seq, records)) {
    close(Failure::parse, "replication peer: malformed records frame");
    return false;
  }
  const StreamPosition delivered = core_->delivered();
  if (inbound_syncing_ || delivered.epoch != peer_epoch_ || first_seq != delivered.seq + 1) {
    close(Failure::protocol, "replication peer: records out of sequence (got " + std::to_string(first_seq) +
                                 ", expected " + std::to_string(delivered.seq + 1) + ")");
    return false;
  }
  if (records.empty()) return true;
  const StreamPosition last{peer_epoch_, first_seq + records.size() - 1};
  core_->set_delivered(last);
  const std::size_t count = records.size();
  core_->update_stats([count](ChannelStats& s) { s.records_received += count; });
  deliver(std::move(records), last);
  return true;
}

bool Session::handle_sync_begin(std::string_view body) {
  const std::optional<SyncBegin> begin = decode_sync_begin(body);
  if (!begin || inbound_syncing_) {
    close(Failure::protocol, "replication peer: unexpected or malformed sync_begin");
    return false;
  }
  inbound_syncing_ = true;
  inbound_sync_seq_ = begin->snapshot_seq;
  inbound_sync_records_ = 0;
  inbound_progress_at_ = Clock::now();
  core_->set_delivered(StreamPosition{});  // a sync cut short must start over
  std::optional<uint64_t> total;
  if (begin->total_records != kUnknownTotal) total = begin->total_records;
  core_->update_stats([](ChannelStats& s) { ++s.full_syncs_received; });
  core_->sync_progress_begin(total);
  SyncStart start{peer_node_, total};
  core_->post_to_control([core = core_, start] {
    if (!core->stopped() && core->handlers().sync_begin) core->handlers().sync_begin(start);
  });
  update_state();
  return true;
}

bool Session::handle_sync_chunk(std::string_view body) {
  uint64_t unused = 0;
  std::vector<Record> records;
  if (!inbound_syncing_ || !decode_record_batch(body, false, unused, records)) {
    close(Failure::protocol, "replication peer: unexpected or malformed sync_chunk");
    return false;
  }
  const std::size_t count = records.size();
  inbound_sync_records_ += count;
  inbound_progress_at_ = Clock::now();
  core_->update_stats([count](ChannelStats& s) {
    s.records_received += count;
    s.sync_records_received += count;
  });
  core_->sync_progress_add(count);
  deliver(std::move(records), std::nullopt);
  return true;
}

bool Session::handle_sync_end(std::string_view body) {
  const std::optional<SyncEnd> end = decode_sync_end(body);
  if (!end || !inbound_syncing_ || end->snapshot_seq != inbound_sync_seq_ || end->records != inbound_sync_records_) {
    close(Failure::protocol, "replication peer: unexpected or inconsistent sync_end");
    return false;
  }
  inbound_syncing_ = false;
  const StreamPosition position{peer_epoch_, end->snapshot_seq};
  core_->set_delivered(position);
  core_->update_stats([](ChannelStats& s) { ++s.full_syncs_received_completed; });
  core_->sync_progress_end();
  const uint64_t records = inbound_sync_records_;
  core_->post_to_control([core = core_, records, position] {
    if (core->stopped()) return;
    if (core->handlers().sync_end) core->handlers().sync_end(true, records);
    core->records_applied(0, position);
  });
  update_state();
  return true;
}

// ---- timeouts ----

void Session::arm_watchdog() {
  const Settings& settings = core_->settings();
  auto tick = std::min(settings.handshake_timeout, settings.sync_stall_timeout) / 4;
  tick = std::clamp(tick, std::chrono::milliseconds{5}, std::chrono::milliseconds{250});
  watchdog_timer_.expires_after(tick);
  watchdog_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec) self->watchdog();
  });
}

void Session::watchdog() {
  if (closed_) return;
  const Settings& settings = core_->settings();
  const auto now = Clock::now();
  if (!established_ && now - opened_at_ > settings.handshake_timeout) {
    close(Failure::timeout, "replication peer: handshake timed out");
    return;
  }
  const bool donor_stalled = outbound_ == Outbound::syncing && now - sync_progress_at_ > settings.sync_stall_timeout;
  const bool receiver_stalled = inbound_syncing_ && now - inbound_progress_at_ > settings.sync_stall_timeout;
  if (donor_stalled || receiver_stalled) {
    core_->update_stats([](ChannelStats& s) { ++s.sync_timeouts; });
    close(Failure::timeout, std::string("replication: full sync ") + (donor_stalled ? "to" : "from") +
                                " the peer made no progress for " + std::to_string(settings.sync_stall_timeout.count()) +
                                " ms; reconnecting to retry");
    return;
  }
  arm_watchdog();
}

}  // namespace siplb::control::replication
