// The siplbctl binary (path in $SIPLBCTL, set by meson) against an ApiServer running in this
// process on a temporary socket, whose handlers record each request and answer with fixed example
// results in the schemas of docs/API.md. Checks, for every command and OpenSIPS/Kamailio alias,
// the request siplbd would receive, the human output, the --json output, and the exit codes:
// 1 for an error answer, 2 for usage errors (nothing sent), 3 when siplbd cannot be reached, times
// out or talks nonsense; and stats --watch (two bounded refreshes, Ctrl-C). The real siplbd's
// handlers are tested end to end elsewhere.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../../control/api/api_server.hpp"
#include "api_test_support.hpp"

extern char** environ;

namespace siplb::control::api {
namespace {

// ---- Example results, in the schemas of docs/API.md ----

const Json kStatus = Json::parse(R"({
  "version": "0.1.0", "pid": 4242, "uptime_s": 93784.5, "config": "/etc/siplb/siplbd.toml",
  "snapshot_generation": 7,
  "lcores": {"main": 0, "workers": [{"worker": 0, "lcore": 1}, {"worker": 1, "lcore": 2}]},
  "ports": [{"interface": "net_af_packet0", "driver": "net_af_packet", "mac": "02:00:00:00:00:01",
             "address": "10.0.0.1/24", "address6": null, "ipackets": 1001, "opackets": 1002,
             "ibytes": 300003, "obytes": 300004, "imissed": 5, "ierrors": 6, "oerrors": 7, "rx_nombuf": 8}],
  "dialogs": {"live": 3, "capacity": 100000},
  "store": {"state": "ok", "dir": "/var/lib/siplb", "durability": "sync", "batches": 12, "records": 345,
            "write_errors": 0, "last_error": ""},
  "log_level": "info"})");

const Json kDestination = Json::parse(R"({
  "set": 1, "uri": "sip:10.0.0.2:5060", "state": "active", "weight": 1, "priority": 0,
  "capacity": {"calls": 100}, "load": {"calls": 3}, "drained": false,
  "probe": {"enabled": true, "last_code": 200, "failures": 0, "successes": 5},
  "dialogs": 3, "forwarded": 1234, "origin": "config"})");

const Json kDestinationList = Json::parse(R"({"sets": [
  {"id": 1, "name": "media", "algorithm": "least_loaded", "resources": ["calls"], "destinations": [
    {"set": 1, "uri": "sip:10.0.0.2:5060", "state": "active", "weight": 1, "priority": 0,
     "capacity": {"calls": 100}, "load": {"calls": 3}, "drained": false,
     "probe": {"enabled": true, "last_code": 200, "failures": 0, "successes": 5}, "dialogs": 3, "forwarded": 1234, "origin": "config"},
    {"set": 1, "uri": "sip:10.0.0.3:5060", "state": "active", "weight": 2, "priority": 1,
     "capacity": {"calls": 50}, "load": {"calls": 0}, "drained": true,
     "probe": {"enabled": true, "last_code": 408, "failures": 3, "successes": 0}, "dialogs": 0, "forwarded": 99, "origin": "api"}]},
  {"id": 2, "name": "registrars", "algorithm": "maglev", "resources": [], "destinations": [
    {"set": 2, "uri": "sip:10.0.1.2:5060", "state": "disabled", "weight": 1, "priority": 0,
     "capacity": {}, "load": {}, "drained": false,
     "probe": {"enabled": false, "last_code": null, "failures": 0, "successes": 0}, "dialogs": 0, "forwarded": 0, "origin": "config"}]}
]})");

const Json kDiff = Json::parse(R"({"changes": [
  {"set": 1, "uri": "sip:10.0.0.2:5060", "field": "weight", "config": 1, "running": 5},
  {"set": 1, "uri": "sip:10.0.0.9:5060", "field": "added", "config": null, "running": true}]})");

const std::string kDialogId = "0123456789abcdef-fedcba9876543210";

const Json kDialog = Json::parse(R"({"id": "0123456789abcdef-fedcba9876543210", "set": 1,
  "destination": "sip:10.0.0.2:5060", "phase": "confirmed", "age_s": 125.5, "idle_s": 3.5, "resources": ["calls"]})");

const Json kAorContacts = Json::parse(R"({"aor": "alice@example.com", "contacts": [
  {"contact": "sip:alice@192.0.2.10:5062", "expires": 3540, "q": 0.75, "received": "198.51.100.7:40000",
   "path": "<sip:edge.example.com;lr>", "instance": "\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"",
   "reg_id": 1, "call_id": "a84b4c76e66710", "cseq": 314159, "updated": 1714564800123},
  {"contact": "sip:alice@192.0.2.11", "expires": 45, "q": null, "received": null, "path": null, "instance": null,
   "reg_id": 0, "call_id": "siplb-api-1714564700000", "cseq": 0, "updated": 1714564700000}]})");

const Json kBindingList = Json::parse(R"({"aors": [
  {"aor": "alice@example.com", "contacts": [
    {"contact": "sip:alice@192.0.2.10:5062", "expires": 3540, "q": 0.75, "received": "198.51.100.7:40000",
     "path": null, "instance": null, "reg_id": 0, "call_id": "x", "cseq": 1, "updated": 1714564800123},
    {"contact": "sip:alice@192.0.2.11", "expires": 45, "q": null, "received": null,
     "path": null, "instance": null, "reg_id": 0, "call_id": "y", "cseq": 2, "updated": 1714564700000}]},
  {"aor": "bob@example.org", "contacts": [
    {"contact": "sip:bob@192.0.2.20:5060", "expires": 600, "q": 1.0, "received": null,
     "path": null, "instance": null, "reg_id": 0, "call_id": "z", "cseq": 7, "updated": 1714564800000}]}],
  "shown_contacts": 3, "truncated": true, "total_aors": 12, "total_contacts": 20})");

