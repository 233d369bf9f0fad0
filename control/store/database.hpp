// Opening the store's RocksDB database: checks on the directory, the column family layout and the
// format version, the RocksDB options, and one-line error texts for operators. Used by Store only.
//
// Layout: column families `dialogs`, `destinations`, `bindings`, and `default` holding the format
// version under kFormatVersionKey. A database with any other column family, or without the version
// key, is not ours and is refused without being changed.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

namespace siplb::control::store {

inline constexpr std::string_view kFormatVersionKey = "siplb.format";
inline constexpr int kFormatVersion = 1;

enum class Family : uint8_t { dialogs, destinations, bindings };
inline constexpr std::array<std::string_view, 3> kFamilyNames = {"dialogs", "destinations", "bindings"};

// An open database with a handle per column family; closes it (without flushing: the WAL holds
// everything written) when destroyed.
class Database {
 public:
  // On failure returns nullptr and sets `error` to one line: "store <dir>: <cause>".
  static std::unique_ptr<Database> open(const std::string& dir, std::string& error);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* family(Family f) { return families_[static_cast<std::size_t>(f)]; }

  // Called after a failed write: RocksDB stops accepting writes after an I/O error (for example a
  // full disk) until it is told to resume. Returns the resume status.
  rocksdb::Status resume() { return db_->Resume(); }

 private:
  Database() = default;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_family_ = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilyNames.size()> families_{};
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // all of them, for closing
};

// The cause part of a RocksDB status for an operator: "no space left on device", "permission
// denied", "in use by another siplbd (RocksDB lock held)", "corrupt database: <status>", or the
// status text. Always one line.
std::string describe_status(const rocksdb::Status& status);

}  // namespace siplb::control::store
