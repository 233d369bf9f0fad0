// Digest credentials (RFC 3261 22.4 / 25.1, RFC 7616 3.4) parsed out of an Authorization or
// Proxy-Authorization header value into views of the message's own bytes: nothing is copied,
// nothing allocated. Pure functions; any thread, per packet.
//
// Accepted: the scheme "Digest" (any case), then comma-separated name=value pairs, values tokens
// or quoted strings, LWS anywhere between. Parameter names are case-insensitive; unknown ones are
// skipped (RFC 7616 3.4); a known one given twice is malformed. A quoted value holding a '\'
// escape is refused as malformed: hashing must see the unescaped text and a view cannot hold it
// (SIP user names and realms never need one). Required: username, realm, nonce, uri, response;
// with qop also cnonce and nc (8 hex digits). Field contents are checked by verify(), not here,
// except the shapes that a view cannot carry (escapes, nc not being 8 hex digits).
#pragma once

#include <cstdint>
#include <string_view>

#include "siplb/sip/message.hpp"

namespace siplb::auth {

// Which pair of headers: 401 WWW-Authenticate / Authorization (a registrar or UAS) or
// 407 Proxy-Authenticate / Proxy-Authorization (a proxy).
enum class Challenger : uint8_t { www, proxy };

struct Credentials {
  std::string_view username, realm, nonce, uri, response, algorithm, cnonce, qop, opaque, userhash;
  std::string_view nc_text;  // as written, 8 hex digits
  uint32_t nc = 0;           // its value
  bool has_algorithm = false;
  bool has_qop = false;
  bool has_opaque = false;
};

enum class CredentialsParse : uint8_t {
  ok,
  not_digest,  // another scheme (Basic, Bearer): not ours to judge
  malformed,
};

CredentialsParse parse_credentials(std::string_view value, Credentials& out);

// The credentials of `m` for `realm` among all its Authorization (www) or Proxy-Authorization
// (proxy) fields: the first well-formed Digest one naming that realm. When none does, `malformed`
// tells whether a Digest field could not be parsed (a 400 rather than a challenge).
struct CredentialsLookup {
  bool found = false;
  bool malformed = false;  // none found, and some Digest field was malformed
  Credentials credentials;
};
CredentialsLookup find_credentials(const sip::Message& m, Challenger challenger, std::string_view realm);

}  // namespace siplb::auth
