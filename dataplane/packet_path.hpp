// The worker's packet path, one function per layer. Every function takes ownership of the mbuf
// it is given: it ends staged for transmission, queued waiting for ARP, handed to control, or
// freed with a named drop counted. Runs on one worker lcore with that worker's context; never
// allocates from the heap, locks or logs.
#pragma once

#include <rte_mbuf.h>

#include "dataplane.hpp"

namespace siplb::dataplane {

// A frame received on interface `iface` (Ethernet header at the mbuf's data start).
void handle_frame(WorkerContext& ctx, uint16_t iface, rte_mbuf* m);

// A SIP datagram: the mbuf's data is the UDP payload; src is where it came from.
void handle_sip(WorkerContext& ctx, uint16_t iface, rte_mbuf* m, uint32_t src_ip_be,
                uint16_t src_port, uint16_t dst_port);

// Sends the mbuf's data as a UDP payload: prepends UDP, IPv4 and Ethernet headers (the mbuf must
// have kHeadersLength of headroom), resolves the next hop, fragments past the MTU.
void send_udp(WorkerContext& ctx, rte_mbuf* m, const Egress& egress);

// The interface to send to `dst_ip_be` from: the one whose subnet holds it, else the first with a
// gateway, else `fallback`.
uint16_t egress_interface(const Shared& shared, uint32_t dst_ip_be, uint16_t fallback);

// Retries packets waiting for ARP; drops those past their deadline. Once per loop iteration.
void service_pending(WorkerContext& ctx);

// Sends what is staged on every port (or keeps it, in capture mode).
void flush_tx(WorkerContext& ctx);

// Drops an mbuf, counting why.
inline void drop(WorkerContext& ctx, rte_mbuf* m, DropReason reason) {
  ctx.counters.drop(reason);
  rte_pktmbuf_free(m);
}

}  // namespace siplb::dataplane
