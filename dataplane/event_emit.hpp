// A worker hands an event to control: one single-producer enqueue on its own ring, never a wait.
// A full ring loses the event and counts it (events_dropped). Worker lcores only.
#pragma once

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dataplane.hpp"
#include "siplb/dataplane/events.hpp"

namespace siplb::dataplane {

// False when the event was lost (ring full) or nobody listens (no ring: tests, benchmarks that
// do not ask for events).
inline bool emit_event(WorkerContext& ctx, const Event& event) {
  if (!ctx.events) return false;
  // DPDK 22.11 takes the element through a non-const pointer; it only reads it.
  if (rte_ring_sp_enqueue_elem(ctx.events, const_cast<Event*>(&event), sizeof(Event)) == 0) return true;
  ctx.counters.events_dropped.add();
  return false;
}

}  // namespace siplb::dataplane
