// Stable positions of destinations (see destination_layout.hpp).
#include "destination_layout.hpp"

#include <algorithm>

namespace siplb::control {
namespace {

// A slot no destination uses: never a candidate (weight 0, disabled), never probed.
balance::Destination placeholder(const balance::Destination* was) {
  balance::Destination d;
  if (was) d.address = was->address;  // a tombstone: calls in progress still reach it
  d.uri.clear();
  d.weight = 0;
  d.state = balance::DestinationState::disabled;
  d.probe = false;
  return d;
}

}  // namespace

void DestinationLayout::init(const config::Config& effective, std::size_t max_positions) {
  set_ids_.clear();
  slots_.clear();
  std::size_t used = 0;
  for (const auto& sc : effective.sets) used += sc.set.destinations.size();
  std::size_t room = max_positions > used ? max_positions - used : 0;
  for (const auto& sc : effective.sets) {
    set_ids_.push_back(sc.set.id);
    std::vector<Slot> slots;
    for (const auto& d : sc.set.destinations) slots.push_back({SlotKind::used, d.uri, {}});
    const std::size_t spare = std::min(room, std::max(kMinSpare, sc.set.destinations.size()));
    room -= spare;
    slots.resize(slots.size() + spare);
    slots_.push_back(std::move(slots));
  }
}

bool DestinationLayout::place(const config::Config& effective, config::Config& placed, DestinationLayout& next,
                              std::string& error) const {
  if (effective.sets.size() != set_ids_.size()) {
    error = "the number of sets changed (" + std::to_string(set_ids_.size()) + " -> " +
            std::to_string(effective.sets.size()) + "): restart siplbd to add or remove sets";
    return false;
  }
  next = *this;
  placed = effective;
  for (std::size_t k = 0; k < effective.sets.size(); ++k) {
    const balance::DestinationSet& set = effective.sets[k].set;
    if (set.id != set_ids_[k]) {
      error = "set " + std::to_string(k + 1) + ": id changed (" + std::to_string(set_ids_[k]) + " -> " +
              std::to_string(set.id) + "): restart siplbd to change set ids";
      return false;
    }
    std::vector<Slot>& slots = next.slots_[k];
    std::vector<balance::Destination> out(slots.size());
    std::vector<bool> filled(slots.size(), false);
    // Destinations that have a slot keep it; new ones take the first free slot.
    for (const balance::Destination& d : set.destinations) {
      auto it = std::find_if(slots.begin(), slots.end(),
                             [&](const Slot& s) { return s.kind == SlotKind::used && s.uri == d.uri; });
      if (it == slots.end()) {
        it = std::find_if(slots.begin(), slots.end(), [](const Slot& s) { return s.kind == SlotKind::free; });
        if (it == slots.end()) {
          error = "set " + std::to_string(set.id) + " has no room left for " + d.uri + " (" +
                  std::to_string(slots.size()) + " positions, counting removed destinations): restart siplbd";
          return false;
        }
        *it = {SlotKind::used, d.uri, {}};
      }
      const auto i = static_cast<std::size_t>(it - slots.begin());
      out[i] = d;
      filled[i] = true;
    }
    // Destinations that left become tombstones; the rest stays free.
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (filled[i]) continue;
      if (slots[i].kind == SlotKind::used) slots[i].kind = SlotKind::removed;
      out[i] = placeholder(slots[i].kind == SlotKind::removed ? &slots[i].last : nullptr);
    }
    for (std::size_t i = 0; i < slots.size(); ++i)
      if (filled[i]) slots[i].last = out[i];
    placed.sets[k].set.destinations = std::move(out);
  }
  return true;
}

std::size_t DestinationLayout::positions() const {
  std::size_t n = 0;
  for (const auto& s : slots_) n += s.size();
  return n;
}

}  // namespace siplb::control
