// Contact URI equality (see include/siplb/registrar/uri_match.hpp).
#include "siplb/registrar/uri_match.hpp"

namespace siplb::registrar {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Walks ";name[=value]" parameters of a URI's parameter text.
struct ParamWalker {
  std::string_view rest;
  bool next(std::string_view& name, std::string_view& value) {
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      std::string_view p = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      if (p.empty()) continue;
      const std::size_t eq = p.find('=');
      name = p.substr(0, eq);
      value = eq == std::string_view::npos ? std::string_view{} : p.substr(eq + 1);
      return true;
    }
    return false;
  }
};

bool find(std::string_view params, std::string_view want, std::string_view& value) {
  ParamWalker w{params};
  std::string_view n, v;
  while (w.next(n, v))
    if (iequal(n, want)) {
      value = v;
      return true;
    }
  return false;
}

bool special(std::string_view name) {
  for (std::string_view s : {"user", "ttl", "method", "maddr", "transport"})
    if (iequal(name, s)) return true;
  return false;
}

// Every parameter of `a` against `b`: a special one must be in both with the same value, another
// must have the same value when `b` has it.
bool params_agree_one_way(std::string_view a, std::string_view b) {
  ParamWalker w{a};
  std::string_view n, v;
  while (w.next(n, v)) {
    std::string_view other;
    if (find(b, n, other)) {
      if (!iequal(v, other)) return false;
    } else if (special(n)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool uri_equal(const sip::Message& ma, const sip::Uri& a, const sip::Message& mb, const sip::Uri& b) {
  if (!iequal(ma.text(a.scheme), mb.text(b.scheme))) return false;
  if (!a.is_sip || !b.is_sip) return a.is_sip == b.is_sip && ma.text(a.opaque) == mb.text(b.opaque);
  if (ma.text(a.user) != mb.text(b.user) || ma.text(a.password) != mb.text(b.password)) return false;
  if (!iequal(ma.text(a.host), mb.text(b.host)) || a.port != b.port) return false;
  if (ma.text(a.headers) != mb.text(b.headers)) return false;
  const std::string_view pa = ma.text(a.params), pb = mb.text(b.params);
  return params_agree_one_way(pa, pb) && params_agree_one_way(pb, pa);
}

bool uri_equal_text(const sip::Message& ma, const sip::Uri& a, std::string_view b) {
  if (b.empty() || b.size() > 0xffff) return false;
  // A Message over the text alone: the URI parser reads only data (and never before it).
  sip::Message mb;
  mb.data = b.data();
  mb.size = static_cast<uint32_t>(b.size());
  sip::Uri ub;
  if (!sip::parse_uri(mb, sip::Span{0, static_cast<uint16_t>(b.size())}, ub)) return false;
  return uri_equal(ma, a, mb, ub);
}

}  // namespace siplb::registrar
