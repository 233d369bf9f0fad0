// Destinations and destination sets as configured: what the control plane keeps and edits, and
// what the immutable selection tables (selector.hpp) are built from. Control-plane threads own
// these values; workers never see them, only the tables built from them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "siplb/net/address.hpp"

namespace siplb::balance {

// X(enumerator, config name, OpenSIPS/Kamailio ds_select_dst algorithm number or -1)
#define SIPLB_ALGORITHMS(X)                 \
  X(hash_call_id, "hash-call-id", 0)        \
  X(hash_from_uri, "hash-from-uri", 1)      \
  X(hash_to_uri, "hash-to-uri", 2)          \
  X(hash_request_uri, "hash-request-uri", 3) \
  X(round_robin, "round-robin", 4)          \
  X(hash_auth_user, "hash-auth-user", 5)    \
  X(random, "random", 6)                    \
  X(weighted, "weighted", 9)                \
  X(least_loaded, "least-loaded", 10)       \
  X(maglev, "maglev", -1)

enum class Algorithm : uint8_t {
#define SIPLB_X(e, name, number) e,
  SIPLB_ALGORITHMS(SIPLB_X)
#undef SIPLB_X
};

// The config name ("round-robin"). Any thread.
std::string_view algorithm_name(Algorithm a);
// Accepts the config name (ASCII case-insensitive) or the OpenSIPS/Kamailio number as text
// ("4" = round-robin). Returns false and leaves `out` alone for anything else. Any thread.
bool algorithm_from_text(std::string_view text, Algorithm& out);

// The states OpenSIPS and Kamailio users know from dispatcher lists: a(ctive), i(nactive),
// p(robing: up but being checked, still selected), d(isabled by the operator, never probed).
enum class DestinationState : uint8_t { active, inactive, probing, disabled };
std::string_view state_name(DestinationState s);
char state_letter(DestinationState s);  // 'a', 'i', 'p', 'd'
// Selected for new traffic: active and probing.
inline bool is_selectable(DestinationState s) {
  return s == DestinationState::active || s == DestinationState::probing;
}

// Least-loaded balancing (OpenSIPS load_balancer, Kamailio dispatcher algorithm 10): a destination
// declares how many calls of each named resource it takes ("pstn=32;transcoding=10"); a set says
// which resources a call holds for its lifetime. At most kMaxResources names in one configuration.
inline constexpr std::size_t kMaxResources = 8;
struct Capacity {
  std::string resource;  // "pstn"
  uint32_t max = 0;      // calls of that resource at once
};

// Free capacity as the count of calls left (absolute) or the share of the capacity left (relative).
enum class LoadMode : uint8_t { absolute, relative };

struct Destination {
  std::string uri;              // as configured, e.g. "sip:10.0.0.11:5060"
  net::SocketAddress address;   // resolved IP and port the packets go to
  uint16_t weight = 1;          // relative share for weighted and Maglev (0 = never chosen)
  int32_t priority = 0;         // higher first: lower tiers take traffic only when higher are down
  DestinationState state = DestinationState::active;
  bool probe = true;            // send OPTIONS health probes to it
  std::string attrs;            // free-form, kept from dispatcher.list (e.g. "weight=2;socket=...")
  std::vector<Capacity> capacities;  // least-loaded: calls it takes per resource (none: not chosen)
};

struct DestinationSet {
  uint32_t id = 0;
  std::string name;
  Algorithm algorithm = Algorithm::maglev;
  std::vector<Destination> destinations;
  // Least-loaded sets: the resources each call holds (one unit of each), how free capacity is
  // compared, and whether a call may still go to the least-loaded destination when all are full.
  std::vector<std::string> resources;
  LoadMode load_mode = LoadMode::absolute;
  bool overcommit = false;
};

// Parses an OpenSIPS load_balancer resource list "pstn=32;transcoding=10" (names of letters,
// digits, '_', '-', '.'; each at most once). False with the reason in `error` otherwise.
bool parse_capacities(std::string_view text, std::vector<Capacity>& out, std::string& error);

}  // namespace siplb::balance
