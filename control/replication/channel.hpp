// The replication channel of an HA pair: the public face of control/replication/.
//
// Each node appends its changes (records) to a bounded ring; they stream over one authenticated
// TCP connection to the peer, which applies them and acknowledges by sequence number. A peer that
// missed records the ring no longer holds (or that restarted, or whose sender restarted) gets a
// full sync from a snapshot while live changes keep queueing. Both directions run over the same
// connection: each node is the other's sender and receiver.
//
// Connection rule: both nodes bind their listen address at start; the node with the lower node id
// connects, the higher one accepts (only connections that authenticate as peer_node_id). One TCP
// connection is ever in use.
//
// Threads:
//   - create(), the destructor: the owner's (control) thread.
//   - append(), when_acked(), stats(), listen_port(): any thread (a short mutex); the control
//     thread in practice. append() never waits for the network.
//   - one I/O thread of its own ("siplb-peer", an Asio io_context): connection, handshake, frames.
//   - during a full sync as donor, one thread ("siplb-peer-sync") reads the snapshot provider.
//   - Handlers' apply/sync_begin/sync_end/ack callbacks are handed to Handlers::post_to_control
//     (which must run them in the order given, like asio::post to a single thread); without one
//     they run on the I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "record.hpp"

namespace siplb::control::replication {

struct Settings {
  uint32_t node_id = 0;       // this node, non-zero
  uint32_t peer_node_id = 0;  // the other node, non-zero and different
  std::string listen_address = "127.0.0.1";  // bound exactly (never the wildcard unless given)
  uint16_t listen_port = 0;                  // 0: an ephemeral port (listen_port() tells it)
  std::string peer_address = "127.0.0.1";
  uint16_t peer_port = 0;
  std::string key;  // shared secret, from load_key() (frame_auth.hpp)
  std::size_t ring_capacity = std::size_t{1} << 20;  // records not yet acknowledged by the peer
  std::chrono::milliseconds reconnect_interval{1000};
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds sync_stall_timeout{10000};  // a full sync without progress this long is dropped and retried
  std::size_t chunk_records = 1024;  // records per frame, live and snapshot
};

// A consistent snapshot of the replicated state, read once from start to end during a full sync
// (later a RocksDB snapshot). next() runs on the "siplb-peer-sync" thread, never the control
// thread, so it must not touch control-thread-only state; it may block (a stall is detected).
struct Snapshot {
  std::function<bool(Record& out)> next;     // false at the end
  std::optional<uint64_t> total_records;     // for the progress percentage, if known
};
// Called (on the sync thread) when a full sync starts. The snapshot must hold at least every
// change appended before the call; changes appended after it may be in it too (they follow the
// snapshot again, and the receiver's version check makes that harmless).
using SnapshotProvider = std::function<Snapshot()>;

struct SyncStart {
  uint32_t peer_node_id = 0;
  std::optional<uint64_t> total_records;
};

struct Handlers {
  // Receiver side. Records arrive in the sender's order; apply each (check versions with newer()).
  std::function<void(const Record& record)> apply;
  // A full sync from the peer begins: the records that follow until sync_end replace the state
  // received from the peer (clear it now, or mark-and-sweep at the end).
  std::function<void(const SyncStart& start)> sync_begin;
  // The full sync ended: completed, or abandoned (connection lost, stalled) to be retried.
  std::function<void(bool completed, uint64_t records)> sync_end;
  // Sender side: the snapshot for a full sync of the peer. Without one, a full sync is empty and
  // the peer gets only what the ring still holds (a pure log: fine for tests and transient state).
  SnapshotProvider snapshot;
  // Runs a callback on the control thread, in order. Empty: callbacks run on the I/O thread.
  std::function<void(std::function<void()>)> post_to_control;
};

enum class LinkState : uint8_t { disconnected, connecting, handshaking, syncing, streaming };
std::string_view link_state_name(LinkState state);

struct ChannelStats {  // a copy
  LinkState state = LinkState::disconnected;
  // Sender side (this node's stream).
  uint64_t records_appended = 0;
  uint64_t records_sent = 0;       // live records written to the socket (again after a reconnect)
  uint64_t last_acked_seq = 0;
  uint64_t lag_records = 0;        // appended - acknowledged
  uint64_t lag_ms = 0;             // age of the oldest unacknowledged record
  uint64_t ring_overwritten = 0;   // unacknowledged records lost to a full ring (the peer gets a full sync)
  // Receiver side (the peer's stream).
  uint64_t records_received = 0;   // live and snapshot
  uint64_t records_applied = 0;
  // Bytes of frames on the wire, both directions.
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  // Full syncs this node gave (donor) and took.
  uint64_t full_syncs_sent = 0;          // started
  uint64_t full_syncs_sent_completed = 0;
  uint64_t sync_records_sent = 0;
  uint64_t sync_bytes_sent = 0;
  uint64_t full_syncs_received = 0;      // started
  uint64_t full_syncs_received_completed = 0;
  uint64_t sync_records_received = 0;
  uint64_t sync_timeouts = 0;            // dropped for lack of progress (either side)
  // The sync in progress (donor or receiver), while state == syncing.
  std::optional<double> sync_percent;    // when the provider gave a total
  double sync_records_per_second = 0;
  // Failures. A frame that fails authentication or parsing closes the connection, unapplied.
  uint64_t auth_failures = 0;
  uint64_t parse_failures = 0;
  uint64_t connections = 0;   // established (handshake done)
  uint64_t reconnects = 0;    // established after the first
  uint64_t connect_failures = 0;
  std::string last_error;     // of the last failure, empty if none
};

class Core;

class Channel {
 public:
  // Checks the settings, binds the listen address and starts the I/O thread. On failure returns
  // nullptr and sets `error` to one line.
  static std::unique_ptr<Channel> create(Settings settings, Handlers handlers, std::string& error);
  // Closes the connection, stops the threads (waits for a snapshot provider's next() in progress
  // to return), and fails the pending when_acked callbacks. Callbacks already handed to
  // post_to_control may still run afterwards; they do nothing then.
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Queues a record for the peer; returns its sequence number. Any thread; never blocks on I/O.
  uint64_t append(Record record);
  // done(true) once the peer has applied everything up to `seq` (the durability "peer" mode: a
  // REGISTER's 200 OK can wait for it); done(false) after `timeout` or when the channel stops.
  // Runs through post_to_control. Any thread.
  void when_acked(uint64_t seq, std::chrono::milliseconds timeout, std::function<void(bool acked)> done);

  ChannelStats stats() const;
  uint16_t listen_port() const;  // the bound port (useful with listen_port 0)
  uint32_t node_id() const;

  // Test hooks (tests/replication/): they act on the current connection, from any thread.
  void drop_connection_for_test();           // closes the TCP connection as a network failure would
  void replay_last_frame_for_test();         // sends the last frame sent again, byte for byte
  void corrupt_next_frame_for_test(std::size_t byte_offset);  // flips a byte of the next frame sent

 private:
  explicit Channel(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace siplb::control::replication
