// siplbctl's subcommands and the requests they make (see command_line.hpp; docs/API.md lists the
// API commands and their arguments).
#include "command_line.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "render.hpp"

#ifndef SIPLBCTL_VERSION
#define SIPLBCTL_VERSION "unknown"
#endif

namespace siplbctl {

namespace {

constexpr const char* kOpenSipsGroup = "OpenSIPS MI names";
constexpr const char* kKamailioGroup = "Kamailio RPC names";

std::optional<int64_t> integer_from_text(const std::string& text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "calls=100" -> ("calls", 100).
std::optional<std::pair<std::string, int64_t>> capacity_from_text(const std::string& text) {
  auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) return std::nullopt;
  auto value = integer_from_text(text.substr(equals + 1));
  if (!value) return std::nullopt;
  return std::make_pair(text.substr(0, equals), *value);
}

CLI::Validator state_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto state = destination_state_from_text(value);
        if (!state) {
          return "STATE must be active, inactive, probing or disabled (or a, i, p, d, ap, ip), got \"" + value + "\"";
        }
        value = *state;
        return "";
      },
      "active|inactive|probing|disabled|a|i|p|d", "STATE");
}

CLI::Validator capacity_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (!capacity_from_text(value)) return "capacity must be RESOURCE=N (e.g. calls=100), got \"" + value + "\"";
        return "";
      },
      "RESOURCE=N", "CAPACITY");
}

CLI::Validator log_level_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value == "warn") value = "warning";
        if (value == "error" || value == "warning" || value == "info" || value == "debug") return "";
        return "LEVEL must be error, warning, info or debug, got \"" + value + "\"";
      },
      "error|warning|info|debug", "LEVEL");
}

void put_optional(Json& args, const char* name, const std::optional<int64_t>& value) {
  if (value) args[name] = *value;
}
void put_optional(Json& args, const char* name, const std::optional<std::string>& value) {
  if (value) args[name] = *value;
}
void put_optional(Json& args, const char* name, const std::optional<double>& value) {
  if (value) args[name] = *value;
}

// The file as siplbd (whose working folder is not ours) must open it: relative paths made absolute.
std::string absolute_path(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

// usrloc aliases take the table name first ("location"), which siplb, with one table, ignores:
// a first word without '@' is that name (an AoR always has one).
std::vector<std::string> without_table(std::vector<std::string> words) {
  if (!words.empty() && words.front().find('@') == std::string::npos) words.erase(words.begin());
  return words;
}

std::string usage_of(const std::string& name, const std::string& what) { return name + ": " + what; }

}  // namespace

std::optional<std::string> destination_state_from_text(const std::string& text) {
  if (text == "active" || text == "a" || text == "A" || text == "ap" || text == "AP") return "active";
  if (text == "inactive" || text == "i" || text == "I") return "inactive";
  // Kamailio's "ip" is inactive and probed until it answers, which is siplbd's probing state.
  if (text == "probing" || text == "p" || text == "P" || text == "ip" || text == "IP") return "probing";
  if (text == "disabled" || text == "d" || text == "D") return "disabled";
  return std::nullopt;
}

CommandLine::CommandLine() : app_("siplbctl: manage a running siplbd through its management API", "siplbctl") {
  app_.set_version_flag("--version", "siplbctl " SIPLBCTL_VERSION);
  // Global options are accepted after the subcommand too ("siplbctl dest list --json").
  app_.fallthrough();
  app_.require_subcommand(1);
  app_.add_option("--socket", global_.socket, "siplbd's API socket")
      ->envname("SIPLB_SOCKET")
      ->default_str(kDefaultSocket)
      ->type_name("PATH");
  app_.add_flag("--json", global_.json, "Print the result as JSON (pretty) instead of tables");
  app_.add_option("--timeout", global_.timeout_s, "Seconds to wait for siplbd, per request")
      ->default_val(5)
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  app_.footer(
      "Exit codes: 0 done; 1 siplbd answered with an error; 2 usage error; 3 cannot reach siplbd\n"
      "(connection, timeout, protocol). docs/API.md describes every command and its JSON.");
  add_native_commands();
  add_opensips_aliases();
  add_kamailio_aliases();
}

