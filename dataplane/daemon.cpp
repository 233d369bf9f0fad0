// siplbd start-up, control loop and shutdown.
#include "daemon.hpp"
#include "interface_setup.hpp"
#include "shared_settings.hpp"

#include <arpa/inet.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../control/config_reload.hpp"
#include "../control/health_prober.hpp"
#include "dialog_tracking.hpp"
#include "packet_path.hpp"
#include "port.hpp"
#include "siplb/config/config.hpp"
#include "siplb/sip/writer.hpp"
#include "stats_report.hpp"
#include "worker.hpp"

namespace siplb::dataplane {
namespace {

constexpr unsigned kPoolMbufs = 16383;
constexpr unsigned kPoolCache = 256;
constexpr unsigned kLargePoolMbufs = 255;
constexpr uint16_t kLargeMbufData = 16384;
constexpr unsigned kIndirectMbufs = 2047;
constexpr unsigned kProbeAnswerRing = 4096;
constexpr unsigned kInjectRing = 1024;
constexpr uint32_t kNeighborSlots = 4096;

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_print = 0;
volatile std::sig_atomic_t g_reload = 0;
void on_stop(int) { g_stop = 1; }
void on_usr1(int) { g_print = 1; }
void on_hup(int) { g_reload = 1; }
constexpr uint32_t kSweepsPerTable = 1000;  // the dialog sweep covers the table in ~1 s of 1 ms ticks
constexpr uint32_t kMinSweepBudget = 64;

void usage(FILE* out) {
  std::fprintf(out,
               "usage: siplbd [EAL options] -- --config FILE [--stats-interval SECONDS]\n"
               "\n"
               "A kernel-bypass SIP load balancer: DPDK workers take SIP over UDP on the ports\n"
               "named in FILE, choose a destination and forward.\n"
               "\n"
               "  --config FILE          the configuration (TOML; see docs/siplbd.example.toml)\n"
               "  --check-config         validate FILE, print a summary and exit (no EAL, no ports)\n"
               "  --stats-interval SEC   also print counters every SEC seconds (default: never)\n"
               "  --help                 this text\n"
               "\n"
               "Counters are printed on SIGUSR1 and at exit; SIGHUP reloads FILE's [[set]]s\n"
               "(weights, priorities, states, capacities, algorithms); SIGINT or SIGTERM stops.\n"
               "EAL options come first, e.g.: -l 0-1 --no-huge -m 512 --no-pci\n"
               "  --vdev net_af_packet0,iface=eth1   (or a NIC bound to vfio-pci with -a PCI)\n");
}

struct Options {
  std::string config_path;
  bool check_only = false;
  unsigned stats_interval_s = 0;
};

// Our options follow "--". Returns -1 on success, else the exit code.
int parse_options(int argc, char** argv, int first, Options& o) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else if (a == "--config" && i + 1 < argc) {
      o.config_path = argv[++i];
    } else if (a == "--check-config") {
      o.check_only = true;
    } else if (a == "--stats-interval" && i + 1 < argc) {
      char* end;
      unsigned long v = std::strtoul(argv[++i], &end, 10);
      if (*end || v == 0 || v > 86400) {
        std::fprintf(stderr, "siplbd: --stats-interval wants 1..86400 seconds, got '%s'\n", argv[i]);
        return 2;
      }
      o.stats_interval_s = static_cast<unsigned>(v);
    } else {
      std::fprintf(stderr, "siplbd: unknown or incomplete option '%s' (try --help)\n", a.c_str());
      return 2;
    }
  }
  if (o.config_path.empty()) {
    std::fprintf(stderr, "siplbd: --config FILE is required (try --help)\n");
    return 2;
  }
  return -1;
}


// Publishes a snapshot and frees the old one once every worker has been quiescent. `self` is the
// caller's QSBR thread id (the control thread reads the dialog table too).
void publish(Shared& sh, std::unique_ptr<Snapshot> next, unsigned self = RTE_QSBR_THRID_INVALID) {
  const Snapshot* old = sh.snapshot.exchange(next.release(), std::memory_order_acq_rel);
  if (old) {
    if (sh.rcu) rte_rcu_qsbr_synchronize(sh.rcu, self);
    delete old;
  }
}

