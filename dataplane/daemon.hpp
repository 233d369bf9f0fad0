// siplbd: the process. Parses its own options (after EAL's, behind "--"), loads and validates the
// configuration before EAL touches any device, brings up pools, ports and workers, and runs the
// control loop (health probing, snapshot publishing, counters on SIGUSR1 and at exit) on the main
// lcore until SIGINT/SIGTERM. Main thread only.
#pragma once

namespace siplb::dataplane {

int run_daemon(int argc, char** argv);

}  // namespace siplb::dataplane
