// Per-lcore packet counters: every packet a worker receives ends in exactly one of "forwarded",
// "replied", "consumed" (ARP, ICMP, probe answers handed to control, fragments held for
// reassembly) or a named drop. Each worker writes only its own cache-aligned block with plain
// stores; control threads read all blocks (relaxed, possibly a few packets stale) and sum them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "siplb/dialog/dialog_state.hpp"

namespace siplb::dataplane {

// X(name, description). One list gives the enum, the names and the counters.
#define SIPLB_DROP_REASONS(X)                                                          \
  X(not_ethernet_ipv4_or_arp, "not IPv4, IPv6 or ARP")                                 \
  X(ipv6_not_configured, "IPv6 on an interface without an IPv6 address")               \
  X(ipv6_extension_header, "IPv6 extension header other than Fragment")                \
  X(ndp_unhandled, "neighbour discovery not for our address")                          \
  X(runt_frame, "frame shorter than its headers")                                      \
  X(bad_ip_header, "IPv4 header malformed or bad header checksum")                      \
  X(ip_not_for_us, "IPv4 destination is not one of our addresses")                      \
  X(ip_protocol_unhandled, "IPv4 protocol other than UDP and ICMP")                    \
  X(ip_options, "IPv4 options present")                                                \
  X(fragment_failed, "IPv4 fragment could not be reassembled")                         \
  X(udp_bad_length, "UDP length disagrees with the IP length")                          \
  X(udp_bad_checksum, "UDP checksum wrong")                                            \
  X(udp_port_closed, "UDP destination port is not a SIP port")                          \
  X(icmp_unhandled, "ICMP other than echo request")                                    \
  X(arp_unhandled, "ARP not for our addresses or not a request/reply")                  \
  X(sip_malformed_response, "SIP response the parser rejects")                          \
  X(sip_malformed_unanswerable, "SIP request the parser rejects, no Via to answer")    \
  X(sip_missing_via, "SIP request without Via")                                        \
  X(sip_response_not_ours, "SIP response whose top Via is not ours")                   \
  X(sip_response_no_next_via, "SIP response with no Via left after ours")              \
  X(sip_bad_next_hop, "response's next Via is not a usable IP address")                 \
  X(sip_edit_failed, "message could not be rewritten (no room)")                       \
  X(sip_loop, "request addressed back to the balancer itself")                          \
  X(sip_ack_unanswered, "ACK that would need a reply (never answered)")                 \
  X(arp_queue_full, "next hop unresolved and its wait queue full")                     \
  X(arp_timeout, "next hop did not answer ARP in time")                                \
  X(no_route, "destination off-subnet and no gateway")                                 \
  X(mbuf_alloc_failed, "no mbuf for a reply or a fragment")                             \
  X(tx_full, "transmit queue full")                                                    \
  X(fragmentation_failed, "outgoing message larger than the MTU could not be fragmented") \
  X(event_ring_full, "control event ring full")

enum class DropReason : uint8_t {
#define SIPLB_X(name, text) name,
  SIPLB_DROP_REASONS(SIPLB_X)
#undef SIPLB_X
      count
};
inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::count);

constexpr std::string_view drop_reason_name(DropReason r) {
  constexpr std::string_view kNames[] = {
#define SIPLB_X(name, text) #name,
      SIPLB_DROP_REASONS(SIPLB_X)
#undef SIPLB_X
  };
  return kNames[static_cast<std::size_t>(r)];
}
constexpr std::string_view drop_reason_text(DropReason r) {
  constexpr std::string_view kTexts[] = {
#define SIPLB_X(name, text) text,
      SIPLB_DROP_REASONS(SIPLB_X)
#undef SIPLB_X
  };
  return kTexts[static_cast<std::size_t>(r)];
}

// Replies the balancer sends itself, by status code.
#define SIPLB_REPLY_CODES(X) \
  X(100) X(200) X(400) X(401) X(403) X(404) X(407) X(423) X(478) X(483) X(500) X(503) X(505) X(513)
enum class ReplyCode : uint8_t {
#define SIPLB_X(code) r##code,
  SIPLB_REPLY_CODES(SIPLB_X)
#undef SIPLB_X
      count
};
inline constexpr std::size_t kReplyCodeCount = static_cast<std::size_t>(ReplyCode::count);
inline constexpr uint16_t kReplyCodes[] = {
#define SIPLB_X(code) code,
    SIPLB_REPLY_CODES(SIPLB_X)
#undef SIPLB_X
};

// Room for the digest authentication outcomes (auth::Outcome) counted per worker.
inline constexpr std::size_t kAuthOutcomeSlots = 16;

// The index of a reply code among kReplyCodes, or kReplyCodeCount when it has none.
inline std::size_t reply_code_index(uint16_t code) {
  for (std::size_t i = 0; i < kReplyCodeCount; ++i)
    if (kReplyCodes[i] == code) return i;
  return kReplyCodeCount;
}

// Destinations are counted by their global position in the published snapshot.
inline constexpr std::size_t kMaxDestinations = 512;

// A counter written by one lcore and read by others: relaxed atomics compile to plain moves.
struct Counter {
  std::atomic<uint64_t> value{0};
  void add(uint64_t n = 1) { value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return value.load(std::memory_order_relaxed); }
};

struct alignas(64) WorkerCounters {
  Counter rx_packets;
  Counter rx_bytes;
  Counter tx_packets;
  Counter sip_requests;
  Counter sip_responses;
  Counter forwarded_requests;
  Counter forwarded_responses;
  Counter arp_replies_sent;
  Counter arp_requests_sent;
  Counter vip_announcements;       // gratuitous ARPs sent for a virtual IP (HA takeover)
  Counter icmp_echo_replies;
  Counter fragments_reassembled;
  Counter fragments_sent;
  Counter probe_answers;
  Counter probes_sent;
  Counter transaction_hits;
  Counter transaction_misses;
  Counter transaction_table_full;  // an INVITE's route could not be remembered (size [tables])
  // Least-loaded calls (dialog tracking).
  Counter dialogs_created;
  Counter dialogs_confirmed;
  Counter dialog_table_full;       // a new call answered 503: the dialog table is full ([dialogs])
  Counter least_loaded_full;       // a new call answered 503: every destination at capacity
  Counter events_dropped;          // events lost because this worker's event ring was full
  std::array<Counter, dialog::kEndReasonCount> dialog_ends;  // ended by this worker, by reason
  // Registrar.
  std::array<Counter, kReplyCodeCount> register_replies;  // REGISTERs answered, by code
  Counter register_deferred;   // 200 OKs handed to control to leave once the store has the change
  Counter bindings_added;
  Counter bindings_refreshed;
  Counter bindings_removed;    // by expires 0, the wildcard, or replaced (max_contacts)
  Counter registrar_full;      // a REGISTER answered 503: no room for the AoR or its contacts
  Counter lookups_routed;      // requests to a registered user sent to its binding
  Counter lookups_unknown;     // requests to a user with no live binding (404 or the unregistered set)
  std::array<Counter, kAuthOutcomeSlots> auth_outcomes;  // by auth::Outcome
  std::array<Counter, kDropReasonCount> drops;
  std::array<Counter, kReplyCodeCount> replies;
  std::array<Counter, kMaxDestinations> forwarded_to;  // requests, by destination position
  void drop(DropReason r) { drops[static_cast<std::size_t>(r)].add(); }
};

}  // namespace siplb::dataplane
