// The worker poll loop (DPDK l3fwd shape): receive bursts, process each packet to a staged
// transmission or a counted drop, then housekeeping behind cheap checks, then transmit.
#include "worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <cstdio>

#include "packet_path.hpp"

namespace siplb::dataplane {
namespace {
constexpr uint32_t kFragBuckets = 1024;
constexpr uint32_t kFragEntriesPerBucket = 4;
constexpr uint32_t kFragMaxEntries = 4096;
constexpr uint64_t kFragTtlMs = 2000;
constexpr uint32_t kSweepEvery = 1024;   // loop iterations between transaction sweeps
constexpr uint32_t kSweepBudget = 64;    // entries looked at per sweep
}  // namespace

bool init_worker(WorkerContext& ctx, Shared& shared, uint16_t index, uint32_t lcore_id) {
  ctx.worker_index = index;
  ctx.queue_id = index;
  ctx.lcore_id = lcore_id;
  ctx.shared = &shared;
  ctx.select_state.rng = 0x9e3779b97f4a7c15ull * (index + 1) + rte_rdtsc();
  int socket = static_cast<int>(rte_lcore_to_socket_id(lcore_id));
  if (socket < 0) socket = 0;
  char name[32];
  std::snprintf(name, sizeof(name), "txn_%u", index);
  ctx.transactions = TransactionTable::create(name, shared.transaction_capacity, socket);
  if (!ctx.transactions) return false;
  if (shared.bindings) ctx.registrar = std::make_unique<RegistrarScratch>();
  uint64_t frag_ttl = (shared.tsc_hz + 999) / 1000 * kFragTtlMs;
  ctx.frag_table = rte_ip_frag_table_create(kFragBuckets, kFragEntriesPerBucket, kFragMaxEntries,
                                            frag_ttl, socket);
  if (!ctx.frag_table) {
    RTE_LOG(ERR, USER1, "worker %u: rte_ip_frag_table_create failed\n", index);
    return false;
  }
  return true;
}

void release_worker(WorkerContext& ctx) {
  for (uint16_t i = 0; i < ctx.pending_count; ++i) rte_pktmbuf_free(ctx.pending[i].mbuf);
  ctx.pending_count = 0;
  for (auto& tx : ctx.tx) {
    for (uint16_t i = 0; i < tx.count; ++i) rte_pktmbuf_free(tx.mbufs[i]);
    tx.count = 0;
  }
  if (ctx.frag_table) {
    rte_ip_frag_free_death_row(&ctx.death_row, 0);
    rte_ip_frag_table_destroy(ctx.frag_table);
    ctx.frag_table = nullptr;
  }
  ctx.transactions.reset();
}

uint32_t worker_poll_once(WorkerContext& ctx) {
  Shared& sh = *ctx.shared;
  uint32_t work = 0;
  ctx.now_tsc = rte_rdtsc();
  ctx.snapshot = sh.snapshot.load(std::memory_order_acquire);
  rte_mbuf* burst[kBurst];
  for (uint16_t i = 0; i < sh.interfaces.size(); ++i) {
    uint16_t n = rte_eth_rx_burst(sh.interfaces[i].port_id, ctx.queue_id, burst, kBurst);
    work += n;
    for (uint16_t k = 0; k < n; ++k) {
      if (k + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(burst[k + 1], void*));
      handle_frame(ctx, i, burst[k]);
    }
  }
  if (rte_ring* inject = sh.inject[ctx.worker_index]) {
    InjectedPacket p[8];
    unsigned n = rte_ring_dequeue_burst_elem(inject, p, sizeof(InjectedPacket), 8, nullptr);
    work += n;
    for (unsigned k = 0; k < n; ++k) {
      Outcome outcome{p[k].reply_code ? Outcome::reply : Outcome::probe};
      outcome.reply_code = static_cast<uint16_t>(p[k].reply_code);
      send_udp(ctx, p[k].mbuf, p[k].egress, outcome);
    }
  }
  // HA takeover: worker 0 announces the virtual IPs as soon as control asks.
  if (ctx.worker_index == 0) {
    const uint32_t asked = sh.vip_announcements.load(std::memory_order_acquire);
    if (asked != ctx.vip_announced) {
      ctx.vip_announced = asked;
      announce_vips(ctx);
    }
  }
  // Replaced binding records whose grace period is over go back to their mempools.
  if (sh.bindings) sh.bindings->reclaim(ctx.worker_index);
  service_pending(ctx);
  if (ctx.death_row.cnt) rte_ip_frag_free_death_row(&ctx.death_row, 3);
  if (ctx.transactions && (ctx.sweep_urgently || ++ctx.iterations % kSweepEvery == 0)) {
    ctx.transactions->sweep(ctx.now_tsc, kSweepBudget);
    ctx.sweep_urgently = false;
  }
  flush_tx(ctx);
  return work;
}

int worker_main(void* arg) {
  auto& ctx = *static_cast<WorkerContext*>(arg);
  Shared& sh = *ctx.shared;
  if (sh.rcu) {
    rte_rcu_qsbr_thread_register(sh.rcu, ctx.worker_index);
    rte_rcu_qsbr_thread_online(sh.rcu, ctx.worker_index);
  }
  RTE_LOG(INFO, USER1, "worker %u on lcore %u polling queue %u\n", ctx.worker_index, ctx.lcore_id,
          ctx.queue_id);
  uint32_t empty_polls = 0;
  while (!sh.stop.load(std::memory_order_relaxed)) {
    const uint32_t work = worker_poll_once(ctx);
    // The snapshot read in this iteration is no longer used: let control free older ones.
    if (sh.rcu) rte_rcu_qsbr_quiescent(sh.rcu, ctx.worker_index);
    // Adaptive idle: a worker that found nothing for a while sleeps a few microseconds between
    // polls (a pending ARP wait or staged packet still gets its next poll after the pause). The
    // sleep is a syscall, taken only when there is no traffic at all.
    if (sh.adaptive_idle) {
      empty_polls = work ? 0 : empty_polls + 1;
      if (empty_polls >= sh.idle_polls) rte_delay_us_sleep(sh.idle_sleep_us);
    }
  }
  if (sh.rcu) {
    rte_rcu_qsbr_thread_offline(sh.rcu, ctx.worker_index);
    rte_rcu_qsbr_thread_unregister(sh.rcu, ctx.worker_index);
  }
  return 0;
}

}  // namespace siplb::dataplane
