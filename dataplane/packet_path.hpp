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
void handle_sip(WorkerContext& ctx, uint16_t iface, rte_mbuf* m, const Peer& src, uint16_t dst_port);

// The IPv6 half of the path (ipv6_path.cpp): a frame with EtherType IPv6, and the output side.
void handle_ipv6(WorkerContext& ctx, uint16_t iface, rte_mbuf* m);
void send_udp6(WorkerContext& ctx, rte_mbuf* m, const Egress& egress, Outcome outcome);
// Retries one IPv6 packet waiting for neighbour discovery; false while it must keep waiting.
bool retry_pending6(WorkerContext& ctx, PendingPacket& p);

// Adds a finished frame to the port's TX buffer (flushing it when full).
void stage_tx(WorkerContext& ctx, uint16_t port_id, rte_mbuf* m);
// Copies a chained (reassembled) packet into one large mbuf; nullptr when none is free.
rte_mbuf* linearize(WorkerContext& ctx, rte_mbuf* m);
// Counts what a packet turned out to be (forwarded request/response, reply, probe).
void count_outcome(WorkerContext& ctx, const Outcome& o);
// Writes the Ethernet header in front of the mbuf's data (byte copies: the frame may start at
// an odd address after the SIP rewrite) and stages the frame; fragments for ports that cannot
// send chained mbufs are copied into one segment first.
void transmit_frame(WorkerContext& ctx, const Interface& iface, rte_mbuf* m, const uint8_t* dst_mac,
                    uint16_t ether_type);

// Sends the mbuf's data as a UDP payload: prepends UDP, IP (IPv4, or IPv6 when egress.v6) and
// Ethernet headers (the mbuf must have kHeaders4Length / kHeaders6Length of headroom), resolves
// the next hop (ARP / neighbour discovery), fragments past the MTU.
// `outcome` is counted when the packet is staged for transmission.
void send_udp(WorkerContext& ctx, rte_mbuf* m, const Egress& egress, Outcome outcome = {});

// The interface to send to `dst_ip_be` from: the one whose subnet holds it, else the first with a
// gateway, else `fallback`. egress_interface6: the same for an IPv6 destination.
uint16_t egress_interface(const Shared& shared, uint32_t dst_ip_be, uint16_t fallback);
uint16_t egress_interface6(const Shared& shared, const uint8_t* dst, uint16_t fallback);

// Gratuitous ARP for every interface's virtual IP (HA takeover: the LAN learns its new MAC).
void announce_vips(WorkerContext& ctx);

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
