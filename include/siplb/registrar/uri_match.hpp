// Whether two contact URIs name the same binding: SIP URI equality (RFC 3261 19.1.4), with two
// simplifications: escaped octets are compared as written ("%61lice" differs from "alice"), and
// the header parts ("?...") are compared as whole texts, octet for octet. Otherwise as the RFC
// says: scheme and host case-insensitive, user and password case-sensitive, port compared as
// written (no port differs from 5060), the user, ttl, method, maddr and transport parameters
// must agree when either URI has them, other parameters only when both have them (values
// case-insensitive). Non-SIP URIs compare equal when their texts do (scheme case-insensitive).
// Pure, no allocation: any thread.
#pragma once

#include <string_view>

#include "siplb/sip/accessors.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::registrar {

// `a` was parsed from `ma`, `b` from `mb` (they may be different buffers).
bool uri_equal(const sip::Message& ma, const sip::Uri& a, const sip::Message& mb, const sip::Uri& b);

// The same for a URI held as text alone (a stored binding's contact): false when it does not parse.
bool uri_equal_text(const sip::Message& ma, const sip::Uri& a, std::string_view b);

// Case-insensitive ASCII comparison.
bool iequal(std::string_view a, std::string_view b);

}  // namespace siplb::registrar
