// The dataplane behind siplb/dataplane/engine.hpp: EAL, pools, ports, rings, RCU, workers.
#include "siplb/dataplane/engine.hpp"

#include <arpa/inet.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "dialog_tracking.hpp"
#include "interface_setup.hpp"
#include "packet_path.hpp"
#include "port.hpp"
#include "registrar_setup.hpp"
#include "shared_settings.hpp"
#include "siplb/config/config.hpp"
#include "siplb/registrar/register.hpp"
#include "siplb/sip/writer.hpp"
#include "worker.hpp"

namespace siplb::dataplane {
namespace {

constexpr unsigned kPoolMbufs = 16383;
constexpr unsigned kPoolCache = 256;
constexpr unsigned kLargePoolMbufs = 255;
constexpr uint16_t kLargeMbufData = 16384;
constexpr unsigned kIndirectMbufs = 2047;
constexpr unsigned kInjectRing = 1024;
constexpr uint32_t kNeighborSlots = 4096;
constexpr uint32_t kSweepsPerTable = 1000;  // a sweep per 1 ms tick covers the table in ~1 s
constexpr uint32_t kMinSweepBudget = 64;
constexpr uint32_t kMaxSweptPerCall = 4096;
constexpr uint32_t kBindingSweepsPerTable = 1000;  // one binding sweep per 1 ms tick: the table in ~1 s
constexpr uint32_t kEmptyAorsPerSweep = 256;

std::string format_prefix(const std::string& ip, unsigned length) { return ip + "/" + std::to_string(length); }

}  // namespace

struct Engine::Impl {
  Shared sh;
  std::vector<std::unique_ptr<WorkerContext>> workers;
  std::vector<uint16_t> started_ports;
  std::vector<std::string> port_names;
  std::vector<std::string> port_drivers;
  std::vector<std::string> port_prefixes;  // IPv4 and IPv6 "address/len" per interface
  std::vector<std::string> port_prefixes6;
  NeighborTable neighbors{kNeighborSlots};
  Neighbor6Table neighbors6{kNeighborSlots};
  std::array<Counter, dialog::kEndReasonCount> control_ends;
  unsigned control_id = 0;  // QSBR id of the control thread (after the workers')
  bool eal_up = false;
  bool launched = false;
  bool control_attached = false;
  unsigned next_event_worker = 0;
  uint32_t binding_sweep_cursor = 0;  // control thread

