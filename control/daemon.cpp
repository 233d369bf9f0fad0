// siplbd, the process (see daemon.hpp): start-up in an order where each step that can fail does so
// before anything takes traffic, the control loop, and shutdown in reverse.
#include "daemon.hpp"

#include <sys/stat.h>

#include <asio.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "api/api_server.hpp"
#include "api/metrics_server.hpp"
#include "control/ha/runner.hpp"
#include "control/replication/channel.hpp"
#include "control/replication/frame_auth.hpp"
#include "control_plane.hpp"
#include "siplb/config/config.hpp"
#include "siplb/dataplane/engine.hpp"
#include "store/store.hpp"

namespace siplb::control {
namespace {

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
               "siplbctl talks to the running siplbd on [api] socket; Prometheus scrapes\n"
               "[metrics] address:port/metrics. Counters are printed on SIGUSR1 and at exit;\n"
               "SIGHUP reloads FILE's [[set]]s (weights, priorities, states, capacities,\n"
               "algorithms); SIGINT or SIGTERM stops.\n"
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

store::Durability store_durability(config::Durability d) {
  switch (d) {
    case config::Durability::sync: return store::Durability::sync;
    case config::Durability::async: return store::Durability::async;
    case config::Durability::memory: return store::Durability::memory;
    case config::Durability::peer: return store::Durability::sync;  // and the peer's ack (control)
  }
  return store::Durability::sync;
}

// The default socket's folder (/run/siplb) is made when absent, as a packaged daemon would; a
// configured path's folder must exist.
void make_default_socket_dir(const std::string& path) {
  if (path != config::defaults::kApiSocket) return;
  const std::string dir = path.substr(0, path.rfind('/'));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    std::fprintf(stderr, "siplbd: cannot create %s: %s\n", dir.c_str(), std::strerror(errno));
}

// The control thread's loop: a 1 ms tick, signals, and the API's commands posted to it.
class ControlLoop {
 public:
  ControlLoop(asio::io_context& io, ControlPlane& plane, unsigned stats_interval_s)
      : io_(io), plane_(plane), timer_(io), signals_(io, SIGINT, SIGTERM), reload_(io, SIGHUP), print_(io, SIGUSR1),
        stats_interval_(std::chrono::seconds(stats_interval_s)) {}

  void run() {
    next_tick_ = std::chrono::steady_clock::now();
    next_stats_ = next_tick_ + stats_interval_;
    schedule_tick();
    signals_.async_wait([this](const asio::error_code& ec, int) {
      if (!ec) io_.stop();
    });
    wait_reload();
    wait_print();
    io_.run();
  }

 private:
  void schedule_tick() {
    next_tick_ += std::chrono::milliseconds(1);
    const auto now = std::chrono::steady_clock::now();
    if (next_tick_ < now) next_tick_ = now;  // fell behind: no burst of catch-up ticks
    timer_.expires_at(next_tick_);
    timer_.async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      plane_.tick();
      if (stats_interval_.count() && std::chrono::steady_clock::now() >= next_stats_) {
        next_stats_ += stats_interval_;
        plane_.print_stats(stdout);
      }
      schedule_tick();
    });
  }
  void wait_reload() {
    reload_.async_wait([this](const asio::error_code& ec, int) {
      if (ec) return;
      std::string error;
      if (plane_.reload(error))
        std::printf("siplbd: reloaded the configuration\n");
      else
        std::printf("siplbd: reload refused, keeping the running configuration: %s\n", error.c_str());
      std::fflush(stdout);
      wait_reload();
    });
  }
  void wait_print() {
    print_.async_wait([this](const asio::error_code& ec, int) {
      if (ec) return;
      plane_.print_stats(stdout);
      wait_print();
    });
  }

  asio::io_context& io_;
  ControlPlane& plane_;
  asio::steady_timer timer_;
  asio::signal_set signals_, reload_, print_;
  std::chrono::steady_clock::duration stats_interval_;
  std::chrono::steady_clock::time_point next_tick_, next_stats_;
};

}  // namespace

