// Digest credentials parser: one pass over the header value, views into it.
#include "siplb/auth/credentials.hpp"

namespace siplb::auth {

namespace {

// RFC 3261 token octets and LWS, by table: the parser looks at every octet of the value.
struct Classes {
  bool token[256] = {};
  bool lws[256] = {};
  constexpr Classes() {
    for (int c = 0; c < 256; ++c)
      token[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    for (char c : std::string_view("-.!%*_+`'~")) token[static_cast<uint8_t>(c)] = true;
    for (char c : std::string_view(" \t\r\n")) lws[static_cast<uint8_t>(c)] = true;
  }
};
constexpr Classes kClasses{};
bool is_lws(char c) { return kClasses.lws[static_cast<uint8_t>(c)]; }
bool is_token(char c) { return kClasses.token[static_cast<uint8_t>(c)]; }

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != lower[i]) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct Cursor {
  const char* p;
  const char* e;
  void skip_lws() {
    while (p < e && is_lws(*p)) ++p;
  }
  std::string_view token() {
    const char* s = p;
    while (p < e && is_token(*p)) ++p;
    return {s, static_cast<std::size_t>(p - s)};
  }
};

// Stores `v` in `slot` unless the parameter was already given.
bool set_once(std::string_view& slot, bool& seen, std::string_view v) {
  if (seen) return false;
  seen = true;
  slot = v;
  return true;
}

}  // namespace

CredentialsParse parse_credentials(std::string_view value, Credentials& out) {
  out = Credentials{};
  Cursor c{value.data(), value.data() + value.size()};
  c.skip_lws();
  if (!iequals(c.token(), "digest")) return CredentialsParse::not_digest;
  if (c.p == c.e || !is_lws(*c.p)) return CredentialsParse::malformed;  // "Digest" LWS auth-param

  // Which of the known parameters were seen, in the order of `fields`.
  std::string_view* const fields[] = {&out.username, &out.realm,  &out.nonce, &out.uri,    &out.response,
                                      &out.algorithm, &out.cnonce, &out.qop,   &out.opaque, &out.nc_text,
                                      &out.userhash};
  static constexpr std::string_view kNames[] = {"username", "realm",  "nonce", "uri",    "response", "algorithm",
                                                "cnonce",   "qop",    "opaque", "nc",     "userhash"};
  constexpr std::size_t kCount = sizeof kNames / sizeof kNames[0];
  static_assert(sizeof fields / sizeof fields[0] == kCount);
  bool seen[kCount] = {};

  for (;;) {
    c.skip_lws();
    const std::string_view name = c.token();
    if (name.empty()) return CredentialsParse::malformed;
    c.skip_lws();
    if (c.p == c.e || *c.p != '=') return CredentialsParse::malformed;
    ++c.p;
    c.skip_lws();
    std::string_view v;
    if (c.p < c.e && *c.p == '"') {
      const char* s = ++c.p;
      while (c.p < c.e && *c.p != '"') {
        if (*c.p == '\\') return CredentialsParse::malformed;  // see the header
        ++c.p;
      }
      if (c.p == c.e) return CredentialsParse::malformed;  // unterminated
      v = {s, static_cast<std::size_t>(c.p - s)};
      ++c.p;
    } else {
      v = c.token();
      if (v.empty()) return CredentialsParse::malformed;
    }
    for (std::size_t i = 0; i < kCount; ++i) {
      if (iequals(name, kNames[i]) && !set_once(*fields[i], seen[i], v)) return CredentialsParse::malformed;
    }
    c.skip_lws();
    if (c.p == c.e) break;
    if (*c.p != ',') return CredentialsParse::malformed;
    ++c.p;
  }

  out.has_algorithm = seen[5];
  out.has_qop = seen[7];
  out.has_opaque = seen[8];
  for (std::size_t i = 0; i < 5; ++i)  // username, realm, nonce, uri, response
    if (!seen[i]) return CredentialsParse::malformed;
  if (out.has_qop) {
    if (!seen[6] || !seen[9] || out.cnonce.empty() || out.nc_text.size() != 8) return CredentialsParse::malformed;
    uint32_t nc = 0;
    for (char ch : out.nc_text) {
      const int d = hex_value(ch);
      if (d < 0) return CredentialsParse::malformed;
      nc = nc << 4 | static_cast<uint32_t>(d);
    }
    out.nc = nc;
  }
  return CredentialsParse::ok;
}

CredentialsLookup find_credentials(const sip::Message& m, Challenger challenger, std::string_view realm) {
  CredentialsLookup r;
  const sip::HeaderId id =
      challenger == Challenger::www ? sip::HeaderId::authorization : sip::HeaderId::proxy_authorization;
  const uint8_t first = m.first_header[static_cast<std::size_t>(id)];
  if (first == sip::kNoHeader) return r;
  bool malformed = false;
  for (uint16_t i = first; i < m.header_count; ++i) {
    const sip::HeaderField& h = m.headers[i];
    if (h.id != id) continue;
    switch (parse_credentials(m.text(h.value), r.credentials)) {
      case CredentialsParse::ok:
        if (r.credentials.realm == realm) {
          r.found = true;
          return r;
        }
        break;
      case CredentialsParse::malformed:
        malformed = true;
        break;
      case CredentialsParse::not_digest:
        break;
    }
  }
  r.credentials = Credentials{};
  r.malformed = malformed;
  return r;
}

}  // namespace siplb::auth