std::optional<int> CommandLine::parse(int argc, char** argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app_.exit(error);  // prints help, the version or the usage error
    return code == 0 ? 0 : 2;
  }
  return std::nullopt;
}

CLI::App* CommandLine::add(CLI::App& parent, const std::string& name, const std::string& description,
                           std::function<void()> build) {
  CLI::App* command = parent.add_subcommand(name, description);
  command->callback(std::move(build));
  return command;
}

void CommandLine::request(std::string command, Json args, std::function<void(const Json&, std::ostream&)> render) {
  invocation_.command = std::move(command);
  invocation_.args = std::move(args);
  invocation_.render = std::move(render);
}

void CommandLine::add_native_commands() {
  add(app_, "status", "Version, uptime, lcores, NIC counters, dialogs, store (API: status)",
      [this] { request("status", Json::object(), render_status); });

  CLI::App* stats = add(app_, "stats", "Packet, reply and drop counters (API: stats)", [this] {
    request("stats", Json::object(), [](const Json& result, std::ostream& out) { render_stats(result, out); });
    invocation_.watch = in_.watch;
    invocation_.interval_s = in_.interval_s;
    invocation_.count = in_.count;
  });
  CLI::Option* watch = stats->add_flag("--watch", in_.watch, "Redraw every interval like top (Ctrl-C ends)");
  stats->add_option("--interval", in_.interval_s, "Seconds between refreshes with --watch")
      ->default_val(1)
      ->check(CLI::PositiveNumber)
      ->needs(watch)
      ->type_name("SEC");
  stats->add_option("--count", in_.count, "Stop after N refreshes with --watch (0: never)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber)
      ->needs(watch)
      ->type_name("N");

  CLI::App* dest = app_.add_subcommand("dest", "Destinations: list, change, drain, compare, export");
  dest->require_subcommand(1);
  add_destination_commands(*dest);

  CLI::App* dialogs = app_.add_subcommand("dialogs", "Dialogs tracked for least-loaded sets");
  dialogs->require_subcommand(1);
  add_dialog_commands(*dialogs);

  CLI::App* reg = app_.add_subcommand("reg", "Registrar bindings: look up, list, add, remove, import");
  reg->require_subcommand(1);
  add_registrar_commands(*reg);

  CLI::App* subscribers = app_.add_subcommand("subscribers", "The registrar's subscriber file");
  subscribers->require_subcommand(1);
  add(*subscribers, "reload", "Re-read the subscriber file; on an error the running table stays (API: subscribers.reload)",
      [this] { request("subscribers.reload", Json::object(), render_subscribers_reloaded); });

  CLI::App* hash = add(app_, "hash", "Which destination a hash key maps to (API: hash)", [this] {
    Json args = {{"key", in_.key}};
    put_optional(args, "set", in_.set);
    request("hash", std::move(args), render_hash);
  });
  hash->add_option("KEY", in_.key, "The key, e.g. a Call-ID")->required();
  hash->add_option("--set", in_.set, "Destination set id (default: the first hash set)");

  add(app_, "peer", "Replication to the HA peer: link state, lag, full syncs, refused frames (API: peer.status)",
      [this] { request("peer.status", Json::object(), render_peer_status); });
  CLI::App* ha = app_.add_subcommand("ha", "The HA pair: roles, the peer, switchover");
  ha->require_subcommand(1);
  add(*ha, "status", "This node's role, the peer's state and the last transitions (API: ha.status)",
      [this] { request("ha.status", Json::object(), render_ha_status); });
  add(*ha, "switchover", "Hand the active role to the peer cleanly (API: ha.switchover)",
      [this] { request("ha.switchover", Json::object(), render_ha_switchover); });
  add(app_, "reload", "Re-read the configuration file (API: reload)",
      [this] { request("reload", Json::object(), render_reload); });

  CLI::App* log_level = add(app_, "log-level", "Show or set siplbd's log level (API: log_level)", [this] {
    Json args = Json::object();
    put_optional(args, "level", in_.level);
    request("log_level", std::move(args), render_log_level);
  });
  log_level->add_option("LEVEL", in_.level, "error, warning, info or debug; without it: show")
      ->transform(log_level_validator());
}

void CommandLine::add_destination_commands(CLI::App& dest) {
  auto with_set = [this](CLI::App* command) {
    command->add_option("--set", in_.set, "Destination set id (needed when the URI is in several sets)");
  };
  auto uri_and_set = [this] {
    Json args = {{"uri", in_.uri}};
    put_optional(args, "set", in_.set);
    return args;
  };

  CLI::App* list = add(dest, "list", "Sets and their destinations: state, weight, load, probes (API: dest.list)",
                       [this] {
                         Json args = Json::object();
                         put_optional(args, "set", in_.set);
                         request("dest.list", std::move(args), render_destination_list);
                       });
  list->add_option("--set", in_.set, "Only this set");

  CLI::App* show = add(dest, "show", "One destination (API: dest.show)",
                       [this, uri_and_set] { request("dest.show", uri_and_set(), render_destination); });
  show->add_option("URI", in_.uri, "Destination URI, e.g. sip:10.0.0.2:5060")->required();
  with_set(show);

  CLI::App* add_command = add(dest, "add", "Add a destination at run time (API: dest.add)", [this] {
    Json args = {{"set", in_.set_required}, {"uri", in_.uri}};
    put_optional(args, "weight", in_.weight_option);
    put_optional(args, "priority", in_.priority);
    if (!in_.capacities.empty()) {
      Json capacity = Json::object();
      for (const auto& text : in_.capacities) {
        auto entry = capacity_from_text(text);  // checked by the validator
        if (entry) capacity[entry->first] = entry->second;
      }
      args["capacity"] = std::move(capacity);
    }
    request("dest.add", std::move(args), render_destination);
  });
  add_command->add_option("SET", in_.set_required, "Destination set id")->required();
  add_command->add_option("URI", in_.uri, "Destination URI")->required();
  add_command->add_option("--weight", in_.weight_option, "Weight (default 1)");
  add_command->add_option("--priority", in_.priority, "Priority (default 0)");
  add_command->add_option("--capacity", in_.capacities, "Capacity per resource, repeatable: calls=100")
      ->check(capacity_validator())
      ->type_name("RES=N");

  CLI::App* remove = add(dest, "remove", "Remove a destination (API: dest.remove)",
                         [this, uri_and_set] { request("dest.remove", uri_and_set(), render_destination_removed); });
  remove->add_option("URI", in_.uri, "Destination URI")->required();
  with_set(remove);

  CLI::App* set_state = add(dest, "set-state", "Set a destination's state (API: dest.set_state)", [this, uri_and_set] {
    Json args = uri_and_set();
    args["state"] = in_.state;
    request("dest.set_state", std::move(args), render_destination);
  });
  set_state->add_option("URI", in_.uri, "Destination URI")->required();
  set_state->add_option("STATE", in_.state, "active, inactive, probing, disabled (or a, i, p, d)")
      ->required()
      ->transform(state_validator());
  with_set(set_state);

  CLI::App* set_weight = add(dest, "set-weight", "Set a destination's weight (API: dest.set_weight)",
                             [this, uri_and_set] {
                               Json args = uri_and_set();
                               args["weight"] = in_.weight;
                               request("dest.set_weight", std::move(args), render_destination);
                             });
  set_weight->add_option("URI", in_.uri, "Destination URI")->required();
  set_weight->add_option("W", in_.weight, "New weight")->required();
  with_set(set_weight);

  CLI::App* set_capacity = add(dest, "set-capacity", "Set a destination's capacity (API: dest.set_capacity)",
                               [this, uri_and_set] {
                                 Json args = uri_and_set();
                                 put_optional(args, "resource", in_.resource);
                                 args["capacity"] = in_.capacity;
                                 request("dest.set_capacity", std::move(args), render_destination);
                               });
  set_capacity->add_option("URI", in_.uri, "Destination URI")->required();
  set_capacity->add_option("N", in_.capacity, "New capacity")->required();
  set_capacity->add_option("--resource", in_.resource, "Resource (default: the set's only one)");
  with_set(set_capacity);

  CLI::App* drain = add(dest, "drain", "No new calls to a destination; its dialogs go on (API: dest.drain)",
                        [this, uri_and_set] { request("dest.drain", uri_and_set(), render_destination); });
  drain->add_option("URI", in_.uri, "Destination URI")->required();
  with_set(drain);

  CLI::App* undrain = add(dest, "undrain", "Take new calls again after a drain (API: dest.undrain)",
                          [this, uri_and_set] { request("dest.undrain", uri_and_set(), render_destination); });
  undrain->add_option("URI", in_.uri, "Destination URI")->required();
  with_set(undrain);

  add(dest, "diff", "Where the running destinations differ from the configuration (API: dest.diff)",
      [this] { request("dest.diff", Json::object(), render_destination_diff); });

  CLI::App* export_command = add(dest, "export", "The running destinations as config text (API: dest.export)",
                                 [this] {
                                   request("dest.export", Json{{"format", in_.format}}, render_destination_export);
                                 });
  export_command->add_option("--format", in_.format,
                             "toml ([[set]] tables), dispatcher.list or db_text (an OpenSIPS dispatcher table)")
      ->default_val("toml")
      ->check(CLI::IsMember({"toml", "dispatcher.list", "db_text"}));
}

void CommandLine::add_dialog_commands(CLI::App& dialogs) {
  add(dialogs, "count", "Live dialogs, per destination (API: dialogs.count)",
      [this] { request("dialogs.count", Json::object(), render_dialog_count); });

  CLI::App* list = add(dialogs, "list", "Dialogs tracked by siplbd (API: dialogs.list)", [this] {
    Json args = Json::object();
    put_optional(args, "destination", in_.destination);
    put_optional(args, "phase", in_.phase);
    put_optional(args, "limit", in_.limit);
    request("dialogs.list", std::move(args), render_dialog_list);
  });
  list->add_option("--destination", in_.destination, "Only those of this destination URI");
  list->add_option("--phase", in_.phase, "early or confirmed")->check(CLI::IsMember({"early", "confirmed"}));
  list->add_option("--limit", in_.limit, "At most N (siplbd's default: 100)")->check(CLI::PositiveNumber);

  CLI::App* show = add(dialogs, "show", "One dialog (API: dialogs.show)",
                       [this] { request("dialogs.show", Json{{"id", in_.id}}, render_dialog); });
  show->add_option("ID", in_.id, "Dialog id as dialogs list prints it")->required();

  CLI::App* end = add(dialogs, "end", "Forget a dialog and free its load (API: dialogs.end)",
                      [this] { request("dialogs.end", Json{{"id", in_.id}}, render_dialog_ended); });
  end->add_option("ID", in_.id, "Dialog id")->required();
}

void CommandLine::add_registrar_commands(CLI::App& reg) {
  CLI::App* lookup = add(reg, "lookup", "Live contacts of an AoR in the order calls pick them (API: reg.lookup)",
                         [this] { request("reg.lookup", Json{{"aor", in_.aor}}, render_aor_contacts); });
  lookup->add_option("AOR", in_.aor, "Address-of-record: sip:alice@example.com or alice@example.com")->required();

  CLI::App* show = add(reg, "show", "Every contact of an AoR with every field (API: reg.show)",
                       [this] { request("reg.show", Json{{"aor", in_.aor}}, render_aor_show); });
  show->add_option("AOR", in_.aor, "Address-of-record")->required();

  CLI::App* list = add(reg, "list", "Registered AoRs and their contacts (API: reg.list)", [this] {
    Json args = Json::object();
    put_optional(args, "domain", in_.domain);
    put_optional(args, "limit", in_.limit);
    request("reg.list", std::move(args), render_binding_list);
  });
  list->add_option("--domain", in_.domain, "Only AoRs of this domain");
  list->add_option("--limit", in_.limit, "At most N AoRs (siplbd's default: 100)")->check(CLI::PositiveNumber);

  CLI::App* add_command = add(reg, "add", "Add or replace one contact of an AoR (API: reg.add)", [this] {
    Json args = {{"aor", in_.aor}, {"contact", in_.contact_required}};
    put_optional(args, "expires", in_.expires);
    put_optional(args, "q", in_.q);
    put_optional(args, "path", in_.path);
    put_optional(args, "received", in_.received);
    request("reg.add", std::move(args), render_aor_contacts);
  });
  add_command->add_option("AOR", in_.aor, "Address-of-record")->required();
  add_command->add_option("CONTACT", in_.contact_required, "Contact URI, e.g. sip:alice@192.0.2.10:5060")->required();
  add_command->add_option("--expires", in_.expires, "Seconds (default: [registrar] default_expires)")
      ->check(CLI::PositiveNumber);
  add_command->add_option("--q", in_.q, "Preference from 0 to 1 (default: none, counted as 1)")
      ->check(CLI::Range(0.0, 1.0));
  add_command->add_option("--path", in_.path, "Path route set: <sip:edge.example.com;lr>");
  add_command->add_option("--received", in_.received, "Where requests to the contact go: IP:PORT (NAT)");

  CLI::App* rm = add(reg, "rm", "Remove one contact, or the whole AoR (API: reg.rm)", [this] {
    Json args = {{"aor", in_.aor}};
    put_optional(args, "contact", in_.contact);
    request("reg.rm", std::move(args), render_bindings_removed);
  });
  rm->add_option("AOR", in_.aor, "Address-of-record")->required();
  rm->add_option("CONTACT", in_.contact, "Contact URI; without it every contact of the AoR goes");

  add(reg, "count", "AoRs, contacts and the table's capacity (API: reg.count)",
      [this] { request("reg.count", Json::object(), render_binding_count); });

  CLI::App* import = add(reg, "import", "Load an OpenSIPS/Kamailio db_text location table (API: reg.import)", [this] {
    Json args = {{"file", absolute_path(in_.file)}};
    put_optional(args, "domain", in_.domain);
    request("reg.import", std::move(args), render_binding_import);
  });
  import->add_option("FILE", in_.file, "The location file (read by siplbd; relative paths are made absolute)")
      ->required();
  import->add_option("--domain", in_.domain, "Domain of rows without one (usrloc use_domain = 0)");
}

void CommandLine::add_usrloc_aliases(const char* group, const std::string& lookup, const std::string& dump,
                                     const std::string& rm, const std::string& rm_contact,
                                     const std::string& add_name) {
  const bool kamailio = std::string(group) == kKamailioGroup;
  auto words = [this](const std::string& name, std::size_t min, std::size_t max, const std::string& usage) {
    std::vector<std::string> w = without_table(in_.words);
    if (w.size() < min || w.size() > max) throw CLI::ValidationError(usage_of(name, "usage: " + name + " " + usage));
    return w;
  };

  CLI::App* show = add(app_, lookup, "= reg lookup AOR", [this, lookup, words] {
    auto w = words(lookup, 1, 1, "[TABLE] AOR");
    request("reg.lookup", Json{{"aor", w[0]}}, render_aor_contacts);
  });
  show->group(group);
  show->add_option("ARGS", in_.words, "[TABLE] AOR (the table name, e.g. location, is ignored)")
      ->required()
      ->expected(1, 2);

  CLI::App* list = add(app_, dump, "= reg list", [this] {
    request("reg.list", Json::object(), render_binding_list);
  });
  list->group(group);
  list->add_option("ARGS", in_.words, "ignored (OpenSIPS' brief)")->expected(0, 1);

  CLI::App* remove = add(app_, rm, "= reg rm AOR [CONTACT]", [this, rm, words] {
    auto w = words(rm, 1, 2, "[TABLE] AOR [CONTACT]");
    Json args = {{"aor", w[0]}};
    if (w.size() > 1) args["contact"] = w[1];
    request("reg.rm", std::move(args), render_bindings_removed);
  });
  remove->group(group);
  remove->add_option("ARGS", in_.words, "[TABLE] AOR [CONTACT]")->required()->expected(1, 3);

  CLI::App* remove_contact = add(app_, rm_contact, "= reg rm AOR CONTACT", [this, rm_contact, words] {
    auto w = words(rm_contact, 2, 2, "[TABLE] AOR CONTACT");
    request("reg.rm", Json{{"aor", w[0]}, {"contact", w[1]}}, render_bindings_removed);
  });
  remove_contact->group(group);
  remove_contact->add_option("ARGS", in_.words, "[TABLE] AOR CONTACT")->required()->expected(2, 3);

  // OpenSIPS: ul_add table aor contact expires q unused flags cflags methods;
  // Kamailio: ul.add table aor contact expires q path flags cflags methods. Flags are ignored.
  const std::string add_usage =
      kamailio ? "[TABLE] AOR CONTACT [EXPIRES [Q [PATH [FLAGS...]]]]" : "[TABLE] AOR CONTACT [EXPIRES [Q [...]]]";
  CLI::App* add_alias = add(app_, add_name, "= reg add AOR CONTACT --expires EXPIRES --q Q",
                            [this, add_name, words, add_usage, kamailio] {
    auto w = words(add_name, 2, 8, add_usage);
    Json args = {{"aor", w[0]}, {"contact", w[1]}};
    if (w.size() > 2) {
      auto expires = integer_from_text(w[2]);
      if (!expires || *expires <= 0)
        throw CLI::ValidationError(usage_of(add_name, "EXPIRES must be a positive number of seconds, got "" + w[2] + """));
      args["expires"] = *expires;
    }
    if (w.size() > 3) {
      char* end = nullptr;
      const double q = std::strtod(w[3].c_str(), &end);
      // usrloc's -1 means no q.
      if (end == w[3].c_str() || *end != '\0' || ((q < 0 || q > 1) && q != -1))
        throw CLI::ValidationError(usage_of(add_name, "Q must be from 0 to 1 (or -1: none), got \"" + w[3] + "\""));
      if (q >= 0) args["q"] = q;
    }
    if (kamailio && w.size() > 4 && !w[4].empty() && w[4] != "0") args["path"] = w[4];
    request("reg.add", std::move(args), render_aor_contacts);
  });
  add_alias->group(group);
  add_alias->add_option("ARGS", in_.words, add_usage)->required()->expected(2, 9);
}

void CommandLine::add_opensips_aliases() {
  auto list = [this] { request("dest.list", Json::object(), render_destination_list); };
  add(app_, "ds_list", "= dest list", list)->group(kOpenSipsGroup);

  CLI::App* ds_set_state = add(app_, "ds_set_state", "= dest set-state URI STATE (STATE a, i or p)", [this] {
    Json args = {{"uri", in_.uri}, {"state", in_.state}};
    put_optional(args, "set", in_.set);
    request("dest.set_state", std::move(args), render_destination);
  });
  ds_set_state->group(kOpenSipsGroup);
  ds_set_state->add_option("STATE", in_.state, "a (active), i (inactive), p (probing), d (disabled)")
      ->required()
      ->transform(state_validator());
  ds_set_state->add_option("URI", in_.uri, "Destination URI")->required();
  ds_set_state->add_option("--set", in_.set, "Destination set id");

  add(app_, "ds_reload", "= reload", [this] { request("reload", Json::object(), render_reload); })
      ->group(kOpenSipsGroup);
  add(app_, "lb_list", "= dest list (load and capacity per destination)", list)->group(kOpenSipsGroup);

  CLI::App* lb_resize = add(app_, "lb_resize", "= dest set-capacity URI N --resource RESOURCE", [this] {
    Json args = {{"uri", in_.uri}, {"resource", in_.resource.value_or("")}, {"capacity", in_.capacity}};
    put_optional(args, "set", in_.set);
    request("dest.set_capacity", std::move(args), render_destination);
  });
  lb_resize->group(kOpenSipsGroup);
  lb_resize->add_option("URI", in_.uri, "Destination URI")->required();
  lb_resize->add_option("RESOURCE", in_.resource, "Resource name, e.g. calls")->required();
  lb_resize->add_option("N", in_.capacity, "New capacity")->required();
  lb_resize->add_option("--set", in_.set, "Destination set id");

  CLI::App* lb_status = add(app_, "lb_status", "= dest show URI; with 0: set-state disabled, with 1: active", [this] {
    Json args = {{"uri", in_.uri}};
    put_optional(args, "set", in_.set);
    if (!in_.enable) {
      request("dest.show", std::move(args), render_destination_enabled);
      return;
    }
    args["state"] = *in_.enable == "1" ? "active" : "disabled";
    request("dest.set_state", std::move(args), render_destination_enabled);
  });
  lb_status->group(kOpenSipsGroup);
  lb_status->add_option("URI", in_.uri, "Destination URI")->required();
  lb_status->add_option("STATUS", in_.enable, "0 disables, 1 enables; without it: show")
      ->check(CLI::IsMember({"0", "1"}));
  lb_status->add_option("--set", in_.set, "Destination set id");

  add(app_, "dlg_list", "= dialogs list", [this] {
    request("dialogs.list", Json::object(), render_dialog_list);
  })->group(kOpenSipsGroup);

  CLI::App* dlg_end = add(app_, "dlg_end_dlg", "= dialogs end ID",
                          [this] { request("dialogs.end", Json{{"id", in_.id}}, render_dialog_ended); });
  dlg_end->group(kOpenSipsGroup);
  dlg_end->add_option("ID", in_.id, "Dialog id")->required();

  add_usrloc_aliases(kOpenSipsGroup, "ul_show_contact", "ul_dump", "ul_rm", "ul_rm_contact", "ul_add");
}

void CommandLine::add_kamailio_aliases() {
  add(app_, "dispatcher.list", "= dest list", [this] {
    request("dest.list", Json::object(), render_destination_list);
  })->group(kKamailioGroup);

  CLI::App* set_state = add(app_, "dispatcher.set_state", "= dest set-state URI STATE --set SET", [this] {
    request("dest.set_state", Json{{"uri", in_.uri}, {"set", in_.set_required}, {"state", in_.state}},
            render_destination);
  });
  set_state->group(kKamailioGroup);
  set_state->add_option("STATE", in_.state, "a, i, d, p, ap, ip or a state name")
      ->required()
      ->transform(state_validator());
  set_state->add_option("SET", in_.set_required, "Destination set id")->required();
  set_state->add_option("URI", in_.uri, "Destination URI")->required();

  CLI::App* hash = add(app_, "dispatcher.hash", "= hash KEY --set SET", [this] {
    request("hash", Json{{"key", in_.key}, {"set", in_.set_required}}, render_hash);
  });
  hash->group(kKamailioGroup);
  hash->add_option("KEY", in_.key, "The key, e.g. a Call-ID")->required();
  hash->add_option("SET", in_.set_required, "Destination set id")->required();

  CLI::App* add_command = add(app_, "dispatcher.add", "= dest add SET URI", [this] {
    request("dest.add", Json{{"set", in_.set_required}, {"uri", in_.uri}}, render_destination);
  });
  add_command->group(kKamailioGroup);
  add_command->add_option("SET", in_.set_required, "Destination set id")->required();
  add_command->add_option("URI", in_.uri, "Destination URI")->required();

  CLI::App* remove = add(app_, "dispatcher.remove", "= dest remove URI --set SET", [this] {
    request("dest.remove", Json{{"uri", in_.uri}, {"set", in_.set_required}}, render_destination_removed);
  });
  remove->group(kKamailioGroup);
  remove->add_option("SET", in_.set_required, "Destination set id")->required();
  remove->add_option("URI", in_.uri, "Destination URI")->required();

  add(app_, "dispatcher.reload", "= reload", [this] {
    request("reload", Json::object(), render_reload);
  })->group(kKamailioGroup);

  add_usrloc_aliases(kKamailioGroup, "ul.lookup", "ul.dump", "ul.rm", "ul.rm_contact", "ul.add");
}

}  // namespace siplbctl
