// The control plane's persistent store: live least-loaded dialogs (so that a restarted siplbd
// reloads its calls and its destinations' loads), the operator's overlay of destinations, and
// registrar bindings, in one RocksDB database (database.hpp: layout, options, opening).
//
// Owns: the RocksDB database and one writer thread ("siplb-store"). Changes are queued by any
// thread (the control thread in practice) under a short mutex, never waiting for the disk; the
// writer takes everything queued at once and writes it as one WriteBatch (group commit), then runs
// the when_written callbacks it covered. The loads are meant for start-up, before changes are
// queued; stats() may be called from any thread.
//
// What a crash can lose, per durability mode:
//   sync:   every batch is fsynced before its callbacks run; nothing acknowledged by when_written
//           is lost, even on power loss. Changes still queued (a few milliseconds' worth) are.
//   async:  every batch is handed to the operating system (written to the WAL without fsync): it
//           survives a crash of siplbd (kill -9), but a power loss or kernel crash can lose the
//           last few seconds.
//   memory: nothing is kept and nothing survives a restart (loads return nothing).
// Writes that fail at run time (full disk, I/O error) are logged (one line a second at most),
// counted and dropped: forwarding goes on without the store.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "dialog_record.hpp"
#include "rate_limited_log.hpp"
#include "snapshot_reader.hpp"

namespace siplb::control::store {

class Database;
enum class Family : uint8_t;

enum class Durability : uint8_t { sync, async, memory };
std::string_view durability_name(Durability durability);  // "sync", "async", "memory"
std::optional<Durability> parse_durability(std::string_view name);

struct Settings {
  std::string dir;
  Durability durability = Durability::sync;
  // Changes waiting for the writer at most. When the disk stalls, later ones are dropped (counted
  // in records_lost, and their when_written reports false) rather than growing without bound;
  // 2^20 changes are about 100 MB and several minutes of a busy node's calls.
  std::size_t max_queued = std::size_t{1} << 20;
};

// Upper bounds (microseconds) of the batch write latency histogram (Prometheus "le" buckets;
// +Inf is batches_written).
inline constexpr std::array<uint64_t, 10> kLatencyBucketsUs = {100,  250,   500,   1000,   2500,
                                                               5000, 10000, 25000, 100000, 1000000};

struct StoreStats {  // a copy of the counters
  uint64_t batches_written = 0;  // batches written successfully
  uint64_t records_written = 0;  // puts and erases in those batches
  uint64_t bytes_written = 0;    // their WriteBatch size
  uint64_t write_errors = 0;     // batches that failed
  uint64_t records_lost = 0;     // puts and erases in those, and those dropped with the queue full
  uint64_t queued = 0;           // records waiting for the writer now
  uint64_t max_batch_records = 0;  // largest batch so far
  // Per successful batch: the write, its fsync under sync (and a resume after an error).
  uint64_t latency_us_sum = 0, latency_us_max = 0;
  std::array<uint64_t, kLatencyBucketsUs.size()> latency_buckets{};  // cumulative: <= each bound
  std::string last_error;  // of the last failed batch or full queue, empty if none
};

class Store {
 public:
  // Opens (or creates, mode 0700, without creating missing parents) the data directory. On failure
  // returns nullptr and sets `error` to one line naming the path and the cause, such as
  // "store /d: in use by another siplbd (RocksDB lock held)". Durability::memory touches no
  // directory and returns a store that keeps nothing.
  static std::unique_ptr<Store> open(const Settings& settings, std::string& error);
  // Writes everything still queued, then stops the writer thread and closes the database.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Queue changes; any thread. Never waits for I/O.
  void put_dialog(const DialogRecord& record);
  void erase_dialog(uint64_t call_id_hash, uint64_t caller_tag_hash);
  void put_destination(std::string_view key, std::string_view value);  // opaque value (JSON text)
  void erase_destination(std::string_view key);
  void put_binding(std::string_view key, std::string_view value);  // opaque value
  void erase_binding(std::string_view key);

  // Runs done(ok) on the writer thread once every change queued before this call is written (and
  // fsynced under sync). ok is false when a batch holding any change queued between the previous
  // when_written and this one failed; true when there was no such change. Callbacks run in the
  // order they were queued. Memory mode: runs done(true) at once, on the calling thread.
  void when_written(std::function<void(bool ok)> done);
  // Blocks until everything queued so far is written (tests, shutdown). Not from a callback.
  void flush();

  // Start-up reads (call before queuing changes). scan_dialogs decodes every stored dialog in key
  // order straight from the RocksDB iterator and hands them to `sink` in chunks of `chunk` records
  // (on the calling thread); it returns how many records did not decode (skipped).
  // load_dialogs collects them all (undecodable ones counted in *undecodable).
  std::size_t scan_dialogs(std::size_t chunk, const std::function<void(std::vector<DialogRecord>&&)>& sink);
  std::vector<DialogRecord> load_dialogs(std::size_t* undecodable = nullptr);
  std::vector<std::pair<std::string, std::string>> load_destinations();
  std::vector<std::pair<std::string, std::string>> load_bindings();
  // RocksDB's estimate ("rocksdb.estimate-num-keys"), cheap enough for a metric: overwrites and
  // erases are only reconciled by compaction, so it can be off by those made since. Exact right
  // after puts of new keys. 0 in memory mode.
  std::size_t count_dialogs();

  // Writes everything queued so far, then opens a consistent read of the replicated families (an
  // HA full sync). nullptr in memory mode. Any thread but a when_written callback's.
  std::unique_ptr<SnapshotReader> open_snapshot();

  StoreStats stats() const;
  Durability durability() const { return settings_.durability; }
  const std::string& dir() const { return settings_.dir; }

 private:
  struct Change;
  struct Notification;

  explicit Store(Settings settings);
  void queue(Change change);
  void run_writer();
  void write_batch(std::vector<Change>& changes, std::vector<Notification>& notifications);
  bool write_changes(const std::vector<Change>& changes);  // false when the batch was lost
  std::vector<std::pair<std::string, std::string>> load_pairs(Family family);

  const Settings settings_;
  std::unique_ptr<Database> database_;  // null in memory mode

  // The queue, guarded by mutex_. Notifications hold how many of `changes_` precede them.
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::vector<Change> changes_;
  std::vector<Notification> notifications_;
  bool dropped_since_last_notification_ = false;  // the queue was full
  bool stopping_ = false;

  // Writer thread only.
  bool ok_since_last_notification_ = true;  // false once a batch since the last notification failed
  std::chrono::steady_clock::time_point last_resume_{};  // of the database after a failed write

  RateLimitedLog write_error_log_;  // also for a full queue

  mutable std::mutex counters_mutex_;
  StoreStats counters_;  // `queued` is not kept here but taken from the queue

  std::thread writer_;
};

}  // namespace siplb::control::store
