// What a configuration reload (SIGHUP) may change while siplbd runs: the destination sets'
// algorithms and least-loaded keys, each destination's weight, priority, state and capacities,
// and the registrar's domains and rules (expiries, contacts, authentication; the subscriber file
// is read again), all taking effect for new requests as soon as the new snapshot is published.
// The shape of the sets (which sets, which destinations in which order), whether there is a
// registrar and the size of its table, and the other sections need a restart: dialogs,
// counters and probes are kept by destination position, the tables are made at start.
// Pure logic on Config values; control thread.
#pragma once

#include <string>

#include "siplb/config/config.hpp"

namespace siplb::control {

// Checks that `next` can replace `running` and prepares it: its resource names are re-ordered
// so that every name `running` has keeps its LoadBoard column (new names come after). False with
// the reason in `error` (the running configuration stays as it is).
bool prepare_reload(const config::Config& running, config::Config& next, std::string& error);

}  // namespace siplb::control
