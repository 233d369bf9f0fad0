#include "stats_report.hpp"

#include <string>

namespace siplb::dataplane {

void print_stats(std::FILE* out, const Shared& shared,
                 const std::vector<std::unique_ptr<WorkerContext>>& workers,
                 const control::HealthProber& prober) {
  auto sum = [&](auto member) {
    uint64_t t = 0;
    for (const auto& w : workers) t += (w->counters.*member).get();
    return t;
  };
  std::fprintf(out, "=== siplb counters (%zu workers) ===\n", workers.size());
#define SIPLB_LINE(field) std::fprintf(out, "  %-22s %llu\n", #field, static_cast<unsigned long long>(sum(&WorkerCounters::field)))
  SIPLB_LINE(rx_packets);
  SIPLB_LINE(tx_packets);
  SIPLB_LINE(sip_requests);
  SIPLB_LINE(sip_responses);
  SIPLB_LINE(forwarded_requests);
  SIPLB_LINE(forwarded_responses);
  SIPLB_LINE(transaction_hits);
  SIPLB_LINE(transaction_misses);
  SIPLB_LINE(transaction_table_full);
  SIPLB_LINE(arp_requests_sent);
  SIPLB_LINE(arp_replies_sent);
  SIPLB_LINE(icmp_echo_replies);
  SIPLB_LINE(fragments_reassembled);
  SIPLB_LINE(fragments_sent);
  SIPLB_LINE(probes_sent);
  SIPLB_LINE(probe_answers);
#undef SIPLB_LINE
  const Snapshot* snap = shared.snapshot.load(std::memory_order_acquire);
  auto states = prober.states();
  if (snap) {
    std::fprintf(out, "destinations (requests forwarded by selection):\n");
    for (std::size_t d = 0; d < snap->destinations.size() && d < kMaxDestinations; ++d) {
      uint64_t n = 0;
      for (const auto& w : workers) n += w->counters.forwarded_to[d].get();
      char state = d < states.size() ? balance::state_letter(states[d]) : '?';
      std::fprintf(out, "  set %u  %-28s [%c]  %llu\n", snap->destinations[d].set_position,
                   snap->destinations[d].uri.c_str(), state, static_cast<unsigned long long>(n));
    }
  }
  std::fprintf(out, "replies sent by siplb:\n");
  for (std::size_t i = 0; i < kReplyCodeCount; ++i) {
    uint64_t n = 0;
    for (const auto& w : workers) n += w->counters.replies[i].get();
    if (n) std::fprintf(out, "  %u  %llu\n", kReplyCodes[i], static_cast<unsigned long long>(n));
  }
  std::fprintf(out, "drops by reason:\n");
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    uint64_t n = 0;
    for (const auto& w : workers) n += w->counters.drops[i].get();
    auto r = static_cast<DropReason>(i);
    if (n)
      std::fprintf(out, "  %-28s %llu  (%s)\n", std::string(drop_reason_name(r)).c_str(),
                   static_cast<unsigned long long>(n), std::string(drop_reason_text(r)).c_str());
  }
  std::fprintf(out, "probes: sent %llu, answered %llu, timed out %llu\n",
               static_cast<unsigned long long>(prober.probes_sent()),
               static_cast<unsigned long long>(prober.answers()),
               static_cast<unsigned long long>(prober.timeouts()));
  std::fflush(out);
}

}  // namespace siplb::dataplane
