// Selector: the per-set tables behind destination selection (see selector.hpp). Built by the
// control plane, then only read; the mutable part of selection lives in WorkerSelectState.
#include <algorithm>
#include <array>

#include "maglev.hpp"
#include "siplb/balance/load_board.hpp"
#include "siplb/balance/selector.hpp"

namespace siplb::balance {

struct Selector::SetTable {
  uint32_t id = 0;
  Algorithm algorithm = Algorithm::maglev;
  std::vector<net::SocketAddress> addresses;  // by configured position
  std::vector<uint32_t> candidates;           // configured positions of the candidates, in order
  std::vector<uint64_t> cumulative_weight;    // weighted: sum of candidate weights up to each
  std::vector<uint16_t> maglev;               // hashing sets: slot -> configured position
  // Least-loaded sets.
  struct LoadCandidate {
    uint32_t position;  // configured position (its capacities: capacity[position])
    int32_t priority;
  };
  std::vector<LoadCandidate> by_priority;  // highest priority first, configured order within
  std::vector<std::array<uint32_t, kMaxResources>> capacity;  // by configured position, by LoadBoard column
  uint8_t resource_mask = 0;
  LoadMode load_mode = LoadMode::absolute;
  bool overcommit = false;
};

namespace {

bool is_hashing(Algorithm a) {
  switch (a) {
    case Algorithm::hash_call_id:
    case Algorithm::hash_from_uri:
    case Algorithm::hash_to_uri:
    case Algorithm::hash_request_uri:
    case Algorithm::hash_auth_user:
    case Algorithm::maglev:
      return true;
    case Algorithm::round_robin:
    case Algorithm::random:
    case Algorithm::weighted:
    case Algorithm::least_loaded:
      return false;
  }
  return false;
}

std::string_view key_of(Algorithm a, const SelectionKey& key) {
  switch (a) {
    case Algorithm::hash_call_id:
    case Algorithm::maglev:
      return key.call_id;
    case Algorithm::hash_from_uri: return key.from_uri;
    case Algorithm::hash_to_uri: return key.to_uri;
    case Algorithm::hash_request_uri: return key.request_uri;
    case Algorithm::hash_auth_user: return key.auth_user;
    case Algorithm::round_robin:
    case Algorithm::random:
    case Algorithm::weighted:
    case Algorithm::least_loaded:
      break;
  }
  return {};
}

// splitmix64 step: a full-period generator over the 64-bit state with a strong output mix.
inline uint64_t next_random(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ull;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Uniform in [0, n) by multiply-high (bias below n / 2^64).
inline uint64_t random_below(uint64_t& state, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(next_random(state)) * n) >> 64);
}

inline Selection selection_of(const Selector::SetTable& t, uint32_t position) {
  return Selection{static_cast<int32_t>(position), t.addresses[position]};
}

Selection pick_round_robin(const Selector::SetTable& t, int32_t set_position, WorkerSelectState& state) {
  const auto n = static_cast<uint32_t>(t.candidates.size());
  WorkerSelectState::RoundRobin& rr =
      state.round_robin[static_cast<uint32_t>(set_position) % WorkerSelectState::kRoundRobinSlots];
  const uint32_t tag = static_cast<uint32_t>(set_position) + 1;
  uint32_t i;
  if (rr.set_tag != tag) {
    rr.set_tag = tag;
    i = static_cast<uint32_t>(random_below(state.rng, n));
  } else {
    i = rr.next < n ? rr.next : rr.next % n;  // the set may have shrunk since the last call
  }
  rr.next = i + 1 == n ? 0 : i + 1;
  return selection_of(t, t.candidates[i]);
}

Selection pick_weighted(const Selector::SetTable& t, WorkerSelectState& state) {
  const uint64_t r = random_below(state.rng, t.cumulative_weight.back());
  // First candidate whose running total exceeds r.
  const auto it = std::upper_bound(t.cumulative_weight.begin(), t.cumulative_weight.end(), r);
  return selection_of(t, t.candidates[static_cast<std::size_t>(it - t.cumulative_weight.begin())]);
}

inline Selection pick_by_hash(const Selector::SetTable& t, uint64_t key_hash) {
  const auto size = static_cast<uint32_t>(t.maglev.size());
  return selection_of(t, t.maglev[maglev_slot(key_hash, size)]);
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

int resource_column(const BuildOptions& options, std::string_view name) {
  for (std::size_t i = 0; i < options.resource_names.size(); ++i)
    if (options.resource_names[i] == name) return static_cast<int>(i);
  return -1;
}

// The least-loaded tables of a set: resource columns, capacities, candidates by priority.
bool build_least_loaded(const DestinationSet& set, const BuildOptions& options, Selector::SetTable& t,
                        const std::string& set_label, std::string* error) {
  if (options.resource_names.size() > kMaxResources) {
    return fail(error, std::to_string(options.resource_names.size()) + " resource names (at most " +
                           std::to_string(kMaxResources) + ")");
  }
  t.load_mode = set.load_mode;
  t.overcommit = set.overcommit;
  t.capacity.assign(set.destinations.size(), {});
  for (std::size_t i = 0; i < set.destinations.size(); ++i) {
    for (const Capacity& c : set.destinations[i].capacities) {
      const int column = resource_column(options, c.resource);
      if (column < 0) return fail(error, set_label + ": resource " + c.resource + " has no board column");
      t.capacity[i][static_cast<std::size_t>(column)] = c.max;
    }
  }
  if (set.algorithm != Algorithm::least_loaded) return true;
  if (set.resources.empty()) return fail(error, set_label + ": least-loaded set without resources");
  for (const std::string& r : set.resources) {
    const int column = resource_column(options, r);
    if (column < 0) return fail(error, set_label + ": resource " + r + " has no board column");
    t.resource_mask = static_cast<uint8_t>(t.resource_mask | 1u << column);
  }
  for (std::size_t i = 0; i < set.destinations.size(); ++i) {
    const Destination& d = set.destinations[i];
    if (!is_selectable(d.state) || d.weight == 0) continue;
    bool provides_all = true;
    for (std::size_t r = 0; r < kMaxResources; ++r)
      if ((t.resource_mask >> r & 1) && t.capacity[i][r] == 0) provides_all = false;
    if (provides_all) t.by_priority.push_back({static_cast<uint32_t>(i), d.priority});
  }
  std::stable_sort(t.by_priority.begin(), t.by_priority.end(),
                   [](const auto& a, const auto& b) { return a.priority > b.priority; });
  return true;
}

// Free capacity of a candidate as a fraction free/scale (absolute: scale 1), the smallest over
// the set's resources. Compared by cross-multiplication: values stay below 2^31 each.
struct Free {
  int64_t amount = 0;
  int64_t scale = 1;
  bool operator>(const Free& o) const { return amount * o.scale > o.amount * scale; }
  bool operator==(const Free& o) const { return amount * o.scale == o.amount * scale; }
};

Free free_of(const Selector::SetTable& t, const Selector::SetTable::LoadCandidate& c,
             const LoadBoard& board, uint32_t row) {
  Free least;
  bool first = true;
  for (std::size_t r = 0; r < kMaxResources; ++r) {
    if (!(t.resource_mask >> r & 1)) continue;
    const int64_t cap = t.capacity[c.position][r];
    Free f{cap - static_cast<int64_t>(board.used(row, r)),
           t.load_mode == LoadMode::relative ? cap : 1};
    if (first || least > f) least = f;
    first = false;
  }
  return least;
}

bool build_set(const DestinationSet& set, const BuildOptions& options, Selector::SetTable& t,
               std::string* error) {
  const std::string set_label = "set " + std::to_string(set.id);
  if (set.destinations.size() > kMaxSetDestinations) {
    return fail(error, set_label + ": " + std::to_string(set.destinations.size()) +
                           " destinations (at most " + std::to_string(kMaxSetDestinations) + ")");
  }
  t.id = set.id;
  t.algorithm = set.algorithm;
  if (!build_least_loaded(set, options, t, set_label, error)) return false;
  t.addresses.reserve(set.destinations.size());
  for (const Destination& d : set.destinations) t.addresses.push_back(d.address);

  // The candidates: the best priority tier that has a selectable destination with a weight.
  bool any = false;
  int32_t best = 0;
  for (const Destination& d : set.destinations) {
    if (!is_selectable(d.state) || d.weight == 0) continue;
    if (!any || d.priority > best) best = d.priority;
    any = true;
  }
  if (!any) return true;
  uint64_t total = 0;
  for (std::size_t i = 0; i < set.destinations.size(); ++i) {
    const Destination& d = set.destinations[i];
    if (!is_selectable(d.state) || d.weight == 0 || d.priority != best) continue;
    t.candidates.push_back(static_cast<uint32_t>(i));
    total += d.weight;
    t.cumulative_weight.push_back(total);
  }

  if (!is_hashing(set.algorithm)) return true;
  std::vector<MaglevMember> members;
  members.reserve(t.candidates.size());
  for (uint32_t position : t.candidates) {
    const Destination& d = set.destinations[position];
    members.push_back(MaglevMember{d.uri, d.weight});
  }
  std::vector<uint16_t> by_member;
  const MaglevError e = build_maglev_table(members, options.maglev_table_size, by_member);
  if (e == MaglevError::too_small) {
    return fail(error, set_label + ": maglev table size " + std::to_string(options.maglev_table_size) +
                           " is smaller than its " + std::to_string(members.size()) + " candidates");
  }
  if (e != MaglevError::none) {
    return fail(error, set_label + ": maglev table: " + std::string(maglev_error_name(e)));
  }
  t.maglev.resize(by_member.size());
  for (std::size_t s = 0; s < by_member.size(); ++s) {
    t.maglev[s] = static_cast<uint16_t>(t.candidates[by_member[s]]);
  }
  return true;
}

}  // namespace

Selector::~Selector() = default;

std::unique_ptr<const Selector> Selector::build(const std::vector<DestinationSet>& sets,
                                                const BuildOptions& options, std::string* error) {
  if (!is_prime(options.maglev_table_size)) {
    fail(error, "maglev table size " + std::to_string(options.maglev_table_size) + " is not a prime");
    return nullptr;
  }
  std::unique_ptr<Selector> s(new Selector());
  s->sets_.resize(sets.size());
  s->positions_by_id_.reserve(sets.size());
  for (std::size_t i = 0; i < sets.size(); ++i) {
    if (!build_set(sets[i], options, s->sets_[i], error)) return nullptr;
    s->positions_by_id_.emplace_back(sets[i].id, static_cast<int32_t>(i));
  }
  std::sort(s->positions_by_id_.begin(), s->positions_by_id_.end());
  for (std::size_t i = 1; i < s->positions_by_id_.size(); ++i) {
    if (s->positions_by_id_[i].first == s->positions_by_id_[i - 1].first) {
      fail(error, "set id " + std::to_string(s->positions_by_id_[i].first) + " given twice");
      return nullptr;
    }
  }
  return s;
}

int32_t Selector::find_set(uint32_t set_id) const {
  const auto it = std::lower_bound(positions_by_id_.begin(), positions_by_id_.end(), set_id,
                                   [](const std::pair<uint32_t, int32_t>& e, uint32_t id) { return e.first < id; });
  if (it == positions_by_id_.end() || it->first != set_id) return -1;
  return it->second;
}

std::size_t Selector::set_count() const { return sets_.size(); }

Algorithm Selector::algorithm(int32_t set_position) const {
  if (set_position < 0 || static_cast<std::size_t>(set_position) >= sets_.size()) return Algorithm::maglev;
  return sets_[set_position].algorithm;
}

Selection Selector::select(int32_t set_position, const SelectionKey& key, WorkerSelectState& state) const {
  if (set_position < 0 || static_cast<std::size_t>(set_position) >= sets_.size()) return {};
  const SetTable& t = sets_[static_cast<std::size_t>(set_position)];
  if (t.candidates.empty()) return {};
  switch (t.algorithm) {
    case Algorithm::hash_call_id:
    case Algorithm::hash_from_uri:
    case Algorithm::hash_to_uri:
    case Algorithm::hash_request_uri:
    case Algorithm::hash_auth_user:
    case Algorithm::maglev: {
      const std::string_view k = key_of(t.algorithm, key);
      if (k.empty()) return pick_round_robin(t, set_position, state);
      return pick_by_hash(t, hash_key(k));
    }
    case Algorithm::round_robin:
      return pick_round_robin(t, set_position, state);
    case Algorithm::random:
      return selection_of(t, t.candidates[random_below(state.rng, t.candidates.size())]);
    case Algorithm::weighted:
      return pick_weighted(t, state);
    case Algorithm::least_loaded:
      return pick_round_robin(t, set_position, state);  // callers use select_least_loaded
  }
  return {};
}

Selection Selector::select_least_loaded(int32_t set_position, LoadBoard& board, uint32_t board_base,
                                        bool acquire, WorkerSelectState& state) const {
  if (set_position < 0 || static_cast<std::size_t>(set_position) >= sets_.size()) return {};
  const SetTable& t = sets_[static_cast<std::size_t>(set_position)];
  if (t.algorithm != Algorithm::least_loaded || t.by_priority.empty()) return {};
  constexpr int kAttempts = 4;  // another worker may take the last unit between look and take
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const SetTable::LoadCandidate* chosen = nullptr;
    const SetTable::LoadCandidate* least_loaded_top = nullptr;  // overcommit fallback
    // Tiers: runs of equal priority, highest first.
    for (std::size_t begin = 0; begin < t.by_priority.size() && !chosen;) {
      std::size_t end = begin;
      const SetTable::LoadCandidate* best = nullptr;
      Free best_free;
      uint64_t ties = 0;
      for (; end < t.by_priority.size() && t.by_priority[end].priority == t.by_priority[begin].priority; ++end) {
        const auto& c = t.by_priority[end];
        const Free f = free_of(t, c, board, board_base + c.position);
        if (!best || f > best_free) {
          best = &c;
          best_free = f;
          ties = 1;
        } else if (f == best_free && random_below(state.rng, ++ties) == 0) {
          best = &c;  // reservoir choice: each of the tied candidates equally likely
        }
      }
      if (begin == 0) least_loaded_top = best;
      if (best_free.amount > 0) chosen = best;
      begin = end;
    }
    if (!chosen && t.overcommit) chosen = least_loaded_top;
    if (!chosen) return {};
    Selection s = selection_of(t, chosen->position);
    if (!acquire) return s;
    if (board.try_acquire(board_base + chosen->position, t.resource_mask, t.capacity[chosen->position].data(),
                          t.overcommit)) {
      s.resources = t.resource_mask;
      return s;
    }
  }
  return {};
}

uint8_t Selector::resource_mask(int32_t set_position) const {
  if (set_position < 0 || static_cast<std::size_t>(set_position) >= sets_.size()) return 0;
  return sets_[static_cast<std::size_t>(set_position)].resource_mask;
}

void Selector::capacities(int32_t set_position, uint32_t destination, uint32_t (&out)[kMaxResources]) const {
  for (auto& v : out) v = 0;
  if (set_position < 0 || static_cast<std::size_t>(set_position) >= sets_.size()) return;
  const SetTable& t = sets_[static_cast<std::size_t>(set_position)];
  if (destination >= t.capacity.size()) return;
  for (std::size_t r = 0; r < kMaxResources; ++r) out[r] = t.capacity[destination][r];
}

Selection Selector::select_by_hash(int32_t set_position, uint64_t key_hash) const {
  if (set_position < 0 || static_cast<std::size_t>(set_position) >= sets_.size()) return {};
  const SetTable& t = sets_[static_cast<std::size_t>(set_position)];
  if (t.maglev.empty()) return {};
  return pick_by_hash(t, key_hash);
}

}  // namespace siplb::balance
