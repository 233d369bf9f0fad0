// Destination selection: immutable tables built by the control plane from DestinationSets, read
// by every worker without locks. A Selector is never modified after build(); a change (a
// destination going down, a reload) builds a new one that is published by a pointer swap and the
// old one freed after every worker has been quiescent (dataplane/rcu). select() allocates
// nothing, takes no lock and makes no syscall; the only mutable state is the caller's
// per-worker WorkerSelectState.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "siplb/balance/destination.hpp"

namespace siplb::balance {

// Which message field a hashing set keys on.
enum class HashKey : uint8_t { call_id, from_uri, to_uri, request_uri, auth_user };

// The fields of a request that hashing algorithms may use; empty views are "absent".
struct SelectionKey {
  std::string_view call_id;
  std::string_view from_uri;
  std::string_view to_uri;
  std::string_view request_uri;
  std::string_view auth_user;
};

// Per-worker mutable selection state (round-robin positions, random generator). One per lcore,
// inside its cache-aligned context; never shared.
//
// Round robin keeps one cycle per set in a small direct-mapped cache: set position p uses entry
// p % kRoundRobinSlots, tagged with p. Sets that do not collide cycle strictly; when two sets in
// use share an entry, each use by the other set restarts the cycle at a random destination, so a
// colliding set degrades to random choice rather than to a bias. A new worker (or a set never
// seen) also starts at a random destination, so that workers do not all begin on the first one.
struct WorkerSelectState {
  static constexpr std::size_t kRoundRobinSlots = 64;
  struct RoundRobin {
    uint32_t set_tag = 0;  // set position + 1; 0 = unused
    uint32_t next = 0;     // candidate to hand out next
  };
  std::array<RoundRobin, kRoundRobinSlots> round_robin{};
  uint64_t rng = 0x9e3779b97f4a7c15ull;  // seed differently per worker (seed())

  // Seeds the generator from a worker number (or any value); distinct seeds give distinct streams.
  void seed(uint64_t value) { rng = value * 0xd1342543de82ef95ull + 0x9e3779b97f4a7c15ull; }
};

struct BuildOptions {
  uint32_t maglev_table_size = 65537;  // a prime well above 100x the destinations of a set
  // Least-loaded sets: resource names by LoadBoard column (at most kMaxResources). A set's
  // resources and its destinations' capacities must name resources listed here.
  std::vector<std::string> resource_names;
};

class LoadBoard;

// Sets larger than this are rejected by build() (Maglev entries are 16-bit positions).
inline constexpr std::size_t kMaxSetDestinations = 65535;

// What select() returns: the destination's position in its set as configured, and its address.
struct Selection {
  int32_t index = -1;  // -1: nothing selectable (answer 503)
  net::SocketAddress address;
  uint8_t resources = 0;  // least-loaded with acquire: the LoadBoard columns taken (bit r: column r)
};

class Selector {
 public:
  // Builds the tables. Control plane; allocates. Traffic goes only to the candidates of a set: its
  // selectable (active or probing) destinations of weight > 0 whose priority is the highest
  // among such destinations; lower tiers take over when every destination above is down.
  // Every hashing algorithm (hash-*, maglev) maps its key through the set's Maglev table built
  // over the candidates, weighted, so that when one destination leaves the keys it held
  // move, spread over all the others, and almost all other keys stay (Maglev moves a small
  // fraction of them, about 0.1% with 5 destinations). round-robin and random treat the candidates alike (weight
  // only excludes weight 0); weighted picks at random in proportion to weight. Sets that do not
  // hash get no Maglev table.
  // Returns nullptr, with the reason in *error when error is given, when the options or sets are
  // unusable: table size not a prime or smaller than a set's candidates, a set with more than
  // kMaxSetDestinations destinations, or two sets with the same id.
  static std::unique_ptr<const Selector> build(const std::vector<DestinationSet>& sets,
                                               const BuildOptions& options = {},
                                               std::string* error = nullptr);

  // Position of the set with this id, or -1. Positions follow the order of the sets given to
  // build(). Control plane and workers; O(log sets).
  int32_t find_set(uint32_t set_id) const;
  std::size_t set_count() const;
  // The algorithm of a set (maglev for an out-of-range position), so that a worker computes only
  // the key field the set hashes on. Workers; no allocation.
  Algorithm algorithm(int32_t set_position) const;

  // Picks a destination of set `set_position` for a request. Hashing sets use their key field
  // (maglev: the Call-ID); an absent (empty) key falls back to round robin. Index -1 when the
  // position is out of range or the set has no candidate. Workers; no allocation, lock or syscall.
  Selection select(int32_t set_position, const SelectionKey& key, WorkerSelectState& state) const;

  // The same choice for an explicit 64-bit key hash through the set's Maglev table (used for
  // tests, benchmarks and the measurement of keys moved on failure). Index -1 when the position is
  // out of range, the set has no candidate or its algorithm does not hash. Any thread.
  Selection select_by_hash(int32_t set_position, uint64_t key_hash) const;

  // Least-loaded choice for set `set_position`, whose destination d has LoadBoard row
  // `board_base + d`: among its candidates (selectable, weight > 0, a capacity for every resource
  // the set takes) the one with the most free capacity, absolute (capacity minus use) or relative
  // (share of the capacity unused), the smallest over the set's resources; ties at random. The
  // highest priority tier with free capacity is used (a full tier spills to the next). When every
  // candidate is full: index -1, or with the set's overcommit the least-loaded of the top tier.
  // With `acquire`, one unit of each of the set's resources is taken on the board for the chosen
  // destination (all-or-nothing; when another worker took the last unit first it chooses again)
  // and Selection::resources says which; without, nothing changes (requests that make no call).
  // Index -1 too for an out-of-range position or a set that is not least-loaded.
  // Workers; no allocation, lock or syscall.
  Selection select_least_loaded(int32_t set_position, LoadBoard& board, uint32_t board_base,
                                bool acquire, WorkerSelectState& state) const;
  // The LoadBoard columns a call of the set holds (0 for sets that are not least-loaded).
  uint8_t resource_mask(int32_t set_position) const;
  // Capacities of a destination by LoadBoard column (0 where it declares none), for reports.
  void capacities(int32_t set_position, uint32_t destination, uint32_t (&out)[kMaxResources]) const;

  ~Selector();
  struct SetTable;  // private layout, defined in selector.cpp

 private:
  Selector() = default;
  std::vector<SetTable> sets_;
  std::vector<std::pair<uint32_t, int32_t>> positions_by_id_;  // (set id, position), sorted by id
};

// 64-bit hash used for keys (Call-ID and the others). Stable across runs and nodes, so that
// balancers behind ECMP pick the same destination for the same key. Any thread; no allocation.
uint64_t hash_key(std::string_view text);

}  // namespace siplb::balance
