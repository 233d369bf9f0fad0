// Header-name and method lookups: full and compact names, case-insensitive (RFC 3261 7.3.3).
#include <array>
#include <cstring>

#include "header_lookup.hpp"
#include "scan.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::sip {
namespace {

constexpr std::string_view kMethodNames[] = {
#define SIPLB_X(e, s) s,
    SIPLB_SIP_METHODS(SIPLB_X)
#undef SIPLB_X
};

}  // namespace

HeaderId header_id_from_name(std::string_view name) {
  return header_lookup::find(name.data(), name.size());
}

std::string_view header_full_name(HeaderId id) {
  return header_lookup::kHeaderNames[static_cast<std::size_t>(id)].full;
}

Method method_from_text(std::string_view text) {
  // Methods are case-sensitive; the first octet and the length pick the only candidate.
  if (text.empty()) return Method::extension;
  Method candidate = Method::extension;
  switch (text[0]) {
    case 'I': candidate = text.size() == 6 ? Method::invite : Method::info; break;
    case 'A': candidate = Method::ack; break;
    case 'B': candidate = Method::bye; break;
    case 'C': candidate = Method::cancel; break;
    case 'O': candidate = Method::options; break;
    case 'R': candidate = text.size() == 8 ? Method::register_ : Method::refer; break;
    case 'P': candidate = text.size() == 5 ? Method::prack : Method::publish; break;
    case 'S': candidate = Method::subscribe; break;
    case 'N': candidate = Method::notify; break;
    case 'M': candidate = Method::message; break;
    case 'U': candidate = Method::update; break;
    default: return Method::extension;
  }
  std::string_view name = kMethodNames[static_cast<std::size_t>(candidate)];
  if (name.size() != text.size()) return Method::extension;
  // At most 9 octets: compared inline (a memcmp call costs more than the compare).
  for (std::size_t i = 0; i < name.size(); ++i)
    if (name[i] != text[i]) return Method::extension;
  return candidate;
}

std::string_view method_name(Method m) { return kMethodNames[static_cast<std::size_t>(m)]; }

}  // namespace siplb::sip
