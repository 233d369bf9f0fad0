// The registrar on the packet path. REGISTERs for a served domain are authenticated (digest, when
// the domain asks), applied to the shared binding table with the RFC 3261 10.3 rules
// (src/registrar) and answered; under durability "sync" the 200 OK travels to control inside the
// binding event and leaves once the store has the change. Initial requests to a user of a served
// domain go to the user's best binding: its Path as the route set, its received address (NAT)
// as the next hop, the contact as the Request-URI.
#include <rte_ring.h>

#include <cstring>

#include "event_emit.hpp"
#include "packet_path.hpp"
#include "sip_request.hpp"
#include "siplb/auth/challenge.hpp"
#include "siplb/auth/verify.hpp"
#include "siplb/registrar/aor.hpp"
#include "siplb/registrar/register.hpp"
#include "siplb/registrar/reply_text.hpp"

namespace siplb::dataplane {
namespace {

using sip::Message;
using sip::Method;

// How often a REGISTER is applied again when another thread changed its AoR in between.
constexpr int kCommitAttempts = 16;

const auth::SubscriberTable& no_subscribers() {
  static const auth::SubscriberTable empty;
  return empty;
}

const RegistrarDomain* served_domain(const RegistrarRules& rules, const Message& m, sip::Span host) {
  for (const RegistrarDomain& d : rules.domains)
    if (iequals_lower(m.data + host.off, host.len, d.name)) return &d;
  return nullptr;
}

registrar::Source source_of(const Peer& p) {
  registrar::Source s;
  s.v6 = p.v6;
  if (p.v6) std::memcpy(s.ip, p.ip6, 16);
  else std::memcpy(s.ip, &p.ip_be, 4);
  s.port = p.port;
  return s;
}

void count_register_reply(WorkerContext& ctx, uint16_t code) {
  const std::size_t i = reply_code_index(code);
  if (i < kReplyCodeCount) ctx.counters.register_replies[i].add();
}

// Answers a REGISTER (counted by code) and frees it.
void answer(const Request& r, uint16_t code, std::string_view reason, std::string_view extra = {}) {
  count_register_reply(r.ctx, code);
  reply(r, code, reason, extra);
}

// A host that is one of our addresses.
bool names_us(const Shared& sh, const Message& m, sip::Span host) {
  Target t;
  if (!parse_host(m, host, t)) return false;
  return t.v6 ? sh.interface_by_ip6(t.ip6) != nullptr : sh.interface_by_ip(t.ip_be) != nullptr;
}

// A digest uri naming one of our addresses (what some UAs put there instead of the Request-URI).
bool uri_names_us(std::string_view text, const void* context) {
  const auto& sh = *static_cast<const Shared*>(context);
  if (text.size() > UINT16_MAX) return false;
  Message m;
  m.data = text.data();
  m.size = static_cast<uint32_t>(text.size());
  sip::Uri uri;
  return sip::parse_uri(m, {0, static_cast<uint16_t>(text.size())}, uri) && uri.is_sip && names_us(sh, m, uri.host);
}

// The digest check of a request for `domain`. True: go on. False: answered (challenge, 403, 400).
bool authenticate(const Request& r, const RegistrarRules& rules, const RegistrarDomain& domain,
                  auth::Challenger challenger, bool retransmission_of_applied) {
  WorkerContext& ctx = r.ctx;
  const Shared& sh = *ctx.shared;
  const uint64_t now_s = static_cast<uint64_t>(sh.wall_ms(ctx.now_tsc) / 1000);
  auth::VerifyInput in;
  in.message = &r.msg;
  in.challenger = challenger;
  in.realm = domain.realm;
  in.now_s = now_s;
  in.uri_names_us = uri_names_us;
  in.uri_context = &sh;
  const auth::SubscriberTable& subscribers = rules.subscribers ? *rules.subscribers : no_subscribers();
  auth::VerifyResult v = auth::verify(in, subscribers, *sh.nonces);
  // A UDP retransmission repeats the nonce count of its first copy, which was applied already.
  auth::Action action = v.action;
  if (v.verdict == auth::Verdict::replayed && retransmission_of_applied) {
    v.verdict = auth::Verdict::ok;
    action = auth::Action::accept;
  }
  const auto outcome = static_cast<std::size_t>(v.verdict);
  if (outcome < kAuthOutcomeSlots) ctx.counters.auth_outcomes[outcome].add();
  const bool www = challenger == auth::Challenger::www;
  const uint16_t challenge_code = www ? 401 : 407;
  const std::string_view challenge_reason = www ? "Unauthorized" : "Proxy Authentication Required";
  auth::ChallengeParams params;
  params.challenger = challenger;
  params.realm = domain.realm;
  params.sha256 = rules.offer_sha256 && v.sha256_available;
  params.md5 = rules.offer_md5;
  bool fresh = true;
  switch (action) {
    case auth::Action::accept:
      return true;
    case auth::Action::forbidden:
      if (r.msg.method == Method::register_) count_register_reply(ctx, 403);
      reply(r, 403, "Forbidden");
      return false;
    case auth::Action::bad_request:
      if (r.msg.method == Method::register_) count_register_reply(ctx, 400);
      reply(r, 400, "Bad Request - Malformed Credentials");
      return false;
    case auth::Action::rechallenge:
      params.nonce = v.nonce;  // failures keep counting on the nonce the UA answered
      fresh = false;
      break;
    case auth::Action::challenge_stale:
      params.stale = true;
      break;
    case auth::Action::challenge:
      break;
  }
  char lines[1024];
  const std::size_t n = fresh ? auth::write_fresh_challenge(lines, sizeof(lines), params, *sh.nonces, now_s)
                              : auth::write_challenge(lines, sizeof(lines), params);
  if (r.msg.method == Method::register_) count_register_reply(ctx, challenge_code);
  if (n == 0) {
    reply(r, 500, "Server Internal Error - Challenge Too Long");
    return false;
  }
  reply(r, challenge_code, challenge_reason, {lines, n});
  return false;
}

// A REGISTER whose Call-ID and CSeq one of the AoR's bindings holds already.
bool applied_before(const BindingTable& table, const registrar::AorKey& key, const Message& msg) {
  const AorRecord* record = table.find(key);
  if (!record) return false;
  const uint64_t call_id = registrar::call_id_hash(msg.text(msg.call_id));
  for (uint8_t i = 0; i < record->count; ++i)
    if (record->bindings[i]->call_id_hash == call_id && record->bindings[i]->cseq == msg.cseq_number) return true;
  return false;
}

void handle_register(const Request& r, const RegistrarRules& rules, const RegistrarDomain& domain) {
  WorkerContext& ctx = r.ctx;
  Shared& sh = *ctx.shared;
  const Message& msg = r.msg;
  BindingTable& table = *sh.bindings;

  registrar::AorKey key;
  registrar::RegisterResult refused;
  if (!registrar::register_aor_key(msg, key, &refused)) return answer(r, refused.code, refused.reason);
  if (domain.auth != RegistrarAuth::none &&
      !authenticate(r, rules, domain, auth::Challenger::www, applied_before(table, key, msg)))
    return;
  // The change must reach control (the store, the peer): refuse rather than change untold.
  if (ctx.events && rte_ring_free_count(ctx.events) == 0) {
    ctx.counters.events_dropped.add();
    return answer(r, 503, "Service Unavailable - Registrar Busy");
  }

  const int64_t now_ms = sh.wall_ms(ctx.now_tsc);
  const registrar::Source source = source_of(r.src);
  registrar::AorState& current = ctx.registrar->current;
  registrar::AorState& next = ctx.registrar->next;
  registrar::RegisterResult result;
  BindingTable::Handle handle;
  bool committed = false;
  for (int attempt = 0; attempt < kCommitAttempts && !committed; ++attempt) {
    switch (table.begin(key, current, handle)) {
      case BindingTable::Begin::ok:
        break;
      case BindingTable::Begin::full:
        ctx.counters.registrar_full.add();
        return answer(r, 503, "Service Unavailable - Registrar Full");
      case BindingTable::Begin::busy:
        return answer(r, 500, "Server Internal Error - Binding Busy");
    }
    result = registrar::process_register(rules.settings, msg, source, now_ms, handle.base ? &current : nullptr, next);
    if (result.code != 200 || !result.changed) break;
    uint64_t version = 0;
    switch (table.commit(ctx.worker_index, handle, next, version)) {
      case BindingTable::Commit::ok:
        committed = true;
        break;
      case BindingTable::Commit::conflict:
        continue;
      case BindingTable::Commit::no_memory:
        ctx.counters.registrar_full.add();
        return answer(r, 503, "Service Unavailable - Registrar Full");
    }
  }
  if (result.code == 200 && result.changed && !committed)
    return answer(r, 500, "Server Internal Error - Binding Contended");

  char extra[kMaxReplyExtra];
  std::size_t extra_len = 0;
  const registrar::AorState& listed = committed ? next : current;
  if (!registrar::write_register_reply(result, listed, msg, now_ms, extra, sizeof(extra), extra_len))
    return answer(r, 500, "Server Internal Error - Reply Too Long");
  if (result.code != 200) return answer(r, result.code, result.reason, {extra, extra_len});

  if (committed) {
    ctx.counters.bindings_added.add(result.added);
    ctx.counters.bindings_refreshed.add(result.refreshed);
    ctx.counters.bindings_removed.add(result.removed + result.replaced);
  }
  const bool defer = sh.defer_register_replies && ctx.events;
  // Nothing to tell control (or nobody listens: tests and benchmarks without rings).
  if ((!committed && !defer) || !ctx.events) return answer(r, 200, "OK", {extra, extra_len});

  Event event;
  event.kind = EventKind::binding_changed;
  event.event_tsc = ctx.now_tsc;
  event.binding = BindingChange{};
  event.binding.position = committed ? handle.position : -1;
  event.binding.worker = ctx.worker_index;
  BuiltReply built;
  if (defer) {
    // Every 200 waits, also one that changed nothing: what it lists may still be in the queue.
    if (!build_reply(r, 200, "OK", {extra, extra_len}, built)) {
      rte_pktmbuf_free(r.m);  // counted by build_reply; the client retransmits
      return;
    }
    static_assert(sizeof(Egress) <= sizeof(event.binding.reply_route), "the route fits the event");
    event.binding.reply = built.packet;
    event.binding.reply_code = 200;
    std::memcpy(event.binding.reply_route, &built.egress, sizeof(Egress));
  }
  if (!emit_event(ctx, event)) {
    // Room was checked above and this worker is the ring's only producer: only without a ring.
    if (built.packet) rte_pktmbuf_free(built.packet);
    return answer(r, 500, "Server Internal Error - Event Lost");
  }
  if (!defer) return answer(r, 200, "OK", {extra, extra_len});
  count_register_reply(ctx, 200);
  ctx.counters.register_deferred.add();
  rte_pktmbuf_free(r.m);
}

// Where a request to `binding` goes: the first Path hop, else the address its REGISTER came from
// (NAT), else the contact's host and port.
bool binding_target(const registrar::Binding& b, Target& t) {
  if (b.path_length) {
    Message path;
    path.data = b.path;
    path.size = b.path_length;
    // The stored text is one comma-separated Route value list; the first value ends at a comma
    // outside <>.
    uint16_t end = 0;
    bool bracketed = false;
    while (end < b.path_length && (bracketed || b.path[end] != ',')) {
      if (b.path[end] == '<') bracketed = true;
      else if (b.path[end] == '>') bracketed = false;
      ++end;
    }
    sip::NameAddr hop;
    sip::Uri uri;
    return sip::parse_name_addr(path, {0, end}, hop) && sip::parse_uri(path, hop.uri, uri) &&
           uri_target(path, uri, t);
  }
  if (b.received.port) {
    t = Target{};
    t.v6 = b.received.v6;
    if (t.v6) std::memcpy(t.ip6, b.received.ip, 16);
    else std::memcpy(&t.ip_be, b.received.ip, 4);
    t.port = b.received.port;
    return true;
  }
  Message contact;
  contact.data = b.contact;
  contact.size = b.contact_length;
  sip::Uri uri;
  return sip::parse_uri(contact, {0, b.contact_length}, uri) && uri_target(contact, uri, t);
}

// The live binding with the highest q, the most recent among equals (as registrar::best_binding,
// over the record's pointers without copying it).
const registrar::Binding* best_of(const AorRecord& record, int64_t now_ms) {
  const registrar::Binding* best = nullptr;
  for (uint8_t i = 0; i < record.count; ++i) {
    const registrar::Binding* b = record.bindings[i];
    if (!registrar::binding_live(*b, now_ms)) continue;
    const uint16_t q = b->has_q ? b->q_millis : 1000;
    const uint16_t best_q = best ? (best->has_q ? best->q_millis : 1000) : 0;
    if (!best || q > best_q || (q == best_q && b->updated_ms > best->updated_ms)) best = b;
  }
  return best;
}

}  // namespace

RegistrarStep registrar_request(const Request& r, const sip::Uri& ruri, Target& t, Retarget& retarget, int32_t& set) {
  WorkerContext& ctx = r.ctx;
  const Shared& sh = *ctx.shared;
  const Message& msg = r.msg;
  const Snapshot* snap = ctx.snapshot;
  if (!snap || !snap->registrar || !ruri.is_sip) return RegistrarStep::pass;
  const RegistrarRules& rules = *snap->registrar;
  const RegistrarDomain* domain = served_domain(rules, msg, ruri.host);
  if (msg.method == Method::register_) {
    // Phones that know the registrar by address send "REGISTER sip:<our address>": the To names
    // the domain then.
    sip::NameAddr to;
    sip::Uri to_uri;
    if (!domain && names_us(sh, msg, ruri.host) && sip::to_header(msg, to) == sip::ParseError::none &&
        sip::parse_uri(msg, to.uri, to_uri) && to_uri.is_sip)
      domain = served_domain(rules, msg, to_uri.host);
    if (!domain) return RegistrarStep::pass;  // a REGISTER for a farm behind us: balanced
    handle_register(r, rules, *domain);
    return RegistrarStep::done;
  }
  // Lookups: initial requests to a user of a served domain. ACK and CANCEL follow their INVITE.
  if (!domain || ruri.user.empty() || msg.method == Method::ack || msg.method == Method::cancel)
    return RegistrarStep::pass;
  const sip::HeaderTag to = sip::to_tag(msg);
  if (to.valid && to.has_tag) return RegistrarStep::pass;
  if (domain->auth == RegistrarAuth::all && msg.method == Method::invite) {
    // Calls from users of a served domain prove who they are (Proxy-Authorization).
    sip::NameAddr from;
    sip::Uri from_uri;
    if (sip::from_header(msg, from) == sip::ParseError::none && sip::parse_uri(msg, from.uri, from_uri) &&
        from_uri.is_sip) {
      const RegistrarDomain* caller_domain = served_domain(rules, msg, from_uri.host);
      if (caller_domain && caller_domain->auth == RegistrarAuth::all &&
          !authenticate(r, rules, *caller_domain, auth::Challenger::proxy, false))
        return RegistrarStep::done;
    }
  }
  registrar::AorKey key;
  if (!registrar::aor_key_from_uri(msg, ruri, key)) return RegistrarStep::pass;
  const AorRecord* record = sh.bindings->find(key);
  const registrar::Binding* b = record ? best_of(*record, sh.wall_ms(ctx.now_tsc)) : nullptr;
  if (!b || !binding_target(*b, t) || !is_forwardable(t)) {
    ctx.counters.lookups_unknown.add();
    if (rules.unregistered_set >= 0) {
      set = rules.unregistered_set;
      return RegistrarStep::pass;
    }
    reply(r, 404, "Not Found - User Not Registered");
    return RegistrarStep::done;
  }
  ctx.counters.lookups_routed.add();
  t.destination = -1;
  retarget.request_uri = b->contact_uri();
  retarget.route = b->path_text();
  return RegistrarStep::routed;
}

}  // namespace siplb::dataplane
