// The stateless SIP proxy of RFC 3261 16.11 with RFC 3581 rport: what a worker does with one
// parsed datagram. Requests are answered (400/483/503/505/513, 200 to OPTIONS for us), or
// rewritten in place (our Via with a deterministic branch, received/rport, Max-Forwards,
// loose-routed Routes popped, a Record-Route, or two when the request changes address) and sent
// to the next Route, the Request-URI of an in-dialog request, the INVITE's destination for
// CANCEL/ACK, or a destination the set selects.
// Responses lose our Via and go to the next one's received/rport.
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <charconv>
#include <cstring>

#include "dialog_tracking.hpp"
#include "event_emit.hpp"
#include "hex_text.hpp"
#include "ip_text.hpp"
#include "packet_path.hpp"
#include "siplb/sip/accessors.hpp"
#include "siplb/sip/parser.hpp"
#include "siplb/sip/writer.hpp"
#include "sip_request.hpp"

namespace siplb::dataplane {

using sip::HeaderId;
using sip::Message;
using sip::Method;
using sip::ParseError;
using sip::Span;

namespace {

constexpr std::string_view kMagicCookie = "z9hG4bK";

uint64_t mix(uint64_t a, uint64_t b) { return (a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2))) * 0xff51afd7ed558ccdull; }

bool starts_with(const Message& m, Span s, std::string_view prefix) {
  return s.len >= prefix.size() && std::memcmp(m.data + s.off, prefix.data(), prefix.size()) == 0;
}

}  // namespace

// An address in SIP text: dotted IPv4, or IPv6 with or without brackets.
bool parse_host(const Message& m, Span host, Target& t) {
  const char* p = m.data + host.off;
  if (host.len && (p[0] == '[' || std::memchr(p, ':', host.len))) {
    t.v6 = true;
    return parse_ipv6_text(p, host.len, t.ip6);
  }
  t.v6 = false;
  return parse_ipv4_text(p, host.len, t.ip_be);
}

// Addresses a packet may be sent to: not unspecified, loopback, multicast or broadcast.
bool is_forwardable(const Target& t) {
  if (t.v6) {
    static const uint8_t kZero[16] = {};
    if (std::memcmp(t.ip6, kZero, 15) == 0 && (t.ip6[15] == 0 || t.ip6[15] == 1)) return false;  // :: and ::1
    return t.ip6[0] != 0xff;                                                                    // multicast
  }
  uint8_t first = static_cast<uint8_t>(t.ip_be & 0xff);  // network order: first octet in the low byte
  return first != 0 && first != 127 && first < 224 && t.ip_be != 0xffffffffu;
}

namespace {

bool is_ours(const Shared& sh, const Target& t) {
  return t.v6 ? sh.interface_by_ip6(t.ip6) != nullptr : sh.interface_by_ip(t.ip_be) != nullptr;
}

// A host (of a Via or a SIP URI) naming one of our addresses. We write our addresses as
// Interface::ip_text and [ip6_text], and clients copy them, so a host written so is ours without
// parsing it; other spellings (upper-case or expanded IPv6) take the parse.
bool host_is_ours(const Shared& sh, const Message& m, Span host) {
  std::string_view text = m.text(host);
  bool bracketed = text.size() > 2 && text.front() == '[' && text.back() == ']';
  for (const Interface& i : sh.interfaces) {
    if (text == i.ip_text || (i.vip_be && text == i.vip_text)) return true;
    if (bracketed && i.has_ip6 && text.substr(1, text.size() - 2) == i.ip6_text) return true;
  }
  Target t;
  return parse_host(m, host, t) && is_ours(sh, t);
}

// A SIP URI whose host is one of our addresses and whose port is one of our SIP ports.
bool uri_is_ours(const Shared& sh, const Message& m, const sip::Uri& u) {
  return u.is_sip && host_is_ours(sh, m, u.host) && sh.is_sip_port(u.port ? u.port : kDefaultSipPort);
}

}  // namespace

