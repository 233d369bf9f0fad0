// Internal: one TCP connection to the peer and the protocol on it.
//
//   handshake  initiator -> hello_initiator (its node id, epoch, nonce; tagged with the long-term key)
//              responder -> hello_responder (its node id, epoch, nonce; tagged with the session key)
//              both derive the session key; every later frame is tagged with it and its counter.
//   then each side, as a receiver, sends resume {the peer's epoch it last applied, sequence};
//   as a sender it answers the peer's resume by streaming records from the ring after that
//   sequence (same epoch and still held), or by a full sync: sync_begin {S}, sync_chunk*,
//   sync_end {S, count}, then the ring's records after S. The receiver acks {epoch, seq} after
//   applying. Any frame that fails its tag or does not parse closes the connection.
//
// Owns: the socket, the frame sealer/opener, the write buffers, this connection's sending and
// receiving positions and the donor's snapshot streamer. I/O thread only (the streamer's
// callbacks are posted to it).
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frame_auth.hpp"
#include "frame_codec.hpp"

namespace siplb::control::replication {

class Core;
class SnapshotStreamer;

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class Role : uint8_t { initiator, responder };
  // auth and parse (and protocol: a well-formed frame out of turn) are counted in the stats.
  enum class Failure : uint8_t { none, auth, parse, protocol, network, timeout, local };

  Session(std::shared_ptr<Core> core, asio::ip::tcp::socket socket, Role role);
  ~Session();
  void start();  // begins the handshake
  void close(Failure failure, const std::string& reason);

  bool established() const { return established_; }
  void pump();                              // new records in the ring: send what fits
  void send_ack(const StreamPosition& position);

  // Test hooks.
  void replay_last_frame();
  void corrupt_next_frame(std::size_t byte_offset) { corrupt_offset_ = byte_offset; }

 private:
  enum class Outbound : uint8_t { awaiting_resume, streaming, syncing };

  void send(FrameType type, std::string_view body);
  void start_write();
  void read_more();
  void process_input();
  bool handle_frame(const FrameView& frame);  // false: the connection was closed
  bool handle_handshake(const FrameView& frame);
  void established_now(const Hello& peer);
  void handle_resume(const StreamPosition& position);
  bool handle_records(std::string_view body);
  bool handle_sync_begin(std::string_view body);
  bool handle_sync_chunk(std::string_view body);
  bool handle_sync_end(std::string_view body);
  void deliver(std::vector<Record> records, std::optional<StreamPosition> ack_after);
  void update_state();

  void start_full_sync();
  void on_sync_started(std::optional<uint64_t> total);
  void on_sync_chunk(std::string body, uint32_t records);
  void on_sync_finished(uint64_t records);
  void arm_watchdog();
  void watchdog();

  std::shared_ptr<Core> core_;
  asio::ip::tcp::socket socket_;
  const Role role_;
  bool closed_ = false;
  bool established_ = false;
  std::chrono::steady_clock::time_point opened_at_;
  asio::steady_timer watchdog_timer_;

  // Handshake.
  std::string own_nonce_;
  std::unique_ptr<FrameSealer> sealer_;
  std::unique_ptr<FrameOpener> opener_;
  uint32_t peer_node_ = 0;
  uint64_t peer_epoch_ = 0;

  // Writing: frames are sealed into pending_ and written in one go while writing_ is in flight.
  std::string pending_, writing_;
  bool write_in_flight_ = false;
  std::size_t chunks_pending_ = 0, chunks_writing_ = 0;  // snapshot chunks in those buffers
  std::string last_frame_;                                // for replay_last_frame()
  std::optional<std::size_t> corrupt_offset_;

  // Reading.
  std::string input_;
  std::size_t input_start_ = 0;  // bytes of input_ already processed
  std::vector<char> read_buffer_;

  // Sending our stream.
  Outbound outbound_ = Outbound::awaiting_resume;
  uint64_t next_seq_ = 0;      // next ring record to send (streaming)
  uint64_t sync_seq_ = 0;      // S of the full sync in progress
  uint64_t sync_sent_ = 0;     // snapshot records written in it
  std::shared_ptr<SnapshotStreamer> streamer_;
  std::chrono::steady_clock::time_point sync_progress_at_;

  // Receiving the peer's stream.
  bool inbound_syncing_ = false;
  uint64_t inbound_sync_seq_ = 0;
  uint64_t inbound_sync_records_ = 0;
  std::chrono::steady_clock::time_point inbound_progress_at_;
};

}  // namespace siplb::control::replication
