// RocksDB's diagnostics, to stderr instead of a LOG file in the store directory.
//
// Why: Debian's librocksdb 7.8 is built with assertions on, and its file logger asserts (aborting
// siplbd) when it writes again after a failed write, which is what happens on a full disk. A
// logger that writes no file cannot fail that way; it also keeps the directory to the database.
// Only warnings and errors pass (write stalls, background errors), at most one line a second.
// While the database is being opened lines are held back: when the open fails, the store's own
// one-line error says why, and RocksDB's account of the same failure is dropped.
#pragma once

#include <cstdarg>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <rocksdb/env.h>

#include "rate_limited_log.hpp"

namespace siplb::control::store {

class RocksdbLogger : public rocksdb::Logger {
 public:
  explicit RocksdbLogger(std::string dir);
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  void Logv(const char* format, va_list ap) override;
  // The open succeeded: writes what was held back, and from now on every line as it comes.
  void opened();

 private:
  std::string dir_;
  RateLimitedLog log_;
  std::mutex held_mutex_;
  bool holding_ = true;
  std::vector<std::string> held_;
};

}  // namespace siplb::control::store
