// LoadBoard: per-destination resource use, changed only by compare-and-swap.
#include "siplb/balance/load_board.hpp"

namespace siplb::balance {

LoadBoard::LoadBoard(std::size_t destinations) : rows_(new Row[destinations]), size_(destinations) {
  for (std::size_t d = 0; d < destinations; ++d)
    for (auto& v : rows_[d].used) v.store(0, std::memory_order_relaxed);
}

bool LoadBoard::take(std::atomic<uint32_t>& v, uint32_t limit, bool overcommit) {
  uint32_t current = v.load(std::memory_order_relaxed);
  do {
    if (!overcommit && current >= limit) return false;
  } while (!v.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel,
                                    std::memory_order_relaxed));
  return true;
}

void LoadBoard::give_back(std::atomic<uint32_t>& v) {
  uint32_t current = v.load(std::memory_order_relaxed);
  do {
    if (current == 0) {
      underflows_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } while (!v.compare_exchange_weak(current, current - 1, std::memory_order_acq_rel,
                                    std::memory_order_relaxed));
}

bool LoadBoard::try_acquire(std::size_t destination, uint8_t mask, const uint32_t* limits, bool overcommit) {
  if (destination >= size_) return false;
  Row& row = rows_[destination];
  for (std::size_t r = 0; r < kMaxResources; ++r) {
    if (!(mask >> r & 1)) continue;
    if (!take(row.used[r], limits[r], overcommit)) {
      for (std::size_t undo = 0; undo < r; ++undo)
        if (mask >> undo & 1) give_back(row.used[undo]);
      return false;
    }
  }
  return true;
}

void LoadBoard::release(std::size_t destination, uint8_t mask) {
  if (destination >= size_) return;
  Row& row = rows_[destination];
  for (std::size_t r = 0; r < kMaxResources; ++r)
    if (mask >> r & 1) give_back(row.used[r]);
}

}  // namespace siplb::balance
