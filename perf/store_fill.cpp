// siplb-store-fill: writes N confirmed least-loaded dialogs, or N registrar bindings, into a
// siplbd store folder, as a running siplbd would have left them, to measure the restart
// (perf/restart_load.sh).
//
//   siplb-store-fill --dir D --dialogs N [--set 1]
//                    [--destinations "sip:10.0.0.11:5060,sip:10.0.0.12:5060"] [--resources calls]
//                    [--age-s 5]
//   siplb-store-fill --dir D --bindings N [--domain reg.example.com] [--age-s 5]
//
// Bindings: N AoRs u0@D .. u<N-1>@D (key = the AoR text, value = registrar::encode_aor_state, as
// control/registrar_control.cpp persists them), each with one contact registered --age-s seconds
// ago for an hour (live for the next hour, minus the age): contact
// sip:uI@10.a.b.c:5060;transport=udp, received from that address (distinct per AoR), a Call-ID,
// CSeq 1. Both --dialogs and --bindings may be given.
//
// The destinations are taken round robin; every dialog is confirmed, holds the resources given
// (comma-separated, default "calls"), was created --age-s seconds ago and last active then. Keys
// are distinct pseudo-random hashes. The store is opened with durability async (no fsync per
// batch); closing it waits until everything is written. No DPDK.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../control/store/store.hpp"
#include "siplb/registrar/binding_codec.hpp"

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
               "                        [--resources NAME,...] [--age-s S]\n"
               "       siplb-store-fill --dir D --bindings N [--domain D] [--age-s S]\n");
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

void set_text(char* field, uint8_t& length, std::size_t capacity, const std::string& text) {
  length = static_cast<uint8_t>(std::min(text.size(), capacity));
  std::memcpy(field, text.data(), length);
}

// AoR i: one phone's binding, registered at `registered_ms` for an hour.
void binding_state(uint64_t i, const std::string& domain, int64_t registered_ms, siplb::registrar::AorState& a) {
  namespace reg = siplb::registrar;
  a = reg::AorState{};
  const std::string user = "u" + std::to_string(i);
  const std::string key = user + "@" + domain;
  std::memcpy(a.key.text, key.data(), std::min(key.size(), reg::kAorKeySize - 1));
  a.count = 1;
  reg::Binding& b = a.bindings[0];
  b.expires_at = registered_ms / 1000 + 3600;
  b.updated_ms = registered_ms;
  b.call_id_hash = mix(i ^ 0xa5a5a5a5a5a5a5a5ull);
  b.cseq = 1;
  // 10.0.0.0/8 addresses, distinct for the first 16M AoRs.
  const uint32_t host = static_cast<uint32_t>(i % 0xfffffe) + 1;
  b.received.ip[0] = 10;
  b.received.ip[1] = static_cast<uint8_t>(host >> 16);
  b.received.ip[2] = static_cast<uint8_t>(host >> 8);
  b.received.ip[3] = static_cast<uint8_t>(host);
  b.received.port = 5060;
  const std::string address = "10." + std::to_string(b.received.ip[1]) + "." + std::to_string(b.received.ip[2]) +
                              "." + std::to_string(b.received.ip[3]);
  set_text(b.contact, b.contact_length, reg::kMaxContactUri, "sip:" + user + "@" + address + ":5060;transport=udp");
  set_text(b.call_id, b.call_id_length, reg::kMaxCallIdText, "reg-" + std::to_string(i) + "-4b2f9c1e@" + address);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t dialogs = 0, bindings = 0, set_id = 1, age_s = 5;
  bool have_dialogs = false, have_bindings = false;
  std::string domain = "reg.example.com";
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
    } else if (arg == "--bindings") {
      if (!parse_u64(value, bindings)) return usage("--bindings: not a number");
      have_bindings = true;
    } else if (arg == "--domain") {
      domain = value;
      if (domain.empty() || domain.size() > 100) return usage("--domain: 1..100 characters");
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
  if (dir.empty() || (!have_dialogs && !have_bindings)) return usage("--dir and --dialogs or --bindings are needed");
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
  siplb::registrar::AorState aor;
  std::string bytes;
  for (uint64_t i = 0; i < bindings; ++i) {
    binding_state(i, domain, created, aor);
    bytes.clear();
    siplb::registrar::encode_aor_state(aor, bytes);
    s->put_binding(aor.key.view(), bytes);
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
  if (have_bindings)
    std::printf("siplb-store-fill: %llu dialog(s) and %llu binding(s) of %s written to %s in %.2f s (%llu batches)\n",
                static_cast<unsigned long long>(dialogs), static_cast<unsigned long long>(bindings), domain.c_str(),
                dir.c_str(), seconds, static_cast<unsigned long long>(stats.batches_written));
  else
    std::printf("siplb-store-fill: %llu dialog(s) written to %s in %.2f s (%llu batches, %zu destination(s))\n",
                static_cast<unsigned long long>(dialogs), dir.c_str(), seconds,
                static_cast<unsigned long long>(stats.batches_written), destinations.size());
  return 0;
}
