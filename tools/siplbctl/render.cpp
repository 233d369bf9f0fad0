// Human renderings of the management API's results (see render.hpp).
#include "render.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "table.hpp"

namespace siplbctl {

namespace {

const Json& field(const Json& object, std::string_view key) {
  static const Json absent;
  if (!object.is_object()) return absent;
  auto found = object.find(key);
  return found == object.end() ? absent : *found;
}

std::string decimal(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

// Any JSON value as a table cell: strings bare, null as "-", containers as compact JSON.
std::string text(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    double number = value.get<double>();
    return std::trunc(number) == number && std::fabs(number) < 1e15 ? decimal(number, 0) : decimal(number, 1);
  }
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string text(const Json& object, std::string_view key) { return text(field(object, key)); }

// ["calls", "registrations"] -> "calls, registrations"; empty -> "-".
std::string joined(const Json& list) {
  if (!list.is_array() || list.empty()) return "-";
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : ", ") + text(item);
  return out;
}

// {"calls": 100} -> "calls 100"; empty -> "-".
std::string per_resource(const Json& values) {
  if (!values.is_object() || values.empty()) return "-";
  std::string out;
  for (const auto& [resource, value] : values.items()) out += (out.empty() ? "" : ", ") + resource + " " + text(value);
  return out;
}

// load {"calls": 3} with capacity {"calls": 100} -> "calls 3/100".
std::string load_of_capacity(const Json& load, const Json& capacity) {
  std::string out;
  auto add = [&](const std::string& resource) {
    out += (out.empty() ? "" : ", ") + resource + " " + text(field(load, resource)) + "/" +
           text(field(capacity, resource));
  };
  if (capacity.is_object()) {
    for (const auto& [resource, value] : capacity.items()) add(resource);
  }
  if (load.is_object()) {
    for (const auto& [resource, value] : load.items()) {
      if (!capacity.is_object() || !capacity.contains(resource)) add(resource);
    }
  }
  return out.empty() ? "-" : out;
}

std::string state_of(const Json& destination) {
  std::string state = text(destination, "state");
  if (field(destination, "drained") == true) state += ",drained";
  return state;
}

// "off" when probing is disabled; else the last answer's code and the failures in a row.
std::string probe_summary(const Json& probe) {
  if (probe.is_null()) return "-";
  if (field(probe, "enabled") == false) return "off";
  const Json& code = field(probe, "last_code");
  std::string out = code.is_null() || code == 0 ? "-" : text(code);
  const Json& failures = field(probe, "failures");
  if (failures.is_number() && failures.get<double>() > 0) out += ", " + text(failures) + " failed";
  return out;
}

void print_pairs(const std::vector<std::pair<std::string, std::string>>& pairs, std::ostream& out) {
  std::size_t width = 0;
  for (const auto& [key, value] : pairs) width = std::max(width, key.size());
  for (const auto& [key, value] : pairs) out << key << std::string(width - key.size() + 2, ' ') << value << '\n';
}

// "2m05s (125.5 s)": the exact seconds too once the short form rounds them.
std::string long_duration(const Json& seconds) {
  if (!seconds.is_number()) return text(seconds);
  double value = seconds.get<double>();
  std::string out = duration_text(value);
  if (value >= 60) out += " (" + decimal(value, 1) + " s)";
  return out;
}

// A count as a cell, or "-" when absent.
std::string count(const Json& object, std::string_view key) { return text(field(object, key)); }

}  // namespace

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  if (seconds < 60) return decimal(seconds, 1) + "s";
  auto whole = static_cast<uint64_t>(seconds);
  char buffer[64];
  if (whole < 3600) {
    std::snprintf(buffer, sizeof(buffer), "%lum%02lus", static_cast<unsigned long>(whole / 60),
                  static_cast<unsigned long>(whole % 60));
  } else if (whole < 86400) {
    std::snprintf(buffer, sizeof(buffer), "%luh%02lum", static_cast<unsigned long>(whole / 3600),
                  static_cast<unsigned long>(whole % 3600 / 60));
  } else {
    std::snprintf(buffer, sizeof(buffer), "%lud%02luh", static_cast<unsigned long>(whole / 86400),
                  static_cast<unsigned long>(whole % 86400 / 3600));
  }
  return buffer;
}

