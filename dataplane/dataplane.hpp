// The state the packet path works on, split by who writes it:
//  - Shared: built once at start-up by the main thread, read-only afterwards (interfaces, proxy
//    settings, mempools, the neighbour table, rings), plus the RCU-published Snapshot pointer.
//  - Snapshot: immutable destination tables; control builds a new one and swaps the pointer,
//    workers read it between quiescent states, the old one is freed after rte_rcu_qsbr_synchronize.
//  - Dialog tracking (least-loaded sets): the LoadBoard and the DialogTable, shared by all
//    workers and the control thread, lock-free (see their headers); absent without such sets.
//  - WorkerContext: one per worker lcore, cache-aligned, touched only by that lcore (control reads
//    its counters).
#pragma once

#include <rte_ether.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include <array>
#include <atomic>
#include <cstring>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "binding_table.hpp"
#include "dialog_table.hpp"
#include "neighbor6_table.hpp"
#include "neighbor_table.hpp"
#include "siplb/balance/selector.hpp"
#include "siplb/dataplane/counters.hpp"
#include "siplb/dataplane/snapshot.hpp"
#include "siplb/auth/nonce.hpp"
#include "transaction_table.hpp"

struct rte_ring;
struct rte_mempool;
struct rte_rcu_qsbr;

namespace siplb::dataplane {

inline constexpr uint16_t kMaxPorts = 8;
inline constexpr uint16_t kMaxWorkers = 32;
inline constexpr uint16_t kMaxSipPorts = 8;
inline constexpr uint16_t kBurst = 32;
inline constexpr uint16_t kTxBufferSize = 64;        // per port, flushed every loop
inline constexpr uint16_t kPendingPerWorker = 64;    // packets waiting for ARP, per worker
inline constexpr uint32_t kHeaders4Length = sizeof(rte_ether_hdr) + 20 + 8;  // Eth + IPv4 + UDP
inline constexpr uint32_t kHeaders6Length = sizeof(rte_ether_hdr) + 40 + 8;  // Eth + IPv6 + UDP
inline constexpr const char kBranchPrefix[] = "z9hG4bK-slb-";   // our Via branches
inline constexpr const char kProbeBranchPrefix[] = "z9hG4bK-slbp-";  // health probes

// One balancer address on one DPDK port.
struct Interface {
  uint16_t port_id = 0;
  rte_ether_addr mac{};
  uint32_t ip_be = 0;
  uint32_t mask_be = 0;
  uint32_t gateway_be = 0;  // 0: none
  uint16_t mtu = 1500;
  bool tx_multi_seg = true;  // the port sends chained mbufs (else fragments are made linear)
  // The NIC checks IPv4 header and UDP checksums of what it receives (mbuf ol_flags), and fills
  // them in what it sends (checksum_offload.hpp). Off on devices without the offloads.
  bool rx_checksum_offload = false;
  bool tx_checksum_offload = false;
  uint16_t sip_port = 5060;  // the port we put in Via and Record-Route
  std::string ip_text;       // "10.0.0.1"
  std::string via_sent_by;   // "10.0.0.1:5060"
  std::string record_route;  // "<sip:10.0.0.1:5060;lr>"
  // IPv6 (has_ip6 false: the interface serves IPv4 only).
  bool has_ip6 = false;
  uint8_t ip6[16] = {};
  uint8_t prefix6 = 64;
  bool has_gateway6 = false;
  uint8_t gateway6[16] = {};
  // The HA pair's virtual IPv4 address (0: none): while this node is active (Shared::vip_active)
  // it answers ARP for it, takes packets sent to it, and sends from it with these texts in its
  // Via and Record-Route, so calls and responses follow the address, not the node.
  uint32_t vip_be = 0;
  std::string vip_text;            // "10.0.0.100"
  std::string via_sent_by_vip;     // "10.0.0.100:5060"
  std::string record_route_vip;    // "<sip:10.0.0.100:5060;lr>"
  std::string ip6_text;        // "fd00::1"
  std::string via_sent_by6;    // "[fd00::1]:5060"
  std::string record_route6;   // "<sip:[fd00::1]:5060;lr>"
};

struct ProxySettings {
  uint32_t max_message_size = 8192;
  bool record_route = true;
  bool double_record_route = true;  // a second Record-Route when a request changes address
  uint8_t max_forwards = 70;
  uint32_t retry_after_s = 5;
  std::string server_header = "siplb";
  bool verify_udp_checksum = true;
};

// What a probe answer's branch says (sent to control as an EventKind::probe_answer).
struct ProbeAnswer {
  uint16_t destination;  // global position, from the probe's branch
  uint16_t status_code;
  uint32_t sequence;     // from the probe's branch
};

struct Shared {
  std::vector<Interface> interfaces;
  uint16_t sip_ports[kMaxSipPorts] = {};
  uint16_t sip_port_count = 0;
  ProxySettings proxy;
  rte_mempool* pool = nullptr;           // RX, replies, rewritten packets
  rte_mempool* large_pool = nullptr;     // linear copies of reassembled datagrams
  rte_mempool* indirect_pool = nullptr;  // fragmentation
  NeighborTable* neighbors = nullptr;
  Neighbor6Table* neighbors6 = nullptr;
  uint64_t tsc_hz = 0;
  uint64_t arp_max_age_tsc = 0;
  uint64_t arp_grace_tsc = 0;
  uint64_t arp_retry_tsc = 0;
  uint64_t arp_wait_tsc = 0;             // how long a packet waits for resolution
  uint64_t transaction_ttl_tsc = 0;
  uint32_t transaction_capacity = 65536;
  // [workers] idle = "adaptive": after idle_polls empty polls a worker sleeps idle_sleep_us.
  bool adaptive_idle = false;
  uint32_t idle_polls = 256;
  uint32_t idle_sleep_us = 20;
  std::atomic<const Snapshot*> snapshot{nullptr};
  rte_rcu_qsbr* rcu = nullptr;
  rte_ring* inject[kMaxWorkers] = {};              // control -> worker: mbufs to send (probes)
  std::atomic<bool> stop{false};
  // HA: whether this node holds the interfaces' virtual IPs (set by control on a role change),
  // and a counter control raises to have worker 0 announce them (gratuitous ARP) at once.
  std::atomic<bool> vip_active{false};
  std::atomic<uint32_t> vip_announcements{0};
  // Least-loaded sets (nullptr when no set is): calls held per destination and resource, and
  // the live dialogs holding them. Dialog ends found by the control thread's sweep are counted
  // in swept_ends (control writes, reports read).
  std::unique_ptr<balance::LoadBoard> loads;
  std::unique_ptr<DialogTable> dialogs;
  std::array<Counter, dialog::kEndReasonCount> swept_ends;
  // Registrar (nullptr without [registrar]): the bindings, the digest nonces, whether a REGISTER's
  // 200 OK waits for the store (durability sync: handed to control in the binding event), and the
  // wall clock the workers read without a syscall (Unix ms at wall_base_tsc).
  std::unique_ptr<BindingTable> bindings;
  std::unique_ptr<auth::NonceAuthority> nonces;
  bool defer_register_replies = false;
  int64_t wall_base_ms = 0;
  uint64_t wall_base_tsc = 0;
  int64_t wall_ms(uint64_t tsc) const {
    return wall_base_ms + static_cast<int64_t>((tsc - wall_base_tsc) / (tsc_hz / 1000));
  }

