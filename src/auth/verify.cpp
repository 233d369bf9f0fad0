// verify(): the checks of verify.hpp in their order, over views of the message.
#include "siplb/auth/verify.hpp"

namespace siplb::auth {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Constant-time comparison of the client's response (hex, either case) with ours (lower case).
bool response_equal(std::string_view theirs, std::string_view ours) {
  if (theirs.size() != ours.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const unsigned c = static_cast<uint8_t>(theirs[i]);
    const unsigned upper = (c - 'A' < 26u) ? 0x20u : 0u;  // compiles to a flag, not a branch
    diff |= (c | upper) ^ static_cast<uint8_t>(ours[i]);
  }
  return diff == 0;
}

VerifyResult& finish(VerifyResult& r, Verdict v, Action a) {
  r.verdict = v;
  r.action = a;
  return r;
}

}  // namespace

std::string_view outcome_name(Verdict v) {
  switch (v) {
#define SIPLB_X(e, name) \
  case Verdict::e:       \
    return name;
    SIPLB_AUTH_VERDICTS(SIPLB_X)
#undef SIPLB_X
  }
  return "unknown";
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::accept: return "accept";
    case Action::challenge: return "challenge";
    case Action::challenge_stale: return "challenge_stale";
    case Action::rechallenge: return "rechallenge";
    case Action::forbidden: return "forbidden";
    case Action::bad_request: return "bad_request";
  }
  return "unknown";
}

HexDigest expected_response(Algorithm a, std::string_view ha1, std::string_view nonce, std::string_view nc,
                            std::string_view cnonce, std::string_view qop, std::string_view method,
                            std::string_view uri) {
  const HexDigest ha2 = hash_joined(a, {method, uri});
  return hash_joined(a, {ha1, nonce, nc, cnonce, qop, ha2.view()});
}

VerifyResult verify(const VerifyInput& in, const SubscriberTable& subscribers, NonceAuthority& nonces) {
  VerifyResult r;
  const sip::Message& m = *in.message;
  const CredentialsLookup found = find_credentials(m, in.challenger, in.realm);
  if (!found.found) return found.malformed ? finish(r, Verdict::malformed, Action::bad_request) : r;
  const Credentials& c = found.credentials;
  r.username = c.username;
  r.realm = c.realm;

  if (!c.has_algorithm || iequals(c.algorithm, "md5")) {
    r.algorithm = Algorithm::md5;
  } else if (iequals(c.algorithm, "sha-256")) {
    r.algorithm = Algorithm::sha256;
  } else {
    return finish(r, Verdict::unsupported_algorithm, Action::challenge);  // -sess, SHA-512-256, ...
  }
  if (!c.userhash.empty() && !iequals(c.userhash, "false"))
    return finish(r, Verdict::unsupported_algorithm, Action::challenge);  // RFC 7616 3.4.4: we never offer it
  if (!c.has_qop || !iequals(c.qop, "auth")) return finish(r, Verdict::unsupported_qop, Action::challenge);
  if (c.response.size() != hex_size(r.algorithm)) return finish(r, Verdict::malformed, Action::bad_request);

  const std::string_view request_uri = m.text(m.request_uri);
  if (c.uri != request_uri && !iequals(c.uri, request_uri) &&
      !(in.uri_names_us && in.uri_names_us(c.uri, in.uri_context)))
    return finish(r, Verdict::uri_mismatch, Action::bad_request);
  if (!in.opaque.empty() && (!c.has_opaque || c.opaque != in.opaque))
    return finish(r, Verdict::invalid_nonce, Action::challenge);

  const NonceStatus ns = nonces.check(c.nonce, in.realm, in.now_s);
  if (ns.check == NonceCheck::invalid) return finish(r, Verdict::invalid_nonce, Action::challenge);
  const bool live = ns.check == NonceCheck::ok;
  r.nonce = c.nonce;
  // Once a nonce used up its retries, nothing more is learnt from it, not even a right answer.
  if (live && nonces.exhausted(ns.failures)) return finish(r, Verdict::forbidden, Action::forbidden);

  // A wrong answer: counted on a live nonce, challenged again on the same one until the retries
  // are used up; a stale nonce is not worth counting on (fresh challenge).
  auto failed = [&](Verdict v) -> VerifyResult& {
    if (!live) {
      r.nonce = {};
      return finish(r, v, Action::challenge);
    }
    if (nonces.record_failure(ns.ref) == FailureResult::give_up) return finish(r, Verdict::forbidden, Action::forbidden);
    return finish(r, v, Action::rechallenge);
  };

  // The subscriber: username as the table keys it, or "user@domain" (ha1b) for that realm.
  const Ha1* ha1 = nullptr;
  const Subscriber* s = subscribers.find(c.username, in.realm);
  if (s) {
    ha1 = &s->for_user(r.algorithm);
    r.md5_available = s->for_user(Algorithm::md5).known();
    r.sha256_available = s->for_user(Algorithm::sha256).known();
  } else if (const std::size_t at = c.username.rfind('@');
             at != std::string_view::npos && iequals(c.username.substr(at + 1), in.realm)) {
    s = subscribers.find(c.username.substr(0, at), in.realm);
    if (s) {
      ha1 = &s->for_user_at_domain(r.algorithm);
      r.md5_available = s->for_user_at_domain(Algorithm::md5).known();
      r.sha256_available = s->for_user_at_domain(Algorithm::sha256).known();
    }
  }
  if (!s) return failed(Verdict::unknown_user);
  r.subscriber = s;
  if (!ha1->known()) {
    r.nonce = {};
    return finish(r, Verdict::unsupported_algorithm, Action::challenge);
  }

  const std::string_view method = m.text(m.method_text);
  const HexDigest expected =
      expected_response(r.algorithm, ha1->view(), c.nonce, c.nc_text, c.cnonce, c.qop, method, c.uri);
  if (!response_equal(c.response, expected.view())) return failed(Verdict::bad_response);

  // The digest is right. RFC 2617: stale=true only now, so the UA may retry without asking.
  r.nonce = {};
  if (!live) return finish(r, Verdict::stale, Action::challenge_stale);
  switch (nonces.advance_nc(ns.ref, c.nc)) {
    case NcResult::ok:
      return finish(r, Verdict::ok, Action::accept);
    case NcResult::replayed:
      return finish(r, Verdict::replayed, Action::challenge_stale);
    case NcResult::stale:
      break;
  }
  return finish(r, Verdict::stale, Action::challenge_stale);
}

}  // namespace siplb::auth