bool uri_target(const Message& m, const sip::Uri& u, Target& t) {
  if (!u.is_sip || !parse_host(m, u.host, t)) return false;
  t.port = u.port ? u.port : kDefaultSipPort;
  t.destination = -1;
  return true;
}

namespace {

bool route_uri(const Message& m, Span value, sip::Uri& out) {
  sip::NameAddr na;
  return sip::parse_name_addr(m, value, na) && sip::parse_uri(m, na.uri, out);
}

// The source address as received= text (IPv6 without brackets, RFC 5118).
std::size_t peer_text(const Peer& p, char* out) {
  return p.v6 ? format_ipv6_text(p.ip6, out) : format_ipv4_text(p.ip_be, out);
}

// The client's Via sent-by host is the address the packet came from.
bool sent_by_is_source(const Message& m, const Peer& src) {
  Target t;
  if (!parse_host(m, m.top_via.host, t) || t.v6 != src.v6) return false;
  return t.v6 ? std::memcmp(t.ip6, src.ip6, 16) == 0 : t.ip_be == src.ip_be;
}

Egress egress_to(const Shared& sh, const Target& t, uint16_t fallback_iface) {
  Egress e;
  e.v6 = t.v6;
  e.dst_port = t.port;
  if (t.v6) {
    std::memcpy(e.dst_ip6, t.ip6, 16);
    e.interface = egress_interface6(sh, t.ip6, fallback_iface);
  } else {
    e.dst_ip_be = t.ip_be;
    e.interface = egress_interface(sh, t.ip_be, fallback_iface);
  }
  e.src_port = sh.interfaces[e.interface].sip_port;
  return e;
}

// A destination of the snapshot, by global position.
Target target_of(const Snapshot& snap, int32_t destination) {
  const DestinationInfo& d = snap.destinations[static_cast<std::size_t>(destination)];
  Target t;
  t.v6 = d.v6;
  t.ip_be = d.ip_be;
  std::memcpy(t.ip6, d.ip6, 16);
  t.port = d.port;
  t.destination = destination;
  return t;
}

// The set that takes an initial request: the first whose match keys (method, Request-URI domain,
// Request-URI user prefix) all fit; -1 when none does.
int32_t choose_set(const Snapshot& snap, const Message& msg, const sip::Uri& ruri) {
  for (std::size_t i = 0; i < snap.set_matches.size(); ++i) {
    const SetMatch& m = snap.set_matches[i];
    if (m.methods && !(m.methods >> static_cast<unsigned>(msg.method) & 1)) continue;
    if (!m.domains.empty()) {
      bool found = false;
      for (const std::string& d : m.domains) found |= iequals_lower(msg.data + ruri.host.off, ruri.host.len, d);
      if (!found) continue;
    }
    if (!m.user_prefixes.empty()) {
      bool found = false;
      for (const std::string& p : m.user_prefixes)
        found |= ruri.user.len >= p.size() && std::memcmp(msg.data + ruri.user.off, p.data(), p.size()) == 0;
      if (!found) continue;
    }
    return static_cast<int32_t>(i);
  }
  return -1;
}


}  // namespace