Json stats_sample(uint64_t round) {
  Json stats = Json::parse(R"({
    "workers": [{"worker": 0, "rx_packets": 500, "tx_packets": 490, "forwarded_requests": 200,
                 "forwarded_responses": 250, "replies": 40, "drops": 10, "events_dropped": 0}],
    "replies": {"200": 30, "503": 10},
    "drops": {"parse_error": 7, "no_route": 3},
    "destinations": [{"set": 1, "uri": "sip:10.0.0.2:5060", "forwarded": 77}]})");
  stats["totals"] = {{"rx_packets", 1000 + 100 * round}, {"tx_packets", 990 + 100 * round}, {"drops", 10}};
  return stats;
}

struct Recorded {
  std::string command;
  Json args;
  Json result;  // what was answered, for comparing --json output
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

struct RunOptions {
  bool with_socket = true;  // pass --socket <the test server's path>
  std::map<std::string, std::string> env;
  // Send SIGINT once stdout holds this text (so the child's handler is surely installed).
  std::string interrupt_once_shown;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

class SiplbctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* binary = std::getenv("SIPLBCTL");
    ASSERT_TRUE(binary && *binary) << "SIPLBCTL is not set: run this test through `meson test`, which points it "
                                      "at the built siplbctl";
    siplbctl_ = binary;
    socket_path_ = dir_.file("siplbd.sock");
    std::string error;
    server_ = ApiServer::create(io_thread_.io(), socket_path_, error);
    ASSERT_TRUE(server_) << error;
    add_commands();
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop();
    io_thread_.stop();
  }

  // Every command answers with its example, adjusted by the arguments where the schema echoes them.
  void add_commands() {
    answer("status", [](const Json&) { return Reply::success(kStatus); });
    answer("stats", [this](const Json&) {
      uint64_t round = stats_round_++;
      if (round >= fail_stats_from_round_) return Reply::failure("failed", "", "counters are unavailable");
      return Reply::success(stats_sample(round));
    });
    answer("dest.list", [](const Json&) { return Reply::success(kDestinationList); });
    answer("dest.show", [](const Json& args) {
      if (args.value("uri", "") == "sip:unknown@10.0.0.9") {
        return Reply::failure("not_found", "args.uri", "no destination sip:unknown@10.0.0.9");
      }
      return Reply::success(destination_for(args));
    });
    for (const char* command : {"dest.add", "dest.set_state", "dest.set_weight", "dest.set_capacity", "dest.undrain"}) {
      answer(command, [](const Json& args) { return Reply::success(destination_for(args)); });
    }
    answer("dest.drain", [](const Json& args) {
      Json destination = destination_for(args);
      destination["drained"] = true;
      return Reply::success(destination);
    });
    answer("dest.remove", [](const Json& args) {
      return Reply::success({{"removed", args.value("uri", "")}, {"set", args.value("set", 1)}});
    });
    answer("dest.diff", [](const Json&) { return Reply::success(kDiff); });
    answer("dest.export", [](const Json& args) {
      std::string format = args.value("format", "toml");
      std::string text = format == "toml" ? "[[set]]\nid = 1\n" : "1 sip:10.0.0.2:5060 0 0\n";
      return Reply::success({{"format", format}, {"text", text}});
    });
    answer("hash", [](const Json& args) {
      return Reply::success({{"set", args.value("set", 1)}, {"key", args.value("key", "")},
                             {"destination", "sip:10.0.0.2:5060"}, {"state", "active"}});
    });
    answer("dialogs.count", [](const Json&) {
      return Reply::success(Json::parse(R"({"live": 3, "capacity": 100000,
        "by_destination": [{"set": 1, "uri": "sip:10.0.0.2:5060", "dialogs": 3}]})"));
    });
    answer("dialogs.list", [](const Json&) { return Reply::success({{"dialogs", {kDialog}}, {"truncated", true}}); });
    answer("dialogs.show", [](const Json&) { return Reply::success(kDialog); });
    answer("dialogs.end", [](const Json& args) {
      return Reply::success({{"ended", args.value("id", "")}, {"note", "the parties are not told: no BYE is sent"}});
    });
    answer("reload", [this](const Json&) {
      if (fail_reload_) return Reply::failure("failed", "", "/etc/siplb/siplbd.toml:12: weight must be from 0 to 65535");
      return Reply::success({{"generation", 8}, {"config", "/etc/siplb/siplbd.toml"}});
    });
    answer("log_level", [](const Json& args) { return Reply::success({{"level", args.value("level", "info")}}); });
    answer("reg.lookup", [](const Json& args) {
      if (args.value("aor", "") == "nobody@example.com")
        return Reply::failure("not_found", "args.aor", "nobody@example.com has no live contact (not registered)");
      return Reply::success(kAorContacts);
    });
    answer("reg.show", [](const Json&) { return Reply::success(kAorContacts); });
    answer("reg.list", [](const Json&) { return Reply::success(kBindingList); });
    answer("reg.add", [](const Json&) {
      Json added = kAorContacts;
      added["replaced"] = false;
      return Reply::success(added);
    });
    answer("reg.rm", [](const Json& args) {
      const bool one = args.contains("contact");
      return Reply::success({{"aor", "alice@example.com"}, {"removed", one ? 1 : 2}, {"contacts_left", one ? 1 : 0}});
    });
    answer("reg.count", [](const Json&) {
      return Reply::success({{"aors", 12}, {"contacts", 20}, {"capacity", 100000}});
    });
    answer("reg.import", [](const Json& args) {
      return Reply::success({{"file", args.value("file", "")}, {"rows", 14}, {"imported", 10}, {"aors", 5},
                             {"replaced", 0}, {"expired", 3}, {"permanent", 1}, {"over_limit", 0},
                             {"not_served", 0}, {"table_full", 0}});
    });
    answer("ha.status", [](const Json&) {
      return Reply::success(Json::parse(R"({"configured": true, "node_id": 1, "priority": 200, "role": "active",
        "healthy": true, "epoch": 3, "vip_active": true, "switchover": "none",
        "peer": {"alive": true, "role": "backup", "node_id": 2, "priority": 100, "last_heard_ms": 2.5},
        "counters": {"heartbeats_sent": 900, "heartbeats_received": 880, "heartbeats_lost": 3,
                     "heartbeats_refused": 0, "split_brains": 1, "send_errors": 0, "max_wakeup_delay_us": 120},
        "transitions": [{"at_ms": 1796541576219, "from": "joining", "to": "active", "reason": "startup", "epoch": 1}]})"));
    });
    answer("ha.switchover", [](const Json&) { return Reply::success({{"result", "started"}}); });
    answer("subscribers.reload", [this](const Json&) {
      if (fail_subscribers_)
        return Reply::failure("failed", "", "subscribers not reloaded, the running table stays: /etc/siplb/subscriber:4: "
                                            "ha1 must be 32 hex digits");
      return Reply::success({{"file", "/etc/siplb/subscriber"}, {"subscribers", 42}});
    });
    server_->add_command("hold", [this](const Json&, Respond respond) {
      std::lock_guard lock(mutex_);
      held_.push_back(std::move(respond));
    });
  }

