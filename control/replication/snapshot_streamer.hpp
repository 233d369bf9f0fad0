// The donor side of a full sync: reads the snapshot provider on a thread of its own
// ("siplb-peer-sync") and hands encoded chunk bodies to the connection, a few at a time.
//
// The provider may be slow or block (RocksDB under load, a broken disk): it must not stall the
// I/O thread, and the connection must be able to give up on it (stall timeout) without waiting.
// A cancelled streamer stops at the provider's next return; its owner keeps it until then.
//
// Owns: the sync thread. Callbacks run on the sync thread (they post to the I/O thread);
// chunk_consumed() and cancel() are called from the I/O thread; the destructor joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "channel.hpp"

namespace siplb::control::replication {

class SnapshotStreamer {
 public:
  struct Callbacks {
    std::function<void(std::optional<uint64_t> total_records)> started;
    std::function<void(std::string body, uint32_t records)> chunk;  // a sync_chunk frame's body
    std::function<void(uint64_t records)> finished;
    std::function<void(std::string error)> failed;  // the provider threw
  };
  // Starts the thread. At most `window` chunks are handed over and not yet consumed.
  SnapshotStreamer(SnapshotProvider provider, std::size_t chunk_records, std::size_t window, Callbacks callbacks);
  ~SnapshotStreamer();  // cancels and joins
  SnapshotStreamer(const SnapshotStreamer&) = delete;
  SnapshotStreamer& operator=(const SnapshotStreamer&) = delete;

  void chunk_consumed(std::size_t chunks = 1);  // written to the socket: room for more
  void cancel();                                // no callbacks after the current one
  bool done() const { return done_.load(std::memory_order_acquire); }  // the thread has returned

 private:
  void run(SnapshotProvider provider);
  bool wait_for_room();  // false when cancelled

  const std::size_t chunk_records_;
  const std::size_t window_;
  Callbacks callbacks_;
  std::mutex mutex_;
  std::condition_variable room_;
  std::size_t in_flight_ = 0;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace siplb::control::replication