void render_status(const Json& status, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(16);
  pairs.emplace_back("version", text(status, "version"));
  pairs.emplace_back("pid", text(status, "pid"));
  const Json& uptime = field(status, "uptime_s");
  pairs.emplace_back("uptime", long_duration(uptime));
  pairs.emplace_back("config", text(status, "config"));
  pairs.emplace_back("snapshot generation", text(status, "snapshot_generation"));

  const Json& lcores = field(status, "lcores");
  std::string lcore_text = "main " + text(lcores, "main");
  const Json& workers = field(lcores, "workers");
  if (workers.is_array() && !workers.empty()) {
    lcore_text += "; workers";
    for (const auto& worker : workers) {
      lcore_text += ' ';
      lcore_text += text(worker, "worker");
      lcore_text += "@lcore";
      lcore_text += text(worker, "lcore");
    }
  }
  pairs.emplace_back("lcores", lcore_text);

  const Json& dialogs = field(status, "dialogs");
  pairs.emplace_back("dialogs", dialogs.is_object() ? text(dialogs, "live") + " live of " + text(dialogs, "capacity")
                                                    : "not tracked");
  const Json& store = field(status, "store");
  if (store.is_object()) {
    pairs.emplace_back("store", text(store, "state") + ", durability " + text(store, "durability") + ", dir " +
                                    text(store, "dir"));
    pairs.emplace_back("store writes", text(store, "batches") + " batches, " + text(store, "records") + " records, " +
                                           text(store, "write_errors") + " errors");
    const Json& last_error = field(store, "last_error");
    if (last_error.is_string() && !last_error.get<std::string>().empty()) {
      pairs.emplace_back("store last error", last_error.get<std::string>());
    }
  } else {
    pairs.emplace_back("store", "-");
  }
  pairs.emplace_back("log level", text(status, "log_level"));
  print_pairs(pairs, out);

  const Json& ports = field(status, "ports");
  if (!ports.is_array() || ports.empty()) return;
  out << '\n';
  Table table({{"INTERFACE"}, {"DRIVER"}, {"MAC"}, {"ADDRESS"}, {"ADDRESS6"},
               {"RX_PACKETS", Align::right}, {"TX_PACKETS", Align::right}, {"RX_BYTES", Align::right},
               {"TX_BYTES", Align::right}, {"RX_MISSED", Align::right}, {"RX_ERRORS", Align::right},
               {"TX_ERRORS", Align::right}, {"RX_NOMBUF", Align::right}});
  for (const auto& port : ports) {
    table.add_row({text(port, "interface"), text(port, "driver"), text(port, "mac"), text(port, "address"),
                   text(port, "address6"), count(port, "ipackets"), count(port, "opackets"), count(port, "ibytes"),
                   count(port, "obytes"), count(port, "imissed"), count(port, "ierrors"), count(port, "oerrors"),
                   count(port, "rx_nombuf")});
  }
  table.print(out);
}

