// One line to stderr at most once a second per log, with the count of lines left out since the
// last one: a full disk fails every write, and siplbd's stderr must stay readable. Any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace siplb::control::store {

class RateLimitedLog {
 public:
  // Writes `line` (no newline) unless a line went out less than a second ago.
  void write(const std::string& line) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (written_once_ && now - last_written_ < std::chrono::seconds(1)) {
      ++left_out_;
      return;
    }
    written_once_ = true;
    last_written_ = now;
    if (left_out_ > 0) {
      std::fprintf(stderr, "%s (%llu more left out)\n", line.c_str(),
                   static_cast<unsigned long long>(left_out_));
      left_out_ = 0;
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }

 private:
  std::mutex mutex_;
  bool written_once_ = false;
  std::chrono::steady_clock::time_point last_written_{};
  uint64_t left_out_ = 0;
};

}  // namespace siplb::control::store
