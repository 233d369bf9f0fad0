// The control plane of a running siplbd: the configuration (the file as the seed, the operator's
// overlay on top), health probing, snapshot publishing, the workers' events (dialogs persisted
// to the store, probe answers to the prober), dialog expiry sweeps, reloads, and what the
// management API, the metrics endpoint and SIGUSR1 read and change.
//
// Threads: one instance, owned by the daemon; every member function runs on the control thread
// (the main thread, driven by its Asio loop: the 1 ms tick, signals, and the API's commands
// posted to it), which is the dataplane's attached control thread. Its parts are split by
// concern over control_plane.cpp (life, tick, snapshots, reload), dialog_persistence.cpp,
// api_commands.cpp, metrics.cpp and stats_text.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/api_server.hpp"
#include "api/prometheus_text.hpp"
#include "destination_layout.hpp"
#include "destination_overlay.hpp"
#include "health_prober.hpp"
#include "siplb/config/config.hpp"
#include "siplb/dataplane/engine.hpp"
#include "siplb/registrar/binding.hpp"
#include "control/replication/record.hpp"
#include "store/store.hpp"

namespace siplb::auth {
class SubscriberTable;
}
namespace siplb::control::ha {
class Runner;
struct RoleEvent;
}
namespace siplb::control::replication {
class Channel;
struct Record;
}

namespace siplb::control {

// Log levels of siplbd's own messages (the API's log_level command).
enum class LogLevel : uint8_t { error, warning, info, debug };

class ControlPlane {
 public:
  ControlPlane(config::Config file, dataplane::Engine& engine, store::Store& store);

  // Before the workers start: the overlay from the store applied, the persisted dialogs back in
  // the dialog table and on the LoadBoard (expired ones dropped), the prober, the first snapshot.
  // False with `error` when the configuration with the overlay cannot be built.
  bool start(std::string& error);

  // Every millisecond: probes, events, dialog sweeps, snapshot changes.
  void tick();
  // Everything still queued from the workers (at shutdown, after they stopped).
  void drain_events();

  // SIGHUP and the API's reload: re-reads the file; false with the reason (file:line: reason)
  // when it is refused, the running configuration untouched.
  bool reload(std::string& error);
  void print_stats(std::FILE* out) const;

  // The management API: runs one command, on the control thread.
  api::Reply command(const std::string& name, const api::Json& args);
  static const std::vector<std::string>& command_names();
  std::string metrics_text() const;

  void set_api_counters(const api::ApiServer* server) { api_server_ = server; }
  // The HA pair's runner (null without [peer]); its role events, posted to the control thread.
  void set_ha(ha::Runner* runner) { ha_ = runner; }
  // The replication channel to the peer (null without [peer]) and this node's id in its versions.
  void set_replication(replication::Channel* channel, uint32_t node_id) {
    channel_ = channel;
    node_id_ = node_id;
  }
  // The channel's receiver side, on the control thread.
  void apply_replicated(const replication::Record& record);
  void replication_sync_begin(bool peer_is_active);
  void replication_sync_end(bool completed, uint64_t records);
  // Whether this node does the timer-driven work (expiry sweeps): alone, or the active one.
  bool owns_timers() const;
  void on_role_event(const ha::RoleEvent& event);
  // How other threads (the store's writer) hand work back to the control thread.
  void set_poster(std::function<void(std::function<void()>)> post) { post_ = std::move(post); }
  LogLevel log_level() const { return log_level_; }
  bool logs(LogLevel level) const { return level <= log_level_; }

 private:
  // --- snapshots and configuration (control_plane.cpp) ---
  uint64_t now_ms() const;
  std::vector<balance::DestinationState> selection_states() const;
  bool publish_snapshot(const config::Config& cfg, std::string& error);
  // Places `effective` (a file with the overlay applied) into the positions and publishes it;
  // nothing changes when it fails.
  bool place_and_publish(const config::Config& effective, std::string& error);
  // Re-applies the overlay to the file configuration and publishes it (operator changes).
  bool apply_overlay(std::string& error);
  std::vector<ProbeTarget> probe_targets();  // by position, from running_; also fills position_set_
  // A position that holds a destination (not a free or removed one: destination_layout.hpp).
  bool listed(uint16_t position) const { return !destination_at(position).uri.empty(); }
  void persist_override(uint32_t set, const std::string& uri);
  int find_position(uint32_t set_id, const std::string& uri) const;  // -1: none
  uint32_t set_id_of(uint16_t position) const;
  const balance::Destination& destination_at(uint16_t position) const;

  // --- dialogs (dialog_persistence.cpp) ---
  void restore_dialogs();
  void handle_event(const dataplane::Event& event);
  void persist_dialog(const dataplane::DialogView& d, uint64_t tsc);
  int64_t unix_ms_of(uint64_t tsc) const;
  static int64_t wall_clock_ms();  // milliseconds since the Unix epoch, now