void render_stats(const Json& stats, std::ostream& out, const Json* previous, double elapsed_s) {
  const Json& totals = field(stats, "totals");
  bool rates = previous && elapsed_s > 0;
  std::vector<Column> total_columns = {{"COUNTER"}, {"TOTAL", Align::right}};
  if (rates) total_columns.push_back({"PER_SECOND", Align::right});
  Table total_table(total_columns);
  if (totals.is_object()) {
    const Json& before = previous ? field(*previous, "totals") : Json();
    for (const auto& [name, value] : totals.items()) {
      std::vector<std::string> row = {name, text(value)};
      if (rates) {
        const Json& earlier = field(before, name);
        row.push_back(value.is_number() && earlier.is_number()
                          ? decimal((value.get<double>() - earlier.get<double>()) / elapsed_s, 1)
                          : "-");
      }
      total_table.add_row(std::move(row));
    }
  }
  total_table.print(out);

  const Json& workers = field(stats, "workers");
  if (workers.is_array() && !workers.empty()) {
    out << '\n';
    Table table({{"WORKER", Align::right}, {"RX_PACKETS", Align::right}, {"TX_PACKETS", Align::right},
                 {"FWD_REQUESTS", Align::right}, {"FWD_RESPONSES", Align::right}, {"REPLIES", Align::right},
                 {"DROPS", Align::right}, {"EVENTS_DROPPED", Align::right}});
    for (const auto& worker : workers) {
      table.add_row({text(worker, "worker"), count(worker, "rx_packets"), count(worker, "tx_packets"),
                     count(worker, "forwarded_requests"), count(worker, "forwarded_responses"),
                     count(worker, "replies"), count(worker, "drops"), count(worker, "events_dropped")});
    }
    table.print(out);
  }

  const Json& replies = field(stats, "replies");
  if (replies.is_object() && !replies.empty()) {
    out << '\n';
    Table table({{"REPLY", Align::right}, {"SENT", Align::right}});
    for (const auto& [status_code, sent] : replies.items()) table.add_row({status_code, text(sent)});
    table.print(out);
  }

  const Json& drops = field(stats, "drops");
  if (drops.is_object() && !drops.empty()) {
    out << '\n';
    Table table({{"DROP_REASON"}, {"PACKETS", Align::right}});
    for (const auto& [reason, dropped] : drops.items()) table.add_row({reason, text(dropped)});
    table.print(out);
  }

  const Json& destinations = field(stats, "destinations");
  if (destinations.is_array() && !destinations.empty()) {
    out << '\n';
    Table table({{"SET", Align::right}, {"DESTINATION"}, {"FORWARDED", Align::right}});
    for (const auto& destination : destinations) {
      table.add_row({text(destination, "set"), text(destination, "uri"), count(destination, "forwarded")});
    }
    table.print(out);
  }
}

void render_destination_list(const Json& list, std::ostream& out) {
  const Json& sets = field(list, "sets");
  if (!sets.is_array() || sets.empty()) {
    out << "no destination sets\n";
    return;
  }
  Table set_table({{"SET", Align::right}, {"NAME"}, {"ALGORITHM"}, {"RESOURCES"}, {"DESTINATIONS", Align::right}});
  Table table({{"SET", Align::right}, {"URI"}, {"STATE"}, {"WEIGHT", Align::right}, {"PRIO", Align::right},
               {"LOAD/CAPACITY"}, {"CALLS", Align::right}, {"PROBE"}, {"FORWARDED", Align::right}, {"ORIGIN"}});
  for (const auto& set : sets) {
    const Json& destinations = field(set, "destinations");
    set_table.add_row({text(set, "id"), text(set, "name"), text(set, "algorithm"), joined(field(set, "resources")),
                       std::to_string(destinations.is_array() ? destinations.size() : 0)});
    if (!destinations.is_array()) continue;
    for (const auto& destination : destinations) {
      table.add_row({text(destination, "set"), text(destination, "uri"), state_of(destination),
                     text(destination, "weight"), text(destination, "priority"),
                     load_of_capacity(field(destination, "load"), field(destination, "capacity")),
                     text(destination, "dialogs"), probe_summary(field(destination, "probe")), count(destination, "forwarded"),
                     text(destination, "origin")});
    }
  }
  set_table.print(out);
  out << '\n';
  table.print(out);
}

void render_destination(const Json& destination, std::ostream& out) {
  const Json& probe = field(destination, "probe");
  std::string probe_text = "-";
  if (probe.is_object()) {
    probe_text = field(probe, "enabled") == false
                     ? "off"
                     : "on, last code " + text(probe, "last_code") + ", " + text(probe, "failures") +
                           " failures and " + text(probe, "successes") + " successes in a row";
  }
  print_pairs({{"uri", text(destination, "uri")},
               {"set", text(destination, "set")},
               {"state", text(destination, "state")},
               {"drained", field(destination, "drained") == true ? "yes" : "no"},
               {"weight", text(destination, "weight")},
               {"priority", text(destination, "priority")},
               {"capacity", per_resource(field(destination, "capacity"))},
               {"load", per_resource(field(destination, "load"))},
               {"calls", text(destination, "dialogs")},
               {"probe", probe_text},
               {"forwarded", text(destination, "forwarded")},
               {"origin", text(destination, "origin")}},
              out);
}