bool build_reply(const Request& r, uint16_t code, std::string_view reason, std::string_view extra_headers,
                 BuiltReply& built) {
  WorkerContext& ctx = r.ctx;
  const Shared& sh = *ctx.shared;
  const Message& msg = r.msg;
  if (msg.method == Method::ack || msg.cseq_method == Method::ack) return false;  // never answered

  char received[INET6_ADDRSTRLEN];
  std::size_t received_len = peer_text(r.src, received);
  // A deterministic To-tag: a retransmitted request gets the same answer.
  sip::NameAddr from;
  uint64_t h = balance::hash_key(msg.text(msg.call_id));
  if (sip::from_header(msg, from) == ParseError::none && from.has_tag)
    h = mix(h, balance::hash_key(msg.text(from.tag)));
  h = mix(h, msg.cseq_number);
  char tag[16];
  format_hex64(h, tag);
  // Our headers, then the caller's (a registrar's Contact list and challenges can be kilobytes).
  char extra[kMaxReplyExtra];
  std::size_t extra_len = 0;
  bool fits = true;
  auto add = [&](std::string_view s) {
    if (s.empty()) return;  // (an empty view may hold a null pointer, which memcpy must not get)
    if (extra_len + s.size() > sizeof(extra)) {
      fits = false;
      return;
    }
    std::memcpy(extra + extra_len, s.data(), s.size());
    extra_len += s.size();
  };
  if (!sh.proxy.server_header.empty()) {
    add("Server: ");
    add(sh.proxy.server_header);
    add("\r\n");
  }
  if (code == 503 && sh.proxy.retry_after_s > 0) {  // retry_after = 0: no header
    char digits[12];
    std::size_t n = static_cast<std::size_t>(
        std::to_chars(digits, digits + sizeof(digits), sh.proxy.retry_after_s).ptr - digits);
    add("Retry-After: ");
    add({digits, n});
    add("\r\n");
  }
  add(extra_headers);
  if (!fits) {
    ctx.counters.drop(DropReason::sip_edit_failed);
    return false;
  }
  // A reply the size of the request plus our headers fits a regular mbuf nearly always; a long
  // Contact list takes a large one.
  const std::size_t estimate = msg.headers_end + extra_len + 256;
  rte_mempool* pool = estimate > RTE_MBUF_DEFAULT_DATAROOM ? sh.large_pool : sh.pool;
  rte_mbuf* out = rte_pktmbuf_alloc(pool);
  if (!out) {
    ctx.counters.drop(DropReason::mbuf_alloc_failed);
    return false;
  }
  sip::ReplySpec spec;
  spec.code = code;
  spec.reason = reason;
  spec.to_tag = {tag, sizeof(tag)};
  // received only where the sent-by differs from the source, or rport asks for it (RFC 3581).
  if (msg.top_via.has_rport || !sent_by_is_source(msg, r.src)) spec.received = {received, received_len};
  spec.rport = msg.top_via.has_rport ? r.src.port : 0;
  spec.extra_headers = {extra, extra_len};
  char* data = rte_pktmbuf_mtod(out, char*);
  std::size_t len = sip::build_reply(msg, spec, data, rte_pktmbuf_tailroom(out));
  if (len == 0 || !rte_pktmbuf_append(out, static_cast<uint16_t>(len))) {
    rte_pktmbuf_free(out);
    ctx.counters.drop(DropReason::sip_edit_failed);
    return false;
  }
  // RFC 3261 18.2.2 / RFC 3581 4: to the source address, at the rport or the sent-by port.
  Egress& e = built.egress;
  e = Egress{};
  e.interface = r.iface;
  e.dst_port = msg.top_via.has_rport ? r.src.port
                                     : (msg.top_via.port ? msg.top_via.port : kDefaultSipPort);
  e.src_port = r.dst_port;
  e.v6 = r.src.v6;
  e.dst_ip_be = r.src.ip_be;
  std::memcpy(e.dst_ip6, r.src.ip6, 16);
  built.packet = out;
  return true;
}

void reply(const Request& r, uint16_t code, std::string_view reason, std::string_view extra_headers) {
  WorkerContext& ctx = r.ctx;
  const Message& msg = r.msg;
  if (msg.method == Method::ack || msg.cseq_method == Method::ack)
    return drop(ctx, r.m, DropReason::sip_ack_unanswered);  // an ACK is never answered
  BuiltReply built;
  if (!build_reply(r, code, reason, extra_headers, built)) {
    rte_pktmbuf_free(r.m);  // counted by build_reply
    return;
  }
  rte_pktmbuf_free(r.m);
  Outcome outcome{Outcome::reply};
  outcome.reply_code = code;
  send_udp(ctx, built.packet, built.egress, outcome);
}

