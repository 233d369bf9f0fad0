// OPTIONS probing state machine: active -> probing (first failure, still selected) -> inactive
// (failure_threshold consecutive failures) -> active again after recovery_threshold successes.
#include "health_prober.hpp"

#include <cstdio>

namespace siplb::control {

using balance::DestinationState;

HealthProber::HealthProber(ProberSettings settings, std::vector<ProbeTarget> targets)
    : settings_(std::move(settings)), targets_(std::move(targets)), tracking_(targets_.size()) {
  // Spread the first probes over one interval so that they do not all leave at once.
  for (std::size_t i = 0; i < tracking_.size(); ++i)
    tracking_[i].next_due_ms = settings_.interval_ms * i / (tracking_.empty() ? 1 : tracking_.size());
}

std::string HealthProber::probe_message(uint16_t destination, uint32_t sequence) const {
  const ProbeTarget& t = targets_[destination];
  char branch[32];
  std::snprintf(branch, sizeof(branch), "z9hG4bK-slbp-%04x-%08x", destination, sequence);
  std::string m;
  m.reserve(400);
  m += "OPTIONS " + t.uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP " + t.via_sent_by + ";branch=" + branch + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <" + t.from_uri + ">;tag=" + std::string(branch + 13) + "\r\n";
  m += "To: <" + t.uri + ">\r\n";
  m += "Call-ID: " + std::string(branch + 8) + "@siplb\r\n";
  m += "CSeq: " + std::to_string(sequence) + " OPTIONS\r\n";
  m += "User-Agent: siplb\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n";
  return m;
}

bool HealthProber::record(uint16_t d, bool success) {
  ProbeTarget& t = targets_[d];
  Tracking& k = tracking_[d];
  if (success) {
    k.failures = 0;
    ++k.successes;
    if (t.state == DestinationState::probing) t.state = DestinationState::active;
    if (t.state == DestinationState::inactive && k.successes >= settings_.recovery_threshold) {
      t.state = DestinationState::active;
      return true;
    }
    return false;
  }
  k.successes = 0;
  ++k.failures;
  if (t.state == DestinationState::active) t.state = DestinationState::probing;
  if (t.state == DestinationState::probing && k.failures >= settings_.failure_threshold) {
    t.state = DestinationState::inactive;
    return true;
  }
  return false;
}

bool HealthProber::tick(uint64_t now_ms, const SendFn& send) {
  if (!settings_.enabled) return false;
  bool changed = false;
  for (uint16_t d = 0; d < targets_.size(); ++d) {
    ProbeTarget& t = targets_[d];
    Tracking& k = tracking_[d];
    if (!t.probe || t.state == DestinationState::disabled) continue;
    if (k.outstanding && now_ms - k.sent_ms >= settings_.timeout_ms) {
      k.outstanding = false;  // a timeout is always a failure
      k.last_code = 408;
      ++timeouts_;
      changed |= record(d, false);
    }
    if (!k.outstanding && now_ms >= k.next_due_ms) {
      uint32_t seq = next_sequence_++;
      k.next_due_ms = now_ms + settings_.interval_ms;
      if (send(d, probe_message(d, seq))) {
        k.sequence = seq;
        k.outstanding = true;
        k.sent_ms = now_ms;
        ++probes_sent_;
      } else {
        changed |= record(d, false);  // could not even send: count it against the destination
      }
    }
  }
  return changed;
}

bool HealthProber::on_answer(uint16_t destination, uint32_t sequence, uint16_t status_code,
                             uint64_t now_ms) {
  (void)now_ms;
  if (destination >= targets_.size()) return false;
  Tracking& k = tracking_[destination];
  if (!k.outstanding || k.sequence != sequence) return false;  // late or duplicate
  if (status_code < 200) return false;                         // provisional: keep waiting
  k.outstanding = false;
  k.last_code = status_code;
  ++answers_;
  bool success = status_code >= 200 && status_code < 300;
  for (uint16_t c : settings_.success_codes) success |= c == status_code;
  return record(destination, success);
}

bool HealthProber::set_state(uint16_t destination, DestinationState state) {
  if (destination >= targets_.size()) return false;
  targets_[destination].state = state;
  tracking_[destination] = Tracking{};
  return true;
}

void HealthProber::update_targets(std::vector<ProbeTarget> targets) {
  std::vector<Tracking> tracking(targets.size());
  for (std::size_t d = 0; d < targets.size(); ++d)
    if (d < targets_.size() && targets_[d].uri == targets[d].uri && targets_[d].probe == targets[d].probe) {
      targets[d].state = targets_[d].state;
      tracking[d] = tracking_[d];
    }
  targets_ = std::move(targets);
  tracking_ = std::move(tracking);
}

HealthProber::ProbeStatus HealthProber::status(uint16_t destination) const {
  if (destination >= tracking_.size()) return {};
  const Tracking& k = tracking_[destination];
  return {k.last_code, k.failures, k.successes};
}

std::vector<DestinationState> HealthProber::states() const {
  std::vector<DestinationState> s;
  s.reserve(targets_.size());
  for (const auto& t : targets_) s.push_back(t.state);
  return s;
}

}  // namespace siplb::control