  // --- registrar (registrar_control.cpp) ---
  void restore_bindings();
  void handle_binding_event(const dataplane::Event& event);
  void persist_binding(int32_t position);
  void release_waiting_replies();
  void sweep_bindings();
  bool load_subscribers(const config::Config& cfg, std::string& error);

  // --- replication (replication_control.cpp) ---
  replication::Version next_version();
  // Sends a change to the peer (value null: an erase).
  void replicate(replication::Kind kind, std::string_view key, const std::string* value);
  bool accept_version(replication::Kind kind, std::string_view key, const replication::Version& incoming);
  void apply_replicated_binding(const replication::Record& record);
  void apply_replicated_dialog(const replication::Record& record);
  bool dialog_view_of(const store::DialogRecord& record, dataplane::DialogView& out) const;
  void erase_dialog(const dataplane::DialogKey& key);  // from the store and the peer
  api::Json replication_json() const;

  // --- HA pair (ha_control.cpp) ---
  void reannounce_vips();
  api::Json ha_status_json() const;
  void ha_metrics(api::PrometheusText& out) const;
  api::Reply ha_command(const std::string& name, const api::Json& args);

  // --- API (api_commands.cpp) ---
  // `dialogs`: live dialogs by position (count_dialogs_by_destination), when the caller has them.
  api::Json destination_json(uint16_t position, const std::vector<uint32_t>* dialogs = nullptr) const;
  api::Json dialog_json(const dataplane::DialogView& d) const;
  api::Reply find_destination(const api::Json& args, uint16_t& position) const;
  // --- registrar API (registrar_commands.cpp): reg.* and subscribers.reload ---
  static const std::vector<std::string>& registrar_command_names();
  static bool is_registrar_command(const std::string& name);
  api::Reply registrar_command(const std::string& name, const api::Json& args);
  bool serves_domain(std::string_view domain) const;  // a [registrar] domain (lower-case)

  config::Config file_;     // as the file says
  config::Config running_;  // the file with the overlay applied, placed: what the snapshot is built from
  DestinationOverlay overlay_;
  DestinationLayout layout_;
  dataplane::Engine& engine_;
  store::Store& store_;
  std::unique_ptr<HealthProber> prober_;
  std::vector<uint16_t> position_set_;  // global position -> set position in running_
  uint64_t version_ = 0;
  std::chrono::steady_clock::time_point started_;
  // TSC <-> wall clock, taken once at start (events carry TSC times).
  uint64_t tsc_at_start_ = 0;
  int64_t unix_ms_at_start_ = 0;
  uint64_t tsc_per_ms_ = 1;
  std::vector<dataplane::DialogView> swept_;
  std::vector<dataplane::Event> events_;
  LogLevel log_level_ = LogLevel::info;
  std::function<void(std::function<void()>)> post_;
  ha::Runner* ha_ = nullptr;
  std::vector<std::chrono::steady_clock::time_point> reannounce_at_;  // gratuitous ARPs still due
  uint64_t role_changes_ = 0;
  replication::Channel* channel_ = nullptr;
  uint32_t node_id_ = 0;
  uint64_t clock_ = 0;          // the hybrid clock of versions
  uint64_t last_appended_ = 0;  // sequence of the last record sent to the peer
  std::unordered_map<std::string, replication::Version> versions_;  // kind + key -> newest held
  uint64_t replication_applied_ = 0;
  uint64_t replication_stale_ = 0;
  uint64_t replication_undecodable_ = 0;
  uint64_t syncs_received_ = 0;
  uint64_t split_brains_ = 0;
  // Registrar: the subscribers digest authentication checks (attached to every snapshot), the
  // REGISTER replies waiting for the store, scratch for persisting one AoR.
  std::shared_ptr<const auth::SubscriberTable> subscribers_;
  std::vector<dataplane::Event> waiting_replies_;
  std::vector<int32_t> swept_bindings_;
  registrar::AorState binding_scratch_;
  std::string binding_bytes_;
  const api::ApiServer* api_server_ = nullptr;

  // Counters of the control side (metrics).
  uint64_t events_handled_ = 0;
  uint64_t dialogs_restored_ = 0;
  uint64_t bindings_restored_ = 0;
  uint64_t bindings_expired_ = 0;
  uint64_t replies_withheld_ = 0;  // REGISTER 200 OKs not sent: the store failed to write their change
  uint64_t replies_unreplicated_ = 0;  // durability "peer" with the peer away: sent on the local write
  uint64_t subscriber_reloads_ = 0;
  uint64_t reloads_ = 0;
  uint64_t reloads_refused_ = 0;
};

}  // namespace siplb::control
