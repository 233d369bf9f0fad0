// ControlPlane::command: the management API's commands (docs/API.md has their arguments and
// results). Each runs on the control thread; a bad argument is refused naming the field before
// anything changes; a change to a destination is applied to the overlay, published in a new
// snapshot and persisted in the store, or, when the new tables cannot be built, taken back.
#include <unistd.h>

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <map>

#include "api/api_args.hpp"
#include "control_plane.hpp"

namespace siplb::control {
namespace {

using api::Arg;
using api::Json;
using api::Reply;

constexpr std::size_t kDefaultDialogListLimit = 100;
constexpr std::size_t kMaxDialogListLimit = 100000;

const char* phase_name(dialog::Phase p) { return p == dialog::Phase::confirmed ? "confirmed" : "early"; }

std::string dialog_id(const dataplane::DialogKey& k) {
  char text[40];
  std::snprintf(text, sizeof(text), "%016" PRIx64 "-%016" PRIx64, k.call_id_hash, k.caller_tag_hash);
  return text;
}

bool parse_dialog_id(const std::string& text, dataplane::DialogKey& k) {
  if (text.size() != 33 || text[16] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (i != 16 && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  k.call_id_hash = std::stoull(text.substr(0, 16), nullptr, 16);
  k.caller_tag_hash = std::stoull(text.substr(17), nullptr, 16);
  return true;
}

std::optional<balance::DestinationState> parse_state(const std::string& s) {
  using balance::DestinationState;
  if (s == "active" || s == "a") return DestinationState::active;
  if (s == "inactive" || s == "i") return DestinationState::inactive;
  if (s == "probing" || s == "p") return DestinationState::probing;
  if (s == "disabled" || s == "d") return DestinationState::disabled;
  return std::nullopt;
}

const char* log_level_name(LogLevel l) {
  switch (l) {
    case LogLevel::error: return "error";
    case LogLevel::warning: return "warning";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
  }
  return "info";
}

uint64_t sum_over_workers(const dataplane::Engine& engine, const std::function<uint64_t(const dataplane::WorkerCounters&)>& f) {
  uint64_t total = 0;
  for (const auto& w : engine.workers()) total += f(engine.counters(w.worker));
  return total;
}

}  // namespace

const std::vector<std::string>& ControlPlane::command_names() {
  static const std::vector<std::string> kNames = {
      "status",          "stats",          "dest.list",     "dest.show",    "dest.add",      "dest.remove",
      "dest.set_state",  "dest.set_weight", "dest.set_capacity", "dest.drain", "dest.undrain", "dest.diff",
      "dest.export",     "hash",           "dialogs.count", "dialogs.list", "dialogs.show",  "dialogs.end",
      "reload",          "log_level",      "ha.status",     "ha.switchover", "peer.status"};
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> all = kNames;
    for (const auto& n : registrar_command_names()) all.push_back(n);
    return all;
  }();
  return kAll;
}

Json ControlPlane::destination_json(uint16_t position, const std::vector<uint32_t>* dialogs) const {
  const dataplane::Snapshot* snap = engine_.snapshot();
  std::vector<uint32_t> counted;
  if (!dialogs) {  // one pass over the dialog table
    counted.resize(position_set_.size());
    engine_.count_dialogs_by_destination(counted.data(), counted.size());
    dialogs = &counted;
  }
  const auto& sc = running_.sets[position_set_[position]];
  const balance::Destination& d = destination_at(position);
  const auto states = prober_->states();
  Json j;
  j["set"] = sc.set.id;
  j["uri"] = d.uri;
  j["state"] = std::string(balance::state_name(states[position]));
  j["weight"] = d.weight;
  j["priority"] = d.priority;
  Json capacity = Json::object(), load = Json::object();
  if (sc.set.algorithm == balance::Algorithm::least_loaded && snap) {
    for (const auto& res : sc.set.resources) {
      uint32_t max = 0;
      for (const auto& c : d.capacities)
        if (c.resource == res) max = c.max;
      capacity[res] = max;
      for (std::size_t k = 0; k < snap->resource_names.size(); ++k)
        if (snap->resource_names[k] == res && engine_.loads()) load[res] = engine_.loads()->used(position, k);
    }
  }
  j["capacity"] = capacity;
  j["load"] = load;
  j["drained"] = overlay_.drained(sc.set.id, d.uri);
  j["dialogs"] = (*dialogs)[position];  // live least-loaded calls on it (0 for other sets)
  const HealthProber::ProbeStatus ps = prober_->status(position);
  j["probe"] = {{"enabled", d.probe && running_.probing.enabled},
                {"last_code", ps.last_code},
                {"failures", ps.failures},
                {"successes", ps.successes}};
  j["forwarded"] = sum_over_workers(engine_, [&](const dataplane::WorkerCounters& c) {
    return position < dataplane::kMaxDestinations ? c.forwarded_to[position].get() : 0;
  });
  j["origin"] = overlay_.find(sc.set.id, d.uri) ? "api" : "config";
  return j;
}

Json ControlPlane::dialog_json(const dataplane::DialogView& d) const {
  const dataplane::Snapshot* snap = engine_.snapshot();
  const uint64_t now = engine_.tsc_now();
  const double per_s = static_cast<double>(engine_.tsc_hz());
  Json resources = Json::array();
  for (std::size_t k = 0; snap && k < snap->resource_names.size(); ++k)
    if (d.resources >> k & 1) resources.push_back(snap->resource_names[k]);
  Json j;
  j["id"] = dialog_id(d.key);
  j["set"] = d.destination < position_set_.size() ? set_id_of(d.destination) : 0;
  j["destination"] = d.destination < position_set_.size() ? destination_at(d.destination).uri : std::string("?");
  j["phase"] = phase_name(d.phase);
  j["age_s"] = now > d.created_tsc ? static_cast<double>(now - d.created_tsc) / per_s : 0.0;
  j["idle_s"] = now > d.last_activity_tsc ? static_cast<double>(now - d.last_activity_tsc) / per_s : 0.0;
  j["resources"] = resources;
  return j;
}

// The destination named by args.uri (and args.set when the URI is in more than one set).
Reply ControlPlane::find_destination(const Json& args, uint16_t& position) const {
  Reply error;
  std::string uri;
  std::optional<int64_t> set;
  if (!api::get_string(args, "uri", Arg::required, uri, error) ||
      !api::get_integer(args, "set", set, 0, UINT32_MAX, error))
    return error;
  int found = -1, matches = 0, p = 0;
  for (const auto& sc : running_.sets)
    for (const auto& d : sc.set.destinations) {
      if (!d.uri.empty() && d.uri == uri && (!set || sc.set.id == static_cast<uint32_t>(*set))) {
        if (found < 0) found = p;
        ++matches;
      }
      ++p;
    }
  if (found < 0)
    return Reply::failure(api::code::not_found, "args.uri",
                          "no destination " + uri + (set ? " in set " + std::to_string(*set) : std::string()) +
                              " (siplbctl dest list shows them)");
  if (matches > 1)
    return Reply::failure(api::code::conflict, "args.set", uri + " is in several sets: say which with set");
  position = static_cast<uint16_t>(found);
  return Reply::success(nullptr);
}

Reply ControlPlane::command(const std::string& name, const Json& args) {
  Reply error;
  if (is_registrar_command(name)) return registrar_command(name, args);
  if (name == "ha.status" || name == "ha.switchover" || name == "peer.status") return ha_command(name, args);
  if (name == "status") {
    if (!api::check_known(args, {}, error)) return error;
    Json r;
    r["version"] = SIPLB_VERSION;
    r["pid"] = ::getpid();
    r["uptime_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    r["config"] = file_.source;
    r["snapshot_generation"] = version_;
    Json workers = Json::array();
    for (const auto& w : engine_.workers()) workers.push_back({{"worker", w.worker}, {"lcore", w.lcore}});
    r["lcores"] = {{"main", engine_.main_lcore()}, {"workers", workers}};
    Json ports = Json::array();
    for (const auto& p : engine_.ports())
      ports.push_back({{"interface", p.interface}, {"driver", p.driver}, {"mac", p.mac}, {"address", p.address},
                       {"address6", p.address6.empty() ? Json(nullptr) : Json(p.address6)},
                       {"ipackets", p.ipackets}, {"opackets", p.opackets}, {"ibytes", p.ibytes},
                       {"obytes", p.obytes}, {"imissed", p.imissed}, {"ierrors", p.ierrors},
                       {"oerrors", p.oerrors}, {"rx_nombuf", p.rx_nombuf}});
    r["ports"] = ports;
    r["dialogs"] = engine_.tracks_dialogs()
                       ? Json{{"live", engine_.dialogs_live()}, {"capacity", engine_.dialogs_capacity()}}
                       : Json(nullptr);
    const store::StoreStats st = store_.stats();
    const bool memory = store_.durability() == store::Durability::memory;
    r["store"] = {{"state", memory ? "memory" : (st.last_error.empty() ? "ok" : "failing")},
                  {"dir", memory ? std::string() : store_.dir()},
                  {"durability", std::string(store::durability_name(store_.durability()))},
                  {"batches", st.batches_written},
                  {"records", st.records_written},
                  {"write_errors", st.write_errors},
                  {"last_error", st.last_error}};
    r["log_level"] = log_level_name(log_level_);
    return Reply::success(r);
  }
  if (name == "stats") {
    if (!api::check_known(args, {}, error)) return error;
    Json totals = Json::object();
#define SIPLB_TOTAL(field) \
  totals[#field] = sum_over_workers(engine_, [](const dataplane::WorkerCounters& c) { return c.field.get(); });
    SIPLB_TOTAL(rx_packets) SIPLB_TOTAL(rx_bytes) SIPLB_TOTAL(tx_packets) SIPLB_TOTAL(sip_requests)
    SIPLB_TOTAL(sip_responses) SIPLB_TOTAL(forwarded_requests) SIPLB_TOTAL(forwarded_responses)
    SIPLB_TOTAL(arp_replies_sent) SIPLB_TOTAL(arp_requests_sent) SIPLB_TOTAL(icmp_echo_replies)
    SIPLB_TOTAL(fragments_reassembled) SIPLB_TOTAL(fragments_sent) SIPLB_TOTAL(probe_answers)
    SIPLB_TOTAL(probes_sent) SIPLB_TOTAL(transaction_hits) SIPLB_TOTAL(transaction_misses)
    SIPLB_TOTAL(transaction_table_full) SIPLB_TOTAL(dialogs_created) SIPLB_TOTAL(dialogs_confirmed)
    SIPLB_TOTAL(dialog_table_full) SIPLB_TOTAL(least_loaded_full) SIPLB_TOTAL(events_dropped)
#undef SIPLB_TOTAL
    Json workers = Json::array();
    Json replies = Json::object(), drops = Json::object();
    for (const auto& w : engine_.workers()) {
      const dataplane::WorkerCounters& c = engine_.counters(w.worker);
      uint64_t replied = 0, dropped = 0;
      for (const auto& r : c.replies) replied += r.get();
      for (const auto& d : c.drops) dropped += d.get();
      workers.push_back({{"worker", w.worker}, {"rx_packets", c.rx_packets.get()}, {"tx_packets", c.tx_packets.get()},
                         {"forwarded_requests", c.forwarded_requests.get()},
                         {"forwarded_responses", c.forwarded_responses.get()}, {"replies", replied},
                         {"drops", dropped}, {"events_dropped", c.events_dropped.get()}});
    }
    for (std::size_t i = 0; i < dataplane::kReplyCodeCount; ++i)
      replies[std::to_string(dataplane::kReplyCodes[i])] =
          sum_over_workers(engine_, [i](const dataplane::WorkerCounters& c) { return c.replies[i].get(); });
    for (std::size_t i = 0; i < dataplane::kDropReasonCount; ++i)
      drops[std::string(dataplane::drop_reason_name(static_cast<dataplane::DropReason>(i)))] =
          sum_over_workers(engine_, [i](const dataplane::WorkerCounters& c) { return c.drops[i].get(); });
    Json destinations = Json::array();
    for (uint16_t p = 0; p < position_set_.size() && p < dataplane::kMaxDestinations; ++p)
      if (listed(p)) destinations.push_back(
          {{"set", set_id_of(p)}, {"uri", destination_at(p).uri},
           {"forwarded", sum_over_workers(engine_, [p](const dataplane::WorkerCounters& c) { return c.forwarded_to[p].get(); })}});
    return Reply::success({{"totals", totals}, {"workers", workers}, {"replies", replies}, {"drops", drops},
                           {"destinations", destinations}});
  }
  if (name == "dest.list") {
    std::optional<int64_t> set;
    if (!api::check_known(args, {"set"}, error) || !api::get_integer(args, "set", set, 0, UINT32_MAX, error))
      return error;
    Json sets = Json::array();
    uint16_t position = 0;
    bool found = false;
    std::vector<uint32_t> dialogs(position_set_.size());
    engine_.count_dialogs_by_destination(dialogs.data(), dialogs.size());
    for (const auto& sc : running_.sets) {
      Json dests = Json::array();
      for (std::size_t d = 0; d < sc.set.destinations.size(); ++d, ++position)
        if (listed(position)) dests.push_back(destination_json(position, &dialogs));
      if (set && sc.set.id != static_cast<uint32_t>(*set)) continue;
      found = true;
      sets.push_back({{"id", sc.set.id}, {"name", sc.set.name},
                      {"algorithm", std::string(balance::algorithm_name(sc.set.algorithm))},
                      {"resources", sc.set.resources}, {"destinations", dests}});
    }
    if (set && !found) return Reply::failure(api::code::not_found, "args.set", "no set " + std::to_string(*set));
    return Reply::success({{"sets", sets}});
  }
  if (name == "dest.show") {
    uint16_t position;
    if (!api::check_known(args, {"uri", "set"}, error)) return error;
    if (Reply r = find_destination(args, position); !r.ok) return r;
    return Reply::success(destination_json(position));
  }
  if (name == "dest.add") {
    std::string uri;
    int64_t set_id = 0;
    std::optional<int64_t> weight, priority;
    std::map<std::string, int64_t> capacity;
    if (!api::check_known(args, {"set", "uri", "weight", "priority", "capacity"}, error) ||
        !api::get_integer(args, "set", Arg::required, 0, UINT32_MAX, set_id, error) ||
        !api::get_string(args, "uri", Arg::required, uri, error) ||
        !api::get_integer(args, "weight", weight, 0, 65535, error) ||
        !api::get_integer(args, "priority", priority, INT32_MIN, INT32_MAX, error) ||
        !api::get_integer_map(args, "capacity", Arg::optional, 0, UINT32_MAX, capacity, error))
      return error;
    const config::SetConfig* sc = nullptr;
    for (const auto& s : running_.sets)
      if (s.set.id == static_cast<uint32_t>(set_id)) sc = &s;
    if (!sc) return Reply::failure(api::code::not_found, "args.set", "no set " + std::to_string(set_id));
    net::SocketAddress address;
    std::string why;
    if (!config::parse_destination_uri(uri, address, why)) return Reply::failure(api::code::bad_argument, "args.uri", why);
    bool has_v6 = false;
    for (const auto& i : running_.interfaces) has_v6 |= i.address6.has_value();
    if (address.ip.is_v6() && !has_v6)
      return Reply::failure(api::code::bad_argument, "args.uri", "an IPv6 destination needs an interface with address6");
    if (find_position(sc->set.id, uri) >= 0)
      return Reply::failure(api::code::conflict, "args.uri", uri + " is in set " + std::to_string(set_id) + " already");
    for (const auto& [res, n] : capacity) {
      bool known = false;
      for (const auto& r : sc->set.resources) known |= r == res;
      if (!known)
        return Reply::failure(api::code::bad_argument, "args.capacity." + res,
                              "set " + std::to_string(set_id) + " has no resource \"" + res + "\"");
    }
    const auto id = static_cast<uint32_t>(set_id);
    const DestinationOverride* had = overlay_.find(id, uri);
    const DestinationOverride before = had ? *had : DestinationOverride{};
    DestinationOverride& o = overlay_.at(id, uri);
    bool in_file = false;
    for (const auto& s : file_.sets)
      for (const auto& d : s.set.destinations) in_file |= s.set.id == id && d.uri == uri;
    if (in_file) {
      o = DestinationOverride{};  // a file destination the operator had removed comes back as the file has it
    } else {
      o.added = true;
      o.removed = false;
    }
    if (weight) o.weight = static_cast<uint16_t>(*weight);
    if (priority) o.priority = static_cast<int32_t>(*priority);
    for (const auto& [res, n] : capacity) o.capacity[res] = static_cast<uint32_t>(n);
    if (!apply_overlay(why)) {
      overlay_.at(id, uri) = before;
      if (before.empty()) overlay_.erase(id, uri);
      return Reply::failure(api::code::conflict, "args.uri", "not added: " + why);
    }
    if (overlay_.find(id, uri) && overlay_.find(id, uri)->empty()) overlay_.erase(id, uri);
    persist_override(id, uri);
    if (logs(LogLevel::info)) {
      std::printf("siplbd: api: dest.add %s (set %u)\n", uri.c_str(), id);
      std::fflush(stdout);
    }
    return Reply::success(destination_json(static_cast<uint16_t>(find_position(id, uri))));
  }
  if (name == "dest.remove") {
    uint16_t position;
    if (!api::check_known(args, {"uri", "set"}, error)) return error;
    if (Reply r = find_destination(args, position); !r.ok) return r;
    const uint32_t id = set_id_of(position);
    const std::string uri = destination_at(position).uri;
    std::vector<uint32_t> counts(position_set_.size());
    engine_.count_dialogs_by_destination(counts.data(), counts.size());
    const DestinationOverride* had = overlay_.find(id, uri);
    const DestinationOverride before = had ? *had : DestinationOverride{};
    if (before.added) {
      overlay_.erase(id, uri);  // added by the operator: nothing of it is left to remember
    } else {
      DestinationOverride& o = overlay_.at(id, uri);
      o = DestinationOverride{};
      o.removed = true;
    }
    std::string why;
    if (!apply_overlay(why)) {
      overlay_.at(id, uri) = before;
      if (before.empty()) overlay_.erase(id, uri);
      return Reply::failure(api::code::failed, "", "not removed: " + why);
    }
    persist_override(id, uri);
    if (logs(LogLevel::info)) {
      std::printf("siplbd: api: dest.remove %s (set %u)\n", uri.c_str(), id);
      std::fflush(stdout);
    }
    return Reply::success({{"removed", uri},
                           {"set", id},
                           {"calls_in_progress", counts[position]},
                           {"note", "calls in progress on it go on to their end; new ones go elsewhere"}});
  }
  if (name == "dest.set_state" || name == "dest.set_weight" || name == "dest.set_capacity" || name == "dest.drain" ||
      name == "dest.undrain") {
    uint16_t position;
    std::optional<std::string> state_text, resource;
    std::optional<int64_t> weight, capacity;
    const bool is_state = name == "dest.set_state", is_weight = name == "dest.set_weight",
               is_capacity = name == "dest.set_capacity";
    if (is_state && (!api::check_known(args, {"uri", "set", "state"}, error) ||
                     !api::get_enum(args, "state", {"active", "inactive", "probing", "disabled", "a", "i", "p", "d"},
                                    state_text, error)))
      return error;
    if (is_weight && (!api::check_known(args, {"uri", "set", "weight"}, error) ||
                      !api::get_integer(args, "weight", weight, 0, 65535, error)))
      return error;
    if (is_capacity && (!api::check_known(args, {"uri", "set", "resource", "capacity"}, error) ||
                        !api::get_integer(args, "capacity", capacity, 0, UINT32_MAX, error) ||
                        !api::get_string(args, "resource", resource, error)))
      return error;
    if (!is_state && !is_weight && !is_capacity && !api::check_known(args, {"uri", "set"}, error)) return error;
    if ((is_state && !state_text) || (is_weight && !weight) || (is_capacity && !capacity)) {
      const char* field = is_state ? "state" : is_weight ? "weight" : "capacity";
      return Reply::failure(api::code::bad_argument, api::arg_field(field), std::string(field) + " is required");
    }
    if (Reply r = find_destination(args, position); !r.ok) return r;
    const auto& sc = running_.sets[position_set_[position]];
    const std::string uri = destination_at(position).uri;
    if (is_capacity) {
      if (sc.set.algorithm != balance::Algorithm::least_loaded)
        return Reply::failure(api::code::conflict, "args.uri",
                              "set " + std::to_string(sc.set.id) + " is not least-loaded: capacities do not apply");
      if (!resource) {
        if (sc.set.resources.size() != 1)
          return Reply::failure(api::code::bad_argument, "args.resource",
                                "set " + std::to_string(sc.set.id) + " has several resources: say which");
        resource = sc.set.resources.front();
      }
      bool known = false;
      for (const auto& r : sc.set.resources) known |= r == *resource;
      if (!known)
        return Reply::failure(api::code::bad_argument, "args.resource",
                              "set " + std::to_string(sc.set.id) + " has no resource \"" + *resource + "\"");
    }
    const DestinationOverride before = overlay_.find(sc.set.id, uri) ? *overlay_.find(sc.set.id, uri) : DestinationOverride{};
    const auto states_before = prober_->states();
    DestinationOverride& o = overlay_.at(sc.set.id, uri);
    if (is_state) {
      o.state = parse_state(*state_text);
      prober_->set_state(position, *o.state);
    }
    if (is_weight) o.weight = static_cast<uint16_t>(*weight);
    if (is_capacity) o.capacity[*resource] = static_cast<uint32_t>(*capacity);
    if (name == "dest.drain") o.drained = true;
    if (name == "dest.undrain") o.drained = false;
    std::string why;
    if (!apply_overlay(why)) {
      overlay_.at(sc.set.id, uri) = before;
      if (before.empty()) overlay_.erase(sc.set.id, uri);
      prober_->set_state(position, states_before[position]);
      return Reply::failure(api::code::failed, "", "the change was not applied: " + why);
    }
    if (overlay_.find(sc.set.id, uri) && overlay_.find(sc.set.id, uri)->empty()) overlay_.erase(sc.set.id, uri);
    persist_override(sc.set.id, uri);
    if (logs(LogLevel::info)) {
      std::printf("siplbd: api: %s %s (set %u)\n", name.c_str(), uri.c_str(), sc.set.id);
      std::fflush(stdout);
    }
    return Reply::success(destination_json(position));
  }
  if (name == "dest.diff") {
    if (!api::check_known(args, {}, error)) return error;
    Json changes = Json::array();
    for (const OverlayChange& c : overlay_.diff(file_))
      changes.push_back({{"set", c.set}, {"uri", c.uri}, {"field", c.field}, {"config", Json::parse(c.config)},
                         {"running", Json::parse(c.running)}});
    return Reply::success({{"changes", changes}});
  }
  if (name == "dest.export") {
    std::string format = "toml";
    if (!api::check_known(args, {"format"}, error) ||
        !api::get_enum(args, "format", Arg::optional, {"toml", "dispatcher.list", "db_text"}, format, error))
      return error;
    const auto states = prober_->states();
    return Reply::success({{"format", format},
                           {"text", format == "toml"              ? export_sets_toml(running_, states)
                                    : format == "dispatcher.list" ? export_dispatcher_list(running_, states)
                                                                  : export_db_text(running_, states)}});
  }
  if (name == "hash") {
    std::string key;
    std::optional<int64_t> set;
    if (!api::check_known(args, {"key", "set"}, error) || !api::get_string(args, "key", Arg::required, key, error) ||
        !api::get_integer(args, "set", set, 0, UINT32_MAX, error))
      return error;
    int32_t set_position = 0;
    if (set) {
      set_position = -1;
      for (std::size_t k = 0; k < running_.sets.size(); ++k)
        if (running_.sets[k].set.id == static_cast<uint32_t>(*set)) set_position = static_cast<int32_t>(k);
      if (set_position < 0) return Reply::failure(api::code::not_found, "args.set", "no set " + std::to_string(*set));
    }
    const dataplane::Snapshot* snap = engine_.snapshot();
    const balance::Selection s = snap->selector->select_by_hash(set_position, balance::hash_key(key));
    const auto& sc = running_.sets[static_cast<std::size_t>(set_position)];
    if (s.index < 0)
      return Reply::success({{"set", sc.set.id}, {"key", key}, {"destination", nullptr}, {"state", nullptr}});
    const auto position = static_cast<uint16_t>(snap->set_base[static_cast<std::size_t>(set_position)] + s.index);
    return Reply::success({{"set", sc.set.id}, {"key", key}, {"destination", destination_at(position).uri},
                           {"state", std::string(balance::state_name(prober_->states()[position]))}});
  }
  if (name == "dialogs.count") {
    if (!api::check_known(args, {}, error)) return error;
    std::vector<uint32_t> counts(position_set_.size());
    engine_.count_dialogs_by_destination(counts.data(), counts.size());
    Json by = Json::array();
    for (uint16_t p = 0; p < counts.size(); ++p)
      if (listed(p) && running_.sets[position_set_[p]].set.algorithm == balance::Algorithm::least_loaded)
        by.push_back({{"set", set_id_of(p)}, {"uri", destination_at(p).uri}, {"dialogs", counts[p]}});
    return Reply::success(
        {{"live", engine_.dialogs_live()}, {"capacity", engine_.dialogs_capacity()}, {"by_destination", by}});
  }
  if (name == "dialogs.list") {
    std::optional<std::string> destination, phase;
    int64_t limit = kDefaultDialogListLimit;
    if (!api::check_known(args, {"destination", "phase", "limit"}, error) ||
        !api::get_string(args, "destination", destination, error) ||
        !api::get_enum(args, "phase", {"early", "confirmed"}, phase, error) ||
        !api::get_integer(args, "limit", Arg::optional, 1, kMaxDialogListLimit, limit, error))
      return error;
    Json list = Json::array();
    bool truncated = false;
    dataplane::DialogView d;
    for (int32_t slot = engine_.next_dialog(0, d); slot >= 0; slot = engine_.next_dialog(slot + 1, d)) {
      if (phase && *phase != phase_name(d.phase)) continue;
      if (destination && (d.destination >= position_set_.size() || destination_at(d.destination).uri != *destination))
        continue;
      if (list.size() >= static_cast<std::size_t>(limit)) {
        truncated = true;
        break;
      }
      list.push_back(dialog_json(d));
    }
    return Reply::success({{"dialogs", list}, {"truncated", truncated}});
  }
  if (name == "dialogs.show" || name == "dialogs.end") {
    std::string id;
    dataplane::DialogKey key{};
    if (!api::check_known(args, {"id"}, error) || !api::get_string(args, "id", Arg::required, id, error)) return error;
    if (!parse_dialog_id(id, key))
      return Reply::failure(api::code::bad_argument, "args.id",
                            "a dialog id is 16 hex digits, '-', 16 hex digits (siplbctl dialogs list shows them)");
    dataplane::DialogView d;
    if (!engine_.find_dialog(key, d)) return Reply::failure(api::code::not_found, "args.id", "no live dialog " + id);
    if (name == "dialogs.show") return Reply::success(dialog_json(d));
    if (!engine_.end_dialog(key)) return Reply::failure(api::code::not_found, "args.id", "dialog " + id + " ended meanwhile");
    erase_dialog(key);
    return Reply::success({{"ended", id},
                           {"note", "nothing was sent to either side (no BYE yet); the capacity it held on " +
                                        destination_at(d.destination).uri + " is free"}});
  }
  if (name == "reload") {
    if (!api::check_known(args, {}, error)) return error;
    std::string why;
    if (!reload(why)) return Reply::failure(api::code::failed, "", "reload refused, the running configuration stays: " + why);
    std::printf("siplbd: reloaded %s (api)\n", file_.source.c_str());
    std::fflush(stdout);
    return Reply::success({{"generation", version_}, {"config", file_.source}});
  }
  if (name == "log_level") {
    std::optional<std::string> level;
    if (!api::check_known(args, {"level"}, error) ||
        !api::get_enum(args, "level", {"error", "warning", "info", "debug"}, level, error))
      return error;
    if (level) {
      for (LogLevel l : {LogLevel::error, LogLevel::warning, LogLevel::info, LogLevel::debug})
        if (*level == log_level_name(l)) log_level_ = l;
    }
    return Reply::success({{"level", log_level_name(log_level_)}});
  }
  return Reply::failure(api::code::unknown_command, "command", "no command " + name);
}

}  // namespace siplb::control
