// Health probing of destinations with SIP OPTIONS (what OpenSIPS/Kamailio dispatcher users know
// as ds_ping_interval, ds_probing_threshold and ds_inactive_threshold, with separate thresholds
// for failing and recovering). Pure logic: the caller supplies the time, sends the OPTIONS text it
// is handed, and feeds back the answers; no DPDK, no clock, no I/O here, so it is unit-testable.
// Owned and driven by the control thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "siplb/balance/destination.hpp"

namespace siplb::control {

struct ProberSettings {
  bool enabled = true;
  uint64_t interval_ms = 1000;
  uint64_t timeout_ms = 500;
  uint32_t failure_threshold = 3;   // consecutive failures that make an active destination inactive
  uint32_t recovery_threshold = 2;  // consecutive successes that make an inactive one active again
  std::vector<uint16_t> success_codes;  // besides 2xx
};

struct ProbeTarget {
  std::string uri;        // "sip:10.0.0.11:5060", the probe's Request-URI and To
  std::string host_port;  // "10.0.0.11:5060"
  bool probe = true;
  // Our address in this probe's Via ("10.0.0.1:5060", "[fd00::1]:5060"): that of the interface
  // the probe leaves from (in a two-armed setup not the first one), where the answer comes back.
  std::string via_sent_by;
  std::string from_uri;  // the probe's From ("sip:siplb@10.0.0.1")
  balance::DestinationState state = balance::DestinationState::active;
};

class HealthProber {
 public:
  // Sends one OPTIONS: (destination position, message text). Returns false if it could not go.
  using SendFn = std::function<bool(uint16_t destination, std::string_view message)>;

  HealthProber(ProberSettings settings, std::vector<ProbeTarget> targets);

  // Sends the probes that are due and fails those that timed out. Returns true when a state
  // changed in a way that changes selection (to or from inactive).
  bool tick(uint64_t now_ms, const SendFn& send);
  // An answer to probe `sequence` of `destination`. Stale or unknown answers are ignored.
  // Returns true when selection changes.
  bool on_answer(uint16_t destination, uint32_t sequence, uint16_t status_code, uint64_t now_ms);

  // Operator actions (siplbctl / MI): disable removes from selection and stops probing; enable
  // returns it to active (probing resumes). Returns false for an unknown position.
  bool set_state(uint16_t destination, balance::DestinationState state);

  // New targets by position (destinations added or removed at run time): a position whose URI is
  // the same keeps its state and probe history; any other starts afresh from its target.
  void update_targets(std::vector<ProbeTarget> targets);

  const std::vector<ProbeTarget>& targets() const { return targets_; }
  // What the probes of one destination found: the last final answer's code (0: none yet, 408 for
  // a timeout) and the current runs of failures and successes.
  struct ProbeStatus {
    uint16_t last_code = 0;
    uint32_t failures = 0;
    uint32_t successes = 0;
  };
  ProbeStatus status(uint16_t destination) const;
  std::vector<balance::DestinationState> states() const;
  uint64_t probes_sent() const { return probes_sent_; }
  uint64_t answers() const { return answers_; }
  uint64_t timeouts() const { return timeouts_; }

  // The OPTIONS text for a probe (exposed for tests).
  std::string probe_message(uint16_t destination, uint32_t sequence) const;

 private:
  struct Tracking {
    uint32_t successes = 0;      // consecutive
    uint32_t failures = 0;       // consecutive
    uint32_t sequence = 0;       // of the last probe sent
    bool outstanding = false;
    uint64_t sent_ms = 0;
    uint64_t next_due_ms = 0;
    uint16_t last_code = 0;
  };
  bool record(uint16_t destination, bool success);

  ProberSettings settings_;
  std::vector<ProbeTarget> targets_;
  std::vector<Tracking> tracking_;
  uint32_t next_sequence_ = 1;
  uint64_t probes_sent_ = 0;
  uint64_t answers_ = 0;
  uint64_t timeouts_ = 0;
};

}  // namespace siplb::control
