// Where each destination sits among the global positions for the life of the process. Positions
// index the LoadBoard, the dialogs, the counters, the probes and the snapshot's tables, so a
// destination keeps its position while siplbd runs: each set owns a block of slots, its
// destinations in file order followed by spare ones. A destination added at run time (siplbctl
// dest add, or a reload whose file has a new one) takes a spare slot of its set; a removed one
// leaves a tombstone: never chosen again, its address kept so that the calls still on it reach
// it, its slot not reused before a restart. When a set has no spare slot left, adding to it needs
// a restart (which lays the blocks out anew).
//
// The placed configuration is the effective one with every set's destinations put in their
// slots; free slots and tombstones are placeholders with an empty URI, weight 0, state disabled
// and no probes, which every listing skips. Pure logic; the control thread owns the one instance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "siplb/config/config.hpp"

namespace siplb::control {

class DestinationLayout {
 public:
  // Spare slots per set: as many as the set has destinations, at least kMinSpare, within the
  // snapshot's limit of positions (dataplane::kMaxDestinations) for all sets together.
  static constexpr std::size_t kMinSpare = 8;

  // Lays out the blocks for `effective` (the file with the operator's overlay).
  void init(const config::Config& effective, std::size_t max_positions);

  // `effective` placed into the slots (see above) in `placed`, and the layout that results in
  // `next` (commit it once the placed configuration is published). False with `error` when the
  // sets changed (their number or ids) or a set has no spare slot for a new destination.
  bool place(const config::Config& effective, config::Config& placed, DestinationLayout& next,
             std::string& error) const;

  std::size_t positions() const;

 private:
  enum class SlotKind : uint8_t { free, used, removed };
  struct Slot {
    SlotKind kind = SlotKind::free;
    std::string uri;
    balance::Destination last;  // tombstones: the destination as it was (its address)
  };
  std::vector<uint32_t> set_ids_;
  std::vector<std::vector<Slot>> slots_;  // by set position
};

}  // namespace siplb::control