int run_siplbd(int argc, char** argv) {
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

  // The store, the API socket and the metrics port: each refuses here, before EAL and the ports.
  std::string error;
  std::unique_ptr<store::Store> store =
      store::Store::open({cfg.store.dir, store_durability(cfg.store.durability)}, error);
  if (!store) {
    std::fprintf(stderr, "siplbd: %s\n", error.c_str());
    return 1;
  }
  std::printf("siplbd: store %s (durability %s)\n",
              cfg.store.durability == config::Durability::memory ? "in memory only" : cfg.store.dir.c_str(),
              std::string(config::durability_text(cfg.store.durability)).c_str());
  asio::io_context api_io;
  std::unique_ptr<api::ApiServer> api_server;
  if (!cfg.api.socket.empty()) {
    make_default_socket_dir(cfg.api.socket);
    api_server = api::ApiServer::create(api_io, cfg.api.socket, error);
    if (!api_server) {
      std::fprintf(stderr, "siplbd: %s\n", error.c_str());
      return 1;
    }
  }
  asio::io_context control_io;
  ControlPlane* plane_for_metrics = nullptr;
  std::unique_ptr<api::MetricsServer> metrics;
  if (cfg.metrics.port != 0) {
    metrics = api::MetricsServer::create(
        api_io, cfg.metrics.address, cfg.metrics.port,
        [&control_io, &plane_for_metrics](std::function<void(std::string)> done) {
          asio::post(control_io, [&plane_for_metrics, done = std::move(done)] {
            done(plane_for_metrics ? plane_for_metrics->metrics_text() : std::string());
          });
        },
        error);
    if (!metrics) {
      std::fprintf(stderr, "siplbd: %s\n", error.c_str());
      return 1;
    }
  }

  int exit_code = 0;
  std::unique_ptr<dataplane::Engine> engine = dataplane::Engine::create(dashdash, argv, cfg, error, exit_code);
  if (!engine) {
    std::fprintf(stderr, "siplbd: %s\n", error.c_str());
    return exit_code;
  }
  if (engine->tracks_dialogs())
    std::printf("siplbd: dialog table for %u dialogs (least-loaded sets)\n", engine->dialogs_capacity());

  engine->attach_control_thread();
  const config::PeerConfig peer_config = cfg.peer;  // cfg goes to the control plane
  const std::string config_source = cfg.source;
  ControlPlane plane(std::move(cfg), *engine, *store);
  if (!plane.start(error)) {
    std::fprintf(stderr, "siplbd: %s\n", error.c_str());
    engine->detach_control_thread();
    return 2;
  }
  plane_for_metrics = &plane;
  plane.set_poster([&control_io](std::function<void()> work) { asio::post(control_io, std::move(work)); });

  // The HA pair: its own thread sends and checks heartbeats and takes or gives up the virtual IPs
  // on the dataplane at once (atomics); the control thread only logs and counts the change. A
  // node without [peer] holds its VIPs (if any) from the start.
  std::unique_ptr<ha::Runner> ha_runner;
  std::unique_ptr<replication::Channel> channel;
  if (peer_config.enabled()) {
    std::string key_error;
    std::optional<std::string> key = replication::load_key(peer_config.key_file, key_error);
    if (!key) {
      std::fprintf(stderr, "siplbd: %s:%u: [peer] %s\n", config_source.c_str(), peer_config.line, key_error.c_str());
      engine->detach_control_thread();
      return 2;
    }
    ha::RunnerSettings hs;
    hs.machine.node_id = peer_config.node_id;
    hs.machine.priority = static_cast<uint8_t>(peer_config.priority);
    hs.machine.key = *key;
    hs.machine.timing.interval = std::chrono::microseconds(peer_config.heartbeat_interval_us);
    hs.machine.timing.dead_time = std::chrono::microseconds(peer_config.dead_time_us);
    hs.local_address = net::format_ip(*peer_config.address);
    hs.local_port = peer_config.heartbeat_port;
    hs.peer_address = net::format_ip(*peer_config.peer_address);
    hs.peer_port = peer_config.heartbeat_port;
    // The HA thread shares the main lcore's core with the control threads: real-time priority lets
    // it send and judge heartbeats on time whatever else runs there (EPERM is reported, not fatal).
    hs.realtime_priority = 10;
    dataplane::Engine* eng = engine.get();
    hs.on_role_event = [eng, &control_io, &plane](const ha::RoleEvent& event) {
      const bool active = event.to == ha::Role::active;
      eng->set_vip_active(active);
      // A takeover, and a split brain won (the loser announced the VIPs too): announce them now.
      if (active && (event.from != ha::Role::active || event.reason == ha::Reason::split_brain_won)) eng->announce_vips();
      asio::post(control_io, [&plane, event] { plane.on_role_event(event); });
    };
    ha_runner = ha::Runner::start(std::move(hs), error);
    if (!ha_runner) {
      std::fprintf(stderr, "siplbd: %s:%u: [peer] %s\n", config_source.c_str(), peer_config.line, error.c_str());
      engine->detach_control_thread();
      return 1;
    }
    plane.set_ha(ha_runner.get());

    // Replication: the peer's records are applied on the control thread; a full sync for the
    // peer reads a RocksDB snapshot on the channel's sync thread, and only the active node gives
    // one (a backup's state is not the truth).
    replication::Settings rs;
    rs.node_id = peer_config.node_id;
    rs.peer_node_id = peer_config.peer_node_id;
    rs.listen_address = net::format_ip(*peer_config.address);
    rs.listen_port = peer_config.replication_port;
    rs.peer_address = net::format_ip(*peer_config.peer_address);
    rs.peer_port = peer_config.replication_port;
    rs.key = *key;
    rs.ring_capacity = peer_config.ring;
    replication::Handlers handlers;
    handlers.apply = [&plane](const replication::Record& r) { plane.apply_replicated(r); };
    handlers.sync_begin = [&plane](const replication::SyncStart&) { plane.replication_sync_begin(!plane.owns_timers()); };
    handlers.sync_end = [&plane](bool completed, uint64_t records) { plane.replication_sync_end(completed, records); };
    handlers.post_to_control = [&control_io](std::function<void()> work) { asio::post(control_io, std::move(work)); };
    handlers.snapshot = [st = store.get(), runner = ha_runner.get(), node = peer_config.node_id] {
      replication::Snapshot snapshot;
      std::shared_ptr<store::SnapshotReader> reader;
      if (runner->role() == ha::Role::active) reader = st->open_snapshot();
      if (!reader) {
        snapshot.next = [](replication::Record&) { return false; };
        return snapshot;
      }
      snapshot.total_records = reader->estimated_total();
      snapshot.next = [reader, node](replication::Record& out) {
        store::SnapshotFamily family;
        std::string_view key, value;
        while (reader->next(family, key, value)) {
          if (family == store::SnapshotFamily::destinations) continue;  // not replicated yet
          const auto kind =
              family == store::SnapshotFamily::dialogs ? replication::Kind::dialog : replication::Kind::binding;
          out = replication::Record::put(kind, std::string(key), std::string(value), {0, node});
          return true;
        }
        return false;
      };
      return snapshot;
    };
    channel = replication::Channel::create(std::move(rs), std::move(handlers), error);
    if (!channel) {
      std::fprintf(stderr, "siplbd: %s:%u: [peer] replication: %s\n", config_source.c_str(), peer_config.line,
                   error.c_str());
      ha_runner->stop(ha::Runner::StopMode::silent);
      engine->detach_control_thread();
      return 1;
    }
    plane.set_replication(channel.get(), peer_config.node_id);
    std::printf("siplbd: ha: node %u (priority %u) with peer %s, heartbeats every %u us, dead after %u us\n",
                peer_config.node_id, peer_config.priority, net::format_ip(*peer_config.peer_address).c_str(),
                peer_config.heartbeat_interval_us, peer_config.dead_time_us);
  } else if (engine->has_vips()) {
    engine->set_vip_active(true);
    engine->announce_vips();
  }

  // API commands run on the control thread: the I/O thread posts them there and the reply goes
  // back through the server, which writes it on its own thread.
  if (api_server) {
    for (const std::string& name : ControlPlane::command_names())
      api_server->add_command(name, [&control_io, &plane, name](const api::Json& args, api::Respond respond) {
        asio::post(control_io, [&plane, name, args, respond = std::move(respond)] { respond(plane.command(name, args)); });
      });
    plane.set_api_counters(api_server.get());
    api_server->start();
  }
  auto api_work = asio::make_work_guard(api_io);
  std::thread api_thread([&api_io] {
    pthread_setname_np(pthread_self(), "siplb-api");
    api_io.run();
  });

  // The signal handlers are in place before the workers start (a SIGHUP must not kill siplbd).
  ControlLoop loop(control_io, plane, opts.stats_interval_s);
  engine->start();
  std::printf("siplbd: running with %zu worker(s)%s%s; SIGUSR1 prints counters\n", engine->workers().size(),
              api_server ? ", API on " : "", api_server ? api_server->path().c_str() : "");
  std::fflush(stdout);
  loop.run();

  // Shutdown: no more API requests, the workers stop, their last events reach the store, the
  // store writes what it holds, EAL goes last (with the engine).
  // A graceful stop tells the peer to take over at once.
  if (ha_runner) ha_runner->stop(ha::Runner::StopMode::graceful);
  plane.set_replication(nullptr, 0);
  channel.reset();  // its posted callbacks do nothing after this
  if (api_server) api_server->stop();
  if (metrics) metrics->stop();
  api_work.reset();
  api_io.stop();
  api_thread.join();
  engine->stop();
  plane.drain_events();
  plane.print_stats(stdout);
  engine->detach_control_thread();
  store.reset();
  engine.reset();
  return 0;
}

}  // namespace siplb::control
