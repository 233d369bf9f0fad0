// Write rate of the dialog store (control/store/store.hpp) as siplbd uses it: dialog records
// queued by one thread (control's, in siplbd) and written by the store's own writer thread in
// group-committed batches, durability sync (every batch fsynced) and async (to the OS, no fsync).
//
//   build/store_bench --benchmark_counters_tabular=true
//
// Each iteration opens a fresh store in a new temporary folder (under $SIPLB_STORE_BENCH_DIR, by
// default /tmp; it must be on the disk you want to measure: a tmpfs makes fsync free), then, timed,
// queues N records and waits for flush(): the time is that of the whole, queueing included, until
// the last batch is on disk. Opening, the untimed set-up of the erase case, closing and removing
// the folder are not counted.
//
//   BM_store_put/<durability>/N:   N dialog puts (new keys: the answer of N calls)
//   BM_store_erase/<durability>/N: N erases of dialogs put before (untimed): N calls ending
//   BM_store_calls/<durability>/N: N calls' whole life in order, created (put, early), confirmed
//                                  (put) and ended (erase): 3N records
//   BM_store_bindings/<durability>/N: what control does per changed AoR (a REGISTER), N times:
//                                  encode the AoR's state (one contact, as a phone's REGISTER
//                                  leaves it) with registrar::encode_aor_state and put_binding(AoR
//                                  text, encoding), N distinct AoRs; in bursts of 10000, each
//                                  followed by a when_written (control asks one per tick for the
//                                  sync replies it holds), as a registration storm would come
//
// Counters: records_per_s (records over the timed real time), and from Store::stats() for the
// timed part: batches (per iteration), mean_batch (records per batch), mean_batch_us and
// max_batch_us (the write of one batch, with its fsync under sync; over the store's life, so the
// erase case's set-up batches count too), write_errors; and process_cpu_us_per_record: the CPU
// time of the whole process (queueing thread, writer, RocksDB's flush and compaction threads)
// over the timed part per record, steadier than the rate on a machine shared with other work.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "../control/store/store.hpp"
#include "siplb/registrar/binding_codec.hpp"