  bool is_sip_port(uint16_t port) const {
    for (uint16_t i = 0; i < sip_port_count; ++i)
      if (sip_ports[i] == port) return true;
    return false;
  }
  // The interface with this address; its virtual IP counts too (a response or Route naming the
  // VIP is ours on whichever node holds it now).
  const Interface* interface_by_ip(uint32_t ip_be) const {
    for (const auto& i : interfaces)
      if (i.ip_be == ip_be || (i.vip_be && i.vip_be == ip_be)) return &i;
    return nullptr;
  }
  bool uses_vip(const Interface& i) const { return i.vip_be && vip_active.load(std::memory_order_relaxed); }
  const Interface* interface_by_ip6(const uint8_t* ip6) const {
    for (const auto& i : interfaces)
      if (i.has_ip6 && std::memcmp(i.ip6, ip6, 16) == 0) return &i;
    return nullptr;
  }
};

// Where an outgoing IPv4/UDP packet goes; carried with a packet that waits for ARP.
struct Egress {
  uint16_t interface = 0;
  uint32_t dst_ip_be = 0;  // IPv4 destination (when v6 is false)
  uint16_t dst_port = 0;
  uint16_t src_port = 0;
  bool v6 = false;
  uint8_t dst_ip6[16] = {};
};

// What a packet on its way out counts as once it is staged for transmission (counted exactly
// once, also when it first waits for ARP: a packet that times out there is a drop instead).
struct Outcome {
  enum Kind : uint8_t { none, request, response, reply, probe };
  Kind kind = none;
  int32_t destination = -1;  // request: global destination position, when a set chose it
  uint16_t reply_code = 0;   // reply: the status code
};

// Where a SIP datagram came from.
struct Peer {
  uint32_t ip_be = 0;  // IPv4 source (when v6 is false)
  uint16_t port = 0;
  bool v6 = false;
  uint8_t ip6[16] = {};
};

struct PendingPacket {
  rte_mbuf* mbuf;       // IP packet without Ethernet header room filled in
  uint32_t next_hop_be;
  uint16_t interface;
  uint64_t deadline_tsc;
  bool v6 = false;
  uint8_t next_hop6[16] = {};
  Outcome outcome;
};

struct TxBuffer {
  uint16_t count = 0;
  rte_mbuf* mbufs[kTxBufferSize];
};

// A worker's copies of one AoR while it applies a REGISTER (two 9 KB states: off the stack).
struct RegistrarScratch {
  registrar::AorState current;
  registrar::AorState next;
};

struct alignas(64) WorkerContext {
  uint16_t worker_index = 0;
  uint16_t queue_id = 0;
  uint32_t lcore_id = 0;
  Shared* shared = nullptr;
  const Snapshot* snapshot = nullptr;  // valid between quiescent states
  WorkerCounters counters;
  balance::WorkerSelectState select_state;
  uint64_t now_tsc = 0;
  uint16_t next_ip_id = 0;
  uint32_t iterations = 0;
  bool sweep_urgently = false;  // the transaction table was full: sweep every iteration
  std::unique_ptr<TransactionTable> transactions;
  rte_ip_frag_tbl* frag_table = nullptr;
  rte_ip_frag_death_row death_row{};
  // Packets waiting for ARP, oldest first.
  PendingPacket pending[kPendingPerWorker];
  uint16_t pending_count = 0;
  // Staged transmissions, one buffer per port; flushed at the end of each loop iteration (or,
  // in golden tests, inspected instead).
  TxBuffer tx[kMaxPorts];
  bool capture_tx = false;  // tests: keep staged packets instead of sending them
  uint32_t vip_announced = 0;  // worker 0: the last Shared::vip_announcements it served
  rte_ring* events = nullptr;  // worker -> control (Event by value); nullptr: nobody listens
  std::unique_ptr<RegistrarScratch> registrar;  // with a binding table
};

}  // namespace siplb::dataplane
