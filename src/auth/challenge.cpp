// Challenge lines into a bounded buffer.
#include "siplb/auth/challenge.hpp"

#include <cstring>

namespace siplb::auth {

namespace {

bool quotable(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

// Appends without overrunning; `ok` turns false (and stays so) once something did not fit.
struct Out {
  char* p;
  std::size_t left;
  bool ok = true;
  void put(std::string_view s) {
    if (s.empty()) return;  // an empty view may hold a null pointer, which memcpy must not get
    if (!ok || s.size() > left) {
      ok = false;
      return;
    }
    std::memcpy(p, s.data(), s.size());
    p += s.size();
    left -= s.size();
  }
};

void line(Out& o, const ChallengeParams& params, Algorithm a) {
  o.put(params.challenger == Challenger::www ? "WWW-Authenticate: Digest realm=\"" : "Proxy-Authenticate: Digest realm=\"");
  o.put(params.realm);
  o.put("\", nonce=\"");
  o.put(params.nonce);
  o.put("\", qop=\"auth\", algorithm=");
  o.put(algorithm_name(a));
  if (!params.opaque.empty()) {
    o.put(", opaque=\"");
    o.put(params.opaque);
    o.put("\"");
  }
  if (params.stale) o.put(", stale=true");
  o.put("\r\n");
}

}  // namespace

std::size_t write_challenge(char* out, std::size_t capacity, const ChallengeParams& params) {
  if ((!params.sha256 && !params.md5) || params.realm.empty() || params.nonce.empty()) return 0;
  if (!quotable(params.realm) || !quotable(params.nonce) || !quotable(params.opaque)) return 0;
  Out o{out, capacity};
  if (params.sha256) line(o, params, Algorithm::sha256);
  if (params.md5) line(o, params, Algorithm::md5);
  return o.ok ? capacity - o.left : 0;
}

std::size_t write_fresh_challenge(char* out, std::size_t capacity, ChallengeParams params, NonceAuthority& nonces,
                                  uint64_t now_s) {
  const NonceText nonce = nonces.issue(params.realm, now_s);
  params.nonce = nonce.view();
  return write_challenge(out, capacity, params);
}

}  // namespace siplb::auth
