// The worker lcore: its start-up (per-worker tables), its poll loop and its release.
// init_worker/release_worker run on the main thread before launch and after join;
// worker_main runs on the worker's own lcore.
#pragma once

#include "dataplane.hpp"

namespace siplb::dataplane {

// A packet control asks a worker to send (health probes): payload-only mbuf and where it goes.
struct InjectedPacket {
  rte_mbuf* mbuf;
  Egress egress;
  uint32_t reply_code;  // 0: a probe; else a deferred reply of ours with this code
};
static_assert(sizeof(InjectedPacket) % 4 == 0, "ring elements are multiples of 4 octets");

// Creates the worker's transaction table and fragment table. False on failure (logged).
bool init_worker(WorkerContext& ctx, Shared& shared, uint16_t index, uint32_t lcore_id);
void release_worker(WorkerContext& ctx);

// rte_lcore_function_t: polls every interface's queue `ctx.queue_id` until shared.stop is set.
int worker_main(void* ctx);

// One iteration of the loop: receive and process a burst per interface, take injected packets,
// retry ARP waits, sweep expired state, transmit. Returns how many packets it received and took
// from the inject ring (0: an empty poll). Exposed for tests and benchmarks.
uint32_t worker_poll_once(WorkerContext& ctx);

}  // namespace siplb::dataplane