  ~Impl();
  bool bring_up(const config::Config& cfg, std::string& error, int& exit_code);
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() { stop(); }

Engine::Impl::~Impl() {
  sh.stop.store(true);
  if (eal_up) rte_eal_mp_wait_lcore();
  for (auto& w : workers) {
    release_worker(*w);
    if (w->events) rte_ring_free(w->events);
  }
  workers.clear();
  for (uint16_t p : started_ports) stop_port(p);
  delete sh.snapshot.exchange(nullptr);
  for (auto*& r : sh.inject)
    if (r) {
      InjectedPacket ip;
      while (rte_ring_dequeue_elem(r, &ip, sizeof(ip)) == 0) rte_pktmbuf_free(ip.mbuf);
      rte_ring_free(r);
      r = nullptr;
    }
  sh.dialogs.reset();  // before the RCU variable it reclaims with
  sh.bindings.reset();
  sh.loads.reset();
  if (sh.rcu) rte_free(sh.rcu);
  if (sh.pool) rte_mempool_free(sh.pool);
  if (sh.large_pool) rte_mempool_free(sh.large_pool);
  if (sh.indirect_pool) rte_mempool_free(sh.indirect_pool);
  if (eal_up) rte_eal_cleanup();
}

std::unique_ptr<Engine> Engine::create(int eal_argc, char** eal_argv, const config::Config& cfg, std::string& error,
                                       int& exit_code) {
  auto impl = std::make_unique<Impl>();
  if (rte_eal_init(eal_argc, eal_argv) < 0) {
    error = std::string("EAL initialisation failed: ") + rte_strerror(rte_errno);
    exit_code = 1;
    return nullptr;
  }
  impl->eal_up = true;
  if (!impl->bring_up(cfg, error, exit_code)) return nullptr;  // ~Impl takes down what came up
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

bool Engine::Impl::bring_up(const config::Config& cfg, std::string& error, int& exit_code) {
  exit_code = 1;
  const unsigned worker_lcores = rte_lcore_count() - 1;
  const unsigned nworkers = cfg.workers.count ? cfg.workers.count : worker_lcores;
  if (nworkers == 0 || nworkers > worker_lcores || nworkers > kMaxWorkers) {
    error = std::to_string(nworkers) + " worker(s) wanted but EAL gave " + std::to_string(worker_lcores) +
            " worker lcore(s): give EAL more with -l (e.g. -l 0-1 for one worker)";
    exit_code = 2;
    return false;
  }
  apply_settings(sh, cfg);
  sh.neighbors = &neighbors;
  sh.neighbors6 = &neighbors6;

  const int socket = static_cast<int>(rte_socket_id());
  sh.pool = rte_pktmbuf_pool_create("siplb_pool", kPoolMbufs, kPoolCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
  sh.large_pool = rte_pktmbuf_pool_create("siplb_large", kLargePoolMbufs, 16, 0,
                                          kLargeMbufData + RTE_PKTMBUF_HEADROOM, socket);
  sh.indirect_pool = rte_pktmbuf_pool_create("siplb_indirect", kIndirectMbufs, 32, 0, 0, socket);
  if (!sh.pool || !sh.large_pool || !sh.indirect_pool) {
    error = std::string("cannot create mbuf pools: ") + rte_strerror(rte_errno) + " (more memory: -m)";
    return false;
  }
  // QSBR readers: the workers (ids 0..n-1) and the control thread (id n), which ends dialogs.
  control_id = nworkers;
  const size_t rcu_size = rte_rcu_qsbr_get_memsize(nworkers + 1);
  sh.rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc("siplb_rcu", rcu_size, RTE_CACHE_LINE_SIZE));
  if (!sh.rcu || rte_rcu_qsbr_init(sh.rcu, nworkers + 1) != 0) {
    error = std::string("cannot create the RCU variable: ") + rte_strerror(rte_errno);
    return false;
  }
  if (!create_dialog_tracking(sh, cfg, sh.rcu, socket, error)) return false;
  if (!create_registrar(sh, cfg, sh.rcu, static_cast<uint16_t>(nworkers + 1), socket, error)) return false;

  for (const auto& ic : cfg.interfaces) {
    PortInfo pi;
    std::string port_error;
    if (!start_port(ic.port, static_cast<uint16_t>(nworkers), ic.mtu, ic.checksum_offload, sh.pool, pi, port_error)) {
      error = cfg.source + ":" + std::to_string(ic.line) + ": " + port_error;
      exit_code = 2;
      return false;
    }
    started_ports.push_back(pi.port_id);
    Interface iface = interface_from_config(ic, pi.port_id, pi.mac, cfg.balancer.sip_ports.front());
    iface.tx_multi_seg = pi.tx_multi_seg;
    iface.rx_checksum_offload = pi.rx_checksum;
    iface.tx_checksum_offload = pi.tx_checksum;
    // The workers insert these into messages without checking them again.
    for (const std::string* text : {&iface.via_sent_by, &iface.record_route, &iface.via_sent_by6, &iface.record_route6})
      if (!text->empty() && !sip::is_safe_header_value(*text)) {
        error = cfg.source + ":" + std::to_string(ic.line) + ": interface text \"" + *text +
                "\" cannot go into a SIP header";
        exit_code = 2;
        return false;
      }
    char mac[RTE_ETHER_ADDR_FMT_SIZE];
    rte_ether_format_addr(mac, sizeof(mac), &pi.mac);
    std::printf("siplbd: interface %s (%s, %s) %s/%u%s%s%s%s%s\n", ic.port.c_str(), pi.driver.c_str(), mac,
                iface.ip_text.c_str(), ic.address.length, iface.has_ip6 ? " " : "",
                iface.has_ip6 ? (iface.ip6_text + "/" + std::to_string(iface.prefix6)).c_str() : "",
                pi.rss ? " RSS" : "", pi.rx_checksum ? " rx-checksum-offload" : "",
                pi.tx_checksum ? " tx-checksum-offload" : "");
    port_names.push_back(ic.port);
    port_drivers.push_back(pi.driver);
    port_prefixes.push_back(format_prefix(iface.ip_text, ic.address.length));
    port_prefixes6.push_back(iface.has_ip6 ? format_prefix(iface.ip6_text, iface.prefix6) : std::string());
    sh.interfaces.push_back(std::move(iface));
  }

  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  const unsigned event_ring = cfg.workers.event_ring;
  for (uint16_t w = 0; w < nworkers; ++w, lcore = rte_get_next_lcore(lcore, 1, 0)) {
    auto ctx = std::make_unique<WorkerContext>();
    char name[32];
    std::snprintf(name, sizeof(name), "siplb_inject_%u", w);
    sh.inject[w] = rte_ring_create_elem(name, sizeof(InjectedPacket), kInjectRing, socket,
                                        RING_F_SP_ENQ | RING_F_SC_DEQ);
    std::snprintf(name, sizeof(name), "siplb_events_%u", w);
    // RING_F_EXACT_SZ: the configured count fits (a power-of-two ring holds one less).
    ctx->events = rte_ring_create_elem(name, sizeof(Event), event_ring, socket,
                                       RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    if (!sh.inject[w] || !ctx->events || !init_worker(*ctx, sh, w, lcore)) {
      if (ctx->events) rte_ring_free(ctx->events);
      error = "cannot set up the workers' rings and tables (memory? -m)";
      return false;
    }
    workers.push_back(std::move(ctx));
  }
  return true;
}

Engine::Restore Engine::restore_dialog(const DialogView& d, uint64_t age_ms, uint64_t idle_ms) {
  Shared& sh = impl_->sh;
  if (!sh.dialogs || !sh.loads || d.destination >= sh.loads->destinations()) return Restore::bad_destination;
  const uint64_t now = rte_rdtsc();
  const uint64_t per_ms = sh.tsc_hz / 1000;
  DialogView v = d;
  v.created_tsc = now - std::min(now, age_ms * per_ms);
  v.last_activity_tsc = now - std::min(now, idle_ms * per_ms);
  // The calls exist at their servers: their units are taken whatever the capacity says now.
  static constexpr uint32_t kNoLimits[balance::kMaxResources] = {};
  sh.loads->try_acquire(v.destination, v.resources, kNoLimits, true);
  switch (sh.dialogs->restore(v)) {
    case DialogTable::Begin::created:
      return Restore::restored;
    case DialogTable::Begin::exists:
      sh.loads->release(v.destination, v.resources);
      return Restore::exists;
    case DialogTable::Begin::full:
      break;
  }
  sh.loads->release(v.destination, v.resources);
  return Restore::table_full;
}

void Engine::start() {
  if (impl_->launched) return;
  for (auto& w : impl_->workers) rte_eal_remote_launch(worker_main, w.get(), w->lcore_id);
  impl_->launched = true;
}

void Engine::stop() {
  if (!impl_ || !impl_->launched) return;
  impl_->sh.stop.store(true);
  rte_eal_mp_wait_lcore();
  impl_->launched = false;
}

void Engine::attach_control_thread() {
  rte_rcu_qsbr_thread_register(impl_->sh.rcu, impl_->control_id);
  rte_rcu_qsbr_thread_online(impl_->sh.rcu, impl_->control_id);
  impl_->control_attached = true;
}

void Engine::detach_control_thread() {
  if (!impl_->control_attached) return;
  rte_rcu_qsbr_thread_offline(impl_->sh.rcu, impl_->control_id);
  rte_rcu_qsbr_thread_unregister(impl_->sh.rcu, impl_->control_id);
  impl_->control_attached = false;
}

void Engine::quiescent() { rte_rcu_qsbr_quiescent(impl_->sh.rcu, impl_->control_id); }

void Engine::publish(std::unique_ptr<Snapshot> next) {
  Shared& sh = impl_->sh;
  const Snapshot* old = sh.snapshot.exchange(next.release(), std::memory_order_acq_rel);
  if (!old) return;
  rte_rcu_qsbr_synchronize(sh.rcu, impl_->control_attached ? impl_->control_id : RTE_QSBR_THRID_INVALID);
  delete old;
}

const Snapshot* Engine::snapshot() const { return impl_->sh.snapshot.load(std::memory_order_acquire); }

std::size_t Engine::poll_events(Event* out, std::size_t max) {
  auto& workers = impl_->workers;
  std::size_t got = 0;
  for (std::size_t tried = 0; tried < workers.size() && got < max; ++tried) {
    WorkerContext& w = *workers[impl_->next_event_worker];
    impl_->next_event_worker = (impl_->next_event_worker + 1) % static_cast<unsigned>(workers.size());
    got += rte_ring_sc_dequeue_burst_elem(w.events, out + got, sizeof(Event), static_cast<unsigned>(max - got),
                                          nullptr);
  }
  return got;
}

bool Engine::send_probe(uint16_t position, std::string_view text) {
  Shared& sh = impl_->sh;
  const Snapshot* snap = sh.snapshot.load(std::memory_order_acquire);
  if (!snap || position >= snap->destinations.size()) return false;
  const DestinationInfo& info = snap->destinations[position];
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
}

EgressTexts Engine::egress_for(const net::IpAddress& destination) const {
  const Shared& sh = impl_->sh;
  const bool v6 = destination.is_v6();
  const Interface& out = v6 ? sh.interfaces[egress_interface6(sh, destination.bytes.data(), 0)]
                            : sh.interfaces[egress_interface(sh, htonl(destination.v4_host_order()), 0)];
  return v6 ? EgressTexts{out.via_sent_by6, "[" + out.ip6_text + "]"} : EgressTexts{out.via_sent_by, out.ip_text};
}

// --- registrar bindings ---

bool Engine::serves_registrar() const { return impl_->sh.bindings != nullptr; }

int32_t Engine::write_binding(const registrar::AorState& aor, uint64_t& version) {
  BindingTable* table = impl_->sh.bindings.get();
  if (!table) return -1;
  const uint16_t writer = static_cast<uint16_t>(impl_->control_id);
  registrar::AorState current;  // control thread: the stack has room
  for (;;) {
    BindingTable::Handle handle;
    if (table->begin(aor.key, current, handle) != BindingTable::Begin::ok) return -1;
    switch (table->commit(writer, handle, aor, version)) {
      case BindingTable::Commit::ok:
        return handle.position;
      case BindingTable::Commit::conflict:
        continue;  // a worker changed it meanwhile: the operator's word is the last
      case BindingTable::Commit::no_memory:
        return -1;
    }
  }
}

bool Engine::restore_binding(const registrar::AorState& aor) {
  uint64_t version = 0;
  const int32_t position = write_binding(aor, version);
  if (position < 0) return false;
  impl_->sh.bindings->mark_persisted(position, version);  // it came from the store
  return true;
}

bool Engine::binding_at(int32_t position, registrar::AorState& out, uint64_t& version) const {
  const BindingTable* table = impl_->sh.bindings.get();
  const AorRecord* record = table ? table->at(position) : nullptr;
  if (!record) return false;
  BindingTable::copy(*record, out);
  version = record->version;
  return true;
}

void Engine::binding_persisted(int32_t position, uint64_t version) {
  if (BindingTable* table = impl_->sh.bindings.get()) table->mark_persisted(position, version);
}

bool Engine::find_binding(const registrar::AorKey& key, registrar::AorState& out) const {
  const BindingTable* table = impl_->sh.bindings.get();
  const AorRecord* record = table ? table->find(key) : nullptr;
  if (!record) return false;
  BindingTable::copy(*record, out);
  return true;
}

int32_t Engine::next_binding(uint32_t from, registrar::AorState& out) const {
  const BindingTable* table = impl_->sh.bindings.get();
  if (!table) return -1;
  for (uint32_t p = from; p < table->slot_count(); ++p) {
    const AorRecord* record = table->at(static_cast<int32_t>(p));
    if (record && record->count) {
      BindingTable::copy(*record, out);
      return static_cast<int32_t>(p);
    }
  }
  return -1;
}

uint32_t Engine::sweep_bindings(int64_t now_ms, std::vector<int32_t>& changed) {
  BindingTable* table = impl_->sh.bindings.get();
  if (!table) return 0;
  const uint16_t writer = static_cast<uint16_t>(impl_->control_id);
  const uint32_t budget = std::max(kMinSweepBudget, table->slot_count() / kBindingSweepsPerTable);
  uint32_t expired = 0;
  registrar::AorState current, next;
  for (uint32_t n = 0; n < budget; ++n) {
    const auto position = static_cast<int32_t>(impl_->binding_sweep_cursor);
    impl_->binding_sweep_cursor = (impl_->binding_sweep_cursor + 1) % table->slot_count();
    const AorRecord* record = table->at(position);
    if (!record || record->count == 0) continue;
    bool any = false;
    for (uint8_t i = 0; i < record->count && !any; ++i) any = !registrar::binding_live(*record->bindings[i], now_ms);
    if (!any) continue;
    BindingTable::Handle handle;
    if (table->begin(record->key, current, handle) != BindingTable::Begin::ok) continue;
    next.key = current.key;
    next.count = 0;
    for (uint8_t i = 0; i < current.count; ++i)
      if (registrar::binding_live(current.bindings[i], now_ms)) next.bindings[next.count++] = current.bindings[i];
    uint64_t version = 0;
    // A worker that changed the AoR meanwhile wins; the next sweep looks again.
    if (table->commit(writer, handle, next, version) != BindingTable::Commit::ok) continue;
    expired += current.count - next.count;
    changed.push_back(handle.position);
  }
  table->collect_empty(writer, kEmptyAorsPerSweep);
  table->reclaim(writer);
  return expired;
}

uint32_t Engine::binding_aors() const { return impl_->sh.bindings ? impl_->sh.bindings->aors() : 0; }
uint32_t Engine::binding_contacts() const { return impl_->sh.bindings ? impl_->sh.bindings->contacts() : 0; }
uint32_t Engine::binding_capacity() const { return impl_->sh.bindings ? impl_->sh.bindings->aor_capacity() : 0; }

void Engine::release_reply(const Event& event, bool send) {
  if (event.kind != EventKind::binding_changed || !event.binding.reply) return;
  auto* packet = static_cast<rte_mbuf*>(event.binding.reply);
  Shared& sh = impl_->sh;
  rte_ring* ring = event.binding.worker < kMaxWorkers ? sh.inject[event.binding.worker] : nullptr;
  if (!send || !ring || impl_->sh.stop.load(std::memory_order_relaxed)) {
    rte_pktmbuf_free(packet);
    return;
  }
  InjectedPacket ip{packet, {}, event.binding.reply_code};
  std::memcpy(&ip.egress, event.binding.reply_route, sizeof(Egress));
  if (rte_ring_enqueue_elem(ring, &ip, sizeof(ip)) != 0) rte_pktmbuf_free(packet);
}

void Engine::set_vip_active(bool active) { impl_->sh.vip_active.store(active, std::memory_order_release); }
bool Engine::vip_active() const { return impl_->sh.vip_active.load(std::memory_order_acquire); }
void Engine::announce_vips() { impl_->sh.vip_announcements.fetch_add(1, std::memory_order_acq_rel); }
bool Engine::has_vips() const {
  for (const Interface& i : impl_->sh.interfaces)
    if (i.vip_be) return true;
  return false;
}

bool Engine::tracks_dialogs() const { return impl_->sh.dialogs != nullptr; }
uint32_t Engine::dialogs_live() const { return impl_->sh.dialogs ? impl_->sh.dialogs->live() : 0; }
uint32_t Engine::dialogs_capacity() const { return impl_->sh.dialogs ? impl_->sh.dialogs->capacity() : 0; }

uint32_t Engine::sweep_dialogs(std::vector<DialogView>& ended) {
  Shared& sh = impl_->sh;
  if (!sh.dialogs) return 0;
  uint64_t ends[dialog::kEndReasonCount] = {};
  const uint32_t budget = std::max(kMinSweepBudget, sh.dialogs->slot_count() / kSweepsPerTable);
  ended.resize(std::min(budget, kMaxSweptPerCall));
  const uint32_t n = sh.dialogs->sweep(rte_rdtsc(), std::min(budget, kMaxSweptPerCall), ends, ended.data(),
                                       static_cast<uint32_t>(ended.size()));
  ended.resize(n);
  for (std::size_t r = 0; r < dialog::kEndReasonCount; ++r)
    if (ends[r]) impl_->control_ends[r].add(ends[r]);
  return n;
}

int32_t Engine::next_dialog(uint32_t from, DialogView& out) const {
  return impl_->sh.dialogs ? impl_->sh.dialogs->next_live(from, out) : -1;
}

bool Engine::find_dialog(const DialogKey& key, DialogView& out) const {
  const DialogTable* t = impl_->sh.dialogs.get();
  if (!t) return false;
  const int32_t slot = t->find(key);
  return slot >= 0 && t->view(slot, out);
}

bool Engine::end_dialog(const DialogKey& key) {
  DialogTable* t = impl_->sh.dialogs.get();
  if (!t) return false;
  const int32_t slot = t->find(key);
  if (slot < 0) return false;
  const DialogTable::Change c = t->apply(slot, key, dialog::Event::operator_end, rte_rdtsc());
  if (c.ended) impl_->control_ends[static_cast<std::size_t>(c.reason)].add();
  return c.ended;
}

void Engine::count_dialogs_by_destination(uint32_t* counts, std::size_t n) const {
  if (impl_->sh.dialogs) impl_->sh.dialogs->count_by_destination(counts, n);
  else std::fill(counts, counts + n, 0u);
}

const balance::LoadBoard* Engine::loads() const { return impl_->sh.loads.get(); }
const std::array<Counter, dialog::kEndReasonCount>& Engine::control_ends() const { return impl_->control_ends; }

std::vector<WorkerStatus> Engine::workers() const {
  std::vector<WorkerStatus> out;
  for (const auto& w : impl_->workers) out.push_back({w->worker_index, w->lcore_id});
  return out;
}

const WorkerCounters& Engine::counters(unsigned worker) const { return impl_->workers[worker]->counters; }

std::vector<PortStatus> Engine::ports() const {
  std::vector<PortStatus> out;
  const Shared& sh = impl_->sh;
  for (std::size_t i = 0; i < sh.interfaces.size(); ++i) {
    PortStatus p;
    p.interface = impl_->port_names[i];
    p.driver = impl_->port_drivers[i];
    char mac[RTE_ETHER_ADDR_FMT_SIZE];
    rte_ether_format_addr(mac, sizeof(mac), &sh.interfaces[i].mac);
    p.mac = mac;
    p.address = impl_->port_prefixes[i];
    p.address6 = impl_->port_prefixes6[i];
    rte_eth_stats st{};
    if (rte_eth_stats_get(sh.interfaces[i].port_id, &st) == 0) {
      p.ipackets = st.ipackets;
      p.opackets = st.opackets;
      p.ibytes = st.ibytes;
      p.obytes = st.obytes;
      p.imissed = st.imissed;
      p.ierrors = st.ierrors;
      p.oerrors = st.oerrors;
      p.rx_nombuf = st.rx_nombuf;
    }
    out.push_back(std::move(p));
  }
  return out;
}

unsigned Engine::main_lcore() const { return rte_get_main_lcore(); }
uint64_t Engine::tsc_now() const { return rte_rdtsc(); }
uint64_t Engine::tsc_hz() const { return impl_->sh.tsc_hz; }

}  // namespace siplb::dataplane
