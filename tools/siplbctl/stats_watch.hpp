// `siplbctl stats --watch`: asks for stats every interval on one connection and redraws the
// terminal in place like top (clear screen, cursor home, a header with the time and interval),
// with per-second rates from the previous sample. Ctrl-C ends it with exit code 0.
// Main thread; installs a SIGINT handler for its duration.
#pragma once

#include <cstdint>
#include <ostream>

#include "api_client.hpp"

namespace siplbctl {

// Returns the exit code: 0 after `count` refreshes (0: until Ctrl-C), 1 when siplbd answers
// with an error, 3 when the connection fails.
int watch_stats(ApiClient& client, double interval_s, int64_t count, bool json, std::ostream& out);

}  // namespace siplbctl