// SIGHUP: re-reads the configuration and applies what may change while running (see
// control/config_reload.hpp). Any error leaves the running configuration untouched.
void reload(config::Config& cfg, const std::string& path, control::HealthProber& prober, Shared& sh,
            uint64_t version, unsigned control_id) {
  config::ConfigResult loaded = config::load_config_file(path);
  if (!loaded.ok()) {
    std::printf("siplbd: reload refused, keeping the running configuration: %s\n", loaded.error.message.c_str());
    std::fflush(stdout);
    return;
  }
  config::Config next = std::move(*loaded.config);
  std::string error;
  if (!control::prepare_reload(cfg, next, error)) {
    std::printf("siplbd: reload refused, keeping the running configuration: %s: %s\n", path.c_str(), error.c_str());
    std::fflush(stdout);
    return;
  }
  // A state the operator changed in the file wins over what probing had found.
  std::vector<balance::DestinationState> states = prober.states();
  std::size_t position = 0;
  for (std::size_t k = 0; k < cfg.sets.size(); ++k)
    for (std::size_t d = 0; d < cfg.sets[k].set.destinations.size(); ++d, ++position)
      if (cfg.sets[k].set.destinations[d].state != next.sets[k].set.destinations[d].state)
        prober.set_state(static_cast<uint16_t>(position), next.sets[k].set.destinations[d].state);
  auto snapshot = build_snapshot(next, prober.states(), version, &error);
  if (!snapshot) {
    std::printf("siplbd: reload refused, keeping the running configuration: %s: %s\n", path.c_str(), error.c_str());
    for (std::size_t d = 0; d < states.size(); ++d) prober.set_state(static_cast<uint16_t>(d), states[d]);
    std::fflush(stdout);
    return;
  }
  publish(sh, std::move(snapshot), control_id);
  cfg = std::move(next);
  std::printf("siplbd: reloaded %s (snapshot %llu)\n", path.c_str(), static_cast<unsigned long long>(version));
  std::fflush(stdout);
}

}  // namespace

