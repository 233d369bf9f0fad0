// Digest verification of one request (RFC 3261 22, RFC 7616 3.4.1 with qop=auth, RFC 2617 3.2.2):
// verify() finds the credentials for the realm, checks the nonce, the user and the response, and
// says what happened as a Verdict; VerifyResult::action says what the caller answers. Workers call it per
// packet: no allocation, lock or syscall (hashing on the stack, atomics on one nonce slot).
// Callers count the verdicts (siplb_auth_outcomes_total{outcome=outcome_name(v)}).
//
// Order of checks: credentials for the realm (missing/malformed), algorithm and qop
// (unsupported_*), uri against the Request-URI, opaque, nonce authenticity (invalid_nonce), the
// nonce's failure count (forbidden once it reached `retries`), the subscriber (unknown_user), the
// response (bad_response, or forbidden on the response that uses up the retries; an unknown user
// counts as a failure too, so the two look alike from outside), then freshness (stale: RFC 2617
// asks for stale=true only when the digest itself is right) and the nonce count (replayed).
//
// Only qop=auth is accepted: it is what siplb challenges with, and without qop there is no nonce
// count, so a captured request could be replayed for the nonce's whole lifetime (RFC 7616 makes qop
// mandatory). Responses without qop (RFC 2069), qop=auth-int and the -sess algorithms are refused
// as unsupported (the caller challenges again, naming what is supported).
//
// The digest uri must equal the Request-URI (exactly, or equal ignoring case), or name the server
// itself (VerifyInput::uri_names_us): RFC 3261 22.4 has the server check it names the same
// resource; the uri is inside the hashed response either way, and the nonce count stops replays.
// UDP retransmissions repeat the nc of the first copy: callers absorb them in their transaction
// layer before verify(), else a retransmission comes out `replayed`.
#pragma once

#include <cstdint>
#include <string_view>

#include "siplb/auth/credentials.hpp"
#include "siplb/auth/digest_hash.hpp"
#include "siplb/auth/nonce.hpp"
#include "siplb/auth/subscriber.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::auth {

// X(enumerator, metric label)
#define SIPLB_AUTH_VERDICTS(X)                        \
  X(ok, "ok")                                         \
  X(missing, "missing")                               \
  X(malformed, "malformed")                           \
  X(unsupported_algorithm, "unsupported_algorithm")   \
  X(unsupported_qop, "unsupported_qop")               \
  X(uri_mismatch, "uri_mismatch")                     \
  X(invalid_nonce, "invalid_nonce")                   \
  X(stale, "stale")                                   \
  X(unknown_user, "unknown_user")                     \
  X(bad_response, "bad_response")                     \
  X(forbidden, "forbidden")                           \
  X(replayed, "replayed")

enum class Verdict : uint8_t {
#define SIPLB_X(e, name) e,
  SIPLB_AUTH_VERDICTS(SIPLB_X)
#undef SIPLB_X
};

inline constexpr std::size_t kVerdictCount = 0
#define SIPLB_X(e, name) +1
    SIPLB_AUTH_VERDICTS(SIPLB_X)
#undef SIPLB_X
    ;

// The outcome label for metrics: "ok", "stale", ...
std::string_view outcome_name(Verdict v);

// What the caller answers.
enum class Action : uint8_t {
  accept,           // go on with the request
  challenge,        // 401/407 with a fresh nonce
  challenge_stale,  // 401/407 with a fresh nonce and stale=true (the UA retries without asking)
  rechallenge,      // 401/407 with the same nonce (VerifyResult::nonce), so failures keep counting
  forbidden,        // 403: retries used up
  bad_request,      // 400: malformed credentials, or a digest uri naming another resource
};
std::string_view action_name(Action a);

struct VerifyInput {
  const sip::Message* message = nullptr;   // a parsed request
  Challenger challenger = Challenger::www;  // which header pair
  std::string_view realm;                  // the served domain
  std::string_view opaque;                 // what challenges carry; empty: none and not checked
  uint64_t now_s = 0;                      // the clock nonces are issued with
  // A digest uri other than the Request-URI is accepted when this says it names the server
  // itself (some UAs, sipp among them, put the address they send to there). Null: none is.
  bool (*uri_names_us)(std::string_view uri, const void* context) = nullptr;
  const void* uri_context = nullptr;
};

struct VerifyResult {
  Verdict verdict = Verdict::missing;
  Action action = Action::challenge;
  Algorithm algorithm = Algorithm::md5;  // as the credentials named it
  // Views into the message, for logs and the registrar (empty when not found).
  std::string_view username;
  std::string_view realm;
  std::string_view nonce;  // for Action::rechallenge
  const Subscriber* subscriber = nullptr;  // ok, and the failures past the user lookup
  // Which algorithms the subscriber can be challenged with (both unless its source held only one
  // kind of HA1): the challenge should offer only those.
  bool md5_available = true;
  bool sha256_available = true;
};

VerifyResult verify(const VerifyInput& in, const SubscriberTable& subscribers, NonceAuthority& nonces);

// The expected response (lower-case hex) for qop=auth:
// H(ha1 ":" nonce ":" nc ":" cnonce ":" qop ":" H(method ":" uri)). Exposed for tests and tools.
HexDigest expected_response(Algorithm a, std::string_view ha1, std::string_view nonce, std::string_view nc,
                            std::string_view cnonce, std::string_view qop, std::string_view method,
                            std::string_view uri);

}  // namespace siplb::auth
