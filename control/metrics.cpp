// ControlPlane::metrics_text: the Prometheus exposition of a running siplbd (GET /metrics).
// Names are siplb_*, counters end in _total; labels: worker, destination, set, reason, code,
// resource, interface. Built on the control thread from the workers' counters (relaxed reads),
// the NIC's own counters, the LoadBoard, the prober and the store.
#include "api/prometheus_text.hpp"
#include "control_plane.hpp"
#include "siplb/auth/subscriber.hpp"
#include "siplb/auth/verify.hpp"

namespace siplb::control {

std::string ControlPlane::metrics_text() const {
  using api::MetricType;
  api::PrometheusText out;
  const auto workers = engine_.workers();
  auto per_worker = [&](std::string_view name, std::string_view help, auto member) {
    out.family(name, MetricType::counter, help);
    for (const auto& w : workers)
      out.sample(name, {{"worker", std::to_string(w.worker)}}, (engine_.counters(w.worker).*member).get());
  };
  using C = dataplane::WorkerCounters;
  per_worker("siplb_rx_packets_total", "Packets received by the worker", &C::rx_packets);
  per_worker("siplb_tx_packets_total", "Packets sent by the worker", &C::tx_packets);
  per_worker("siplb_sip_requests_total", "SIP requests received", &C::sip_requests);
  per_worker("siplb_sip_responses_total", "SIP responses received", &C::sip_responses);
  per_worker("siplb_forwarded_requests_total", "SIP requests forwarded", &C::forwarded_requests);
  per_worker("siplb_forwarded_responses_total", "SIP responses forwarded", &C::forwarded_responses);
  per_worker("siplb_probes_sent_total", "OPTIONS probes sent", &C::probes_sent);
  per_worker("siplb_probe_answers_total", "Answers to OPTIONS probes", &C::probe_answers);
  per_worker("siplb_dialogs_created_total", "Least-loaded dialogs created", &C::dialogs_created);
  per_worker("siplb_dialogs_confirmed_total", "Least-loaded dialogs answered with 2xx", &C::dialogs_confirmed);
  per_worker("siplb_events_dropped_total", "Events lost because the worker's event ring was full", &C::events_dropped);
  per_worker("siplb_transaction_table_full_total", "INVITE routes not remembered: transaction table full",
             &C::transaction_table_full);

  out.family("siplb_drops_total", MetricType::counter, "Packets dropped, by reason");
  for (std::size_t i = 0; i < dataplane::kDropReasonCount; ++i) {
    const std::string reason(dataplane::drop_reason_name(static_cast<dataplane::DropReason>(i)));
    for (const auto& w : workers)
      out.sample("siplb_drops_total", {{"worker", std::to_string(w.worker)}, {"reason", reason}},
                 engine_.counters(w.worker).drops[i].get());
  }
  out.family("siplb_replies_total", MetricType::counter, "SIP replies siplb sent itself, by status code");
  for (std::size_t i = 0; i < dataplane::kReplyCodeCount; ++i) {
    uint64_t n = 0;
    for (const auto& w : workers) n += engine_.counters(w.worker).replies[i].get();
    out.sample("siplb_replies_total", {{"code", std::to_string(dataplane::kReplyCodes[i])}}, n);
  }
  out.family("siplb_dialog_ends_total", MetricType::counter, "Least-loaded dialogs ended, by reason");
  for (std::size_t r = 0; r < dialog::kEndReasonCount; ++r) {
    uint64_t n = engine_.control_ends()[r].get();
    for (const auto& w : workers) n += engine_.counters(w.worker).dialog_ends[r].get();
    out.sample("siplb_dialog_ends_total",
               {{"reason", std::string(dialog::end_reason_name(static_cast<dialog::EndReason>(r)))}}, n);
  }

  // Destinations: state, requests sent, live dialogs, load and capacity per resource.
  const dataplane::Snapshot* snap = engine_.snapshot();
  const auto states = prober_->states();
  std::vector<uint32_t> dialogs_on(position_set_.size());
  engine_.count_dialogs_by_destination(dialogs_on.data(), dialogs_on.size());
  out.family("siplb_destination_state", MetricType::gauge,
             "1 for the destination's current state (active, inactive, probing, disabled, drained)");
  out.family("siplb_destination_forwarded_requests_total", MetricType::counter,
             "Requests sent to the destination by selection");
  out.family("siplb_destination_weight", MetricType::gauge, "The destination's weight");
  out.family("siplb_destination_dialogs", MetricType::gauge, "Live least-loaded dialogs on the destination");
  out.family("siplb_destination_load", MetricType::gauge, "Calls held on the destination, by resource");
  out.family("siplb_destination_capacity", MetricType::gauge, "Calls the destination takes at once, by resource");
  for (uint16_t p = 0; p < position_set_.size(); ++p) {
    if (!listed(p)) continue;
    const auto& sc = running_.sets[position_set_[p]];
    const balance::Destination& d = destination_at(p);
    const api::PrometheusText::Labels labels{{"set", std::to_string(sc.set.id)}, {"destination", d.uri}};
    for (auto s : {balance::DestinationState::active, balance::DestinationState::inactive,
                   balance::DestinationState::probing, balance::DestinationState::disabled}) {
      auto l = labels;
      l.emplace_back("state", std::string(balance::state_name(s)));
      out.sample("siplb_destination_state", l, states[p] == s ? 1 : 0);
    }
    auto drained = labels;
    drained.emplace_back("state", "drained");
    out.sample("siplb_destination_state", drained, overlay_.drained(sc.set.id, d.uri) ? 1 : 0);
    uint64_t forwarded = 0;
    for (const auto& w : workers) forwarded += engine_.counters(w.worker).forwarded_to[p].get();
    out.sample("siplb_destination_forwarded_requests_total", labels, forwarded);
    out.sample("siplb_destination_weight", labels, d.weight);
    if (sc.set.algorithm != balance::Algorithm::least_loaded || !snap) continue;
    out.sample("siplb_destination_dialogs", labels, dialogs_on[p]);
    for (const auto& c : d.capacities) {
      auto l = labels;
      l.emplace_back("resource", c.resource);
      out.sample("siplb_destination_capacity", l, c.max);
      for (std::size_t k = 0; k < snap->resource_names.size(); ++k)
        if (snap->resource_names[k] == c.resource && engine_.loads())
          out.sample("siplb_destination_load", l, engine_.loads()->used(p, k));
    }
  }

  // The NIC's own counters.
  const auto ports = engine_.ports();
  auto per_port = [&](std::string_view name, std::string_view help, uint64_t dataplane::PortStatus::*member) {
    out.family(name, MetricType::counter, help);
    for (const auto& p : ports) out.sample(name, {{"interface", p.interface}}, p.*member);
  };
  per_port("siplb_port_rx_packets_total", "Packets the NIC received", &dataplane::PortStatus::ipackets);
  per_port("siplb_port_tx_packets_total", "Packets the NIC sent", &dataplane::PortStatus::opackets);
  per_port("siplb_port_rx_bytes_total", "Bytes the NIC received", &dataplane::PortStatus::ibytes);
  per_port("siplb_port_tx_bytes_total", "Bytes the NIC sent", &dataplane::PortStatus::obytes);
  per_port("siplb_port_rx_missed_total", "Packets the NIC dropped: RX queues full (imissed)",
           &dataplane::PortStatus::imissed);
  per_port("siplb_port_rx_errors_total", "Erroneous packets received (ierrors)", &dataplane::PortStatus::ierrors);
  per_port("siplb_port_tx_errors_total", "Packets the NIC failed to send (oerrors)", &dataplane::PortStatus::oerrors);
  per_port("siplb_port_rx_nombuf_total", "RX mbuf allocation failures (rx_nombuf)", &dataplane::PortStatus::rx_nombuf);

  // Dialog table, snapshots, events, store, API.
  out.family("siplb_dialogs", MetricType::gauge, "Live least-loaded dialogs");
  out.sample("siplb_dialogs", {}, engine_.dialogs_live());
  out.family("siplb_dialogs_capacity", MetricType::gauge, "Dialogs the dialog table holds at most");
  out.sample("siplb_dialogs_capacity", {}, engine_.dialogs_capacity());
  out.family("siplb_snapshot_generation", MetricType::gauge, "Version of the published routing snapshot");
  out.sample("siplb_snapshot_generation", {}, version_);
  out.family("siplb_control_events_total", MetricType::counter, "Worker events handled by control");
  out.sample("siplb_control_events_total", {}, events_handled_);
  out.family("siplb_dialogs_restored", MetricType::gauge, "Dialogs restored from the store at start");
  out.sample("siplb_dialogs_restored", {}, dialogs_restored_);
  out.family("siplb_reloads_total", MetricType::counter, "Configuration reloads, by result");
  out.sample("siplb_reloads_total", {{"result", "applied"}}, reloads_);
  out.sample("siplb_reloads_total", {{"result", "refused"}}, reloads_refused_);

  // Registrar (zeros without [registrar], as the dialog families without least-loaded sets).
  auto sum = [&](auto member) {
    uint64_t t = 0;
    for (const auto& w : workers) t += (engine_.counters(w.worker).*member).get();
    return t;
  };
  out.family("siplb_registrar_aors", MetricType::gauge, "AoRs with bindings in the registrar's table");
  out.sample("siplb_registrar_aors", {}, engine_.binding_aors());
  out.family("siplb_registrar_contacts", MetricType::gauge, "Contacts bound in the registrar's table");
  out.sample("siplb_registrar_contacts", {}, engine_.binding_contacts());
  out.family("siplb_registrar_capacity_aors", MetricType::gauge, "AoRs the registrar's table holds at most");
  out.sample("siplb_registrar_capacity_aors", {}, engine_.binding_capacity());
  out.family("siplb_register_replies_total", MetricType::counter, "REGISTERs answered by the registrar, by code");
  for (std::size_t i = 0; i < dataplane::kReplyCodeCount; ++i) {
    uint64_t n = 0;
    for (const auto& w : workers) n += engine_.counters(w.worker).register_replies[i].get();
    out.sample("siplb_register_replies_total", {{"code", std::to_string(dataplane::kReplyCodes[i])}}, n);
  }
  out.family("siplb_registrar_bindings_total", MetricType::counter,
             "Binding changes: added, refreshed, removed (expires 0, wildcard, replaced), expired (swept)");
  out.sample("siplb_registrar_bindings_total", {{"change", "added"}}, sum(&C::bindings_added));
  out.sample("siplb_registrar_bindings_total", {{"change", "refreshed"}}, sum(&C::bindings_refreshed));
  out.sample("siplb_registrar_bindings_total", {{"change", "removed"}}, sum(&C::bindings_removed));
  out.sample("siplb_registrar_bindings_total", {{"change", "expired"}}, bindings_expired_);
  out.family("siplb_registrar_lookups_total", MetricType::counter,
             "Requests to users of served domains: routed to a binding, or unknown (no live binding)");
  out.sample("siplb_registrar_lookups_total", {{"result", "routed"}}, sum(&C::lookups_routed));
  out.sample("siplb_registrar_lookups_total", {{"result", "unknown"}}, sum(&C::lookups_unknown));
  out.family("siplb_registrar_full_total", MetricType::counter, "REGISTERs refused with 503: binding table full");
  out.sample("siplb_registrar_full_total", {}, sum(&C::registrar_full));
  out.family("siplb_register_deferred_total", MetricType::counter,
             "REGISTER 200 OKs held until the store had written their change (durability sync)");
  out.sample("siplb_register_deferred_total", {}, sum(&C::register_deferred));
  out.family("siplb_register_replies_withheld_total", MetricType::counter,
             "REGISTER 200 OKs not sent because the store failed to write their change");
  out.sample("siplb_register_replies_withheld_total", {}, replies_withheld_);
  out.family("siplb_auth_outcomes_total", MetricType::counter, "Digest authentication outcomes");
  for (std::size_t v = 0; v < auth::kVerdictCount && v < dataplane::kAuthOutcomeSlots; ++v) {
    uint64_t n = 0;
    for (const auto& w : workers) n += engine_.counters(w.worker).auth_outcomes[v].get();
    out.sample("siplb_auth_outcomes_total",
               {{"outcome", std::string(auth::outcome_name(static_cast<auth::Verdict>(v)))}}, n);
  }
  out.family("siplb_registrar_bindings_restored", MetricType::gauge, "Bindings restored from the store at start");
  out.sample("siplb_registrar_bindings_restored", {}, bindings_restored_);
  out.family("siplb_subscribers", MetricType::gauge, "Subscribers digest authentication knows");
  out.sample("siplb_subscribers", {}, subscribers_ ? subscribers_->size() : 0);
  out.family("siplb_subscriber_reloads_total", MetricType::counter, "Subscriber file reloads applied");
  out.sample("siplb_subscriber_reloads_total", {}, subscriber_reloads_);

  const store::StoreStats st = store_.stats();
  out.family("siplb_store_batches_total", MetricType::counter, "Store write batches written");
  out.sample("siplb_store_batches_total", {}, st.batches_written);
  out.family("siplb_store_records_total", MetricType::counter, "Records (puts and erases) written to the store");
  out.sample("siplb_store_records_total", {}, st.records_written);
  out.family("siplb_store_bytes_total", MetricType::counter, "Bytes of write batches written to the store");
  out.sample("siplb_store_bytes_total", {}, st.bytes_written);
  out.family("siplb_store_write_errors_total", MetricType::counter, "Store batches that failed to write");
  out.sample("siplb_store_write_errors_total", {}, st.write_errors);
  out.family("siplb_store_records_lost_total", MetricType::counter, "Records in failed store batches");
  out.sample("siplb_store_records_lost_total", {}, st.records_lost);
  out.family("siplb_store_queued_records", MetricType::gauge, "Records waiting for the store's writer");
  out.sample("siplb_store_queued_records", {}, st.queued);
  out.family("siplb_store_max_batch_records", MetricType::gauge, "Largest store batch so far, in records");
  out.sample("siplb_store_max_batch_records", {}, st.max_batch_records);
  std::vector<double> bounds;
  std::vector<uint64_t> per_bucket;
  uint64_t previous = 0;
  for (std::size_t i = 0; i < store::kLatencyBucketsUs.size(); ++i) {
    bounds.push_back(static_cast<double>(store::kLatencyBucketsUs[i]) / 1e6);
    per_bucket.push_back(st.latency_buckets[i] - previous);
    previous = st.latency_buckets[i];
  }
  per_bucket.push_back(st.batches_written > previous ? st.batches_written - previous : 0);
  out.family("siplb_store_batch_seconds", MetricType::histogram, "Time to write (and fsync under sync) one batch");
  out.histogram("siplb_store_batch_seconds", {}, bounds, per_bucket, static_cast<double>(st.latency_us_sum) / 1e6);

  ha_metrics(out);

  if (api_server_) {
    out.family("siplb_api_requests_total", MetricType::counter, "Management API requests");
    out.sample("siplb_api_requests_total", {}, api_server_->requests());
    out.family("siplb_api_errors_total", MetricType::counter, "Management API requests answered with an error");
    out.sample("siplb_api_errors_total", {}, api_server_->errors());
  }
  return out.take();
}

}  // namespace siplb::control