int run_daemon(int argc, char** argv) {
  // Split EAL's arguments from ours and validate the configuration before EAL starts.
  int dashdash = argc;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--") == 0) {
      dashdash = i;
      break;
    }
  for (int i = 1; i < dashdash; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
  Options opts;
  if (int rc = parse_options(argc, argv, dashdash + 1, opts); rc >= 0) return rc;
  config::ConfigResult loaded = config::load_config_file(opts.config_path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "siplbd: %s\n", loaded.error.message.c_str());
    return 2;
  }
  config::Config cfg = std::move(*loaded.config);
  if (opts.check_only) {
    std::printf("%s: valid: %zu interface(s), %zu set(s)\n", cfg.source.c_str(), cfg.interfaces.size(),
                cfg.sets.size());
    return 0;
  }

  int eal_argc = dashdash;
  if (rte_eal_init(eal_argc, argv) < 0) {
    std::fprintf(stderr, "siplbd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  int exit_code = 0;
  Shared sh;
  std::vector<std::unique_ptr<WorkerContext>> workers;
  std::vector<uint16_t> started_ports;
  NeighborTable neighbors(kNeighborSlots);
  Neighbor6Table neighbors6(kNeighborSlots);

  do {
    unsigned worker_lcores = rte_lcore_count() - 1;
    unsigned nworkers = cfg.workers.count ? cfg.workers.count : worker_lcores;
    if (nworkers == 0 || nworkers > worker_lcores || nworkers > kMaxWorkers) {
      std::fprintf(stderr,
                   "siplbd: %u worker(s) wanted but EAL gave %u worker lcore(s): give EAL more with -l "
                   "(e.g. -l 0-1 for one worker)\n",
                   nworkers, worker_lcores);
      exit_code = 2;
      break;
    }
    apply_settings(sh, cfg);
    sh.neighbors = &neighbors;
    sh.neighbors6 = &neighbors6;

    int socket = static_cast<int>(rte_socket_id());
    sh.pool = rte_pktmbuf_pool_create("siplb_pool", kPoolMbufs, kPoolCache, 0,
                                      RTE_MBUF_DEFAULT_BUF_SIZE, socket);
    sh.large_pool = rte_pktmbuf_pool_create("siplb_large", kLargePoolMbufs, 16, 0,
                                            kLargeMbufData + RTE_PKTMBUF_HEADROOM, socket);
    sh.indirect_pool = rte_pktmbuf_pool_create("siplb_indirect", kIndirectMbufs, 32, 0, 0, socket);
    if (!sh.pool || !sh.large_pool || !sh.indirect_pool) {
      std::fprintf(stderr, "siplbd: cannot create mbuf pools: %s (more memory: -m)\n", rte_strerror(rte_errno));
      exit_code = 1;
      break;
    }
    sh.probe_answers = rte_ring_create_elem("siplb_probe_answers", sizeof(ProbeAnswer), kProbeAnswerRing,
                                            socket, RING_F_SC_DEQ);
    // QSBR readers: the workers (ids 0..n-1) and the control thread (id n), which ends dialogs.
    size_t rcu_size = rte_rcu_qsbr_get_memsize(nworkers + 1);
    sh.rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc("siplb_rcu", rcu_size, RTE_CACHE_LINE_SIZE));
    if (!sh.probe_answers || !sh.rcu || rte_rcu_qsbr_init(sh.rcu, nworkers + 1) != 0) {
      std::fprintf(stderr, "siplbd: cannot create rings/RCU: %s\n", rte_strerror(rte_errno));
      exit_code = 1;
      break;
    }
    std::string dialog_error;
    if (!create_dialog_tracking(sh, cfg, sh.rcu, socket, dialog_error)) {
      std::fprintf(stderr, "siplbd: %s\n", dialog_error.c_str());
      exit_code = 1;
      break;
    }
    if (sh.dialogs)
      std::printf("siplbd: dialog table for %u dialogs (least-loaded sets)\n", sh.dialogs->capacity());

    bool ports_ok = true;
    for (const auto& ic : cfg.interfaces) {
      PortInfo pi;
      std::string error;
      uint16_t queues = static_cast<uint16_t>(nworkers);
      if (!start_port(ic.port, queues, ic.mtu, ic.checksum_offload, sh.pool, pi, error)) {
        std::fprintf(stderr, "siplbd: %s:%u: %s\n", cfg.source.c_str(), ic.line, error.c_str());
        ports_ok = false;
        break;
      }
      started_ports.push_back(pi.port_id);
      Interface iface = interface_from_config(ic, pi.port_id, pi.mac, cfg.balancer.sip_ports.front());
      iface.tx_multi_seg = pi.tx_multi_seg;
      iface.rx_checksum_offload = pi.rx_checksum;
      iface.tx_checksum_offload = pi.tx_checksum;
      // The workers insert these into messages without checking them again.
      for (const std::string* text : {&iface.via_sent_by, &iface.record_route, &iface.via_sent_by6, &iface.record_route6})
        if (!text->empty() && !sip::is_safe_header_value(*text)) {
          std::fprintf(stderr, "siplbd: %s:%u: interface text \"%s\" cannot go into a SIP header\n",
                       cfg.source.c_str(), ic.line, text->c_str());
          ports_ok = false;
        }
      char mac[RTE_ETHER_ADDR_FMT_SIZE];
      rte_ether_format_addr(mac, sizeof(mac), &pi.mac);
      std::printf("siplbd: interface %s (%s, %s) %s/%u%s%s%s%s%s\n", ic.port.c_str(), pi.driver.c_str(), mac,
                  iface.ip_text.c_str(), ic.address.length, iface.has_ip6 ? " " : "",
                  iface.has_ip6 ? (iface.ip6_text + "/" + std::to_string(iface.prefix6)).c_str() : "",
                  pi.rss ? " RSS" : "", pi.rx_checksum ? " rx-checksum-offload" : "",
                  pi.tx_checksum ? " tx-checksum-offload" : "");
      sh.interfaces.push_back(std::move(iface));
    }
    if (!ports_ok) {
      exit_code = 2;
      break;
    }

    unsigned lcore = rte_get_next_lcore(-1, 1, 0);
    bool workers_ok = true;
    for (uint16_t w = 0; w < nworkers; ++w, lcore = rte_get_next_lcore(lcore, 1, 0)) {
      auto ctx = std::make_unique<WorkerContext>();
      char name[32];
      std::snprintf(name, sizeof(name), "siplb_inject_%u", w);
      sh.inject[w] = rte_ring_create_elem(name, sizeof(InjectedPacket), kInjectRing, socket,
                                          RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (!sh.inject[w] || !init_worker(*ctx, sh, w, lcore)) {
        workers_ok = false;
        break;
      }
      workers.push_back(std::move(ctx));
    }
    if (!workers_ok) {
      std::fprintf(stderr, "siplbd: cannot set up the workers (memory? -m)\n");
      exit_code = 1;
      break;
    }

    std::string snapshot_error;
    auto first = build_snapshot(cfg, {}, 1, &snapshot_error);
    if (!first) {
      std::fprintf(stderr, "siplbd: %s: %s\n", cfg.source.c_str(), snapshot_error.c_str());
      exit_code = 2;
      break;
    }
    publish(sh, std::move(first));

    // Health probing targets, by global destination position.
    control::ProberSettings ps;
    ps.enabled = cfg.probing.enabled;
    ps.interval_ms = cfg.probing.interval_ms;
    ps.timeout_ms = cfg.probing.timeout_ms;
    ps.failure_threshold = cfg.probing.failure_threshold;
    ps.recovery_threshold = cfg.probing.recovery_threshold;
    ps.success_codes = cfg.probing.success_codes;
    std::vector<control::ProbeTarget> targets;
    for (const auto& s : cfg.sets)
      for (const auto& d : s.set.destinations) {
        control::ProbeTarget t;
        std::string host = d.address.ip.is_v6() ? "[" + net::format_ip(d.address.ip) + "]"
                                                 : net::format_ip(d.address.ip);
        t.uri = "sip:" + host + ":" + std::to_string(d.address.port);
        t.host_port = t.uri.substr(4);
        t.probe = d.probe;
        t.state = d.state;
        // The probe leaves from the interface that reaches the destination (the worker's choice
        // in the inject path below): its Via names that interface, where the answer comes back,
        // and so does its From unless probing.from_uri says otherwise.
        const bool v6 = d.address.ip.is_v6();
        const Interface& out = v6 ? sh.interfaces[egress_interface6(sh, d.address.ip.bytes.data(), 0)]
                                  : sh.interfaces[egress_interface(sh, htonl(d.address.ip.v4_host_order()), 0)];
        t.via_sent_by = v6 ? out.via_sent_by6 : out.via_sent_by;
        t.from_uri = !cfg.probing.from_uri_is_default
                         ? cfg.probing.from_uri
                         : std::string("sip:") + std::string(config::defaults::kProbeFromUser) + "@" +
                               (v6 ? "[" + out.ip6_text + "]" : out.ip_text);
        targets.push_back(std::move(t));
      }
    control::HealthProber prober(ps, targets);

    std::signal(SIGINT, on_stop);
    std::signal(SIGTERM, on_stop);
    std::signal(SIGUSR1, on_usr1);
    std::signal(SIGHUP, on_hup);
    const unsigned control_id = nworkers;
    rte_rcu_qsbr_thread_register(sh.rcu, control_id);
    rte_rcu_qsbr_thread_online(sh.rcu, control_id);
    for (uint16_t w = 0; w < workers.size(); ++w)
      rte_eal_remote_launch(worker_main, workers[w].get(), workers[w]->lcore_id);
    std::printf("siplbd: running with %zu worker(s), %zu destination(s); SIGUSR1 prints counters\n",
                workers.size(), targets.size());
    std::fflush(stdout);

    auto send_probe = [&](uint16_t d, std::string_view text) {
      const Snapshot* snap = sh.snapshot.load(std::memory_order_acquire);
      const DestinationInfo& info = snap->destinations[d];
      rte_mbuf* m = rte_pktmbuf_alloc(sh.pool);
      if (!m) return false;
      char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(text.size()));
      if (!p) {
        rte_pktmbuf_free(m);
        return false;
      }
      std::memcpy(p, text.data(), text.size());
      InjectedPacket ip{m, {}, 0};
      ip.egress.dst_port = info.port;
      if (info.v6) {
        ip.egress.v6 = true;
        std::memcpy(ip.egress.dst_ip6, info.ip6, 16);
        ip.egress.interface = egress_interface6(sh, info.ip6, 0);
      } else {
        ip.egress.dst_ip_be = info.ip_be;
        ip.egress.interface = egress_interface(sh, info.ip_be, 0);
      }
      ip.egress.src_port = sh.interfaces[ip.egress.interface].sip_port;
      if (rte_ring_enqueue_elem(sh.inject[0], &ip, sizeof(ip)) != 0) {
        rte_pktmbuf_free(m);
        return false;
      }
      return true;
    };

    uint64_t start = rte_get_tsc_cycles();
    uint64_t next_stats = opts.stats_interval_s ? opts.stats_interval_s * 1000ull : ~0ull;
    uint64_t version = 1;
    while (!g_stop) {
      uint64_t now_ms = (rte_get_tsc_cycles() - start) * 1000 / rte_get_tsc_hz();
      bool changed = prober.tick(now_ms, send_probe);
      ProbeAnswer answers[64];
      unsigned n = rte_ring_dequeue_burst_elem(sh.probe_answers, answers, sizeof(ProbeAnswer), 64, nullptr);
      for (unsigned i = 0; i < n; ++i)
        changed |= prober.on_answer(answers[i].destination, answers[i].sequence, answers[i].status_code, now_ms);
      if (changed) {
        auto states = prober.states();
        std::string error;
        auto next = build_snapshot(cfg, states, ++version, &error);
        if (!next) {
          std::fprintf(stderr, "siplbd: keeping the current tables: %s\n", error.c_str());
          continue;
        }
        publish(sh, std::move(next), control_id);
        const Snapshot* snap = sh.snapshot.load();
        for (std::size_t d = 0; d < states.size(); ++d)
          std::printf("siplbd: destination %s is %s\n", snap->destinations[d].uri.c_str(),
                      std::string(balance::state_name(states[d])).c_str());
        std::fflush(stdout);
      }
      if (g_reload) {
        g_reload = 0;
        reload(cfg, opts.config_path, prober, sh, ++version, control_id);
      }
      if (sh.dialogs) {
        uint64_t ends[dialog::kEndReasonCount] = {};
        uint32_t budget = std::max(kMinSweepBudget, sh.dialogs->slot_count() / kSweepsPerTable);
        if (sh.dialogs->sweep(rte_rdtsc(), budget, ends))
          for (std::size_t r = 0; r < dialog::kEndReasonCount; ++r) sh.swept_ends[r].add(ends[r]);
      }
      if (g_print || now_ms >= next_stats) {
        g_print = 0;
        if (now_ms >= next_stats) next_stats = now_ms + opts.stats_interval_s * 1000ull;
        print_stats(stdout, sh, workers, prober);
      }
      rte_rcu_qsbr_quiescent(sh.rcu, control_id);  // no dialog slot or snapshot held across ticks
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    rte_rcu_qsbr_thread_offline(sh.rcu, control_id);
    rte_rcu_qsbr_thread_unregister(sh.rcu, control_id);
    sh.stop.store(true);
    rte_eal_mp_wait_lcore();
    print_stats(stdout, sh, workers, prober);
  } while (false);

  sh.stop.store(true);
  rte_eal_mp_wait_lcore();
  for (auto& w : workers) release_worker(*w);
  for (uint16_t p : started_ports) stop_port(p);
  delete sh.snapshot.exchange(nullptr);
  for (auto* r : sh.inject)
    if (r) {
      InjectedPacket ip;
      while (rte_ring_dequeue_elem(r, &ip, sizeof(ip)) == 0) rte_pktmbuf_free(ip.mbuf);
      rte_ring_free(r);
    }
  rte_ring_free(sh.probe_answers);
  rte_free(sh.rcu);
  rte_mempool_free(sh.pool);
  rte_mempool_free(sh.large_pool);
  rte_mempool_free(sh.indirect_pool);
  rte_eal_cleanup();
  return exit_code;
}

}  // namespace siplb::dataplane