namespace {

// Our Via branch for a request: a function of the client's branch (RFC 3261 16.11), so that
// retransmissions, the CANCEL and the ACK of a non-2xx of one INVITE all get the same one.
uint64_t branch_hash(const Message& msg) {
  const sip::Via& via = msg.top_via;
  uint64_t h;
  if (starts_with(msg, via.branch, kMagicCookie)) {
    h = mix(balance::hash_key(msg.text(via.branch)), balance::hash_key(msg.text(via.host)));
    h = mix(h, via.port);
  } else {
    // RFC 2543 client: what identifies its transaction (the CSeq method aside, so CANCEL/ACK match).
    h = mix(balance::hash_key(msg.text(msg.call_id)), msg.cseq_number);
    h = mix(h, balance::hash_key(msg.text(msg.request_uri)));
    h = mix(h, balance::hash_key(msg.text(via.value)));
    sip::NameAddr from;
    if (sip::from_header(msg, from) == ParseError::none) h = mix(h, balance::hash_key(msg.text(from.tag)));
  }
  return h;
}

// A retransmission follows its first copy only while that destination is still selectable: once
// probing has taken it out, the request is balanced again (a CANCEL or ACK always follows).
bool still_selectable(const Snapshot* snap, uint16_t destination) {
  if (!snap || destination >= snap->destinations.size()) return false;
  return balance::is_selectable(snap->destinations[destination].state);
}

bool creates_dialog(Method m) {
  return m == Method::invite || m == Method::subscribe || m == Method::refer || m == Method::notify;
}

}  // namespace

// `routes_to_pop`: the Route values naming us at the top (0, 1, or 2 for our double Record-Route).
void forward_request(const Request& r, const Target& t, uint8_t routes_to_pop, bool to_has_tag,
                     const Retarget* retarget) {
  WorkerContext& ctx = r.ctx;
  const Shared& sh = *ctx.shared;
  const Message& msg = r.msg;
  if (is_ours(sh, t) && sh.is_sip_port(t.port)) return drop(ctx, r.m, DropReason::sip_loop);
  Egress egress = egress_to(sh, t, r.iface);
  const Interface& out = sh.interfaces[egress.interface];
  // No IPv6 interface to leave from (send_udp6 would drop it too): there is no Via or
  // Record-Route text of ours for it.
  if (t.v6 && !out.has_ip6) return drop(ctx, r.m, DropReason::no_route);

  sip::MessageEditor ed(msg, static_cast<char*>(r.m->buf_addr), r.m->buf_len,
                        t.v6 ? kHeaders6Length : kHeaders4Length);
  // received/rport on the client's Via (RFC 3261 18.2.1, RFC 3581 4).
  // The editor refers to the text until commit(): the buffer lives as long as it does.
  bool ok = true;
  char received[INET6_ADDRSTRLEN];
  if (msg.top_via.has_rport || !sent_by_is_source(msg, r.src)) {
    std::size_t received_len = peer_text(r.src, received);
    ok &= ed.set_top_via_received({received, received_len}) == sip::EditError::none;
  }
  if (msg.top_via.has_rport) ok &= ed.set_top_via_rport(r.src.port) == sip::EditError::none;
  // Our Via, with the address of the family the request leaves with.
  char via[128];
  std::size_t n = 0;
  auto put = [&](std::string_view s) {
    std::memcpy(via + n, s.data(), s.size());
    n += s.size();
  };
  put("SIP/2.0/UDP ");
  // The virtual IP while this node holds it: the next hop answers to the address, not the node.
  const bool vip = !t.v6 && sh.uses_vip(out);
  put(t.v6 ? out.via_sent_by6 : vip ? out.via_sent_by_vip : out.via_sent_by);
  put(";branch=");
  put(kBranchPrefix);
  format_hex64(branch_hash(msg), via + n);
  n += 16;
  // Our own text: the interface's sent-by was checked at start-up (daemon.cpp), the rest is literal.
  ok &= ed.insert_top_via_trusted({via, n}) == sip::EditError::none;
  ok &= ed.set_max_forwards(msg.max_forwards >= 0 ? static_cast<uint8_t>(msg.max_forwards - 1)
                                                  : sh.proxy.max_forwards) == sip::EditError::none;
  if (routes_to_pop) ok &= ed.remove_top_routes(routes_to_pop) == sip::EditError::none;
  if (retarget) {
    ok &= ed.replace_request_uri(retarget->request_uri) == sip::EditError::none;
    if (!retarget->route.empty()) ok &= ed.insert_header("Route", retarget->route) == sip::EditError::none;
  }
  if (sh.proxy.record_route && !to_has_tag && creates_dialog(msg.method)) {
    // The top Record-Route names the address the next hop reaches us at. When the request came
    // in on another one (another interface, or the other IP family), a second names that, so the
    // UAS (using the set in order) and the UAC (in reverse) each reach us at the address facing
    // them (RFC 5658). Both insertions go at one position and keep the order they are made in.
    std::string_view outgoing = t.v6 ? out.record_route6 : vip ? out.record_route_vip : out.record_route;
    ok &= ed.insert_record_route_trusted(outgoing) == sip::EditError::none;
    if (sh.proxy.double_record_route) {
      const Interface& in = sh.interfaces[r.iface];
      std::string_view incoming = r.src.v6 ? in.record_route6 : sh.uses_vip(in) ? in.record_route_vip : in.record_route;
      if (incoming != outgoing) ok &= ed.insert_record_route_trusted(incoming) == sip::EditError::none;
    }
  }
  if (!ok || ed.commit() != sip::EditError::none) return drop(ctx, r.m, DropReason::sip_edit_failed);
  r.m->data_off = static_cast<uint16_t>(ed.head());
  r.m->data_len = static_cast<uint16_t>(ed.length());
  r.m->pkt_len = ed.length();

  send_udp(ctx, r.m, egress, {Outcome::request, t.destination});
}

