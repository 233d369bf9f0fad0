// Destination selection benchmarks (src/balance/).
//
//   BM_maglev_build/N          build_maglev_table for N equal destinations, 65537 slots
//   BM_selector_build/N        Selector::build of one maglev set of N destinations
//   BM_hash_key                hash_key on a 32-octet Call-ID
//   BM_select/<algorithm>      Selector::select on a set of 8 destinations, one call per key,
//                              keys cycling over 1024 distinct Call-IDs (ns_per_select counter)
//   BM_select_by_hash          the Maglev lookup alone
//   BM_keys_moved/N            loses one of N destinations (it goes inactive) and counts, over
//                              100000 random Call-IDs, percent_keys_moved (ideally 100/N),
//                              percent_other_keys_moved (keys the lost destination did not hold;
//                              ideally 0) and max_share_of_moved (the largest share of the lost
//                              destination's keys that one survivor took; ideally 1/(N-1)),
//                              as Envoy's maglev_lb_benchmark reports keys moved on host loss.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "../src/balance/maglev.hpp"
#include "siplb/balance/selector.hpp"

namespace {

using namespace siplb::balance;

std::vector<std::string> uris(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("sip:10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":5060");
  return out;
}

DestinationSet make_set(Algorithm algorithm, int n) {
  DestinationSet set;
  set.id = 1;
  set.algorithm = algorithm;
  const auto ids = uris(n);
  for (int i = 0; i < n; ++i) {
    Destination d;
    d.uri = ids[static_cast<std::size_t>(i)];
    d.address.ip = siplb::net::IpAddress::v4(0x0a000001u + static_cast<uint32_t>(i));
    d.address.port = 5060;
    d.weight = static_cast<uint16_t>(1 + i % 3);
    set.destinations.push_back(std::move(d));
  }
  return set;
}

std::vector<std::string> call_ids(std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%016llx%08x@10.1.2.3", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned>(rng()));
    out.emplace_back(buffer);
  }
  return out;
}

void BM_maglev_build(benchmark::State& state) {
  const auto ids = uris(static_cast<int>(state.range(0)));
  std::vector<MaglevMember> members;
  for (const auto& id : ids) members.push_back({id, 1});
  std::vector<uint16_t> table;
  for (auto _ : state) {
    build_maglev_table(members, kMaglevDefaultTableSize, table);
    benchmark::DoNotOptimize(table.data());
  }
  state.counters["table_size"] = kMaglevDefaultTableSize;
}
BENCHMARK(BM_maglev_build)->Arg(8)->Arg(64)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_selector_build(benchmark::State& state) {
  const std::vector<DestinationSet> sets = {make_set(Algorithm::maglev, static_cast<int>(state.range(0)))};
  for (auto _ : state) {
    auto s = Selector::build(sets);
    benchmark::DoNotOptimize(s.get());
  }
}
BENCHMARK(BM_selector_build)->Arg(8)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_hash_key(benchmark::State& state) {
  const auto keys = call_ids(1024, 1);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hash_key(keys[i++ & 1023]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_hash_key);

void BM_select(benchmark::State& state, Algorithm algorithm) {
  auto selector = Selector::build({make_set(algorithm, 8)});
  const auto ids = call_ids(1024, 2);
  std::vector<SelectionKey> keys;
  for (const auto& id : ids) keys.push_back(SelectionKey{id, id, id, id, id});
  WorkerSelectState worker;
  worker.seed(1);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(selector->select(0, keys[i++ & 1023], worker));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["ns_per_select"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_select, hash_call_id, Algorithm::hash_call_id);
BENCHMARK_CAPTURE(BM_select, hash_from_uri, Algorithm::hash_from_uri);
BENCHMARK_CAPTURE(BM_select, hash_to_uri, Algorithm::hash_to_uri);
BENCHMARK_CAPTURE(BM_select, hash_request_uri, Algorithm::hash_request_uri);
BENCHMARK_CAPTURE(BM_select, hash_auth_user, Algorithm::hash_auth_user);
BENCHMARK_CAPTURE(BM_select, maglev, Algorithm::maglev);
BENCHMARK_CAPTURE(BM_select, round_robin, Algorithm::round_robin);
BENCHMARK_CAPTURE(BM_select, random, Algorithm::random);
BENCHMARK_CAPTURE(BM_select, weighted, Algorithm::weighted);

void BM_select_by_hash(benchmark::State& state) {
  auto selector = Selector::build({make_set(Algorithm::maglev, 8)});
  std::mt19937_64 rng(3);
  std::vector<uint64_t> hashes(4096);
  for (auto& h : hashes) h = rng();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(selector->select_by_hash(0, hashes[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_select_by_hash);

void BM_keys_moved(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  DestinationSet set = make_set(Algorithm::maglev, n);
  for (auto& d : set.destinations) d.weight = 1;
  const auto before = Selector::build({set});
  const int lost = n / 2;
  set.destinations[static_cast<std::size_t>(lost)].state = DestinationState::inactive;
  const auto after = Selector::build({set});
  const auto keys = call_ids(100000, 4);
  double moved = 0, other_moved = 0, others = 0;
  std::vector<double> moved_to(static_cast<std::size_t>(n));
  for (auto _ : state) {
    moved = other_moved = others = 0;
    std::fill(moved_to.begin(), moved_to.end(), 0.0);
    for (const auto& k : keys) {
      const uint64_t h = hash_key(k);
      const int32_t a = before->select_by_hash(0, h).index;
      const int32_t b = after->select_by_hash(0, h).index;
      if (a != b) ++moved;
      if (a == lost) {
        ++moved_to[static_cast<std::size_t>(b)];
      } else {
        ++others;
        if (a != b) ++other_moved;
      }
    }
  }
  const double lost_keys = keys.size() - others;
  state.counters["percent_keys_moved"] = 100.0 * moved / keys.size();
  state.counters["percent_other_keys_moved"] = 100.0 * other_moved / others;
  state.counters["max_share_of_moved"] = *std::max_element(moved_to.begin(), moved_to.end()) / lost_keys;
}
BENCHMARK(BM_keys_moved)->Arg(5)->Arg(8)->Arg(64)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