  static Json destination_for(const Json& args) {
    Json destination = kDestination;
    for (const char* key : {"set", "uri", "state", "weight", "priority"}) {
      if (args.contains(key)) destination[key] = args[key];
    }
    if (args.contains("capacity") && args["capacity"].is_object()) destination["capacity"] = args["capacity"];
    if (args.contains("capacity") && args["capacity"].is_number()) {
      destination["capacity"][args.value("resource", "calls")] = args["capacity"];
    }
    return destination;
  }

  void answer(const std::string& command, std::function<Reply(const Json&)> make) {
    server_->add_command(command, [this, command, make](const Json& args, Respond respond) {
      Reply reply = make(args);
      {
        std::lock_guard lock(mutex_);
        recorded_.push_back({command, args, reply.ok ? reply.result : Json()});
      }
      respond(std::move(reply));
    });
  }

  std::vector<Recorded> take_recorded() {
    std::lock_guard lock(mutex_);
    return std::exchange(recorded_, {});
  }

  RunResult run(std::vector<std::string> args, const RunOptions& options = {}) {
    std::vector<std::string> argv_text = {siplbctl_};
    if (options.with_socket) {
      argv_text.push_back("--socket");
      argv_text.push_back(socket_path_);
    }
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);

    // The child's environment: ours without SIPLB_SOCKET, plus what the case asks for.
    std::vector<std::string> env_text;
    for (char** entry = environ; *entry; ++entry) {
      if (std::string_view(*entry).rfind("SIPLB_SOCKET=", 0) != 0) env_text.emplace_back(*entry);
    }
    for (const auto& [name, value] : options.env) env_text.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);

    std::string out_path = dir_.file("out.txt");
    std::string err_path = dir_.file("err.txt");
    int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(err_fd, STDERR_FILENO);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
    if (!options.interrupt_once_shown.empty()) {
      test::eventually([&] { return read_all(out_path).find(options.interrupt_once_shown) != std::string::npos; },
                       std::chrono::milliseconds(10000));
      std::this_thread::sleep_for(std::chrono::milliseconds(150));  // into the pause between refreshes
      ::kill(pid, SIGINT);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    RunResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_all(out_path);
    result.err = read_all(err_path);
    return result;
  }

  test::TempDir dir_;
  test::IoThread io_thread_;
  std::string siplbctl_;
  std::string socket_path_;
  std::unique_ptr<ApiServer> server_;
  std::mutex mutex_;
  std::vector<Recorded> recorded_;
  std::vector<Respond> held_;
  std::atomic<uint64_t> stats_round_{0};
  std::atomic<uint64_t> fail_stats_from_round_{UINT64_MAX};
  std::atomic<bool> fail_reload_{false};
  std::atomic<bool> fail_subscribers_{false};
};

struct Case {
  std::vector<std::string> argv;
  std::string command;  // the API command siplbd must receive
  Json args;            // and its arguments
  std::vector<std::string> shown;  // in the human output
};

