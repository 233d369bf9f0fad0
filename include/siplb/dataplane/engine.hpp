// The dataplane as control drives it: the one interface between control/ (which owns the process)
// and dataplane/ (DPDK). No DPDK type crosses it. Engine::create brings up EAL, mempools, ports,
// the shared tables (ARP/NDP caches, LoadBoard, dialog table), one event ring and one inject ring
// per worker and QSBR RCU; start() launches the workers on their lcores; stop() and the
// destructor take everything down in order.
//
// Threads: create, restore_dialog, start, stop and the destructor run on the main thread (the
// main lcore). Everything else is for one control thread, the one that called
// attach_control_thread(): it is a QSBR reader (it ends and reads dialogs, reads snapshots) and
// calls quiescent() between ticks. Counters and port statistics may be read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "siplb/balance/load_board.hpp"
#include "siplb/dataplane/counters.hpp"
#include "siplb/dataplane/dialog_view.hpp"
#include "siplb/dataplane/events.hpp"
#include "siplb/dataplane/snapshot.hpp"
#include "siplb/net/address.hpp"
#include "siplb/registrar/binding.hpp"

namespace siplb::config {
struct Config;
}

namespace siplb::dataplane {

// One port as the NIC counts it (rte_eth_stats), with what it is.
struct PortStatus {
  std::string interface;  // the DPDK port name from the configuration
  std::string driver;
  std::string mac;
  std::string address;    // "10.0.0.1/24"
  std::string address6;   // "fd00::1/64" or empty
  uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0;
  uint64_t imissed = 0, ierrors = 0, oerrors = 0, rx_nombuf = 0;
};

struct WorkerStatus {
  unsigned worker = 0;
  unsigned lcore = 0;
};

// What a probe names as its origin when it leaves towards one destination: the Via sent-by and
// the address of the interface that reaches it.
struct EgressTexts {
  std::string via_sent_by;  // "10.0.0.1:5060" or "[fd00::1]:5060"
  std::string host;         // "10.0.0.1" or "[fd00::1]"
};

class Engine {
 public:
  // EAL from `eal_argv` (argv[0] and EAL's own options), then everything `config` asks for; the
  // workers are ready but not polling. nullptr on failure with `error` (one line) and
  // `exit_code` (1: the system refused, 2: the configuration does not fit what EAL gave).
  static std::unique_ptr<Engine> create(int eal_argc, char** eal_argv, const config::Config& config,
                                        std::string& error, int& exit_code);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- main thread ---
  // A persisted dialog back into the table and onto the LoadBoard (before start()). Its times are
  // ages: created and last active so many milliseconds ago.
  enum class Restore : uint8_t { restored, exists, table_full, bad_destination };
  Restore restore_dialog(const DialogView& dialog, uint64_t age_ms, uint64_t idle_ms);
  void start();  // launches the workers
  void stop();   // stops and joins them (idempotent)

  // --- the control thread ---
  void attach_control_thread();
  void detach_control_thread();
  void quiescent();  // no dialog slot or snapshot held by the caller past this point

  // Publishes a snapshot; frees the old one after every reader has been quiescent.
  void publish(std::unique_ptr<Snapshot> next);
  const Snapshot* snapshot() const;

  // Up to `max` events from the workers' rings (round robin over workers, in bursts).
  std::size_t poll_events(Event* out, std::size_t max);
  // Hands an OPTIONS text to worker 0 to send to destination `position` of the current snapshot.
  bool send_probe(uint16_t position, std::string_view text);
  EgressTexts egress_for(const net::IpAddress& destination) const;

  // Dialogs (least-loaded sets; all of these are no-ops or empty without them).
  bool tracks_dialogs() const;
  uint32_t dialogs_live() const;
  uint32_t dialogs_capacity() const;
  // Expires dialogs in the next slice of the table (a thousandth per call, at least 64 slots),
  // copying the ended ones into `ended`. Returns how many ended.
  uint32_t sweep_dialogs(std::vector<DialogView>& ended);
  // Next live dialog at or after slot `from`, or -1.
  int32_t next_dialog(uint32_t from, DialogView& out) const;
  bool find_dialog(const DialogKey& key, DialogView& out) const;
  // Ends a dialog as the operator asks (nothing sent upstream): false when it is not live.
  bool end_dialog(const DialogKey& key);
  void count_dialogs_by_destination(uint32_t* counts, std::size_t n) const;
  const balance::LoadBoard* loads() const;
  // Dialog ends found by the control thread (sweeps and operator ends), by reason.
  const std::array<Counter, dialog::kEndReasonCount>& control_ends() const;

  // Registrar bindings (all no-ops or empty without [registrar]).
  bool serves_registrar() const;
  // A persisted AoR back into the table (main thread, before start()). False when full.
  bool restore_binding(const registrar::AorState& aor);
  // The record at a key position (from a binding_changed event): false when the position holds
  // none. `version` is the record's; an AoR with no contacts left has count 0.
  bool binding_at(int32_t position, registrar::AorState& out, uint64_t& version) const;
  void binding_persisted(int32_t position, uint64_t version);
  bool find_binding(const registrar::AorKey& key, registrar::AorState& out) const;
  // Next AoR with contacts at or after position `from`, or -1 (listings).
  int32_t next_binding(uint32_t from, registrar::AorState& out) const;
  // Writes an AoR as the operator or an import gives it (count 0 removes it); returns the key
  // position changed (for persistence) or -1 when the table is full.
  int32_t write_binding(const registrar::AorState& aor, uint64_t& version);
  // Removes the contacts expired at `now_ms` from the next slice of the table and deletes AoRs
  // left empty and persisted. Each changed AoR's position goes to `changed`; returns how many
  // contacts expired.
  uint32_t sweep_bindings(int64_t now_ms, std::vector<int32_t>& changed);
  uint32_t binding_aors() const;
  uint32_t binding_contacts() const;
  uint32_t binding_capacity() const;
  // Sends (send = true) or frees a reply a binding_changed event carried.
  void release_reply(const Event& event, bool send);

  // --- any thread ---
  // HA: whether this node holds the interfaces' virtual IPs (answers ARP for them, uses them as
  // its address), and a gratuitous ARP for each, sent by worker 0 at once. Atomics only: the HA
  // thread calls them on a role change.
  void set_vip_active(bool active);
  bool vip_active() const;
  void announce_vips();
  bool has_vips() const;
  std::vector<WorkerStatus> workers() const;
  const WorkerCounters& counters(unsigned worker) const;
  std::vector<PortStatus> ports() const;
  unsigned main_lcore() const;
  uint64_t tsc_now() const;
  uint64_t tsc_hz() const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace siplb::dataplane
