// A consistent read of the store's replicated state (dialogs, destinations, bindings, in that
// order) from one RocksDB snapshot: what an HA node sends its peer in a full sync. Pull-based, so
// the replication channel's sync thread reads it at its own pace; the snapshot pins the state as
// it was when the reader was opened whatever is written meanwhile.
//
// Threads: opened by any thread (Store::open_snapshot), then used by one thread at a time (the
// replication channel's sync thread). The Store must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

namespace rocksdb {
class Iterator;
class Snapshot;
}  // namespace rocksdb

namespace siplb::control::store {

class Database;
enum class Family : uint8_t;

enum class SnapshotFamily : uint8_t { dialogs, destinations, bindings };

class SnapshotReader {
 public:
  SnapshotReader(Database& database, uint64_t total);
  ~SnapshotReader();
  SnapshotReader(const SnapshotReader&) = delete;
  SnapshotReader& operator=(const SnapshotReader&) = delete;

  // The next record: false at the end (or on a read error, which is logged). The views are valid
  // until the next call.
  bool next(SnapshotFamily& family, std::string_view& key, std::string_view& value);
  // RocksDB's estimate of the records in the snapshot (for progress), taken when it was opened.
  uint64_t estimated_total() const { return total_; }

 private:
  bool open_family(std::size_t index);

  Database& database_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  std::unique_ptr<rocksdb::Iterator> iterator_;
  std::size_t family_ = 0;  // index into the families read, in order
  bool started_ = false;
  uint64_t total_ = 0;
};

}  // namespace siplb::control::store