namespace {

void handle_request(const Request& r, ParseError err) {
  WorkerContext& ctx = r.ctx;
  const Shared& sh = *ctx.shared;
  const Message& msg = r.msg;
  ctx.counters.sip_requests.add();
  if (err != ParseError::none) {
    // A reply needs the top Via to be addressed and From, To, Call-ID and CSeq to be copied.
    if (msg.top_via_header == sip::kNoHeader || !msg.has(HeaderId::from) || !msg.has(HeaderId::to) ||
        !msg.has(HeaderId::call_id) || !msg.has(HeaderId::cseq))
      return drop(ctx, r.m, DropReason::sip_malformed_unanswerable);
    return reply(r, sip::parse_error_status(err), sip::parse_error_phrase(err));
  }
  if (msg.top_via_header == sip::kNoHeader) return drop(ctx, r.m, DropReason::sip_missing_via);
  if (msg.message_end() > sh.proxy.max_message_size) return reply(r, 513, "Message Too Large");

  sip::Uri ruri;
  if (sip::request_uri(msg, ruri) != ParseError::none)
    return reply(r, 400, "Bad Request - Malformed Request-URI");
  bool ruri_ours = uri_is_ours(sh, msg, ruri);
  if (msg.method == Method::options && ruri_ours && ruri.user.empty()) return reply(r, 200, "OK");
  if (msg.max_forwards == 0) return reply(r, 483, "Too Many Hops");
  int32_t registrar_set = -1;  // the set of users a served domain has no binding for
  if (sh.bindings) {
    Target registered;
    Retarget retarget;
    switch (registrar_request(r, ruri, registered, retarget, registrar_set)) {
      case RegistrarStep::done:
        return;
      case RegistrarStep::routed:
        return forward_request(r, registered, 0, false, &retarget);
      case RegistrarStep::pass:
        break;
    }
  }

  Target t;
  bool have_target = false;
  bool target_is_next_route = false;
  uint8_t routes_to_pop = 0;
  sip::ValueIterator routes(msg, HeaderId::route);
  Span route;
  // Only the To tag is needed here (the hash-to-uri algorithm parses the whole To below).
  const sip::HeaderTag to = sip::to_tag(msg);
  const bool to_has_tag = to.valid && to.has_tag;
  // Loose routing (RFC 3261 16.4): a top Route naming us is removed. Then, as in the dispatcher
  // setups of OpenSIPS/Kamailio, an in-dialog request (To-tag) follows the next Route, while an
  // initial request is balanced over the set whatever Routes it carries (they stay in it).
  // A next hop that is an address siplb must not send to (loopback, multicast, unspecified) is
  // answered as Kamailio answers an unusable destination: 478 Unresolvable Destination.
  constexpr std::string_view kUnresolvable = "Unresolvable Destination";
  // When the Route after ours names us too, it is the other half of our double Record-Route
  // (the address of the other side): it goes as well, and the Route after it leads.
  if (routes.next(route)) {
    sip::Uri ru;
    if (!route_uri(msg, route, ru)) return reply(r, 400, "Bad Request - Malformed Route");
    bool ours = uri_is_ours(sh, msg, ru);
    routes_to_pop = ours ? 1 : 0;
    bool next = !ours || routes.next(route);
    if (next && ours) {
      if (!route_uri(msg, route, ru)) return reply(r, 400, "Bad Request - Malformed Route");
      if (uri_is_ours(sh, msg, ru)) {
        routes_to_pop = 2;
        next = routes.next(route);
        if (next && !route_uri(msg, route, ru)) return reply(r, 400, "Bad Request - Malformed Route");
      }
    }
    if (next && to_has_tag && uri_target(msg, ru, t)) {
      if (!is_forwardable(t)) return reply(r, 478, kUnresolvable);
      have_target = true;
      target_is_next_route = true;
    }
    // A host name is taken to name the service itself (clients reach the farm by its domain;
    // there is no DNS on the packet path): the request is balanced below, the Route kept.
  }
  // In-dialog (To-tag), no Route left and not addressed to us: the Request-URI leads.
  if (!have_target && !ruri_ours && to_has_tag && uri_target(msg, ruri, t)) {
    if (!is_forwardable(t)) return reply(r, 478, kUnresolvable);
    have_target = true;
  }

  const Snapshot* snap = ctx.snapshot;
  TransactionKey key{balance::hash_key(msg.text(msg.call_id)), msg.cseq_number};
  const sip::HeaderTag from = sh.dialogs ? sip::from_tag(msg) : sip::HeaderTag{};
  const bool dialogs = from.valid;
  // A call of a least-loaded set: the caller's in-dialog requests (and a CANCEL) go to the
  // dialog's destination unless a Route names a further hop; BYE and CANCEL end the dialog.
  if (dialogs && (to_has_tag || msg.method == Method::cancel)) {
    DialogMatch match = track_request(ctx, msg, key.call_id_hash, from.tag, to.tag, to_has_tag);
    if (match.from_caller && match.destination >= 0 && !target_is_next_route && snap &&
        static_cast<std::size_t>(match.destination) < snap->destinations.size()) {
      t = target_of(*snap, match.destination);
      have_target = true;
    }
  }
  if (!have_target && ctx.transactions) {
    // A retransmission, a CANCEL, or the ACK of a non-2xx answer goes where the request of that
    // Call-ID and CSeq number went (RFC 3261 16.11), whatever the algorithm and health say now.
    TransactionRoute route_of_request;
    bool follows = msg.method == Method::cancel || msg.method == Method::ack;
    if (ctx.transactions->find(key, ctx.now_tsc, route_of_request) &&
        (follows || still_selectable(snap, route_of_request.destination))) {
      ctx.counters.transaction_hits.add();
      t.ip_be = route_of_request.ip_be;
      t.port = route_of_request.port;
      t.destination = route_of_request.destination;
      t.v6 = route_of_request.v6;
      std::memcpy(t.ip6, route_of_request.ip6, 16);
      have_target = true;
    } else if (follows) {
      ctx.counters.transaction_misses.add();
    }
  }
  bool selected = false;  // chosen by the set now (not by a dialog, Route or transaction)
  int32_t set = -1;
  if (!have_target) {
    if (!snap || !snap->selector) return reply(r, 503, "Service Unavailable");
    set = registrar_set >= 0 && static_cast<std::size_t>(registrar_set) < snap->set_matches.size()
              ? registrar_set
              : choose_set(*snap, msg, ruri);
    if (set < 0) return reply(r, 404, "Not Found");  // no set takes this method/domain/user
    balance::Algorithm algorithm = snap->selector->algorithm(set);
    if (algorithm == balance::Algorithm::least_loaded) {
      int32_t destination = -1;
      if (msg.method == Method::invite && !to_has_tag && dialogs) {
        // A new call: the destination with the most free capacity takes it, in a new dialog.
        CallStart started = start_call(ctx, *snap, set, msg, key.call_id_hash, from.tag, destination);
        if (started == CallStart::all_full || started == CallStart::table_full)
          return reply(r, 503, "Service Unavailable");
      } else {
        // Other requests make no call: the least-loaded destination, nothing taken.
        balance::Selection s =
            snap->selector->select_least_loaded(set, *sh.loads, snap->set_base[set], false, ctx.select_state);
        if (s.index < 0) return reply(r, 503, "Service Unavailable");
        destination = snap->set_base[set] + s.index;
      }
      t = target_of(*snap, destination);
      have_target = true;
      selected = true;
    }
  }
  if (!have_target) {
    // Only the field the set hashes on is extracted.
    balance::SelectionKey sk;
    balance::Algorithm algorithm = snap->selector->algorithm(set);
    switch (algorithm) {
      case balance::Algorithm::hash_from_uri: {
        sip::NameAddr from_value;
        if (sip::from_header(msg, from_value) == ParseError::none) sk.from_uri = msg.text(from_value.uri);
        break;
      }
      case balance::Algorithm::hash_to_uri: {
        // As before: the URI found even when the rest of a malformed To is rejected.
        sip::NameAddr to_value;
        sip::to_header(msg, to_value);
        sk.to_uri = msg.text(to_value.uri);
        break;
      }
      case balance::Algorithm::hash_request_uri:
        sk.request_uri = msg.text(msg.request_uri);
        break;
      case balance::Algorithm::hash_auth_user:
        sk.auth_user = msg.text(sip::auth_username(msg));
        break;
      default:
        sk.call_id = msg.text(msg.call_id);
        break;
    }
    // Keyed on the Call-ID: its hash is the transaction key's, computed once above.
    bool by_call_id = algorithm == balance::Algorithm::maglev || algorithm == balance::Algorithm::hash_call_id;
    balance::Selection s = by_call_id ? snap->selector->select_by_hash(set, key.call_id_hash)
                                      : snap->selector->select(set, sk, ctx.select_state);
    if (s.index < 0) return reply(r, 503, "Service Unavailable");
    t = target_of(*snap, snap->set_base[set] + s.index);
    selected = true;
  }
  if (selected && msg.method != Method::ack && msg.method != Method::cancel && ctx.transactions) {
    TransactionRoute route{t.ip_be, t.port, static_cast<uint16_t>(t.destination), t.v6, {}};
    std::memcpy(route.ip6, t.ip6, 16);
    if (!ctx.transactions->remember(key, route, ctx.now_tsc + sh.transaction_ttl_tsc)) {
      ctx.counters.transaction_table_full.add();
      ctx.sweep_urgently = true;  // make room: expired entries go faster
    }
  }
  forward_request(r, t, routes_to_pop, to_has_tag);
}

// Probe branch: kProbeBranchPrefix, 4 hex digits of destination, '-', 8 hex digits of sequence.
bool parse_probe_branch(const Message& msg, Span branch, ProbeAnswer& out) {
  constexpr std::size_t kPrefix = sizeof(kProbeBranchPrefix) - 1;
  if (branch.len != kPrefix + 4 + 1 + 8) return false;
  const char* p = msg.data + branch.off + kPrefix;
  auto hex = [](const char* s, int n, uint32_t& v) {
    v = 0;
    for (int i = 0; i < n; ++i) {
      char c = s[i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v << 4 | static_cast<uint32_t>(d);
    }
    return true;
  };
  uint32_t dest, seq;
  if (!hex(p, 4, dest) || p[4] != '-' || !hex(p + 5, 8, seq)) return false;
  out = {static_cast<uint16_t>(dest), msg.status_code, seq};
  return true;
}

void handle_response(WorkerContext& ctx, uint16_t iface, rte_mbuf* m, const Message& msg,
                     ParseError err) {
  const Shared& sh = *ctx.shared;
  ctx.counters.sip_responses.add();
  if (err != ParseError::none) return drop(ctx, m, DropReason::sip_malformed_response);
  const sip::Via& top = msg.top_via;
  if (msg.top_via_header == sip::kNoHeader || !host_is_ours(sh, msg, top.host))
    return drop(ctx, m, DropReason::sip_response_not_ours);
  if (starts_with(msg, top.branch, kProbeBranchPrefix)) {
    ProbeAnswer answer;
    if (!parse_probe_branch(msg, top.branch, answer)) return drop(ctx, m, DropReason::sip_response_not_ours);
    Event event;
    event.kind = EventKind::probe_answer;
    event.status_code = answer.status_code;
    event.probe_sequence = answer.sequence;
    event.event_tsc = ctx.now_tsc;
    event.dialog.destination = answer.destination;
    if (!emit_event(ctx, event)) return drop(ctx, m, DropReason::event_ring_full);
    ctx.counters.probe_answers.add();
    rte_pktmbuf_free(m);
    return;
  }
  if (!starts_with(msg, top.branch, kBranchPrefix)) return drop(ctx, m, DropReason::sip_response_not_ours);
  if (sh.dialogs && msg.cseq_method == Method::invite) track_response(ctx, msg);

  sip::Via next;
  switch (sip::second_via(msg, next)) {
    case sip::SecondVia::absent:
      return drop(ctx, m, DropReason::sip_response_no_next_via);
    case sip::SecondVia::malformed:
      return drop(ctx, m, DropReason::sip_bad_next_hop);
    case sip::SecondVia::ok:
      break;
  }
  Span host = next.received.empty() ? next.host : next.received;
  Target t;
  if (!parse_host(msg, host, t)) return drop(ctx, m, DropReason::sip_bad_next_hop);
  t.port = next.port ? next.port : kDefaultSipPort;
  if (next.has_rport && !next.rport.empty()) {
    uint32_t p = 0;
    for (uint16_t i = 0; i < next.rport.len; ++i) p = p * 10 + static_cast<uint32_t>(msg.data[next.rport.off + i] - '0');
    if (p > 0 && p <= 65535) t.port = static_cast<uint16_t>(p);
  }
  sip::MessageEditor ed(msg, static_cast<char*>(m->buf_addr), m->buf_len,
                        t.v6 ? kHeaders6Length : kHeaders4Length);
  if (ed.remove_top_via() != sip::EditError::none || ed.commit() != sip::EditError::none)
    return drop(ctx, m, DropReason::sip_edit_failed);
  m->data_off = static_cast<uint16_t>(ed.head());
  m->data_len = static_cast<uint16_t>(ed.length());
  m->pkt_len = ed.length();
  if (!is_forwardable(t)) return drop(ctx, m, DropReason::sip_bad_next_hop);
  send_udp(ctx, m, egress_to(sh, t, iface), {Outcome::response});
}

}  // namespace

void handle_sip(WorkerContext& ctx, uint16_t iface, rte_mbuf* m, const Peer& src, uint16_t dst_port) {
  Message msg;
  ParseError err = sip::parse(rte_pktmbuf_mtod(m, const char*), m->data_len, msg);
  if (!msg.is_request) return handle_response(ctx, iface, m, msg, err);
  handle_request({ctx, iface, m, msg, src, dst_port}, err);
}

}  // namespace siplb::dataplane
