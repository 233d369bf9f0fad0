// The bounded ring of unacknowledged records (see ring_log.hpp).
#include "ring_log.hpp"

#include <algorithm>
#include <stdexcept>

namespace siplb::control::replication {

RingLog::RingLog(std::size_t capacity) : slots_(capacity) {
  if (capacity == 0) throw std::invalid_argument("replication ring capacity must be at least 1");
}

uint64_t RingLog::append(Record record, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (count_ == slots_.size()) {
    // Full: the oldest record goes. It was unacknowledged (acknowledged ones are trimmed at once).
    slots_[head_].record = Record{};
    head_ = (head_ + 1) % slots_.size();
    ++first_seq_;
    --count_;
    ++overwritten_;
  }
  const uint64_t seq = first_seq_ + count_;
  Slot& target = slots_[(head_ + count_) % slots_.size()];
  target.record = std::move(record);
  target.appended = now;
  ++count_;
  return seq;
}

RingLog::ReadResult RingLog::read(uint64_t from_seq, std::size_t max_records, std::size_t max_bytes,
                                  RecordBatchWriter& batch) const {
  std::lock_guard lock(mutex_);
  const uint64_t end = first_seq_ + count_;  // one past the last
  if (from_seq < first_seq_) {
    // Trimmed by an acknowledgement is fine only if the reader is behind an ack (not the case for
    // a streaming reader); overwritten is what this means in practice.
    return ReadResult::overwritten;
  }
  if (from_seq >= end) return ReadResult::nothing_new;
  for (uint64_t seq = from_seq; seq < end && batch.count() < max_records && batch.size() < max_bytes; ++seq) {
    batch.add(slot(seq).record);
  }
  return ReadResult::records;
}

std::size_t RingLog::acknowledge(uint64_t seq) {
  std::lock_guard lock(mutex_);
  if (seq <= acknowledged_) return 0;
  acknowledged_ = seq;
  std::size_t dropped = 0;
  while (count_ > 0 && first_seq_ <= seq) {
    slots_[head_].record = Record{};  // frees the strings now, not when the slot is reused
    head_ = (head_ + 1) % slots_.size();
    ++first_seq_;
    --count_;
    ++dropped;
  }
  if (count_ == 0 && first_seq_ <= seq) first_seq_ = seq + 1;  // an ack beyond the log (cannot happen from a sane peer)
  return dropped;
}

RingLog::Positions RingLog::positions(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  Positions p;
  p.last_appended = first_seq_ + count_ - 1;
  p.acknowledged = std::min(acknowledged_, p.last_appended);
  p.first_held = first_seq_;
  p.overwritten = overwritten_;
  p.held = count_;
  if (count_ > 0) {
    p.oldest_unacked_age = std::chrono::duration_cast<std::chrono::milliseconds>(now - slots_[head_].appended);
    if (p.oldest_unacked_age.count() < 0) p.oldest_unacked_age = std::chrono::milliseconds{0};
  }
  return p;
}

bool RingLog::holds_after(uint64_t seq) const {
  std::lock_guard lock(mutex_);
  const uint64_t last_appended = first_seq_ + count_ - 1;
  return seq + 1 >= first_seq_ && seq <= last_appended;
}

}  // namespace siplb::control::replication
