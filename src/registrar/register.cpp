// REGISTER processing (see include/siplb/registrar/register.hpp). Two phases, so that a request
// either applies whole or changes nothing (RFC 3261 10.3 step 7: updates are committed only if all
// succeed): first every Contact is parsed, checked and matched against the bindings as they
// stand; only then are bindings removed, refreshed and added.
#include "siplb/registrar/register.hpp"

#include <cstring>

#include "../balance/hash.hpp"
#include "siplb/registrar/aor.hpp"
#include "siplb/registrar/uri_match.hpp"
#include "siplb/sip/accessors.hpp"

namespace siplb::registrar {

namespace {

constexpr uint64_t kCallIdHashSeed = 0x7265676973746172;  // "registar"-ish: not the balancer's key seed
constexpr uint32_t kOneHour = 3600;

// One Contact value of the request, checked and matched (phase 1).
struct Requested {
  sip::Contact contact;
  sip::Uri uri;
  uint32_t expires = 0;   // granted, after default/min/max
  sip::Span instance;     // +sip.instance value as written, empty when absent
  uint32_t reg_id = 0;    // 0 when absent (or when there is no +sip.instance: RFC 5626 ignores it)
  int match = -1;         // index in next.bindings of the binding it names, -1 when new
};

bool same_instance(std::string_view a, std::string_view b) { return !a.empty() && iequal(a, b); }

// Does requested contact `r` name binding `b`? RFC 5626: an instance with a reg-id on both sides
// is the binding's identity (a phone that moved to another port keeps its flow); else the URI.
bool names_binding(const sip::Message& msg, const Requested& r, const Binding& b) {
  if (r.reg_id != 0 && b.reg_id != 0 && !r.instance.empty() && b.instance_length != 0)
    return r.reg_id == b.reg_id && same_instance(msg.text(r.instance), b.instance_text());
  return uri_equal_text(msg, r.uri, b.contact_uri());
}

void write_binding(Binding& b, const sip::Message& msg, const Requested& r, const Source& source,
                   int64_t now_ms, uint64_t call_hash, std::string_view path) {
  b = Binding{};
  b.expires_at = seconds_of(now_ms) + r.expires;
  b.updated_ms = now_ms;
  b.call_id_hash = call_hash;
  b.cseq = msg.cseq_number;
  b.reg_id = r.reg_id;
  b.has_q = r.contact.has_q;
  b.q_millis = r.contact.has_q ? r.contact.q_millis : 1000;
  b.received = source;
  const std::string_view uri = msg.text(r.contact.address.uri);
  const std::string_view instance = msg.text(r.instance);
  std::string_view call_id = msg.text(msg.call_id);
  if (call_id.size() > kMaxCallIdText) call_id = call_id.substr(0, kMaxCallIdText);
  std::memcpy(b.contact, uri.data(), uri.size());
  b.contact_length = static_cast<uint8_t>(uri.size());
  std::memcpy(b.path, path.data(), path.size());
  b.path_length = static_cast<uint8_t>(path.size());
  std::memcpy(b.instance, instance.data(), instance.size());
  b.instance_length = static_cast<uint8_t>(instance.size());
  std::memcpy(b.call_id, call_id.data(), call_id.size());
  b.call_id_length = static_cast<uint8_t>(call_id.size());
}

// The expiry granted for a requested one (RFC 3261 10.3 step 7). Returns false for 423.
bool grant(const RegistrarSettings& s, uint32_t requested, bool explicit_value, uint32_t& granted) {
  granted = requested;
  if (requested == 0) return true;
  if (requested < s.min_expires) {
    // The RFC allows 423 only below an hour; the configured default is never refused either.
    if (explicit_value && requested < kOneHour && s.min_expires_mode == MinExpiresMode::reply_423) return false;
    granted = s.min_expires;
  }
  if (s.max_expires != 0 && granted > s.max_expires) granted = s.max_expires;
  return true;
}

}  // namespace

uint64_t call_id_hash(std::string_view call_id) {
  return balance::hash_bytes(call_id.data(), call_id.size(), kCallIdHashSeed);
}

bool register_aor_key(const sip::Message& msg, AorKey& key, RegisterResult* result) {
  key = AorKey{};
  auto fail = [&](uint16_t code, std::string_view reason) {
    if (result) {
      result->code = code;
      result->reason = reason;
    }
    return false;
  };
  sip::NameAddr to;
  if (sip::to_header(msg, to) != sip::ParseError::none) return fail(400, "Bad Request - Malformed To");
  sip::Uri uri;
  if (!sip::parse_uri(msg, to.uri, uri)) return fail(400, "Bad Request - Malformed To URI");
  if (!uri.is_sip) return fail(404, "Not Found - To Is Not A SIP URI");
  if (uri.user.empty()) return fail(404, "Not Found - To URI Has No User");
  if (!aor_key_from_uri(msg, uri, key)) return fail(400, "Bad Request - Address Of Record Too Long");
  return true;
}

RegisterResult process_register(const RegistrarSettings& settings, const sip::Message& msg, const Source& source,
                                int64_t now_ms, const AorState* current, AorState& next) {
  RegisterResult r;
  // On any refusal: next is current as it was, and nothing is reported as changed.
  auto refuse = [&](uint16_t code, std::string_view reason) {
    if (current) {
      next = *current;
    } else {
      next = AorState{};
      next.key = r.key;
    }
    r.code = code;
    r.reason = reason;
    r.changed = r.retransmission = r.removed_all = r.query = false;
    r.added = r.refreshed = r.removed = r.replaced = r.expired = 0;
    return r;
  };
  if (!msg.is_request || msg.method != sip::Method::register_) return refuse(400, "Bad Request - Not A REGISTER");
  if (!register_aor_key(msg, r.key, &r)) return refuse(r.code, r.reason);

  // The bindings as they stand: current without those already expired.
  next.key = r.key;
  next.count = 0;
  if (current) {
    const uint8_t n = current->count <= kMaxContactsPerAor ? current->count : kMaxContactsPerAor;
    for (uint8_t i = 0; i < n; ++i) {
      if (binding_live(current->bindings[i], now_ms))
        next.bindings[next.count++] = current->bindings[i];
      else
        ++r.expired;
    }
  }

  // Phase 1: read and check every Contact value.
  bool has_expires_header = msg.has(sip::HeaderId::expires);
  uint32_t expires_header_value = 0;
  if (has_expires_header && !sip::expires_header(msg, expires_header_value))
    return refuse(400, "Bad Request - Malformed Expires");

  Requested req[kMaxContactsPerAor];
  std::size_t n_req = 0;
  bool star = false;
  {
    sip::ValueIterator it(msg, sip::HeaderId::contact);
    sip::Span value;
    while (it.next(value)) {
      if (n_req == kMaxContactsPerAor) return refuse(400, "Bad Request - Too Many Contacts In Request");
      Requested& q = req[n_req++];
      if (!sip::parse_contact(msg, value, q.contact)) return refuse(400, "Bad Request - Malformed Contact");
      if (q.contact.star) {
        star = true;
        continue;
      }
      if (!sip::parse_uri(msg, q.contact.address.uri, q.uri)) return refuse(400, "Bad Request - Malformed Contact");
      if (!q.uri.is_sip) return refuse(400, "Bad Request - Contact Is Not A SIP URI");
      if (q.contact.address.uri.len > kMaxContactUri) return refuse(400, "Bad Request - Contact URI Too Long");
      sip::Span v;
      if (!q.contact.address.params.empty() && sip::find_param(msg, q.contact.address.params, "+sip.instance", v)) {
        if (v.len > kMaxInstance) return refuse(400, "Bad Request - Instance ID Too Long");
        q.instance = v;
      }
      if (!q.contact.address.params.empty() && sip::find_param(msg, q.contact.address.params, "reg-id", v)) {
        // reg-id = 1..2^31-1 (RFC 5626 4.2)
        uint64_t id = 0;
        const std::string_view t = msg.text(v);
        if (t.empty() || t.size() > 10) return refuse(400, "Bad Request - Malformed reg-id");
        for (char c : t) {
          if (c < '0' || c > '9') return refuse(400, "Bad Request - Malformed reg-id");
          id = id * 10 + static_cast<uint64_t>(c - '0');
        }
        if (id == 0 || id > 0x7fffffff) return refuse(400, "Bad Request - Malformed reg-id");
        if (!q.instance.empty()) q.reg_id = static_cast<uint32_t>(id);  // without an instance: ignored
      }
    }
  }
  const uint64_t call_hash = call_id_hash(msg.text(msg.call_id));

  // No Contact: a query (step 8 answers with the bindings).
  if (n_req == 0) {
    r.code = 200;
    r.reason = "OK";
    r.query = true;
    r.changed = r.expired != 0;
    return r;
  }

  // Contact: * (step 6): alone, with Expires: 0, and no binding of the same Call-ID at a CSeq
  // not below this one (equal: this is a retransmission of an applied request).
  if (star) {
    if (n_req != 1) return refuse(400, "Bad Request - Wildcard Contact With Other Contacts");
    if (!has_expires_header || expires_header_value != 0)
      return refuse(400, "Bad Request - Wildcard Contact Needs Expires 0");
    bool retransmission = false;
    for (uint8_t i = 0; i < next.count; ++i) {
      const Binding& b = next.bindings[i];
      if (b.call_id_hash != call_hash) continue;
      if (msg.cseq_number < b.cseq) return refuse(400, "Bad Request - CSeq Out Of Order");
      if (msg.cseq_number == b.cseq) retransmission = true;
    }
    r.code = 200;
    r.reason = "OK";
    if (retransmission) {
      r.retransmission = true;
      r.changed = r.expired != 0;
      return r;
    }
    r.removed = next.count;
    r.removed_all = true;
    next.count = 0;
    r.changed = r.removed != 0 || r.expired != 0;
    return r;
  }

  // Expiry per contact (step 7), then the binding each names and the Call-ID/CSeq rule.
  bool retransmission = false;
  for (std::size_t i = 0; i < n_req; ++i) {
    Requested& q = req[i];
    const bool explicit_value = q.contact.has_expires || has_expires_header;
    uint32_t requested = q.contact.has_expires ? q.contact.expires
                         : has_expires_header ? expires_header_value
                                              : settings.default_expires;
    if (!grant(settings, requested, explicit_value, q.expires)) {
      refuse(423, "Interval Too Brief");
      r.min_expires = settings.min_expires;
      return r;
    }
  }
  for (std::size_t i = 0; i < n_req; ++i) {
    Requested& q = req[i];
    for (uint8_t j = 0; j < next.count; ++j)
      if (names_binding(msg, q, next.bindings[j])) {
        q.match = j;
        break;
      }
    if (q.match < 0) continue;
    const Binding& b = next.bindings[q.match];
    if (b.call_id_hash != call_hash) continue;  // another Call-ID: the request wins
    if (msg.cseq_number < b.cseq) return refuse(400, "Bad Request - CSeq Out Of Order");
    if (msg.cseq_number == b.cseq) retransmission = true;
  }
  if (retransmission) {
    r.code = 200;
    r.reason = "OK";
    r.retransmission = true;
    r.changed = r.expired != 0;
    return r;
  }

  // Path (RFC 3327): every value of every Path field, joined with ",".
  char path[kMaxPath];
  std::size_t path_length = 0;
  {
    sip::ValueIterator it(msg, sip::HeaderId::path);
    sip::Span value;
    while (it.next(value)) {
      const std::size_t need = value.len + (path_length ? 1 : 0);
      if (path_length + need > kMaxPath) return refuse(400, "Bad Request - Path Too Long");
      if (path_length) path[path_length++] = ',';
      std::memcpy(path + path_length, msg.data + value.off, value.len);
      path_length += value.len;
    }
  }
  const std::string_view path_text(path, path_length);

  // Phase 2: apply. Matched bindings first (removals free room for additions), then new ones.
  uint32_t removed_mask = 0;  // bit j: next.bindings[j] goes
  uint32_t written_mask = 0;  // bit j: written by this request (not to be replaced by it)
  uint32_t refreshed_mask = 0;  // bit j: an existing binding this request refreshes
  for (std::size_t i = 0; i < n_req; ++i) {
    const Requested& q = req[i];
    if (q.match < 0) continue;
    const uint32_t bit = 1u << q.match;
    if (q.expires == 0) {
      removed_mask |= bit;
      written_mask &= ~bit;
      refreshed_mask &= ~bit;
    } else {
      write_binding(next.bindings[q.match], msg, q, source, now_ms, call_hash, path_text);
      removed_mask &= ~bit;
      written_mask |= bit;
      refreshed_mask |= bit;
    }
  }
  const uint32_t limit = settings.contact_limit();
  for (std::size_t i = 0; i < n_req; ++i) {
    const Requested& q = req[i];
    if (q.match >= 0) continue;
    // The same new contact twice in one request: the later one rewrites the earlier.
    int slot = -1;
    for (uint8_t j = 0; j < next.count; ++j)
      if ((written_mask >> j & 1) && names_binding(msg, q, next.bindings[j])) {
        slot = j;
        break;
      }
    if (q.expires == 0) {  // removing what is not bound: nothing, unless added just before
      if (slot >= 0) {
        removed_mask |= 1u << slot;
        written_mask &= ~(1u << slot);
      }
      continue;
    }
    if (slot < 0) {
      const uint32_t live = next.count - static_cast<uint32_t>(__builtin_popcount(removed_mask));
      if (live >= limit) {
        if (settings.overflow_mode == OverflowMode::reject)
          return refuse(503, "Service Unavailable - Too Many Contacts");
        // The binding least recently written, among those this request did not write.
        for (uint8_t j = 0; j < next.count; ++j) {
          if ((removed_mask >> j & 1) || (written_mask >> j & 1)) continue;
          if (slot < 0 || next.bindings[j].updated_ms < next.bindings[slot].updated_ms) slot = j;
        }
        if (slot < 0) return refuse(503, "Service Unavailable - Too Many Contacts");
        ++r.replaced;
      } else {
        if (next.count < kMaxContactsPerAor) {
          slot = next.count++;
        } else {  // live < limit <= kMaxContactsPerAor: a removed slot is free
          for (uint8_t j = 0; j < next.count && slot < 0; ++j)
            if (removed_mask >> j & 1) slot = j;
          ++r.removed;  // its binding goes all the same
        }
      }
      ++r.added;
    }
    write_binding(next.bindings[slot], msg, q, source, now_ms, call_hash, path_text);
    removed_mask &= ~(1u << slot);
    written_mask |= 1u << slot;
  }

  // Compact: drop the removed slots, keeping order.
  uint8_t kept = 0;
  for (uint8_t j = 0; j < next.count; ++j) {
    if (removed_mask >> j & 1) {
      ++r.removed;
      continue;
    }
    if (kept != j) next.bindings[kept] = next.bindings[j];
    ++kept;
  }
  next.count = kept;
  r.refreshed = static_cast<uint8_t>(__builtin_popcount(refreshed_mask));
  r.code = 200;
  r.reason = "OK";
  r.changed = r.added != 0 || r.refreshed != 0 || r.removed != 0 || r.replaced != 0 || r.expired != 0;
  return r;
}

}  // namespace siplb::registrar
