// The outgoing log of the replication channel: a bounded ring of records not yet acknowledged by
// the peer, each with its sequence number (1, 2, 3... per channel start) and the time it was
// appended (for the lag in milliseconds).
//
// When the ring is full, append() overwrites the oldest unacknowledged record (counted): the
// control thread never waits for the peer, and a peer that missed records gets a full sync.
//
// Owns: the records and the positions. Thread-safe (one short mutex): the control thread appends,
// the I/O thread reads, trims and asks for the lag, any thread reads the positions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "frame_codec.hpp"
#include "record.hpp"

namespace siplb::control::replication {

class RingLog {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RingLog(std::size_t capacity);

  // Queues a record; returns its sequence number.
  uint64_t append(Record record, Clock::time_point now = Clock::now());

  enum class ReadResult : uint8_t { records, nothing_new, overwritten };
  // Adds the records from `from_seq` on to `batch` (up to max_records or about max_bytes).
  // overwritten: from_seq is no longer held (the reader needs a full sync).
  ReadResult read(uint64_t from_seq, std::size_t max_records, std::size_t max_bytes, RecordBatchWriter& batch) const;

  // The peer applied everything up to `seq`: drops those records. Returns the records dropped.
  std::size_t acknowledge(uint64_t seq);

  struct Positions {
    uint64_t last_appended = 0;  // 0 before the first append
    uint64_t acknowledged = 0;   // highest sequence acknowledged
    uint64_t first_held = 1;     // oldest sequence still in the ring (last_appended + 1 when empty)
    uint64_t overwritten = 0;    // unacknowledged records lost to a full ring, since start
    std::size_t held = 0;
    std::chrono::milliseconds oldest_unacked_age{0};  // 0 when everything is acknowledged
  };
  Positions positions(Clock::time_point now = Clock::now()) const;
  // True when every record after `seq` is still held (a reader at `seq` can go on streaming).
  bool holds_after(uint64_t seq) const;
  std::size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    Record record;
    Clock::time_point appended;
  };
  const Slot& slot(uint64_t seq) const { return slots_[(head_ + (seq - first_seq_)) % slots_.size()]; }

  mutable std::mutex mutex_;
  std::vector<Slot> slots_;
  std::size_t head_ = 0;       // index of first_seq_
  std::size_t count_ = 0;      // records held
  uint64_t first_seq_ = 1;     // sequence at head_
  uint64_t acknowledged_ = 0;
  uint64_t overwritten_ = 0;
};

}  // namespace siplb::control::replication
