// A worker without a NIC for golden-packet tests: EAL started once with --no-huge and no devices,
// one mempool, a Shared with one interface (10.0.0.1/24 on port 0, gateway 10.0.0.254, plus the
// IPv6 address of the config's first [[interface]]; further [[interface]] tables of the config
// become interfaces 1, 2, ... on ports 1, 2, ... with MAC 02:00:00:00:00:02, :03, ...) and a
// snapshot built from a config text, and a WorkerContext in capture mode, so that what the worker
// would transmit stays in ctx.tx for the test to read. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "../../dataplane/dialog_tracking.hpp"
#include "../../dataplane/interface_setup.hpp"
#include "../../dataplane/shared_settings.hpp"
#include "../../dataplane/packet_path.hpp"
#include "../../dataplane/worker.hpp"
#include "../support/eal_runtime.hpp"
#include "packet_builder.hpp"
#include "siplb/config/config.hpp"

namespace siplb::golden {

// Stops EAL at the end of the test program and removes its runtime folder
// (/var/run/dpdk/<prefix>), so a run leaves nothing behind.
class EalCleanup : public ::testing::Environment {
 public:
  static bool& started() {
    static bool s = false;
    return s;
  }
  void TearDown() override {
    if (!started()) return;
    std::string dir = rte_eal_get_runtime_dir();
    rte_eal_cleanup();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};
inline ::testing::Environment* const kEalCleanup = ::testing::AddGlobalTestEnvironment(new EalCleanup);


// Starts EAL once per process (no hugepages, no PCI, a file prefix of our own).
inline rte_mempool* test_pool() {
  static rte_mempool* pool = [] {
    test_support::remove_stale_runtime_dirs("siplb-golden-");
    std::string prefix = "--file-prefix=siplb-golden-" + std::to_string(getpid());
    std::vector<std::string> args = {"golden", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
                                     "--log-level=lib.eal:error", prefix, "-l", "0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) return static_cast<rte_mempool*>(nullptr);
    EalCleanup::started() = true;
    return rte_pktmbuf_pool_create("golden", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  }();
  return pool;
}

inline rte_mempool* test_large_pool() {
  static rte_mempool* pool = [] {
    test_pool();
    return rte_pktmbuf_pool_create("golden_large", 63, 0, 0, 16384 + RTE_PKTMBUF_HEADROOM, 0);
  }();
  return pool;
}

inline rte_mempool* test_indirect_pool() {
  static rte_mempool* pool = [] {
    test_pool();
    return rte_pktmbuf_pool_create("golden_indirect", 511, 0, 0, 0, 0);
  }();
  return pool;
}

inline const char* kDefaultConfig = R"(
[balancer]
max_message_size = 2048
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"
gateway = "10.0.0.254"
[[set]]
id = 1
[[set.destination]]
uri = "sip:10.0.0.11:5060"
)";

class Worker {
 public:
  explicit Worker(const char* config_text = kDefaultConfig, uint16_t mtu = 1500)
      : neighbors_(1024), neighbors6_(1024) {
    pool_ = test_pool();
    auto loaded = config::load_config_text(config_text, "golden.toml");
    if (!loaded.ok()) ADD_FAILURE() << loaded.error.message;
    config_ = *loaded.config;
    sh_.pool = pool_;
    sh_.large_pool = test_large_pool();
    sh_.indirect_pool = test_indirect_pool();
    sh_.neighbors = &neighbors_;
    sh_.neighbors6 = &neighbors6_;
    dataplane::apply_settings(sh_, config_);
    sh_.transaction_capacity = 1024;
    dataplane::Interface iface;
    iface.port_id = 0;
    iface.mac = mac(0x01);
    iface.ip_be = ip("10.0.0.1");
    iface.mask_be = ip("255.255.255.0");
    iface.gateway_be = ip("10.0.0.254");
    iface.mtu = mtu;
    iface.sip_port = 5060;
    iface.ip_text = "10.0.0.1";
    iface.via_sent_by = "10.0.0.1:5060";
    iface.record_route = "<sip:10.0.0.1:5060;lr>";
    if (!config_.interfaces.empty() && config_.interfaces[0].vip) {
      const dataplane::Interface made = interface_of(config_.interfaces[0], 0, mtu);
      iface.vip_be = made.vip_be;
      iface.vip_text = made.vip_text;
      iface.via_sent_by_vip = made.via_sent_by_vip;
      iface.record_route_vip = made.record_route_vip;
    }
    if (!config_.interfaces.empty() && config_.interfaces[0].address6) {
      iface.has_ip6 = true;
      std::memcpy(iface.ip6, config_.interfaces[0].address6->ip.bytes.data(), 16);
      iface.prefix6 = config_.interfaces[0].address6->length;
      iface.ip6_text = net::format_ip(config_.interfaces[0].address6->ip);
      iface.via_sent_by6 = "[" + iface.ip6_text + "]:5060";
      iface.record_route6 = "<sip:" + iface.via_sent_by6 + ";lr>";
    }
    sh_.interfaces.push_back(iface);
    for (std::size_t i = 1; i < config_.interfaces.size() && i < dataplane::kMaxPorts; ++i)
      sh_.interfaces.push_back(interface_of(config_.interfaces[i], static_cast<uint16_t>(i), mtu));
    // Least-loaded sets: the dialog table, with a QSBR variable no thread reads under (deleted
    // key positions come back at once).
    rcu_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("golden_rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE));
    if (!rcu_ || rte_rcu_qsbr_init(rcu_, 1) != 0) ADD_FAILURE() << "rcu";
    std::string dialog_error;
    if (!dataplane::create_dialog_tracking(sh_, config_, rcu_, 0, dialog_error)) ADD_FAILURE() << dialog_error;
    if (config_.registrar.enabled()) {
      // The registrar's table with no writer queue: replaced records are freed at once (no
      // thread reads under the QSBR variable here).
      static int tables = 0;
      dataplane::BindingTableSettings bs;
      bs.aors = config_.registrar.aors;
      bs.bindings = config_.registrar.contacts;
      bs.writers = 0;
      sh_.bindings = dataplane::BindingTable::create(("golden_aors" + std::to_string(tables++)).c_str(), bs, rcu_, 0);
      if (!sh_.bindings) ADD_FAILURE() << "binding table";
      std::string nonce_error;
      sh_.nonces = auth::NonceAuthority::create(auth::NonceSettings{}, &nonce_error);
      if (!sh_.nonces) ADD_FAILURE() << nonce_error;
      sh_.wall_base_tsc = rte_rdtsc();
      sh_.wall_base_ms = 1796540000000;  // 2026-12-06 06:53:20 UTC
      sh_.tsc_hz = rte_get_tsc_hz();
    }
    publish({});
    static int serial = 0;
    ctx_.capture_tx = true;
    if (!dataplane::init_worker(ctx_, sh_, static_cast<uint16_t>(serial++ % 1000), 0))
      ADD_FAILURE() << "init_worker failed";
    ctx_.queue_id = 0;
    // Every neighbour of the tests is known, unless a test says otherwise.
    for (const char* n : {"10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.254"})
      learn(n, mac(static_cast<uint8_t>(ip(n) >> 24)));
  }
  ~Worker() {
    clear_output();
    dataplane::release_worker(ctx_);
    delete sh_.snapshot.exchange(nullptr);
    sh_.dialogs.reset();
    sh_.bindings.reset();
    rte_free(rcu_);
  }

  void publish(const std::vector<balance::DestinationState>& states) {
    delete sh_.snapshot.exchange(dataplane::build_snapshot(config_, states, ++version_).release());
  }
  void learn(const char* addr, rte_ether_addr m) {
    if (std::strchr(addr, ':')) {
      uint8_t a[16];
      inet_pton(AF_INET6, addr, a);
      neighbors6_.learn(a, m.addr_bytes, rte_rdtsc());
      return;
    }
    neighbors_.learn(ip(addr), m.addr_bytes, rte_rdtsc());
  }

  // Runs one frame, received on interface `iface`, through the packet path; returns what was
  // staged for transmission on any port.
  std::vector<Decoded> run(rte_mbuf* m, uint16_t iface = 0) {
    clear_output();
    if (!m) {
      ADD_FAILURE() << "the test frame did not fit an mbuf";
      return {};
    }
    ctx_.now_tsc = rte_rdtsc();
    ctx_.snapshot = sh_.snapshot.load();
    dataplane::handle_frame(ctx_, iface, m);
    return output();
  }
  std::vector<Decoded> service_pending() {
    clear_output();
    ctx_.now_tsc = rte_rdtsc();
    dataplane::service_pending(ctx_);
    return output();
  }
  // Staged frames, port by port (interface i sends on port i).
  std::vector<Decoded> output() const {
    std::vector<Decoded> out;
    for (std::size_t port = 0; port < sh_.interfaces.size(); ++port) {
      const auto& tx = ctx_.tx[port];
      for (uint16_t i = 0; i < tx.count; ++i) out.push_back(decode(tx.mbufs[i]));
    }
    return out;
  }
  void clear_output() {
    for (std::size_t port = 0; port < sh_.interfaces.size(); ++port) {
      auto& tx = ctx_.tx[port];
      for (uint16_t i = 0; i < tx.count; ++i) rte_pktmbuf_free(tx.mbufs[i]);
      tx.count = 0;
    }
  }
  uint64_t drops(dataplane::DropReason r) const {
    return ctx_.counters.drops[static_cast<std::size_t>(r)].get();
  }
  uint64_t total_drops() const {
    uint64_t n = 0;
    for (const auto& c : ctx_.counters.drops) n += c.get();
    return n;
  }
  dataplane::WorkerContext& ctx() { return ctx_; }
  dataplane::Shared& shared() { return sh_; }
  rte_mempool* pool() const { return pool_; }

 private:
  // Interface `index` (port `index`) as siplbd builds it from an [[interface]] table.
  static dataplane::Interface interface_of(const config::InterfaceConfig& ic, uint16_t index, uint16_t mtu) {
    dataplane::Interface iface = dataplane::interface_from_config(ic, index, mac(static_cast<uint8_t>(0x01 + index)), 5060);
    iface.mtu = mtu;
    return iface;
  }

  rte_mempool* pool_;
  config::Config config_;
  dataplane::NeighborTable neighbors_;
  dataplane::Neighbor6Table neighbors6_;
  dataplane::Shared sh_;
  dataplane::WorkerContext ctx_;
  uint64_t version_ = 0;
  rte_rcu_qsbr* rcu_ = nullptr;
};

}  // namespace siplb::golden