namespace {

namespace store = siplb::control::store;

// A fresh temporary folder, removed with everything in it when this goes.
struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("SIPLB_STORE_BENCH_DIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/siplb-store-bench-XXXXXX";
    if (mkdtemp(pattern.data())) path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// A dialog as siplbd writes it (control/dialog_persistence.cpp): set 1, a destination URI, the
// "calls" resource, times in Unix milliseconds. Keys differ per call (hashes of Call-ID and tag).
store::DialogRecord record(uint64_t n, uint8_t phase) {
  store::DialogRecord r;
  r.call_id_hash = n * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
  r.caller_tag_hash = (n + 1) * 0xc2b2ae3d27d4eb4full;
  r.set_id = 1;
  r.destination = "sip:10.0.0.11:5060";
  r.resources = {"calls"};
  r.phase = phase;
  r.initial_cseq = 1;
  r.callee_tag = phase == 3 ? n * 0xff51afd7ed558ccdull : 0;
  r.created_unix_ms = 1'765'000'000'000 + static_cast<int64_t>(n);
  r.last_activity_unix_ms = r.created_unix_ms + (phase == 3 ? 1500 : 0);
  return r;
}

constexpr uint8_t kEarly = 2, kConfirmed = 3;  // siplb::dialog::Phase values

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

enum class Work { put, erase, calls, bindings };

// One phone's binding as a REGISTER through siplb leaves it: contact with transport, received
// address, Call-ID, an hour to live.
siplb::registrar::AorState aor_template() {
  siplb::registrar::AorState a;
  a.count = 1;
  siplb::registrar::Binding& b = a.bindings[0];
  const int64_t now_ms = 1'765'000'000'000;
  b.expires_at = now_ms / 1000 + 3600;
  b.updated_ms = now_ms;
  b.call_id_hash = 0x632be59bd9b4e019ull;
  b.cseq = 1000000001;
  b.received.ip[0] = 10, b.received.ip[3] = 10;
  b.received.port = 5062;
  const std::string_view contact = "sip:u123456@10.0.0.10:5062;transport=udp";
  const std::string_view call_id = "reg-123456-4b2f9c1e@10.0.0.10";
  std::memcpy(b.contact, contact.data(), contact.size());
  b.contact_length = static_cast<uint8_t>(contact.size());
  std::memcpy(b.call_id, call_id.data(), call_id.size());
  b.call_id_length = static_cast<uint8_t>(call_id.size());
  return a;
}

constexpr uint64_t kBindingBurst = 10000;

void run(benchmark::State& state, store::Durability durability, Work work) {
  const auto n = static_cast<uint64_t>(state.range(0));
  uint64_t records = 0, batches = 0, batch_records = 0, latency_sum = 0, latency_max = 0, errors = 0;
  double seconds = 0, cpu_seconds = 0;
  siplb::registrar::AorState aor = aor_template();
  std::string bytes;
  std::atomic<uint64_t> callbacks{0}, callbacks_failed{0};
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<TempDir>();
    std::string error;
    std::unique_ptr<store::Store> s =
        dir->path.empty() ? nullptr : store::Store::open({dir->path, durability}, error);
    if (!s) {
      state.SkipWithError(dir->path.empty() ? "cannot make a temporary folder" : error.c_str());
      state.ResumeTiming();
      break;
    }
    if (work == Work::erase) {
      for (uint64_t i = 0; i < n; ++i) s->put_dialog(record(i, kConfirmed));
      s->flush();
    }
    const store::StoreStats before = s->stats();
    state.ResumeTiming();

    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_seconds();
    switch (work) {
      case Work::put:
        for (uint64_t i = 0; i < n; ++i) s->put_dialog(record(i, kConfirmed));
        break;
      case Work::erase:
        for (uint64_t i = 0; i < n; ++i) {
          const store::DialogRecord r = record(i, kConfirmed);  // the same hashes as in the put
          s->erase_dialog(r.call_id_hash, r.caller_tag_hash);
        }
        break;
      case Work::calls:
        for (uint64_t i = 0; i < n; ++i) {
          s->put_dialog(record(i, kEarly));
          s->put_dialog(record(i, kConfirmed));
          const store::DialogRecord r = record(i, kConfirmed);
          s->erase_dialog(r.call_id_hash, r.caller_tag_hash);
        }
        break;
      case Work::bindings:
        for (uint64_t i = 0; i < n; ++i) {
          // The table's key (zero-padded) and the changed binding, as binding_at() copies them.
          std::memset(aor.key.text, 0, sizeof aor.key.text);
          std::snprintf(aor.key.text, sizeof aor.key.text, "u%llu@reg.example.com", static_cast<unsigned long long>(i));
          aor.bindings[0].call_id_hash = i * 0x9e3779b97f4a7c15ull;
          ++aor.bindings[0].updated_ms;
          bytes.clear();
          siplb::registrar::encode_aor_state(aor, bytes);
          s->put_binding(aor.key.view(), bytes);
          if ((i + 1) % kBindingBurst == 0 || i + 1 == n)
            s->when_written([&callbacks, &callbacks_failed](bool ok) {
              ++callbacks;  // the writer thread; read after flush()
              if (!ok) ++callbacks_failed;
            });
        }
        break;
    }
    s->flush();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cpu_seconds += process_cpu_seconds() - cpu_start;

    state.PauseTiming();
    const store::StoreStats after = s->stats();
    records += after.records_written - before.records_written;
    batches += after.batches_written - before.batches_written;
    batch_records += after.records_written - before.records_written;
    latency_sum += after.latency_us_sum - before.latency_us_sum;
    latency_max = std::max(latency_max, after.latency_us_max);  // the erase set-up's batches too
    errors += after.write_errors - before.write_errors;
    s.reset();    // closes the database
    dir.reset();  // removes the folder
    state.ResumeTiming();
  }
  if (state.iterations() == 0 || batches == 0) return;
  const auto iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.counters["records_per_s"] = seconds > 0 ? static_cast<double>(records) / seconds : 0;
  state.counters["batches"] = static_cast<double>(batches) / iterations;
  state.counters["mean_batch"] = static_cast<double>(batch_records) / static_cast<double>(batches);
  state.counters["mean_batch_us"] = static_cast<double>(latency_sum) / static_cast<double>(batches);
  state.counters["max_batch_us"] = static_cast<double>(latency_max);
  state.counters["write_errors"] = static_cast<double>(errors);
  if (work == Work::bindings) {
    state.counters["value_bytes"] = static_cast<double>(bytes.size());
    state.counters["when_written_failed"] = static_cast<double>(callbacks_failed.load());
    state.counters["when_written_per_iter"] = static_cast<double>(callbacks.load()) / iterations;
  }
  state.counters["process_cpu_us_per_record"] = records ? cpu_seconds * 1e6 / static_cast<double>(records) : 0;
}

void BM_store_put(benchmark::State& state, store::Durability d) { run(state, d, Work::put); }
void BM_store_erase(benchmark::State& state, store::Durability d) { run(state, d, Work::erase); }
void BM_store_calls(benchmark::State& state, store::Durability d) { run(state, d, Work::calls); }
void BM_store_bindings(benchmark::State& state, store::Durability d) { run(state, d, Work::bindings); }

// Real time: the writer thread does most of the work, the queueing thread mostly waits.
BENCHMARK_CAPTURE(BM_store_put, sync, store::Durability::sync)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_store_put, async, store::Durability::async)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_store_erase, sync, store::Durability::sync)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_store_erase, async, store::Durability::async)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_store_calls, sync, store::Durability::sync)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_store_calls, async, store::Durability::async)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_store_bindings, sync, store::Durability::sync)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_store_bindings, async, store::Durability::async)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
