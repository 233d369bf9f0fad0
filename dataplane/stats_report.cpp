#include "stats_report.hpp"

#include <string>
#include <vector>

namespace siplb::dataplane {
namespace {

// Live dialogs, their ends by reason, and each least-loaded destination's load against capacity.
// The "dialogs" column is counted from the table's slots, the load from the LoadBoard: they agree
// whenever no call is being set up or ended at that instant.
void print_dialogs(std::FILE* out, const Shared& shared, const std::vector<std::unique_ptr<WorkerContext>>& workers,
                   const Snapshot& snap) {
  std::fprintf(out, "dialogs: live %u of %u\n", shared.dialogs->live(), shared.dialogs->capacity());
  for (std::size_t r = 0; r < dialog::kEndReasonCount; ++r) {
    uint64_t n = shared.swept_ends[r].get();
    for (const auto& w : workers) n += w->counters.dialog_ends[r].get();
    const auto reason = static_cast<dialog::EndReason>(r);
    if (n)
      std::fprintf(out, "  ended %-16s %llu  (%s)\n", std::string(dialog::end_reason_name(reason)).c_str(),
                   static_cast<unsigned long long>(n), std::string(dialog::end_reason_text(reason)).c_str());
  }
  std::vector<uint32_t> dialogs_on(snap.destinations.size());
  shared.dialogs->count_by_destination(dialogs_on.data(), dialogs_on.size());
  std::fprintf(out, "load (least-loaded destinations):\n");
  for (std::size_t d = 0; d < snap.destinations.size() && d < shared.loads->destinations(); ++d) {
    const DestinationInfo& info = snap.destinations[d];
    const int32_t set = info.set_position;
    const uint8_t mask = snap.selector->resource_mask(set);
    if (!mask) continue;
    uint32_t capacity[balance::kMaxResources];
    snap.selector->capacities(set, static_cast<uint32_t>(d - snap.set_base[static_cast<std::size_t>(set)]), capacity);
    std::string loads;
    for (std::size_t r = 0; r < balance::kMaxResources; ++r) {
      if (!(mask >> r & 1)) continue;
      const std::string& name = r < snap.resource_names.size() ? snap.resource_names[r] : std::string("?");
      loads += " " + name + "=" + std::to_string(shared.loads->used(d, r)) + "/" + std::to_string(capacity[r]);
    }
    std::fprintf(out, "  set %u  %-28s dialogs %u %s\n", info.set_position, info.uri.c_str(),
                 dialogs_on[d], loads.c_str());
  }
  if (uint64_t u = shared.loads->underflows()) std::fprintf(out, "  load underflows %llu (a bug)\n", static_cast<unsigned long long>(u));
}

}  // namespace

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
  if (shared.dialogs) {
    SIPLB_LINE(dialogs_created);
    SIPLB_LINE(dialogs_confirmed);
    SIPLB_LINE(dialog_table_full);
    SIPLB_LINE(least_loaded_full);
  }
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
  if (shared.dialogs && shared.loads && snap) print_dialogs(out, shared, workers, *snap);
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