void render_destination_removed(const Json& removed, std::ostream& out) {
  out << "removed " << text(removed, "removed") << " from set " << text(removed, "set") << '\n';
}

void render_destination_diff(const Json& diff, std::ostream& out) {
  const Json& changes = field(diff, "changes");
  if (!changes.is_array() || changes.empty()) {
    out << "the running destinations match the configuration\n";
    return;
  }
  Table table({{"SET", Align::right}, {"URI"}, {"FIELD"}, {"CONFIG"}, {"RUNNING"}});
  for (const auto& change : changes) {
    table.add_row({text(change, "set"), text(change, "uri"), text(change, "field"), text(change, "config"),
                   text(change, "running")});
  }
  table.print(out);
}

void render_destination_export(const Json& exported, std::ostream& out) {
  std::string exported_text = text(exported, "text");
  out << exported_text;
  if (!exported_text.empty() && exported_text.back() != '\n') out << '\n';
}

void render_destination_enabled(const Json& destination, std::ostream& out) {
  std::string state = text(destination, "state");
  out << text(destination, "uri") << ": " << (state == "disabled" ? "disabled" : "enabled") << " (state "
      << state_of(destination) << ")\n";
}

void render_hash(const Json& hash, std::ostream& out) {
  out << "key \"" << text(hash, "key") << "\" -> " << text(hash, "destination") << " (set " << text(hash, "set")
      << ", " << text(hash, "state") << ")\n";
}

void render_dialog_count(const Json& count_result, std::ostream& out) {
  out << text(count_result, "live") << " live dialogs of " << text(count_result, "capacity") << " capacity\n";
  const Json& by_destination = field(count_result, "by_destination");
  if (!by_destination.is_array() || by_destination.empty()) return;
  out << '\n';
  Table table({{"SET", Align::right}, {"DESTINATION"}, {"DIALOGS", Align::right}});
  for (const auto& entry : by_destination) {
    table.add_row({text(entry, "set"), text(entry, "uri"), text(entry, "dialogs")});
  }
  table.print(out);
}

namespace {
std::string seconds_cell(const Json& value) {
  return value.is_number() ? duration_text(value.get<double>()) : text(value);
}
}  // namespace

void render_dialog_list(const Json& list, std::ostream& out) {
  const Json& dialogs = field(list, "dialogs");
  if (!dialogs.is_array() || dialogs.empty()) {
    out << "no dialogs\n";
    return;
  }
  Table table({{"ID"}, {"SET", Align::right}, {"DESTINATION"}, {"PHASE"}, {"AGE", Align::right},
               {"IDLE", Align::right}, {"RESOURCES"}});
  for (const auto& dialog : dialogs) {
    table.add_row({text(dialog, "id"), text(dialog, "set"), text(dialog, "destination"), text(dialog, "phase"),
                   seconds_cell(field(dialog, "age_s")), seconds_cell(field(dialog, "idle_s")),
                   joined(field(dialog, "resources"))});
  }
  table.print(out);
  if (field(list, "truncated") == true) {
    out << "(" << dialogs.size() << " shown; more match: raise --limit or narrow with --destination/--phase)\n";
  }
}

void render_dialog(const Json& dialog, std::ostream& out) {
  print_pairs({{"id", text(dialog, "id")},
               {"set", text(dialog, "set")},
               {"destination", text(dialog, "destination")},
               {"phase", text(dialog, "phase")},
               {"age", long_duration(field(dialog, "age_s"))},
               {"idle", long_duration(field(dialog, "idle_s"))},
               {"resources", joined(field(dialog, "resources"))}},
              out);
}

void render_dialog_ended(const Json& ended, std::ostream& out) {
  out << "ended " << text(ended, "ended") << '\n';
  const Json& note = field(ended, "note");
  if (note.is_string() && !note.get<std::string>().empty()) out << note.get<std::string>() << '\n';
}

void render_reload(const Json& reload, std::ostream& out) {
  out << "reloaded " << text(reload, "config") << " (snapshot generation " << text(reload, "generation") << ")\n";
}

