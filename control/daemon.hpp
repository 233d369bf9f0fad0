// siplbd: the process, owned by control. Parses its own options (after EAL's, behind "--"),
// loads and validates the configuration, opens the store and binds the API socket and metrics
// port (each refusing before any device is touched), brings up the dataplane through
// siplb/dataplane/engine.hpp, restores persisted state, starts the workers and runs the control
// loop on the main thread (the main lcore's core) until SIGINT/SIGTERM; the API and metrics I/O
// run on one more ordinary thread, the store's writes on another. Shutdown runs in reverse.
#pragma once

namespace siplb::control {

int run_siplbd(int argc, char** argv);

}  // namespace siplb::control
