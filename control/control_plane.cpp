// ControlPlane: life, the tick, snapshots, reloads and the operator's overlay (see the header).
#include "control_plane.hpp"

#include <cstdio>

#include "config_reload.hpp"
#include "siplb/dataplane/snapshot.hpp"

namespace siplb::control {
namespace {

constexpr std::size_t kEventBurst = 1024;
constexpr std::size_t kMaxEventsPerTick = 64 * 1024;  // bounded work per tick; the rest next tick

}  // namespace

ControlPlane::ControlPlane(config::Config file, dataplane::Engine& engine, store::Store& store)
    : file_(std::move(file)), engine_(engine), store_(store), started_(std::chrono::steady_clock::now()) {
  tsc_at_start_ = engine_.tsc_now();
  unix_ms_at_start_ = wall_clock_ms();
  tsc_per_ms_ = std::max<uint64_t>(1, engine_.tsc_hz() / 1000);
  events_.resize(kEventBurst);
}

int64_t ControlPlane::wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t ControlPlane::now_ms() const {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count());
}

bool ControlPlane::start(std::string& error) {
  std::vector<std::string> skipped;
  overlay_.load(store_.load_destinations(), skipped);
  for (const auto& k : skipped)
    std::printf("siplbd: store: destination override '%s' does not parse; ignored\n", k.c_str());
  std::vector<std::string> stale;
  const config::Config effective = overlay_.apply(file_, &stale);
  for (const auto& k : stale)
    std::printf("siplbd: store: override '%s' names nothing in %s; kept, not applied\n", k.c_str(),
                file_.source.c_str());
  layout_.init(effective, dataplane::kMaxDestinations);
  DestinationLayout placed_layout;
  if (!layout_.place(effective, running_, placed_layout, error)) return false;
  layout_ = std::move(placed_layout);
  ProberSettings ps;
  ps.enabled = running_.probing.enabled;
  ps.interval_ms = running_.probing.interval_ms;
  ps.timeout_ms = running_.probing.timeout_ms;
  ps.failure_threshold = running_.probing.failure_threshold;
  ps.recovery_threshold = running_.probing.recovery_threshold;
  ps.success_codes = running_.probing.success_codes;
  prober_ = std::make_unique<HealthProber>(ps, probe_targets());
  if (!load_subscribers(running_, error)) return false;
  if (!publish_snapshot(running_, error)) return false;
  restore_dialogs();
  restore_bindings();
  return true;
}

std::vector<ProbeTarget> ControlPlane::probe_targets() {
  std::vector<ProbeTarget> targets;
  position_set_.clear();
  for (std::size_t k = 0; k < running_.sets.size(); ++k)
    for (const auto& d : running_.sets[k].set.destinations) {
      ProbeTarget t;
      const bool v6 = d.address.ip.is_v6();
      const std::string host = v6 ? "[" + net::format_ip(d.address.ip) + "]" : net::format_ip(d.address.ip);
      t.uri = "sip:" + host + ":" + std::to_string(d.address.port);
      t.host_port = t.uri.substr(4);
      t.probe = d.probe;
      t.state = d.state;
      // The probe leaves from the interface that reaches the destination: its Via names that
      // interface, where the answer comes back, and so does its From unless from_uri says otherwise.
      const dataplane::EgressTexts out = engine_.egress_for(d.address.ip);
      t.via_sent_by = out.via_sent_by;
      t.from_uri = !running_.probing.from_uri_is_default
                       ? running_.probing.from_uri
                       : "sip:" + std::string(config::defaults::kProbeFromUser) + "@" + out.host;
      targets.push_back(std::move(t));
      position_set_.push_back(static_cast<uint16_t>(k));
    }
  return targets;
}

std::vector<balance::DestinationState> ControlPlane::selection_states() const {
  std::vector<balance::DestinationState> states = prober_->states();
  // A drained destination takes no new calls: out of selection; its calls in progress follow
  // their dialogs and Route headers, which do not select.
  for (std::size_t p = 0; p < states.size(); ++p) {
    const auto& sc = running_.sets[position_set_[p]];
    const auto& d = destination_at(static_cast<uint16_t>(p));
    if (overlay_.drained(sc.set.id, d.uri) && states[p] != balance::DestinationState::disabled)
      states[p] = balance::DestinationState::inactive;
  }
  return states;
}

bool ControlPlane::publish_snapshot(const config::Config& cfg, std::string& error) {
  auto next = dataplane::build_snapshot(cfg, prober_ ? selection_states() : std::vector<balance::DestinationState>{},
                                        version_ + 1, &error);
  if (!next) return false;
  if (next->registrar && subscribers_) {
    auto rules = std::make_shared<dataplane::RegistrarRules>(*next->registrar);
    rules->subscribers = subscribers_;
    next->registrar = std::move(rules);
  }
  ++version_;
  engine_.publish(std::move(next));
  return true;
}

