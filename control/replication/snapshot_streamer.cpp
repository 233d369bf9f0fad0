// The sync thread of a full sync's donor (see snapshot_streamer.hpp).
#include "snapshot_streamer.hpp"

#include <pthread.h>

#include <exception>

#include "frame_codec.hpp"

namespace siplb::control::replication {

namespace {
// A chunk's body stops growing here even if chunk_records is not reached (large values).
constexpr std::size_t kMaxChunkBytes = std::size_t{1} << 20;
}  // namespace

SnapshotStreamer::SnapshotStreamer(SnapshotProvider provider, std::size_t chunk_records, std::size_t window,
                                   Callbacks callbacks)
    : chunk_records_(chunk_records == 0 ? 1 : chunk_records),
      window_(window == 0 ? 1 : window),
      callbacks_(std::move(callbacks)) {
  thread_ = std::thread([this, provider = std::move(provider)]() mutable { run(std::move(provider)); });
  pthread_setname_np(thread_.native_handle(), "siplb-peer-sync");
}

SnapshotStreamer::~SnapshotStreamer() {
  cancel();
  if (thread_.joinable()) thread_.join();
}

void SnapshotStreamer::chunk_consumed(std::size_t chunks) {
  {
    std::lock_guard lock(mutex_);
    in_flight_ = chunks > in_flight_ ? 0 : in_flight_ - chunks;
  }
  room_.notify_one();
}

void SnapshotStreamer::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_.store(true, std::memory_order_release);
  }
  room_.notify_one();
}

bool SnapshotStreamer::wait_for_room() {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [this] { return cancelled_.load(std::memory_order_acquire) || in_flight_ < window_; });
  if (cancelled_.load(std::memory_order_acquire)) return false;
  ++in_flight_;
  return true;
}

void SnapshotStreamer::run(SnapshotProvider provider) {
  try {
    Snapshot snapshot = provider ? provider() : Snapshot{};
    if (cancelled_.load(std::memory_order_acquire)) {
      done_.store(true, std::memory_order_release);
      return;
    }
    callbacks_.started(snapshot.total_records);
    uint64_t total = 0;
    bool more = static_cast<bool>(snapshot.next);
    Record record;
    while (more) {
      std::string body;
      RecordBatchWriter batch(body, std::nullopt);
      while (batch.count() < chunk_records_ && batch.size() < kMaxChunkBytes) {
        if (!snapshot.next(record)) {
          more = false;
          break;
        }
        batch.add(record);
        if (cancelled_.load(std::memory_order_acquire)) break;
      }
      if (cancelled_.load(std::memory_order_acquire)) break;
      if (batch.count() == 0) break;
      batch.finish();
      total += batch.count();
      if (!wait_for_room()) break;
      callbacks_.chunk(std::move(body), batch.count());
    }
    if (!cancelled_.load(std::memory_order_acquire)) callbacks_.finished(total);
  } catch (const std::exception& e) {
    if (!cancelled_.load(std::memory_order_acquire)) callbacks_.failed(e.what());
  }
  done_.store(true, std::memory_order_release);
}

}  // namespace siplb::control::replication