void render_ha_status(const Json& s, std::ostream& out) {
  if (!s.value("configured", false)) {
    out << "not an HA pair (no [peer]); virtual IPs " << (s.value("vip_active", false) ? "held" : "none") << '\n';
    return;
  }
  out << "node " << text(s, "node_id") << " (priority " << text(s, "priority") << "): " << text(s, "role")
      << (s.value("healthy", false) ? "" : ", unhealthy") << ", epoch " << text(s, "epoch") << ", virtual IPs "
      << (s.value("vip_active", false) ? "held" : "not held") << '\n';
  const Json peer = s.value("peer", Json::object());
  out << "peer node " << text(peer, "node_id") << ": " << (peer.value("alive", false) ? "alive" : "dead") << ", "
      << text(peer, "role");
  if (peer.contains("last_heard_ms") && peer["last_heard_ms"].is_number())
    out << ", last heard " << peer["last_heard_ms"].get<double>() << " ms ago";
  out << '\n';
  const Json c = s.value("counters", Json::object());
  out << "heartbeats: sent " << text(c, "heartbeats_sent") << ", received " << text(c, "heartbeats_received")
      << ", lost " << text(c, "heartbeats_lost") << ", refused " << text(c, "heartbeats_refused")
      << "; split brains " << text(c, "split_brains") << '\n';
  const Json transitions = s.value("transitions", Json::array());
  if (!transitions.empty()) out << "transitions:\n";
  for (const Json& t : transitions)
    out << "  " << text(t, "at_ms") << "  " << text(t, "from") << " -> " << text(t, "to") << "  (" << text(t, "reason")
        << ", epoch " << text(t, "epoch") << ")\n";
}

void render_peer_status(const Json& s, std::ostream& out) {
  if (!s.value("configured", false)) {
    out << "no replication (no [peer])\n";
    return;
  }
  out << "link " << text(s, "state") << ", lag " << text(s, "lag_records") << " records / " << text(s, "lag_ms")
      << " ms\n";
  out << "sent " << text(s, "records_sent") << " of " << text(s, "records_appended") << " records (acknowledged up to "
      << text(s, "last_acked_seq") << "); received " << text(s, "records_received") << ", applied "
      << text(s, "records_applied") << ", stale " << text(s, "records_stale") << '\n';
  out << "full syncs: sent " << text(s, "full_syncs_sent") << " (" << text(s, "full_syncs_sent_completed")
      << " completed, " << text(s, "sync_records_sent") << " records), received " << text(s, "full_syncs_received")
      << " (" << text(s, "full_syncs_received_completed") << " completed, " << text(s, "sync_records_received")
      << " records)";
  if (s.contains("sync_percent")) out << "; in progress " << text(s, "sync_percent") << " %";
  out << '\n';
  out << "connections " << text(s, "connections") << " (reconnects " << text(s, "reconnects") << "), frames refused: auth "
      << text(s, "auth_failures") << ", parse " << text(s, "parse_failures") << '\n';
  if (s.contains("last_error")) out << "last error: " << text(s, "last_error") << '\n';
}

void render_ha_switchover(const Json& result, std::ostream& out) {
  out << "switchover " << text(result, "result") << ": the peer takes over, this node steps down once it has\n";
}

void render_log_level(const Json& level, std::ostream& out) { out << "log level " << text(level, "level") << '\n'; }

namespace {

// q as people write it: 0.5, 1, 0.125; "-" when the contact gave none (counted as 1).
std::string q_text(const Json& q) {
  if (!q.is_number()) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3g", q.get<double>());
  return buffer;
}

// Unix milliseconds as UTC: "2024-05-01 12:00:00.123Z".
std::string unix_ms_text(const Json& ms) {
  if (!ms.is_number_integer()) return text(ms);
  const int64_t value = ms.get<int64_t>();
  const std::time_t seconds = static_cast<std::time_t>(value / 1000);
  std::tm tm{};
  if (!::gmtime_r(&seconds, &tm)) return text(ms);
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d %02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(value % 1000));
  return buffer;
}

