#include "shared_settings.hpp"

#include <rte_cycles.h>

namespace siplb::dataplane {
namespace {

// Neighbour cache timing: an entry past its age minus the grace is refreshed while still used,
// a request is repeated at most every retry, and a packet waits at most `wait` for an answer.
constexpr uint64_t kArpRetryMs = 1000;
constexpr uint64_t kArpGraceMs = 3000;
constexpr uint64_t kArpWaitMs = 3000;

}  // namespace

void apply_settings(Shared& sh, const config::Config& cfg) {
  sh.tsc_hz = rte_get_tsc_hz();
  const uint64_t tsc_per_ms = sh.tsc_hz / 1000;
  sh.proxy.max_message_size = cfg.balancer.max_message_size;
  sh.proxy.record_route = cfg.balancer.record_route;
  sh.proxy.double_record_route = cfg.balancer.double_record_route;
  sh.proxy.max_forwards = cfg.balancer.max_forwards;
  sh.proxy.retry_after_s = cfg.balancer.retry_after_s;
  sh.proxy.server_header = cfg.balancer.server_header;
  sh.sip_port_count = 0;
  for (uint16_t p : cfg.balancer.sip_ports)
    if (sh.sip_port_count < kMaxSipPorts) sh.sip_ports[sh.sip_port_count++] = p;
  sh.arp_max_age_tsc = uint64_t{cfg.tables.arp_timeout_s} * 1000 * tsc_per_ms;
  sh.arp_grace_tsc = kArpGraceMs * tsc_per_ms;
  sh.arp_retry_tsc = kArpRetryMs * tsc_per_ms;
  sh.arp_wait_tsc = kArpWaitMs * tsc_per_ms;
  sh.transaction_ttl_tsc = uint64_t{cfg.tables.transaction_ttl_ms} * tsc_per_ms;
  sh.transaction_capacity = cfg.tables.transactions;
  sh.adaptive_idle = cfg.workers.idle == config::IdleMode::adaptive;
  sh.idle_polls = cfg.workers.idle_polls;
  sh.idle_sleep_us = cfg.workers.idle_sleep_us;
}

}  // namespace siplb::dataplane
