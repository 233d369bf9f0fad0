// The immutable routing snapshot the workers read: destination selection tables and the flat list
// of destinations by global position (for counters and probe matching). Control builds a new one
// on any change and publishes it by one atomic pointer swap; workers read it between quiescent
// states (DPDK QSBR RCU) and it is freed only after all of them have passed one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "siplb/balance/selector.hpp"
#include "siplb/registrar/registrar_settings.hpp"

namespace siplb::auth {
class SubscriberTable;
}

namespace siplb::config {
struct Config;
}

namespace siplb::dataplane {

struct DestinationInfo {
  uint32_t ip_be = 0;  // IPv4 (when v6 is false)
  bool v6 = false;
  uint8_t ip6[16] = {};
  uint16_t port = 0;
  uint16_t set_position = 0;
  balance::DestinationState state = balance::DestinationState::active;
  std::string uri;
};

// Which initial requests a set takes (config::SetMatch, flattened for the workers).
struct SetMatch {
  uint32_t methods = 0;  // bit per sip::Method; 0: any
  std::vector<std::string> domains;        // lowercase; empty: any
  std::vector<std::string> user_prefixes;  // empty: any
};

// The registrar's rules ([registrar]): the domains it serves, how REGISTERs are judged, and the
// subscribers digest authentication checks against (reloadable on their own).
enum class RegistrarAuth : uint8_t { none, register_only, all };
struct RegistrarDomain {
  std::string name;  // lowercase
  RegistrarAuth auth = RegistrarAuth::none;
  std::string realm;
};
struct RegistrarRules {
  std::vector<RegistrarDomain> domains;
  registrar::RegistrarSettings settings;
  int32_t unregistered_set = -1;  // set position taking users not registered; -1: 404
  bool offer_sha256 = true;       // digest algorithms the challenges offer
  bool offer_md5 = true;
  std::shared_ptr<const auth::SubscriberTable> subscribers;  // null: no one can authenticate
};

struct Snapshot {
  std::unique_ptr<const balance::Selector> selector;
  std::vector<SetMatch> set_matches;  // by set position: the first that matches takes a request
  std::vector<uint16_t> set_base;             // global position of each set's first destination
  std::vector<DestinationInfo> destinations;  // by global position
  std::vector<std::string> resource_names;    // LoadBoard columns (least-loaded sets)
  std::shared_ptr<const RegistrarRules> registrar;  // null: no registrar
  uint64_t version = 0;
};

// Builds a snapshot from the configuration with the given live states (by global position; an
// empty vector keeps the configured states). Returns nullptr with `error` set when the selection
// tables cannot be built. Control thread; allocates.
std::unique_ptr<Snapshot> build_snapshot(const config::Config& config,
                                         const std::vector<balance::DestinationState>& states,
                                         uint64_t version, std::string* error = nullptr);

}  // namespace siplb::dataplane
