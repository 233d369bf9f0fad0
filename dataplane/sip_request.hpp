// What the request half of the SIP path shares between its files (sip_proxy.cpp: the stateless
// proxy; registrar_path.cpp: REGISTER and lookups of served domains): where a request goes, how
// it is answered or forwarded. Worker lcores only; nothing here allocates, locks or logs.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "dataplane.hpp"
#include "siplb/sip/accessors.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::dataplane {

inline constexpr uint16_t kDefaultSipPort = 5060;
// Header text a reply of ours may carry besides its copied headers (Contact lists, challenges).
inline constexpr std::size_t kMaxReplyExtra = 8192;

// Where a request goes next.
struct Target {
  uint32_t ip_be = 0;
  uint16_t port = 0;
  int32_t destination = -1;  // global destination position when a set chose it
  bool v6 = false;
  uint8_t ip6[16] = {};
};

// Per packet: where the request came from and the parsed message.
struct Request {
  WorkerContext& ctx;
  uint16_t iface;
  rte_mbuf* m;
  const sip::Message& msg;
  const Peer& src;
  uint16_t dst_port;
};

// What a registrar lookup changes in the request it forwards: the Request-URI becomes the
// contact, and the binding's Path becomes its first Route (RFC 3327). Views into the binding.
struct Retarget {
  std::string_view request_uri;
  std::string_view route;  // empty: no Route added
};

// Text equal, without case, to a lower-case string (domains of the configuration).
inline bool iequals_lower(const char* text, std::size_t len, const std::string& lower) {
  if (len != lower.size()) return false;
  for (std::size_t i = 0; i < len; ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// An address in SIP text: dotted IPv4, or IPv6 with or without brackets.
bool parse_host(const sip::Message& m, sip::Span host, Target& t);
// Addresses a packet may be sent to: not unspecified, loopback, multicast or broadcast.
bool is_forwardable(const Target& t);
// A SIP URI's host and port (5060 when absent).
bool uri_target(const sip::Message& m, const sip::Uri& u, Target& t);

// A reply of ours to a request, built but not sent: the packet and where it goes.
struct BuiltReply {
  rte_mbuf* packet = nullptr;
  Egress egress;
};
// Builds our reply (RFC 3261 8.2.6) with `extra_headers` (complete lines) into a new mbuf.
// False when the request is an ACK or no mbuf is free (nothing built; the request is untouched).
bool build_reply(const Request& r, uint16_t code, std::string_view reason, std::string_view extra_headers,
                 BuiltReply& out);
// Answers a request ourselves and frees the request mbuf (an ACK is dropped, never answered).
void reply(const Request& r, uint16_t code, std::string_view reason, std::string_view extra_headers = {});
// Forwards a request to `t` with our Via, Record-Route and the other proxy edits;
// `routes_to_pop`: the Route values naming us at the top. `retarget`: a registrar lookup's edits.
void forward_request(const Request& r, const Target& t, uint8_t routes_to_pop, bool to_has_tag,
                     const Retarget* retarget = nullptr);

// The registrar's part of an initial request (registrar_path.cpp): REGISTERs for a served domain
// are answered here (done); other requests to a user of a served domain are routed to the user's
// binding (routed: forward to `t` with `retarget`), refused with 404 (done), or left to the sets
// (pass; `set` then names the [registrar] unregistered_set for a user with no binding, else stays
// as it was). Without a registrar, always pass.
enum class RegistrarStep : uint8_t { pass, done, routed };
RegistrarStep registrar_request(const Request& r, const sip::Uri& ruri, Target& t, Retarget& retarget,
                                int32_t& set);

}  // namespace siplb::dataplane
