// The settings of Shared (dataplane.hpp) that come from the configuration: the proxy's
// ([balancer]), the SIP ports, and the tables' sizes and timers ([tables]) in TSC ticks. One
// mapping for siplbd and for the programs that run a worker without it (golden tests, fuzz
// targets, benchmarks). Main thread, before the workers start.
#pragma once

#include "dataplane.hpp"
#include "siplb/config/config.hpp"

namespace siplb::dataplane {

void apply_settings(Shared& shared, const config::Config& config);

}  // namespace siplb::dataplane
