// siplb-store-fill: writes N confirmed least-loaded dialogs into a siplbd store folder, as a
// running siplbd would have left them, to measure the restart (perf/restart_load.sh).
//
//   siplb-store-fill --dir D --dialogs N [--set 1]
//                    [--destinations "sip:10.0.0.11:5060,sip:10.0.0.12:5060"] [--resources calls]
//                    [--age-s 5]
//
// The destinations are taken round robin; every dialog is confirmed, holds the resources given
// (comma-separated, default "calls"), was created --age-s seconds ago and last active then. Keys
// are distinct pseudo-random hashes. The store is opened with durability async (no fsync per
// batch); closing it waits until everything is written. No DPDK.
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../control/store/store.hpp"

namespace {

namespace store = siplb::control::store;

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

int usage(const char* error = nullptr) {
  if (error) std::fprintf(stderr, "siplb-store-fill: %s\n", error);
  std::fprintf(stderr,
               "usage: siplb-store-fill --dir D --dialogs N [--set ID] [--destinations URI,URI,...]\n"
               "                        [--resources NAME,...] [--age-s S]\n");
  return 2;
}

bool parse_u64(const char* text, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') return false;
  out = v;
  return true;
}

// splitmix64: distinct outputs for distinct inputs (a bijection), so keys never collide.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr uint8_t kConfirmed = 3;  // siplb::dialog::Phase::confirmed

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t dialogs = 0, set_id = 1, age_s = 5;
  bool have_dialogs = false;
  std::vector<std::string> destinations = {"sip:10.0.0.11:5060"};
  std::vector<std::string> resources = {"calls"};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") return usage();
    if (i + 1 >= argc) return usage(("missing value after " + std::string(arg)).c_str());
    const char* value = argv[++i];
    if (arg == "--dir") {
      dir = value;
    } else if (arg == "--dialogs") {
      if (!parse_u64(value, dialogs)) return usage("--dialogs: not a number");
      have_dialogs = true;
    } else if (arg == "--set") {
      if (!parse_u64(value, set_id) || set_id > UINT32_MAX) return usage("--set: not a set id");
    } else if (arg == "--destinations") {
      destinations = split(value);
    } else if (arg == "--resources") {
      resources = split(value);
    } else if (arg == "--age-s") {
      if (!parse_u64(value, age_s)) return usage("--age-s: not a number");
    } else {
      return usage(("unknown option " + std::string(arg)).c_str());
    }
  }
  if (dir.empty() || !have_dialogs) return usage("--dir and --dialogs are needed");
  if (destinations.empty()) return usage("--destinations: none given");

  std::string error;
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<store::Store> s = store::Store::open({dir, store::Durability::async}, error);
  if (!s) {
    std::fprintf(stderr, "siplb-store-fill: %s\n", error.c_str());
    return 1;
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t created = now_ms - static_cast<int64_t>(age_s) * 1000;
  store::DialogRecord r;
  r.set_id = static_cast<uint32_t>(set_id);
  r.resources = resources;
  r.phase = kConfirmed;
  r.initial_cseq = 1;
  r.created_unix_ms = created;
  r.last_activity_unix_ms = created;
  for (uint64_t i = 0; i < dialogs; ++i) {
    r.call_id_hash = mix(2 * i);
    r.caller_tag_hash = mix(2 * i + 1);
    r.callee_tag = mix(i ^ 0x5a5a5a5a5a5a5a5aull);
    r.destination = destinations[i % destinations.size()];
    s->put_dialog(r);
    // Keep the queue (and this process) from holding everything at once: let the writer catch up.
    if ((i + 1) % 65536 == 0) s->flush();
  }
  s->flush();
  const store::StoreStats stats = s->stats();
  s.reset();  // closes the database
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (stats.write_errors != 0) {
    std::fprintf(stderr, "siplb-store-fill: %llu batch(es) failed: %s\n",
                 static_cast<unsigned long long>(stats.write_errors), stats.last_error.c_str());
    return 1;
  }
  std::printf("siplb-store-fill: %llu dialog(s) written to %s in %.2f s (%llu batches, %zu destination(s))\n",
              static_cast<unsigned long long>(dialogs), dir.c_str(), seconds,
              static_cast<unsigned long long>(stats.batches_written), destinations.size());
  return 0;
}
