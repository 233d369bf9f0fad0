// The challenge header lines of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate), written
// into a caller's buffer: no allocation, any thread, per packet. One line per algorithm offered,
// SHA-256 first (RFC 8760 2.4, RFC 7616 3.7: the UA takes the first it supports), all with the
// same nonce:
//
//   WWW-Authenticate: Digest realm="example.com", nonce="...", qop="auth", algorithm=SHA-256\r\n
//   WWW-Authenticate: Digest realm="example.com", nonce="...", qop="auth", algorithm=MD5\r\n
//
// with `, opaque="..."` when one is set and `, stale=true` when asked.
#pragma once

#include <cstddef>
#include <string_view>

#include "siplb/auth/credentials.hpp"
#include "siplb/auth/nonce.hpp"

namespace siplb::auth {

struct ChallengeParams {
  Challenger challenger = Challenger::www;
  std::string_view realm;
  std::string_view nonce;
  std::string_view opaque;  // empty: none
  bool stale = false;
  bool sha256 = true;  // offer SHA-256
  bool md5 = true;     // offer MD5
};

// Bytes written, or 0 when `capacity` is too small, no algorithm is offered, or realm, nonce or
// opaque hold a character a quoted string cannot carry as is ('"', '\', CR, LF, other controls).
std::size_t write_challenge(char* out, std::size_t capacity, const ChallengeParams& params);

// Issues a fresh nonce from `nonces` for params.realm and writes the challenge with it (the
// params' nonce is ignored).
std::size_t write_fresh_challenge(char* out, std::size_t capacity, ChallengeParams params, NonceAuthority& nonces,
                                  uint64_t now_s);

}  // namespace siplb::auth
