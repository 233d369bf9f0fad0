// AoR keys from URIs (see include/siplb/registrar/aor.hpp).
#include "siplb/registrar/aor.hpp"

#include <cstring>

namespace siplb::registrar {

namespace {
constexpr std::size_t kMaxAorText = 1024;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
}  // namespace

bool aor_key_from_uri(const sip::Message& m, const sip::Uri& uri, AorKey& out) {
  out = AorKey{};
  if (!uri.is_sip || uri.user.empty() || uri.host.empty()) return false;
  const std::string_view user = m.text(uri.user);
  const std::string_view host = m.text(uri.host);
  if (user.size() + 1 + host.size() > kAorKeySize - 1) return false;
  // A NUL would end the key early and make two AoRs one (the key is NUL-padded).
  if (std::memchr(user.data(), 0, user.size()) || std::memchr(host.data(), 0, host.size())) return false;
  std::memcpy(out.text, user.data(), user.size());
  out.text[user.size()] = '@';
  for (std::size_t i = 0; i < host.size(); ++i) out.text[user.size() + 1 + i] = lower(host[i]);
  return true;
}

bool aor_key_from_text(std::string_view text, AorKey& out) {
  out = AorKey{};
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
    text.remove_suffix(1);
  if (text.empty() || text.size() > kMaxAorText) return false;
  // Bare "user@host": say "sip:" in front and read it as a URI, with the parser the packet path uses.
  char buffer[4 + kMaxAorText];
  std::size_t length = 0;
  const std::size_t colon = text.find(':');
  const std::size_t at = text.find('@');
  const bool has_scheme = colon != std::string_view::npos && (at == std::string_view::npos || colon < at) &&
                          text.substr(0, colon).find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") ==
                              std::string_view::npos;
  // (A colon before the '@' reads as a scheme: "alice:secret@host" is scheme "alice", not SIP, refused.)
  if (!has_scheme) {
    std::memcpy(buffer, "sip:", 4);
    length = 4;
  }
  std::memcpy(buffer + length, text.data(), text.size());
  length += text.size();
  sip::Message m;
  m.data = buffer;
  m.size = static_cast<uint32_t>(length);
  sip::Uri uri;
  if (!sip::parse_uri(m, sip::Span{0, static_cast<uint16_t>(length)}, uri)) return false;
  return aor_key_from_uri(m, uri, out);
}

}  // namespace siplb::registrar
