// The subscriber table: HA1 values computed or checked once at build time, found by workers.
#include "siplb/auth/subscriber.hpp"

#include <string>

namespace siplb::auth {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// `text` as an HA1 of `n` hex digits, lower-cased into `out`; else the reason.
bool take_hex(std::string_view field, std::string_view text, std::size_t n, Ha1& out, SubscriberError& error) {
  bool ok = text.size() == n;
  for (std::size_t i = 0; ok && i < text.size(); ++i) {
    const char c = lower(text[i]);
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    out.hex.text[i] = c;
  }
  if (!ok) {
    out = Ha1{};
    std::string reason = "'";
    reason.append(text).append("' is not ").append(std::to_string(n)).append(" hex digits");
    error = {std::string(field), std::move(reason)};
    return false;
  }
  out.hex.length = static_cast<uint8_t>(n);
  return true;
}

}  // namespace

HexDigest compute_ha1(Algorithm algorithm, std::string_view username, std::string_view realm,
                      std::string_view password) {
  return hash_joined(algorithm, {username, realm, password});
}

std::size_t SubscriberTable::Hash::operator()(const Key& k) const {
  // FNV-1a: username as is, a separator no username holds, the domain lower-cased.
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](char c) { h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull; };
  for (char c : k.username) mix(c);
  mix('\0');
  for (char c : k.domain) mix(lower(c));
  return static_cast<std::size_t>(h);
}

bool SubscriberTable::Equal::eq(const Key& a, const Key& b) {
  return a.username == b.username && iequals(a.domain, b.domain);
}

SubscriberError SubscriberTable::add(const SubscriberSpec& spec) {
  if (spec.username.empty()) return {"username", "no value"};
  if (spec.domain.empty()) return {"domain", "no value"};
  Subscriber s;
  s.username = spec.username;
  for (char c : spec.domain) s.domain.push_back(lower(c));
  s.line = spec.line;

  SubscriberError error;
  constexpr auto md5 = static_cast<int>(Algorithm::md5);
  constexpr auto sha = static_cast<int>(Algorithm::sha256);
  if (!spec.ha1.empty() && !take_hex("ha1", spec.ha1, 32, s.ha1[md5], error)) return error;
  if (!spec.ha1b.empty() && !take_hex("ha1b", spec.ha1b, 32, s.ha1b[md5], error)) return error;
  if (!spec.ha1_sha256.empty() && !take_hex("ha1_sha256", spec.ha1_sha256, 64, s.ha1[sha], error)) return error;
  if (!spec.ha1b_sha256.empty() && !take_hex("ha1b_sha256", spec.ha1b_sha256, 64, s.ha1b[sha], error))
    return error;
  if (spec.has_password) {
    // Stored hashes win over the password (the table's own ha1 columns are what OpenSIPS and
    // Kamailio check with calculate_ha1 off); the password fills in what is missing.
    const std::string at_domain = s.username + "@" + s.domain;
    for (Algorithm a : {Algorithm::md5, Algorithm::sha256}) {
      const int i = static_cast<int>(a);
      if (!s.ha1[i].known()) s.ha1[i].hex = compute_ha1(a, s.username, s.domain, spec.password);
      if (!s.ha1b[i].known()) s.ha1b[i].hex = compute_ha1(a, at_domain, s.domain, spec.password);
    }
  } else if (!s.ha1[md5].known() && !s.ha1[sha].known() && !s.ha1b[md5].known() && !s.ha1b[sha].known()) {
    return {"", "neither password nor ha1"};
  }

  const auto found = subscribers_.find(Key{s.username, s.domain});
  if (found != subscribers_.end()) {
    return {"", s.username + "@" + s.domain + " is already defined" +
                    (found->line ? " on line " + std::to_string(found->line) : std::string())};
  }
  subscribers_.insert(std::move(s));
  return {};
}

const Subscriber* SubscriberTable::find(std::string_view username, std::string_view domain) const {
  const auto it = subscribers_.find(Key{username, domain});
  return it == subscribers_.end() ? nullptr : &*it;
}

}  // namespace siplb::auth