void ControlPlane::tick() {
  const uint64_t now = now_ms();
  bool changed = prober_->tick(now, [this](uint16_t d, std::string_view text) { return engine_.send_probe(d, text); });
  std::size_t handled = 0;
  while (handled < kMaxEventsPerTick) {
    const std::size_t n = engine_.poll_events(events_.data(), events_.size());
    for (std::size_t i = 0; i < n; ++i) {
      const dataplane::Event& e = events_[i];
      if (e.kind == dataplane::EventKind::probe_answer)
        changed |= prober_->on_answer(e.dialog.destination, e.probe_sequence, e.status_code, now);
      else if (e.kind == dataplane::EventKind::binding_changed)
        handle_binding_event(e);
      else
        handle_event(e);
    }
    handled += n;
    if (n < events_.size()) break;
  }
  events_handled_ += handled;
  sweep_bindings();
  release_waiting_replies();
  reannounce_vips();
  if (changed) {
    std::string error;
    if (!publish_snapshot(running_, error)) {
      std::printf("siplbd: keeping the current tables: %s\n", error.c_str());
    } else if (logs(LogLevel::info)) {
      const auto states = prober_->states();
      for (std::size_t d = 0; d < states.size(); ++d)
        if (listed(static_cast<uint16_t>(d)))
          std::printf("siplbd: destination %s is %s\n", destination_at(static_cast<uint16_t>(d)).uri.c_str(),
                    std::string(balance::state_name(states[d])).c_str());
    }
    std::fflush(stdout);
  }
  if (engine_.tracks_dialogs() && owns_timers() && engine_.sweep_dialogs(swept_) > 0)
    for (const auto& d : swept_) erase_dialog(d.key);
  engine_.quiescent();  // no dialog slot or snapshot held across ticks
}

void ControlPlane::drain_events() {
  for (;;) {
    const std::size_t n = engine_.poll_events(events_.data(), events_.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (events_[i].kind == dataplane::EventKind::binding_changed) handle_binding_event(events_[i]);
      else if (events_[i].kind != dataplane::EventKind::probe_answer) handle_event(events_[i]);
    }
    events_handled_ += n;
    if (n == 0) break;
  }
  // The workers have stopped: nothing can send the replies that still wait.
  for (const auto& e : waiting_replies_) engine_.release_reply(e, false);
  waiting_replies_.clear();
}

bool ControlPlane::reload(std::string& error) {
  config::ConfigResult loaded = config::load_config_file(file_.source);
  if (!loaded.ok()) {
    error = loaded.error.message;
    ++reloads_refused_;
    return false;
  }
  // The subscriber file is read again with the configuration (its name may have changed too).
  const auto previous_subscribers = subscribers_;
  if (!load_subscribers(*loaded.config, error)) {
    error = "subscribers not reloaded: " + error;
    ++reloads_refused_;
    return false;
  }
  if (!place_and_publish(overlay_.apply(*loaded.config), error)) {
    subscribers_ = previous_subscribers;
    error = file_.source + ": " + error;
    ++reloads_refused_;
    return false;
  }
  file_ = std::move(*loaded.config);
  ++reloads_;
  return true;
}

bool ControlPlane::place_and_publish(const config::Config& effective, std::string& error) {
  config::Config next;
  DestinationLayout next_layout;
  if (!layout_.place(effective, next, next_layout, error)) return false;
  if (!prepare_reload(running_, next, error)) return false;
  // Positions that changed hands (added, removed) get new probe targets; a state changed in the
  // file or by the operator wins over what probing had found.
  const config::Config before_config = running_;
  const std::vector<ProbeTarget> before_targets = prober_->targets();
  const std::vector<balance::DestinationState> before_states = prober_->states();
  running_ = next;
  prober_->update_targets(probe_targets());
  std::size_t position = 0;
  for (std::size_t k = 0; k < running_.sets.size(); ++k)
    for (std::size_t d = 0; d < running_.sets[k].set.destinations.size(); ++d, ++position) {
      const auto& now = running_.sets[k].set.destinations[d];
      const auto& was = before_config.sets[k].set.destinations[d];
      if (now.uri == was.uri && now.state != was.state) prober_->set_state(static_cast<uint16_t>(position), now.state);
    }
  if (!publish_snapshot(running_, error)) {
    running_ = before_config;
    prober_->update_targets(before_targets);
    probe_targets();  // position_set_ as before
    for (std::size_t d = 0; d < before_states.size(); ++d) prober_->set_state(static_cast<uint16_t>(d), before_states[d]);
    return false;
  }
  layout_ = std::move(next_layout);
  return true;
}

bool ControlPlane::apply_overlay(std::string& error) { return place_and_publish(overlay_.apply(file_), error); }

void ControlPlane::persist_override(uint32_t set, const std::string& uri) {
  const std::string record = overlay_.record(set, uri);
  if (record.empty()) store_.erase_destination(DestinationOverlay::key(set, uri));
  else store_.put_destination(DestinationOverlay::key(set, uri), record);
}

int ControlPlane::find_position(uint32_t set_id, const std::string& uri) const {
  int position = 0;
  for (const auto& sc : running_.sets)
    for (const auto& d : sc.set.destinations) {
      if (sc.set.id == set_id && !d.uri.empty() && d.uri == uri) return position;
      ++position;
    }
  return -1;
}

uint32_t ControlPlane::set_id_of(uint16_t position) const { return running_.sets[position_set_[position]].set.id; }

const balance::Destination& ControlPlane::destination_at(uint16_t position) const {
  std::size_t base = 0;
  const auto& sc = running_.sets[position_set_[position]];
  for (std::size_t k = 0; k < position_set_[position]; ++k) base += running_.sets[k].set.destinations.size();
  return sc.set.destinations[position - base];
}

}  // namespace siplb::control
