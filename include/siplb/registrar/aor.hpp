// Canonical address-of-record keys (RFC 3261 10.3 step 5): "user@host" of a SIP or SIPS URI, the
// host lower-cased, the user as written (user names are case-sensitive), scheme, password, port,
// parameters and headers dropped. So "sips:alice@Example.COM:5061;transport=tls" and
// "sip:alice@example.com" name the same AoR. A URI without a user names no AoR here: a REGISTER
// binds a user, and a host alone is refused. Pure functions, no allocation: any thread.
#pragma once

#include <string_view>

#include "siplb/registrar/binding.hpp"
#include "siplb/sip/accessors.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::registrar {

// The key of `uri` (parsed from `m`). False when the URI is not SIP/SIPS, has no user or no host,
// or "user@host" is longer than kAorKeySize - 1 octets (or holds a NUL); `out` is then cleared.
bool aor_key_from_uri(const sip::Message& m, const sip::Uri& uri, AorKey& out);

// The key of an AoR as an operator types it (CLI, API, imported tables): "sip:alice@Example.COM",
// "sips:alice@example.com:5061;x=y" or bare "alice@example.com" (surrounding blanks ignored).
// False as above, and for text longer than 1024 octets or another scheme ("tel:").
bool aor_key_from_text(std::string_view text, AorKey& out);

}  // namespace siplb::registrar
