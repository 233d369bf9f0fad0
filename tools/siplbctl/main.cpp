// siplbctl: the operator's client of siplbd's management API (docs/API.md). Parses the command
// line, sends one request (or, for stats --watch, one per refresh) and prints the result.
// Exit codes: 0 done, 1 siplbd answered an error, 2 usage error, 3 siplbd unreachable or the
// conversation broke (connection, timeout, protocol).
#include <chrono>
#include <iostream>

#include "api_client.hpp"
#include "command_line.hpp"
#include "server_error.hpp"
#include "stats_watch.hpp"

namespace {

constexpr int kExitServerError = 1;
constexpr int kExitUnreachable = 3;

}  // namespace

int main(int argc, char** argv) {
  siplbctl::CommandLine command_line;
  if (auto exit_code = command_line.parse(argc, argv)) return *exit_code;
  const auto& global = command_line.global();
  const auto& invocation = command_line.invocation();

  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(global.timeout_s * 1000));
  siplbctl::ApiClient client(global.socket, timeout);
  std::string problem;
  if (!client.connect(problem)) {
    std::cerr << "siplbctl: " << problem << '\n';
    return kExitUnreachable;
  }

  if (invocation.watch) {
    return siplbctl::watch_stats(client, invocation.interval_s, invocation.count, global.json, std::cout);
  }

  siplbctl::ApiReply reply;
  if (!client.call(invocation.command, invocation.args, reply, problem)) {
    std::cerr << "siplbctl: " << problem << '\n';
    return kExitUnreachable;
  }
  if (!reply.ok) {
    siplbctl::print_server_error(reply, std::cerr);
    return kExitServerError;
  }
  if (global.json) {
    std::cout << reply.result.dump(2, ' ', false, siplbctl::Json::error_handler_t::replace) << '\n';
    return 0;
  }
  try {
    invocation.render(reply.result, std::cout);
  } catch (const std::exception& error) {
    // A result shaped other than this siplbctl expects: still show it, as JSON.
    std::cerr << "siplbctl: cannot show the result as a table (" << error.what() << "); printing it as JSON\n";
    std::cout << reply.result.dump(2, ' ', false, siplbctl::Json::error_handler_t::replace) << '\n';
  }
  return 0;
}