std::string plural(const Json& n, const char* one, const char* many) {
  return text(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void render_aor_contacts(const Json& aor, std::ostream& out) {
  const Json& contacts = field(aor, "contacts");
  const std::size_t n = contacts.is_array() ? contacts.size() : 0;
  out << text(aor, "aor") << ": " << n << (n == 1 ? " contact" : " contacts");
  if (field(aor, "replaced").is_boolean()) out << (field(aor, "replaced") == true ? " (replaced)" : " (added)");
  out << '\n';
  if (n == 0) return;
  Table table({{"#", Align::right}, {"CONTACT"}, {"EXPIRES", Align::right}, {"Q", Align::right}, {"RECEIVED"},
               {"PATH"}});
  std::size_t rank = 0;
  for (const auto& c : contacts) {
    table.add_row({std::to_string(++rank), text(c, "contact"), seconds_cell(field(c, "expires")),
                   q_text(field(c, "q")), text(c, "received"), text(c, "path")});
  }
  table.print(out);
}

void render_aor_show(const Json& aor, std::ostream& out) {
  const Json& contacts = field(aor, "contacts");
  out << "aor " << text(aor, "aor") << '\n';
  if (!contacts.is_array()) return;
  for (const auto& c : contacts) {
    out << '\n';
    print_pairs({{"contact", text(c, "contact")},
                 {"expires", long_duration(field(c, "expires"))},
                 {"q", q_text(field(c, "q"))},
                 {"received", text(c, "received")},
                 {"path", text(c, "path")},
                 {"instance", text(c, "instance")},
                 {"reg_id", text(c, "reg_id")},
                 {"call_id", text(c, "call_id")},
                 {"cseq", text(c, "cseq")},
                 {"updated", unix_ms_text(field(c, "updated"))}},
                out);
  }
}

void render_binding_list(const Json& list, std::ostream& out) {
  const Json& aors = field(list, "aors");
  if (!aors.is_array() || aors.empty()) {
    out << "no bindings\n";
  } else {
    Table table({{"AOR"}, {"CONTACT"}, {"EXPIRES", Align::right}, {"Q", Align::right}, {"RECEIVED"}});
    for (const auto& aor : aors) {
      bool first = true;
      const Json& contacts = field(aor, "contacts");
      if (!contacts.is_array()) continue;
      for (const auto& c : contacts) {
        table.add_row({first ? text(aor, "aor") : std::string(), text(c, "contact"), seconds_cell(field(c, "expires")),
                       q_text(field(c, "q")), text(c, "received")});
        first = false;
      }
    }
    table.print(out);
  }
  if (field(list, "truncated") == true) {
    out << "(" << aors.size() << " AoRs shown; more match: raise --limit or narrow with --domain)\n";
  }
  out << plural(field(list, "total_aors"), "AoR", "AoRs") << ", "
      << plural(field(list, "total_contacts"), "contact", "contacts") << " in the table\n";
}

void render_bindings_removed(const Json& removed, std::ostream& out) {
  out << "removed " << plural(field(removed, "removed"), "contact", "contacts") << " of " << text(removed, "aor")
      << " (" << text(removed, "contacts_left") << " left)\n";
}

void render_binding_count(const Json& count_result, std::ostream& out) {
  out << plural(field(count_result, "aors"), "AoR", "AoRs") << ", "
      << plural(field(count_result, "contacts"), "contact", "contacts") << " (table capacity "
      << text(count_result, "capacity") << " AoRs)\n";
}

void render_binding_import(const Json& imported, std::ostream& out) {
  out << "imported " << plural(field(imported, "imported"), "binding", "bindings") << " of "
      << plural(field(imported, "aors"), "AoR", "AoRs") << " from " << text(imported, "file") << '\n';
  print_pairs({{"rows", count(imported, "rows")},
               {"replaced", count(imported, "replaced")},
               {"expired", count(imported, "expired")},
               {"permanent", count(imported, "permanent")},
               {"over_limit", count(imported, "over_limit")},
               {"not_served", count(imported, "not_served")},
               {"table_full", count(imported, "table_full")}},
              out);
}

void render_subscribers_reloaded(const Json& reloaded, std::ostream& out) {
  out << "reloaded " << plural(field(reloaded, "subscribers"), "subscriber", "subscribers") << " from "
      << text(reloaded, "file") << '\n';
}

}  // namespace siplbctl
