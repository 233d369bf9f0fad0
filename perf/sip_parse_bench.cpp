// Parser and writer benchmarks on the shared call-flow corpus (corpus/stream-generic.txt).
//
//   BM_parse_siplb       siplb::sip::parse() on every corpus message, once per iteration
//   BM_parse_osip2       osip_message_init/parse/free on the same messages (with libosip2)
//   BM_proxy_edit_siplb  the edits a proxy makes to a forwarded INVITE, committed in place
//
// Each reports items_per_second (messages), bytes_per_second and ns_per_message (CPU time over
// the timed loop), so one run gives the osip2/siplb ratio:
//   build/sip_parse_bench --benchmark_format=json
// `rejected` counts the corpus messages each parser refuses (they are timed all the same).
// The test data folder comes from $SIPLB_TESTDATA (default ../shared/testdata from the cwd).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "../tests/support/testdata.hpp"
#include "siplb/sip/parser.hpp"
#include "siplb/sip/writer.hpp"

#ifdef SIPLB_HAVE_OSIP2
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#endif

namespace {

namespace sip = siplb::sip;

struct Corpus {
  std::vector<std::string> messages;
  std::size_t bytes = 0;
  std::string path;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus c;
    c.path = (siplb::testdata::root() / "corpus" / "stream-generic.txt").string();
    c.messages = siplb::testdata::generic_corpus();
    for (const auto& m : c.messages) c.bytes += m.size();
    return c;
  }();
  return c;
}

bool have_corpus(benchmark::State& state) {
  const Corpus& c = corpus();
  if (!c.messages.empty()) return true;
  std::string msg = "SIP corpus not found or empty: " + c.path +
                    " (set SIPLB_TESTDATA to the folder holding corpus/ and rfc4475/)";
  state.SkipWithError(msg.c_str());
  return false;
}

// CPU time of this thread over the timed loop, for ns_per_message: the clock Google Benchmark uses
// for items_per_second, so ns_per_message = 1e9 / items_per_second, shown as a plain number of
// nanoseconds in both the console and the JSON output (a kInvert rate counter would print seconds).
class LoopClock {
 public:
  LoopClock() : start_(now()) {}
  double ns() const { return now() - start_; }

 private:
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
  }
  double start_;
};

// The same counters for every benchmark: items_per_second (messages), bytes_per_second,
// ns_per_message, and messages (per iteration).
void report(benchmark::State& state, double loop_ns, std::size_t messages_per_iteration,
            std::size_t bytes_per_iteration) {
  const double messages = static_cast<double>(state.iterations()) *
                          static_cast<double>(messages_per_iteration);
  state.SetItemsProcessed(static_cast<int64_t>(messages));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes_per_iteration));
  state.counters["ns_per_message"] = messages > 0 ? loop_ns / messages : 0.0;
  state.counters["messages"] = static_cast<double>(messages_per_iteration);
}

void BM_parse_siplb(benchmark::State& state) {
  if (!have_corpus(state)) return;
  const Corpus& c = corpus();
  auto m = std::make_unique<sip::Message>();
  std::size_t rejected = 0;
  for (const auto& text : c.messages)
    if (sip::parse(text.data(), text.size(), *m) != sip::ParseError::none) ++rejected;

  const LoopClock clock;
  for (auto _ : state) {
    for (const auto& text : c.messages) {
      sip::ParseError e = sip::parse(text.data(), text.size(), *m);
      benchmark::DoNotOptimize(e);
      benchmark::DoNotOptimize(m->header_count);
    }
    benchmark::ClobberMemory();
  }
  report(state, clock.ns(), c.messages.size(), c.bytes);
  state.counters["rejected"] = static_cast<double>(rejected);
}
BENCHMARK(BM_parse_siplb);

