#include "registrar_setup.hpp"

#include <rte_cycles.h>

#include <algorithm>
#include <chrono>

#include "binding_table.hpp"
#include "siplb/auth/nonce.hpp"

namespace siplb::dataplane {
namespace {

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// The registrar's binding table and digest nonces ([registrar]); nothing without served domains.
bool create_registrar(Shared& sh, const config::Config& cfg, rte_rcu_qsbr* rcu, uint16_t writers, int socket,
                      std::string& error) {
  sh.wall_base_tsc = rte_rdtsc();
  sh.wall_base_ms = unix_ms_now();
  if (!cfg.registrar.enabled()) return true;
  BindingTableSettings settings;
  settings.aors = cfg.registrar.aors;
  settings.bindings = cfg.registrar.contacts;
  settings.writers = writers;
  static int serial = 0;  // rte_hash and mempool names are process-wide
  const std::string name = "aors_" + std::to_string(serial++);
  sh.bindings = BindingTable::create(name.c_str(), settings, rcu, socket);
  if (!sh.bindings) {
    error = cfg.source + ":" + std::to_string(cfg.registrar.line) + ": cannot create the binding table for " +
            std::to_string(cfg.registrar.aors) + " AoRs and " + std::to_string(cfg.registrar.contacts) +
            " contacts ([registrar] aors/contacts; give EAL more memory with -m or hugepages)";
    return false;
  }
  auth::NonceSettings nonce_settings;
  nonce_settings.lifetime_s = cfg.registrar.nonce_lifetime_s;
  nonce_settings.retries = static_cast<uint8_t>(std::min<uint32_t>(cfg.registrar.auth_retries, 255));
  std::string nonce_error;
  sh.nonces = auth::NonceAuthority::create(nonce_settings, &nonce_error);
  if (!sh.nonces) {
    error = "cannot set up digest nonces: " + nonce_error;
    return false;
  }
  // Under "sync" a REGISTER's 200 OK leaves once the store has fsynced the change.
  sh.defer_register_replies =
      cfg.store.durability == config::Durability::sync || cfg.store.durability == config::Durability::peer;
  return true;
}

}  // namespace siplb::dataplane