std::vector<Case> every_command() {
  return {
      {{"status"}, "status", Json::object(),
       {"version              0.1.0", "pid                  4242", "uptime               1d02h (93784.5 s)",
        "config               /etc/siplb/siplbd.toml", "snapshot generation  7",
        "lcores               main 0; workers 0@lcore1 1@lcore2", "dialogs              3 live of 100000",
        "store                ok, durability sync, dir /var/lib/siplb", "12 batches, 345 records, 0 errors",
        "log level            info", "INTERFACE", "RX_PACKETS", "RX_NOMBUF", "net_af_packet0", "net_af_packet",
        "02:00:00:00:00:01", "10.0.0.1/24", "1001", "300004", "8"}},
      {{"stats"}, "stats", Json::object(),
       {"COUNTER", "TOTAL", "rx_packets", "WORKER", "RX_PACKETS", "FWD_REQUESTS", "EVENTS_DROPPED", "REPLY", "503",
        "DROP_REASON", "parse_error", "DESTINATION", "FORWARDED"}},
      {{"dest", "list"}, "dest.list", Json::object(),
       {"SET  NAME        ALGORITHM     RESOURCES  DESTINATIONS",
        "SET  URI                STATE           WEIGHT  PRIO  LOAD/CAPACITY  CALLS  PROBE          FORWARDED  ORIGIN",
        "  1  sip:10.0.0.2:5060  active               1     0  calls 3/100        3  200                 1234  config",
        "  1  sip:10.0.0.3:5060  active,drained       2     1  calls 0/50         0  408, 3 failed         99  api",
        "  2  sip:10.0.1.2:5060  disabled             1     0  -                  0  off                    0  config",
        "registrars", "least_loaded"}},
      {{"dest", "list", "--set", "2"}, "dest.list", {{"set", 2}}, {"registrars"}},
      {{"dest", "show", "sip:10.0.0.2:5060", "--set", "1"}, "dest.show", {{"uri", "sip:10.0.0.2:5060"}, {"set", 1}},
       {"uri        sip:10.0.0.2:5060", "capacity   calls 100", "load       calls 3", "calls      3", "drained    no",
        "probe      on, last code 200, 0 failures and 5 successes in a row", "origin     config"}},
      {{"dest", "add", "1", "sip:10.0.0.4:5060", "--weight", "3", "--priority", "2", "--capacity", "calls=10",
        "--capacity", "regs=5"},
       "dest.add",
       {{"set", 1}, {"uri", "sip:10.0.0.4:5060"}, {"weight", 3}, {"priority", 2}, {"capacity", {{"calls", 10}, {"regs", 5}}}},
       {"uri        sip:10.0.0.4:5060", "weight     3", "capacity   calls 10, regs 5"}},
      {{"dest", "add", "2", "sip:10.0.0.5:5060"}, "dest.add", {{"set", 2}, {"uri", "sip:10.0.0.5:5060"}},
       {"set        2"}},
      {{"dest", "remove", "sip:10.0.0.4:5060"}, "dest.remove", {{"uri", "sip:10.0.0.4:5060"}},
       {"removed sip:10.0.0.4:5060 from set 1"}},
      {{"dest", "set-state", "sip:10.0.0.2:5060", "i"}, "dest.set_state",
       {{"uri", "sip:10.0.0.2:5060"}, {"state", "inactive"}}, {"state      inactive"}},
      {{"dest", "set-state", "sip:10.0.0.2:5060", "disabled", "--set", "2"}, "dest.set_state",
       {{"uri", "sip:10.0.0.2:5060"}, {"set", 2}, {"state", "disabled"}}, {"state      disabled"}},
      {{"dest", "set-weight", "sip:10.0.0.2:5060", "7"}, "dest.set_weight", {{"uri", "sip:10.0.0.2:5060"}, {"weight", 7}},
       {"weight     7"}},
      {{"dest", "set-capacity", "sip:10.0.0.2:5060", "20", "--resource", "calls"}, "dest.set_capacity",
       {{"uri", "sip:10.0.0.2:5060"}, {"resource", "calls"}, {"capacity", 20}}, {"capacity   calls 20"}},
      {{"dest", "set-capacity", "sip:10.0.0.2:5060", "20"}, "dest.set_capacity",
       {{"uri", "sip:10.0.0.2:5060"}, {"capacity", 20}}, {"capacity   calls 20"}},
      {{"dest", "drain", "sip:10.0.0.2:5060"}, "dest.drain", {{"uri", "sip:10.0.0.2:5060"}}, {"drained    yes"}},
      {{"dest", "undrain", "sip:10.0.0.2:5060", "--set", "1"}, "dest.undrain", {{"uri", "sip:10.0.0.2:5060"}, {"set", 1}},
       {"drained    no"}},
      {{"dest", "diff"}, "dest.diff", Json::object(),
       {"SET  URI                FIELD   CONFIG  RUNNING", "  1  sip:10.0.0.2:5060  weight  1       5",
        "  1  sip:10.0.0.9:5060  added   -       true"}},
      {{"dest", "export"}, "dest.export", {{"format", "toml"}}, {"[[set]]\nid = 1\n"}},
      {{"dest", "export", "--format", "dispatcher.list"}, "dest.export", {{"format", "dispatcher.list"}},
       {"1 sip:10.0.0.2:5060 0 0\n"}},
      {{"hash", "call-1@x", "--set", "1"}, "hash", {{"key", "call-1@x"}, {"set", 1}},
       {"key \"call-1@x\" -> sip:10.0.0.2:5060 (set 1, active)"}},
      {{"hash", "abc"}, "hash", {{"key", "abc"}}, {"key \"abc\" -> sip:10.0.0.2:5060"}},
      {{"dialogs", "count"}, "dialogs.count", Json::object(),
       {"3 live dialogs of 100000 capacity", "SET  DESTINATION        DIALOGS", "  1  sip:10.0.0.2:5060        3"}},
      {{"dialogs", "list", "--destination", "sip:10.0.0.2:5060", "--phase", "confirmed", "--limit", "5"},
       "dialogs.list", {{"destination", "sip:10.0.0.2:5060"}, {"phase", "confirmed"}, {"limit", 5}},
       {"ID                                 SET  DESTINATION        PHASE        AGE  IDLE  RESOURCES",
        kDialogId + "    1  sip:10.0.0.2:5060  confirmed  2m05s  3.5s  calls", "1 shown; more match"}},
      {{"dialogs", "show", kDialogId}, "dialogs.show", {{"id", kDialogId}},
       {"id           " + kDialogId, "phase        confirmed", "age          2m05s (125.5 s)", "resources    calls"}},
      {{"dialogs", "end", kDialogId}, "dialogs.end", {{"id", kDialogId}},
       {"ended " + kDialogId, "no BYE is sent"}},
      {{"reload"}, "reload", Json::object(), {"reloaded /etc/siplb/siplbd.toml (snapshot generation 8)"}},
      {{"log-level"}, "log_level", Json::object(), {"log level info"}},
      {{"log-level", "debug"}, "log_level", {{"level", "debug"}}, {"log level debug"}},
      {{"log-level", "warn"}, "log_level", {{"level", "warning"}}, {"log level warning"}},
      // OpenSIPS MI names
      {{"ds_list"}, "dest.list", Json::object(), {"LOAD/CAPACITY", "sip:10.0.1.2:5060"}},
      {{"ds_set_state", "p", "sip:10.0.0.2:5060"}, "dest.set_state", {{"uri", "sip:10.0.0.2:5060"}, {"state", "probing"}},
       {"state      probing"}},
      {{"ds_set_state", "a", "sip:10.0.0.2:5060", "--set", "1"}, "dest.set_state",
       {{"uri", "sip:10.0.0.2:5060"}, {"set", 1}, {"state", "active"}}, {"state      active"}},
      {{"ds_reload"}, "reload", Json::object(), {"reloaded"}},
      {{"lb_list"}, "dest.list", Json::object(), {"calls 3/100"}},
      {{"lb_resize", "sip:10.0.0.2:5060", "calls", "30"}, "dest.set_capacity",
       {{"uri", "sip:10.0.0.2:5060"}, {"resource", "calls"}, {"capacity", 30}}, {"capacity   calls 30"}},
      {{"lb_status", "sip:10.0.0.2:5060"}, "dest.show", {{"uri", "sip:10.0.0.2:5060"}},
       {"sip:10.0.0.2:5060: enabled (state active)"}},
      {{"lb_status", "sip:10.0.0.2:5060", "0"}, "dest.set_state", {{"uri", "sip:10.0.0.2:5060"}, {"state", "disabled"}},
       {"sip:10.0.0.2:5060: disabled (state disabled)"}},
      {{"lb_status", "sip:10.0.0.2:5060", "1"}, "dest.set_state", {{"uri", "sip:10.0.0.2:5060"}, {"state", "active"}},
       {"sip:10.0.0.2:5060: enabled (state active)"}},
      {{"dlg_list"}, "dialogs.list", Json::object(), {kDialogId}},
      {{"dlg_end_dlg", kDialogId}, "dialogs.end", {{"id", kDialogId}}, {"ended " + kDialogId}},
      // Kamailio RPC names
      {{"dispatcher.list"}, "dest.list", Json::object(), {"sip:10.0.0.3:5060"}},
      {{"dispatcher.set_state", "ip", "2", "sip:10.0.1.2:5060"}, "dest.set_state",
       {{"uri", "sip:10.0.1.2:5060"}, {"set", 2}, {"state", "probing"}}, {"state      probing"}},
      {{"dispatcher.set_state", "d", "2", "sip:10.0.1.2:5060"}, "dest.set_state",
       {{"uri", "sip:10.0.1.2:5060"}, {"set", 2}, {"state", "disabled"}}, {"state      disabled"}},
      {{"dispatcher.hash", "key1", "3"}, "hash", {{"key", "key1"}, {"set", 3}}, {"(set 3, active)"}},
      {{"dispatcher.add", "2", "sip:10.0.1.3:5060"}, "dest.add", {{"set", 2}, {"uri", "sip:10.0.1.3:5060"}},
       {"uri        sip:10.0.1.3:5060"}},
      {{"dispatcher.remove", "2", "sip:10.0.1.3:5060"}, "dest.remove", {{"uri", "sip:10.0.1.3:5060"}, {"set", 2}},
       {"removed sip:10.0.1.3:5060 from set 2"}},
      {{"dispatcher.reload"}, "reload", Json::object(), {"reloaded"}},
      // Registrar
      {{"reg", "lookup", "sip:alice@example.com"}, "reg.lookup", {{"aor", "sip:alice@example.com"}},
       {"alice@example.com: 2 contacts", "#  CONTACT                    EXPIRES     Q  RECEIVED            PATH",
        "1  sip:alice@192.0.2.10:5062   59m00s  0.75  198.51.100.7:40000  <sip:edge.example.com;lr>",
        "2  sip:alice@192.0.2.11         45.0s     -  -                   -"}},
      {{"reg", "show", "alice@example.com"}, "reg.show", {{"aor", "alice@example.com"}},
       {"aor alice@example.com", "contact   sip:alice@192.0.2.10:5062", "expires   59m00s (3540.0 s)",
        "q         0.75", "received  198.51.100.7:40000", "path      <sip:edge.example.com;lr>",
        "instance  \"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"", "reg_id    1",
        "call_id   a84b4c76e66710", "cseq      314159", "updated   2024-05-01 12:00:00.123Z", "received  -"}},
      {{"reg", "list"}, "reg.list", Json::object(),
       {"AOR                CONTACT                    EXPIRES     Q  RECEIVED",
        "alice@example.com  sip:alice@192.0.2.10:5062   59m00s  0.75  198.51.100.7:40000",
        "                   sip:alice@192.0.2.11         45.0s     -  -", "bob@example.org",
        "(2 AoRs shown; more match", "12 AoRs, 20 contacts in the table"}},
      {{"reg", "list", "--domain", "example.com", "--limit", "2"}, "reg.list", {{"domain", "example.com"}, {"limit", 2}},
       {"alice@example.com"}},
      {{"reg", "add", "alice@example.com", "sip:alice@192.0.2.10:5062"}, "reg.add",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.10:5062"}},
       {"alice@example.com: 2 contacts (added)"}},
      {{"reg", "add", "alice@example.com", "sip:alice@192.0.2.10:5062", "--expires", "600", "--q", "0.5", "--path",
        "<sip:edge.example.com;lr>", "--received", "198.51.100.7:40000"},
       "reg.add",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.10:5062"}, {"expires", 600}, {"q", 0.5},
        {"path", "<sip:edge.example.com;lr>"}, {"received", "198.51.100.7:40000"}},
       {"sip:alice@192.0.2.10:5062"}},
      {{"reg", "rm", "alice@example.com"}, "reg.rm", {{"aor", "alice@example.com"}},
       {"removed 2 contacts of alice@example.com (0 left)"}},
      {{"reg", "rm", "alice@example.com", "sip:alice@192.0.2.11"}, "reg.rm",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.11"}},
       {"removed 1 contact of alice@example.com (1 left)"}},
      {{"reg", "count"}, "reg.count", Json::object(), {"12 AoRs, 20 contacts (table capacity 100000 AoRs)"}},
      {{"reg", "import", "/var/lib/opensips/location", "--domain", "example.com"}, "reg.import",
       {{"file", "/var/lib/opensips/location"}, {"domain", "example.com"}},
       {"imported 10 bindings of 5 AoRs from /var/lib/opensips/location", "rows        14", "expired     3",
        "permanent   1", "table_full  0"}},
      {{"subscribers", "reload"}, "subscribers.reload", Json::object(),
       {"reloaded 42 subscribers from /etc/siplb/subscriber"}},
      {{"ha", "status"}, "ha.status", Json::object(),
       {"node 1 (priority 200): active, epoch 3, virtual IPs held", "peer node 2: alive, backup, last heard 2.5 ms ago",
        "split brains 1", "joining -> active  (startup, epoch 1)"}},
      {{"ha", "switchover"}, "ha.switchover", Json::object(), {"switchover started"}},
      // usrloc names (OpenSIPS MI, Kamailio RPC); the table name is optional and ignored
      {{"ul_show_contact", "location", "alice@example.com"}, "reg.lookup", {{"aor", "alice@example.com"}},
       {"alice@example.com: 2 contacts"}},
      {{"ul_show_contact", "alice@example.com"}, "reg.lookup", {{"aor", "alice@example.com"}}, {"sip:alice@192.0.2.11"}},
      {{"ul.lookup", "location", "sip:alice@example.com"}, "reg.lookup", {{"aor", "sip:alice@example.com"}},
       {"alice@example.com: 2 contacts"}},
      {{"ul_dump"}, "reg.list", Json::object(), {"bob@example.org"}},
      {{"ul.dump"}, "reg.list", Json::object(), {"12 AoRs, 20 contacts in the table"}},
      {{"ul_rm", "location", "alice@example.com"}, "reg.rm", {{"aor", "alice@example.com"}},
       {"removed 2 contacts"}},
      {{"ul.rm", "alice@example.com", "sip:alice@192.0.2.11"}, "reg.rm",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.11"}}, {"removed 1 contact"}},
      {{"ul_rm_contact", "location", "alice@example.com", "sip:alice@192.0.2.11"}, "reg.rm",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.11"}}, {"(1 left)"}},
      {{"ul.rm_contact", "location", "alice@example.com", "sip:alice@192.0.2.11"}, "reg.rm",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.11"}}, {"(1 left)"}},
      {{"ul_add", "location", "alice@example.com", "sip:alice@192.0.2.10:5062", "3600", "0.5", "0", "0", "0"},
       "reg.add",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.10:5062"}, {"expires", 3600}, {"q", 0.5}},
       {"(added)"}},
      {{"ul_add", "alice@example.com", "sip:alice@192.0.2.10:5062"}, "reg.add",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.10:5062"}}, {"(added)"}},
      {{"ul.add", "location", "alice@example.com", "sip:alice@192.0.2.10:5062", "600", "-1",
        "<sip:edge.example.com;lr>", "0", "0", "0"},
       "reg.add",
       {{"aor", "alice@example.com"}, {"contact", "sip:alice@192.0.2.10:5062"}, {"expires", 600},
        {"path", "<sip:edge.example.com;lr>"}},
       {"(added)"}},
  };
}

std::string joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

TEST_F(SiplbctlTest, EveryCommandSendsItsRequestAndShowsItsResult) {
  for (const auto& test_case : every_command()) {
    SCOPED_TRACE("siplbctl " + joined(test_case.argv));
    RunResult result = run(test_case.argv);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    auto recorded = take_recorded();
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0].command, test_case.command);
    EXPECT_EQ(recorded[0].args, test_case.args);
    for (const auto& expected : test_case.shown) {
      EXPECT_NE(result.out.find(expected), std::string::npos) << "missing: " << expected << "\noutput:\n" << result.out;
    }
  }
}

TEST_F(SiplbctlTest, JsonPrintsTheResultAsIs) {
  for (const auto& test_case : every_command()) {
    SCOPED_TRACE("siplbctl --json " + joined(test_case.argv));
    std::vector<std::string> argv = {"--json"};
    argv.insert(argv.end(), test_case.argv.begin(), test_case.argv.end());
    RunResult result = run(argv);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    auto recorded = take_recorded();
    ASSERT_EQ(recorded.size(), 1u);
    Json printed = Json::parse(result.out, nullptr, false);
    ASSERT_FALSE(printed.is_discarded()) << result.out;
    EXPECT_EQ(printed, recorded[0].result);
    EXPECT_NE(result.out.find("\n  "), std::string::npos) << "not pretty-printed: " << result.out;
  }
}

TEST_F(SiplbctlTest, GlobalOptionsMayFollowTheSubcommand) {
  RunResult result = run({"dest", "list", "--json", "--timeout", "2"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Json::parse(result.out), kDestinationList);
}

TEST_F(SiplbctlTest, SocketComesFromTheEnvironment) {
  RunOptions options;
  options.with_socket = false;
  options.env["SIPLB_SOCKET"] = socket_path_;
  RunResult result = run({"reload"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "reloaded /etc/siplb/siplbd.toml (snapshot generation 8)\n");
}

TEST_F(SiplbctlTest, DefaultSocketIsNamedWhenAbsent) {
  if (std::filesystem::exists("/run/siplb/siplbd.sock")) GTEST_SKIP() << "a siplbd runs on this machine";
  RunOptions options;
  options.with_socket = false;
  RunResult result = run({"status"}, options);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("cannot connect to /run/siplb/siplbd.sock: "), std::string::npos) << result.err;
}

TEST_F(SiplbctlTest, ServerErrorExitsOneWithCodeMessageAndField) {
  RunResult result = run({"dest", "show", "sip:unknown@10.0.0.9"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "siplbctl: not_found: no destination sip:unknown@10.0.0.9 (field args.uri)\n");

  fail_reload_ = true;
  result = run({"reload"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "siplbctl: failed: /etc/siplb/siplbd.toml:12: weight must be from 0 to 65535\n");
  result = run({"--json", "ds_reload"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
}

TEST_F(SiplbctlTest, RegistrarImportSendsAnAbsolutePath) {
  RunResult result = run({"reg", "import", "location.txt"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto recorded = take_recorded();
  ASSERT_EQ(recorded.size(), 1u);
  const std::string file = recorded[0].args.value("file", "");
  EXPECT_EQ(file, (std::filesystem::current_path() / "location.txt").string());
  EXPECT_EQ(recorded[0].args.size(), 1u);
}

TEST_F(SiplbctlTest, RegistrarErrorsExitOne) {
  RunResult result = run({"reg", "lookup", "nobody@example.com"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "siplbctl: not_found: nobody@example.com has no live contact (not registered) (field args.aor)\n");
  fail_subscribers_ = true;
  result = run({"subscribers", "reload"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "siplbctl: failed: subscribers not reloaded, the running table stays: /etc/siplb/subscriber:4: ha1 must be "
            "32 hex digits\n");
}

TEST_F(SiplbctlTest, UsageErrorsExitTwoAndSendNothing) {
  const std::vector<std::vector<std::string>> usage_errors = {
      {},
      {"bogus"},
      {"dest"},
      {"dest", "frobnicate"},
      {"dest", "set-weight", "sip:10.0.0.2:5060", "notanumber"},
      {"dest", "set-state", "sip:10.0.0.2:5060", "up"},
      {"dest", "set-state", "sip:10.0.0.2:5060"},
      {"dest", "add", "1"},
      {"dest", "add", "one", "sip:10.0.0.2:5060"},
      {"dest", "add", "1", "sip:10.0.0.2:5060", "--capacity", "calls"},
      {"dest", "add", "1", "sip:10.0.0.2:5060", "--capacity", "calls=many"},
      {"dest", "export", "--format", "xml"},
      {"dialogs", "list", "--phase", "ringing"},
      {"dialogs", "list", "--limit", "0"},
      {"dialogs", "show"},
      {"log-level", "verbose"},
      {"stats", "--count", "2"},
      {"stats", "--watch", "--interval", "0"},
      {"lb_status", "sip:10.0.0.2:5060", "2"},
      {"ds_set_state", "x", "sip:10.0.0.2:5060"},
      {"dispatcher.set_state", "ip", "two", "sip:10.0.0.2:5060"},
      {"status", "--timeout", "-1"},
      {"status", "extra"},
      {"reg"},
      {"reg", "lookup"},
      {"reg", "lookup", "a@example.com", "b@example.com"},
      {"reg", "show"},
      {"reg", "list", "--limit", "0"},
      {"reg", "list", "--limit", "many"},
      {"reg", "add", "alice@example.com"},
      {"reg", "add", "alice@example.com", "sip:alice@192.0.2.10", "--expires", "0"},
      {"reg", "add", "alice@example.com", "sip:alice@192.0.2.10", "--expires", "soon"},
      {"reg", "add", "alice@example.com", "sip:alice@192.0.2.10", "--q", "1.5"},
      {"reg", "rm"},
      {"reg", "rm", "a@example.com", "sip:a@192.0.2.1", "extra"},
      {"reg", "count", "extra"},
      {"reg", "import"},
      {"subscribers"},
      {"subscribers", "reload", "extra"},
      {"ul_show_contact"},
      {"ul_show_contact", "location", "alice@example.com", "bob@example.com"},
      {"ul.lookup", "alice@example.com", "bob@example.com"},
      {"ul_rm", "location"},
      {"ul_rm_contact", "location", "alice@example.com"},
      {"ul_add", "location", "alice@example.com"},
      {"ul_add", "location", "alice@example.com", "sip:alice@192.0.2.10", "never"},
      {"ul.add", "location", "alice@example.com", "sip:alice@192.0.2.10", "60", "2"},
  };
  for (const auto& argv : usage_errors) {
    SCOPED_TRACE("siplbctl " + joined(argv));
    RunResult result = run(argv);
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_FALSE(result.err.empty());
    EXPECT_TRUE(take_recorded().empty());
  }
  RunResult result = run({"dest", "set-state", "sip:10.0.0.2:5060", "up"});
  EXPECT_NE(result.err.find("STATE must be active, inactive, probing or disabled"), std::string::npos) << result.err;
}

TEST_F(SiplbctlTest, HelpAndVersionExitZero) {
  const std::vector<std::vector<std::string>> helps = {
      {"--help"}, {"status", "--help"}, {"stats", "--help"}, {"dest", "--help"}, {"dest", "list", "--help"},
      {"dest", "show", "--help"}, {"dest", "add", "--help"}, {"dest", "remove", "--help"},
      {"dest", "set-state", "--help"}, {"dest", "set-weight", "--help"}, {"dest", "set-capacity", "--help"},
      {"dest", "drain", "--help"}, {"dest", "undrain", "--help"}, {"dest", "diff", "--help"},
      {"dest", "export", "--help"}, {"hash", "--help"}, {"dialogs", "--help"}, {"dialogs", "count", "--help"},
      {"dialogs", "list", "--help"}, {"dialogs", "show", "--help"}, {"dialogs", "end", "--help"},
      {"reload", "--help"}, {"log-level", "--help"}, {"ds_list", "--help"}, {"ds_set_state", "--help"},
      {"ds_reload", "--help"}, {"lb_list", "--help"}, {"lb_resize", "--help"}, {"lb_status", "--help"},
      {"dlg_list", "--help"}, {"dlg_end_dlg", "--help"}, {"dispatcher.list", "--help"},
      {"dispatcher.set_state", "--help"}, {"dispatcher.hash", "--help"}, {"dispatcher.add", "--help"},
      {"dispatcher.remove", "--help"}, {"dispatcher.reload", "--help"}, {"reg", "--help"},
      {"reg", "lookup", "--help"}, {"reg", "show", "--help"}, {"reg", "list", "--help"}, {"reg", "add", "--help"},
      {"reg", "rm", "--help"}, {"reg", "count", "--help"}, {"reg", "import", "--help"}, {"subscribers", "--help"},
      {"subscribers", "reload", "--help"}, {"ul_show_contact", "--help"}, {"ul_dump", "--help"}, {"ul_rm", "--help"},
      {"ul_rm_contact", "--help"}, {"ul_add", "--help"}, {"ul.lookup", "--help"}, {"ul.dump", "--help"},
      {"ul.rm", "--help"}, {"ul.rm_contact", "--help"}, {"ul.add", "--help"},
  };
  for (const auto& argv : helps) {
    SCOPED_TRACE("siplbctl " + joined(argv));
    RunResult result = run(argv);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << result.out;
  }
  RunResult top = run({"--help"});
  for (const char* listed : {"OpenSIPS MI names", "ds_set_state", "dlg_end_dlg", "Kamailio RPC names",
                             "dispatcher.set_state", "Exit codes", "reg", "subscribers", "ul_show_contact", "ul.add"}) {
    EXPECT_NE(top.out.find(listed), std::string::npos) << listed;
  }
  RunResult version = run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, "siplbctl 0.1.0\n");
  EXPECT_TRUE(take_recorded().empty());
}

TEST_F(SiplbctlTest, NoServerAtThePathExitsThree) {
  std::string missing = dir_.file("nobody.sock");
  RunResult result = run({"--socket", missing, "status"}, {.with_socket = false});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err,
            "siplbctl: cannot connect to " + missing + ": No such file or directory (is siplbd running? --socket)\n");
}

TEST_F(SiplbctlTest, StaleSocketFileExitsThree) {
  std::string stale = dir_.file("stale.sock");
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, stale.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);
  RunResult result = run({"--socket", stale, "status"}, {.with_socket = false});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, "siplbctl: cannot connect to " + stale + ": Connection refused (is siplbd running? --socket)\n");
}

TEST_F(SiplbctlTest, SilentServerTimesOutWithExitThree) {
  // "status" is swapped for a handler that never answers while siplbctl waits.
  test::TempDir other_dir;
  test::IoThread other_io;
  std::string path = other_dir.file("slow.sock");
  std::string error;
  auto slow = ApiServer::create(other_io.io(), path, error);
  ASSERT_TRUE(slow) << error;
  std::vector<Respond> held;
  std::mutex held_mutex;
  slow->add_command("status", [&](const Json&, Respond respond) {
    std::lock_guard lock(held_mutex);
    held.push_back(std::move(respond));
  });
  slow->start();
  auto started = std::chrono::steady_clock::now();
  RunResult result = run({"--socket", path, "--timeout", "0.3", "status"}, {.with_socket = false});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, "siplbctl: no answer from " + path + " within 0.3 s (--timeout)\n");
  EXPECT_LT(took, std::chrono::seconds(3));
  slow->stop();
  other_io.stop();
}

TEST_F(SiplbctlTest, NonsenseFromTheServerIsAProtocolErrorWithExitThree) {
  std::string path = dir_.file("nonsense.sock");
  int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  std::thread server([listener] {
    for (const char* answer : {"this is not json\n", "{\"version\":2,\"ok\":true}\n"}) {
      int connection = ::accept(listener, nullptr, nullptr);
      if (connection < 0) return;
      char buffer[4096];
      (void)::recv(connection, buffer, sizeof(buffer), 0);
      (void)::send(connection, answer, std::strlen(answer), MSG_NOSIGNAL);
      ::close(connection);
    }
  });
  RunResult result = run({"--socket", path, "status"}, {.with_socket = false});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, "siplbctl: protocol error from " + path + ": the reply is not a JSON object\n");
  result = run({"--socket", path, "status"}, {.with_socket = false});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, "siplbctl: protocol error from " + path + ": the reply is not protocol version 1\n");
  server.join();
  ::close(listener);
}

TEST_F(SiplbctlTest, WatchRedrawsStatsCountTimes) {
  RunResult result = run({"stats", "--watch", "--count", "2", "--interval", "0.1"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(occurrences(result.out, "\x1b[H\x1b[2J"), 2u) << result.out;
  EXPECT_EQ(occurrences(result.out, "siplbctl stats  every 0.1 s  "), 2u) << result.out;
  EXPECT_EQ(occurrences(result.out, "rx_packets"), 2u);
  // The second refresh has rates: 100 more rx_packets in about 0.1 s.
  EXPECT_EQ(occurrences(result.out, "PER_SECOND"), 1u) << result.out;
  auto recorded = take_recorded();
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].command, "stats");
  EXPECT_EQ(recorded[1].command, "stats");
}

TEST_F(SiplbctlTest, WatchEndsWithExitZeroOnCtrlC) {
  RunOptions options;
  options.interrupt_once_shown = "siplbctl stats  every 0.1 s  ";
  RunResult result = run({"stats", "--watch", "--interval", "0.1"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GE(occurrences(result.out, "siplbctl stats  every 0.1 s  "), 1u);
}

TEST_F(SiplbctlTest, WatchStopsWithExitOneOnAServerError) {
  fail_stats_from_round_ = 1;
  RunResult result = run({"stats", "--watch", "--count", "5", "--interval", "0.05", "--json"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(occurrences(result.out, "\"rx_packets\": 1000"), 1u) << result.out;
  EXPECT_EQ(result.err, "siplbctl: failed: counters are unavailable\n");
}

}  // namespace
}  // namespace siplb::control::api