#ifdef SIPLB_HAVE_OSIP2
void BM_parse_osip2(benchmark::State& state) {
  if (!have_corpus(state)) return;
  static const int init = parser_init();  // once per process, as libosip2 requires
  (void)init;
  const Corpus& c = corpus();
  std::size_t rejected = 0;
  for (const auto& text : c.messages) {
    osip_message_t* msg = nullptr;
    if (osip_message_init(&msg) != 0) {
      state.SkipWithError("osip_message_init failed");
      return;
    }
    if (osip_message_parse(msg, text.data(), text.size()) != 0) ++rejected;
    osip_message_free(msg);
  }

  const LoopClock clock;
  for (auto _ : state) {
    for (const auto& text : c.messages) {
      osip_message_t* msg = nullptr;
      osip_message_init(&msg);
      int rc = osip_message_parse(msg, text.data(), text.size());
      benchmark::DoNotOptimize(rc);
      benchmark::DoNotOptimize(msg);
      osip_message_free(msg);
    }
    benchmark::ClobberMemory();
  }
  report(state, clock.ns(), c.messages.size(), c.bytes);
  state.counters["rejected"] = static_cast<double>(rejected);
}
BENCHMARK(BM_parse_osip2);
#endif

// What a stateless proxy does to an INVITE it forwards: its own Via on top, received and rport on
// the sender's Via, Max-Forwards decremented, one commit. The message sits in a buffer with mbuf-like
// headroom and tailroom. Each iteration first restores the original octets with one memcpy (a few
// tens of ns for a 1 KB INVITE), because commit() rewrites the buffer in place; the Message index
// stays valid across iterations since the same octets return to the same place.
void BM_proxy_edit_siplb(benchmark::State& state) {
  if (!have_corpus(state)) return;
  const Corpus& c = corpus();
  const std::string* invite = nullptr;
  auto probe = std::make_unique<sip::Message>();
  for (const auto& text : c.messages) {
    if (sip::parse(text.data(), text.size(), *probe) == sip::ParseError::none &&
        probe->is_request && probe->method == sip::Method::invite) {
      invite = &text;
      break;
    }
  }
  if (invite == nullptr) {
    std::string msg = "no INVITE that parses in " + c.path;
    state.SkipWithError(msg.c_str());
    return;
  }

  constexpr uint32_t kHeadroom = 128;  // RTE_PKTMBUF_HEADROOM
  constexpr uint32_t kTailroom = 512;
  const uint32_t capacity = kHeadroom + static_cast<uint32_t>(invite->size()) + kTailroom;
  std::vector<char> buffer(capacity);
  char* at = buffer.data() + kHeadroom;
  std::memcpy(at, invite->data(), invite->size());
  auto m = std::make_unique<sip::Message>();
  if (sip::parse(at, invite->size(), *m) != sip::ParseError::none) {
    state.SkipWithError("the INVITE copied into the edit buffer does not parse");
    return;
  }
  const uint8_t max_forwards = m->max_forwards > 0 ? static_cast<uint8_t>(m->max_forwards - 1) : 69;
  const std::string_view via = "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-siplb-0123456789abcdef";
  std::size_t out_bytes = 0;

  const LoopClock clock;
  for (auto _ : state) {
    std::memcpy(at, invite->data(), invite->size());
    sip::MessageEditor editor(*m, buffer.data(), capacity);
    sip::EditError e = editor.insert_top_via(via);
    if (e == sip::EditError::none) e = editor.set_top_via_received("198.51.100.23");
    if (e == sip::EditError::none) e = editor.set_top_via_rport(5062);
    if (e == sip::EditError::none) e = editor.set_max_forwards(max_forwards);
    if (e == sip::EditError::none) e = editor.commit();
    if (e != sip::EditError::none) {
      std::string msg = "MessageEditor failed: " + std::string(sip::edit_error_name(e));
      state.SkipWithError(msg.c_str());
      break;  // leave the loop the way Google Benchmark expects
    }
    out_bytes = editor.length();
    benchmark::DoNotOptimize(editor.data());
    benchmark::ClobberMemory();
  }
  const double loop_ns = clock.ns();
  if (state.error_occurred()) return;
  report(state, loop_ns, 1, invite->size());
  state.counters["output_bytes"] = static_cast<double>(out_bytes);
}
BENCHMARK(BM_proxy_edit_siplb);

}  // namespace

BENCHMARK_MAIN();
