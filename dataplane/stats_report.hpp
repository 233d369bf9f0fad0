// Human-readable counters of the running daemon: totals over all workers, per destination with
// its state, replies by code and drops by reason. Control thread; reads the workers' counters
// relaxed (a report may be a few packets behind).
#pragma once

#include <cstdio>
#include <memory>
#include <vector>

#include "../control/health_prober.hpp"
#include "dataplane.hpp"

namespace siplb::dataplane {

void print_stats(std::FILE* out, const Shared& shared,
                 const std::vector<std::unique_ptr<WorkerContext>>& workers,
                 const control::HealthProber& prober);

}  // namespace siplb::dataplane
