// The live load of each destination: how many calls of each resource it holds right now. One row
// per destination (by global position), one cache line each so that workers taking calls for
// different destinations do not share lines. A unit is taken when a dialog is created for a call
// and given back when that dialog ends, exactly once (the dialog table decides who ends it), so a
// value is always the number of live dialogs holding it: it cannot drift, go below zero or wrap.
//
// Threads: workers take and give back units (lock-free compare-and-swap); the control thread
// gives back units of dialogs it expires and reads values for reports. Allocated once at start.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "siplb/balance/destination.hpp"

namespace siplb::balance {

class LoadBoard {
 public:
  explicit LoadBoard(std::size_t destinations);

  std::size_t destinations() const { return size_; }
  uint32_t used(std::size_t destination, std::size_t resource) const {
    return rows_[destination].used[resource].load(std::memory_order_relaxed);
  }

  // Takes one unit of each resource in `mask` (bit r: resource r) for `destination`, all or none.
  // Without overcommit a resource already at its limit (limits[r]) refuses and nothing is taken.
  bool try_acquire(std::size_t destination, uint8_t mask, const uint32_t* limits, bool overcommit);
  // Gives back one unit of each resource in `mask`. A value never goes below zero: an attempt is
  // counted in underflows() instead (it would mean a dialog ended twice; tests expect zero).
  void release(std::size_t destination, uint8_t mask);
  uint64_t underflows() const { return underflows_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) Row {
    std::atomic<uint32_t> used[kMaxResources];
  };
  bool take(std::atomic<uint32_t>& v, uint32_t limit, bool overcommit);
  void give_back(std::atomic<uint32_t>& v);

  std::unique_ptr<Row[]> rows_;
  std::size_t size_;
  std::atomic<uint64_t> underflows_{0};
};

}  // namespace siplb::balance
