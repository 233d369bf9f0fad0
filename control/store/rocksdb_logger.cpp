#include "rocksdb_logger.hpp"

#include <cstdio>

namespace siplb::control::store {
namespace {

const char* level_name(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::WARN_LEVEL: return "warning";
    case rocksdb::InfoLogLevel::ERROR_LEVEL: return "error";
    case rocksdb::InfoLogLevel::FATAL_LEVEL: return "fatal";
    default: return "info";
  }
}

}  // namespace

RocksdbLogger::RocksdbLogger(std::string dir) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), dir_(std::move(dir)) {}

void RocksdbLogger::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel()) return;
  char text[512];
  std::vsnprintf(text, sizeof text, format, ap);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::string line = "siplb store " + dir_ + ": rocksdb " + level_name(level) + ": " + text;
  {
    std::lock_guard lock(held_mutex_);
    if (holding_) {
      if (held_.size() < 16) held_.push_back(std::move(line));
      return;
    }
  }
  log_.write(line);
}

void RocksdbLogger::opened() {
  std::vector<std::string> lines;
  {
    std::lock_guard lock(held_mutex_);
    holding_ = false;
    lines.swap(held_);
  }
  for (const std::string& line : lines) log_.write(line);
}

void RocksdbLogger::Logv(const char* format, va_list ap) { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

}  // namespace siplb::control::store
