// What an operator changed about destinations at run time (siplbctl dest set-state / set-weight /
// set-capacity / drain), on top of the configuration file, which stays the seed: the overlay is
// persisted in the store (one record per destination, JSON) so that a restart or a reload keeps
// it, `dest diff` shows it, and `dest export` writes the sets with it applied back out as TOML or
// as a dispatcher.list. Pure logic over values; the control thread owns the one instance.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "siplb/balance/destination.hpp"
#include "siplb/config/config.hpp"

namespace siplb::control {

struct DestinationOverride {
  std::optional<balance::DestinationState> state;
  std::optional<uint16_t> weight;
  std::optional<int32_t> priority;
  std::map<std::string, uint32_t> capacity;  // resource name -> calls
  bool drained = false;                      // no new calls; calls in progress go on
  bool added = false;    // not in the file: added by the operator (siplbctl dest add)
  bool removed = false;  // in the file, removed by the operator (siplbctl dest remove)

  bool empty() const { return !state && !weight && !priority && capacity.empty() && !drained && !added && !removed; }
};

// One difference between the file and what runs, for `dest diff`.
struct OverlayChange {
  uint32_t set = 0;
  std::string uri;
  std::string field;    // "state", "weight", "priority", "capacity.<resource>", "drained", "added", "removed"
  std::string config;   // as the file says (JSON text)
  std::string running;  // as it runs (JSON text)
};

class DestinationOverlay {
 public:
  // The store key of a destination: "<set id> <uri>".
  static std::string key(uint32_t set, const std::string& uri);

  // From the store's records; a record that does not parse is skipped and named in `skipped`.
  void load(const std::vector<std::pair<std::string, std::string>>& records, std::vector<std::string>& skipped);
  const DestinationOverride* find(uint32_t set, const std::string& uri) const;
  DestinationOverride& at(uint32_t set, const std::string& uri);  // created empty when absent
  void erase(uint32_t set, const std::string& uri);
  // The record to store for a destination ("" when its override is empty: erase it instead).
  std::string record(uint32_t set, const std::string& uri) const;

  // The file's configuration with the overlay applied: added destinations appended to their set
  // (defaults as the file's: weight 1, priority 0, active, probed), removed ones left out, then
  // weights, priorities, states and capacities. Overrides naming a set, destination or resource
  // the file no longer has are left out and named in `stale` (their records stay until the
  // operator changes them again).
  config::Config apply(const config::Config& file, std::vector<std::string>* stale = nullptr) const;
  bool drained(uint32_t set, const std::string& uri) const;

  std::vector<OverlayChange> diff(const config::Config& file) const;

 private:
  std::map<std::string, DestinationOverride> overrides_;  // by key()
};

// The sets of `running` (with the live states given by global position) as siplbd's TOML
// [[set]] tables, or as a Kamailio/OpenSIPS dispatcher.list ("setid uri flags priority attrs").
std::string export_sets_toml(const config::Config& running, const std::vector<balance::DestinationState>& states);
std::string export_dispatcher_list(const config::Config& running, const std::vector<balance::DestinationState>& states);
// ... or as an OpenSIPS db_text `dispatcher` table (state 0/1/2; a disabled destination is
// written inactive with probe_mode 0, as OpenSIPS has no disabled state), which siplbd loads too.
std::string export_db_text(const config::Config& running, const std::vector<balance::DestinationState>& states);

}  // namespace siplb::control
