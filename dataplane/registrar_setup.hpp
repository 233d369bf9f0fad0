// The registrar's shared state in Shared (dataplane.hpp): the binding table, the digest nonces,
// the wall clock base the workers read and whether REGISTER replies wait for the store. One
// set-up for siplbd's engine and for the programs that run a worker without it (benchmarks).
// Main thread, before the workers start.
#pragma once

#include <cstdint>
#include <string>

#include "dataplane.hpp"
#include "siplb/config/config.hpp"

struct rte_rcu_qsbr;

namespace siplb::dataplane {

// The wall clock base always; the binding table (`writers` writer ids: the workers and control,
// readers of `rcu`) and nonces only with [registrar] domains. False with `error` set on failure.
bool create_registrar(Shared& sh, const config::Config& cfg, rte_rcu_qsbr* rcu, uint16_t writers, int socket,
                      std::string& error);

}  // namespace siplb::dataplane
