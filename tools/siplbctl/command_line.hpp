// siplbctl's command line: the global options, every subcommand (native ones and the OpenSIPS /
// Kamailio parity aliases) and what each turns into, an API request plus the renderer of its
// result. Parsing only; nothing is sent here. Main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace siplbctl {

using Json = nlohmann::json;

inline constexpr const char* kDefaultSocket = "/run/siplb/siplbd.sock";

struct GlobalOptions {
  std::string socket = kDefaultSocket;  // --socket, else $SIPLB_SOCKET, else the default
  bool json = false;                    // print the result JSON instead of tables
  double timeout_s = 5;
};

// What the parsed command line asks for: one API request, and how to show its result.
struct Invocation {
  std::string command;
  Json args = Json::object();
  std::function<void(const Json& result, std::ostream& out)> render;
  // stats --watch: repeat every interval_s seconds, `count` times (0: until Ctrl-C).
  bool watch = false;
  double interval_s = 1;
  int64_t count = 0;
};

class CommandLine {
 public:
  CommandLine();

  // Parses the arguments. nullopt when the command should run; otherwise the exit code to end
  // with (0 after --help or --version, 2 after a usage error, CLI11's message already printed).
  std::optional<int> parse(int argc, char** argv);

  const GlobalOptions& global() const { return global_; }
  const Invocation& invocation() const { return invocation_; }

 private:
  // The values subcommands bind to; only one subcommand runs, so they share them.
  struct Inputs {
    std::optional<int64_t> set;
    int64_t set_required = 0;
    std::string uri;
    std::string state;
    int64_t weight = 0;
    std::optional<int64_t> weight_option;
    std::optional<int64_t> priority;
    std::vector<std::string> capacities;  // RES=N
    std::optional<std::string> resource;
    int64_t capacity = 0;
    std::string key;
    std::string id;
    std::optional<std::string> destination;
    std::optional<std::string> phase;
    std::optional<int64_t> limit;
    std::optional<std::string> level;
    std::string format = "toml";
    std::optional<std::string> enable;  // lb_status 0|1
    // Registrar.
    std::string aor;
    std::optional<std::string> contact;
    std::string contact_required;
    std::string file;
    std::optional<std::string> domain;
    std::optional<int64_t> expires;
    std::optional<double> q;
    std::optional<std::string> path;
    std::optional<std::string> received;
    std::vector<std::string> words;  // usrloc aliases: [TABLE] AOR ... as OpenSIPS/Kamailio take them
    bool watch = false;
    double interval_s = 1;
    int64_t count = 0;
  };

  void add_native_commands();
  void add_destination_commands(CLI::App& dest);
  void add_dialog_commands(CLI::App& dialogs);
  void add_registrar_commands(CLI::App& reg);
  // The usrloc aliases (ul_show_contact, ul.lookup, ul_rm, ul.add, ...) of one naming family.
  void add_usrloc_aliases(const char* group, const std::string& lookup, const std::string& dump,
                          const std::string& rm, const std::string& rm_contact, const std::string& add_name);
  void add_opensips_aliases();
  void add_kamailio_aliases();
  // Registers `name` under `parent`; after a parse that chose it, `build` fills invocation_.
  CLI::App* add(CLI::App& parent, const std::string& name, const std::string& description,
                std::function<void()> build);
  void request(std::string command, Json args, std::function<void(const Json&, std::ostream&)> render);

  CLI::App app_;
  GlobalOptions global_;
  Inputs in_;
  Invocation invocation_;
};

// Destination states as siplbd names them, from those names or the letters OpenSIPS and
// Kamailio use (a, i, p, d; Kamailio's ap and ip). nullopt for anything else.
std::optional<std::string> destination_state_from_text(const std::string& text);

}  // namespace siplbctl
