// The top-like stats view (see stats_watch.hpp).
#include "stats_watch.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <sstream>
#include <thread>

#include "render.hpp"
#include "server_error.hpp"

namespace siplbctl {

namespace {

volatile std::sig_atomic_t interrupted = 0;

void on_interrupt(int) { interrupted = 1; }

std::string wall_clock_text() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S", &local);
  return buffer;
}

// Sleeps up to `seconds`, waking early on Ctrl-C.
void pause_for(double seconds) {
  using Clock = std::chrono::steady_clock;
  auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (!interrupted && Clock::now() < until) {
    Clock::duration left = until - Clock::now();
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(50)));
  }
}

}  // namespace

int watch_stats(ApiClient& client, double interval_s, int64_t count, bool json, std::ostream& out) {
  interrupted = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  struct sigaction previous_action {};
  sigaction(SIGINT, &action, &previous_action);

  Json previous;
  auto previous_time = std::chrono::steady_clock::now();
  int exit_code = 0;
  for (int64_t refresh = 0; !interrupted && (count == 0 || refresh < count); ++refresh) {
    if (refresh > 0) pause_for(interval_s);
    if (interrupted) break;

    ApiReply reply;
    std::string problem;
    if (!client.call("stats", Json::object(), reply, problem)) {
      std::cerr << "siplbctl: " << problem << '\n';
      exit_code = 3;
      break;
    }
    if (!reply.ok) {
      print_server_error(reply, std::cerr);
      exit_code = 1;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    double elapsed_s = std::chrono::duration<double>(now - previous_time).count();

    // Build the frame first and write it at once, so the screen never shows half a refresh.
    std::ostringstream frame;
    frame << "\x1b[H\x1b[2J";
    frame << "siplbctl stats  every " << interval_s << " s  " << wall_clock_text() << "  (Ctrl-C to quit)\n\n";
    if (json) {
      frame << reply.result.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    } else {
      render_stats(reply.result, frame, previous.is_null() ? nullptr : &previous, elapsed_s);
    }
    out << frame.str() << std::flush;
    previous = std::move(reply.result);
    previous_time = now;
  }
  sigaction(SIGINT, &previous_action, nullptr);
  return exit_code;
}

}  // namespace siplbctl
