// ControlPlane::print_stats: the human-readable counters siplbd prints on SIGUSR1, every
// --stats-interval and at exit: totals over the workers, per destination with its state, dialogs
// and loads of least-loaded sets, replies by code, drops by reason, probes, the store.
#include <string>
#include <vector>

#include "control_plane.hpp"
#include "siplb/auth/verify.hpp"

namespace siplb::control {

void ControlPlane::print_stats(std::FILE* out) const {
  const auto workers = engine_.workers();
  auto sum = [&](auto member) {
    uint64_t t = 0;
    for (const auto& w : workers) t += (engine_.counters(w.worker).*member).get();
    return t;
  };
  std::fprintf(out, "=== siplb counters (%zu workers) ===\n", workers.size());
#define SIPLB_LINE(field) \
  std::fprintf(out, "  %-22s %llu\n", #field, static_cast<unsigned long long>(sum(&dataplane::WorkerCounters::field)))
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
  SIPLB_LINE(events_dropped);
  if (engine_.tracks_dialogs()) {
    SIPLB_LINE(dialogs_created);
    SIPLB_LINE(dialogs_confirmed);
    SIPLB_LINE(dialog_table_full);
    SIPLB_LINE(least_loaded_full);
  }
#undef SIPLB_LINE
  const dataplane::Snapshot* snap = engine_.snapshot();
  const auto states = prober_->states();
  if (snap) {
    std::fprintf(out, "destinations (requests forwarded by selection):\n");
    for (std::size_t d = 0; d < snap->destinations.size() && d < dataplane::kMaxDestinations; ++d) {
      if (!listed(static_cast<uint16_t>(d))) continue;
      uint64_t n = 0;
      for (const auto& w : workers) n += engine_.counters(w.worker).forwarded_to[d].get();
      const char state = d < states.size() ? balance::state_letter(states[d]) : '?';
      const bool drained = overlay_.drained(set_id_of(static_cast<uint16_t>(d)), snap->destinations[d].uri);
      std::fprintf(out, "  set %u  %-28s [%c]%s  %llu\n", snap->destinations[d].set_position,
                   snap->destinations[d].uri.c_str(), state, drained ? " drained" : "",
                   static_cast<unsigned long long>(n));
    }
  }
  if (engine_.tracks_dialogs() && snap) {
    // The "dialogs" column is counted from the table's slots, the load from the LoadBoard: they
    // agree whenever no call is being set up or ended at that instant.
    std::fprintf(out, "dialogs: live %u of %u\n", engine_.dialogs_live(), engine_.dialogs_capacity());
    for (std::size_t r = 0; r < dialog::kEndReasonCount; ++r) {
      uint64_t n = engine_.control_ends()[r].get();
      for (const auto& w : workers) n += engine_.counters(w.worker).dialog_ends[r].get();
      const auto reason = static_cast<dialog::EndReason>(r);
      if (n)
        std::fprintf(out, "  ended %-16s %llu  (%s)\n", std::string(dialog::end_reason_name(reason)).c_str(),
                     static_cast<unsigned long long>(n), std::string(dialog::end_reason_text(reason)).c_str());
    }
    const balance::LoadBoard& loads = *engine_.loads();
    std::vector<uint32_t> dialogs_on(snap->destinations.size());
    engine_.count_dialogs_by_destination(dialogs_on.data(), dialogs_on.size());
    std::fprintf(out, "load (least-loaded destinations):\n");
    for (std::size_t d = 0; d < snap->destinations.size() && d < loads.destinations(); ++d) {
      const dataplane::DestinationInfo& info = snap->destinations[d];
      if (info.uri.empty()) continue;
      const int32_t set = info.set_position;
      const uint8_t mask = snap->selector->resource_mask(set);
      if (!mask) continue;
      uint32_t capacity[balance::kMaxResources];
      snap->selector->capacities(set, static_cast<uint32_t>(d - snap->set_base[static_cast<std::size_t>(set)]),
                                 capacity);
      std::string text;
      for (std::size_t r = 0; r < balance::kMaxResources; ++r) {
        if (!(mask >> r & 1)) continue;
        const std::string& name = r < snap->resource_names.size() ? snap->resource_names[r] : std::string("?");
        text += " " + name + "=" + std::to_string(loads.used(d, r)) + "/" + std::to_string(capacity[r]);
      }
      std::fprintf(out, "  set %u  %-28s dialogs %u %s\n", info.set_position, info.uri.c_str(), dialogs_on[d],
                   text.c_str());
    }
    if (uint64_t u = loads.underflows())
      std::fprintf(out, "  load underflows %llu (a bug)\n", static_cast<unsigned long long>(u));
  }
  std::fprintf(out, "replies sent by siplb:\n");
  for (std::size_t i = 0; i < dataplane::kReplyCodeCount; ++i) {
    uint64_t n = 0;
    for (const auto& w : workers) n += engine_.counters(w.worker).replies[i].get();
    if (n) std::fprintf(out, "  %u  %llu\n", dataplane::kReplyCodes[i], static_cast<unsigned long long>(n));
  }
  std::fprintf(out, "drops by reason:\n");
  for (std::size_t i = 0; i < dataplane::kDropReasonCount; ++i) {
    uint64_t n = 0;
    for (const auto& w : workers) n += engine_.counters(w.worker).drops[i].get();
    const auto r = static_cast<dataplane::DropReason>(i);
    if (n)
      std::fprintf(out, "  %-28s %llu  (%s)\n", std::string(dataplane::drop_reason_name(r)).c_str(),
                   static_cast<unsigned long long>(n), std::string(dataplane::drop_reason_text(r)).c_str());
  }
  if (engine_.serves_registrar()) {
    using C = dataplane::WorkerCounters;
    auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
    std::fprintf(out, "registrar: %u AoRs, %u contacts (capacity %u AoRs), %llu restored at start\n",
                 engine_.binding_aors(), engine_.binding_contacts(), engine_.binding_capacity(), u(bindings_restored_));
    std::fprintf(out, "  bindings added %llu, refreshed %llu, removed %llu, expired %llu\n", u(sum(&C::bindings_added)),
                 u(sum(&C::bindings_refreshed)), u(sum(&C::bindings_removed)), u(bindings_expired_));
    std::fprintf(out, "  lookups routed %llu, unknown %llu; table full %llu; 200 OKs deferred %llu, withheld %llu\n",
                 u(sum(&C::lookups_routed)), u(sum(&C::lookups_unknown)), u(sum(&C::registrar_full)),
                 u(sum(&C::register_deferred)), u(replies_withheld_));
    std::string replied;
    for (std::size_t i = 0; i < dataplane::kReplyCodeCount; ++i) {
      uint64_t n = 0;
      for (const auto& w : workers) n += engine_.counters(w.worker).register_replies[i].get();
      if (n) replied.append(" ").append(std::to_string(dataplane::kReplyCodes[i])).append("=").append(std::to_string(n));
    }
    std::fprintf(out, "  REGISTER replies:%s\n", replied.empty() ? " none" : replied.c_str());
    std::string outcomes;
    for (std::size_t v = 0; v < auth::kVerdictCount && v < dataplane::kAuthOutcomeSlots; ++v) {
      uint64_t n = 0;
      for (const auto& w : workers) n += engine_.counters(w.worker).auth_outcomes[v].get();
      if (n) outcomes.append(" ").append(auth::outcome_name(static_cast<auth::Verdict>(v))).append("=").append(std::to_string(n));
    }
    std::fprintf(out, "  auth outcomes:%s\n", outcomes.empty() ? " none" : outcomes.c_str());
  }
  std::fprintf(out, "probes: sent %llu, answered %llu, timed out %llu\n",
               static_cast<unsigned long long>(prober_->probes_sent()),
               static_cast<unsigned long long>(prober_->answers()),
               static_cast<unsigned long long>(prober_->timeouts()));
  const store::StoreStats st = store_.stats();
  std::fprintf(out, "store: %s, %llu batches, %llu records, %llu write errors, %llu queued\n",
               std::string(store::durability_name(store_.durability())).c_str(),
               static_cast<unsigned long long>(st.batches_written), static_cast<unsigned long long>(st.records_written),
               static_cast<unsigned long long>(st.write_errors), static_cast<unsigned long long>(st.queued));
  std::fflush(out);
}

}  // namespace siplb::control
