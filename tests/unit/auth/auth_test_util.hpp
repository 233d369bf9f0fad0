// Helpers of the auth unit tests: a parsed REGISTER carrying given credentials, and credentials
// computed the way a UA computes them (through expected_response(), itself checked against the
// RFC 2617 and RFC 7616 vectors). Test-only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "siplb/auth/credentials.hpp"
#include "siplb/auth/digest_hash.hpp"
#include "siplb/auth/nonce.hpp"
#include "siplb/auth/subscriber.hpp"
#include "siplb/auth/verify.hpp"
#include "siplb/sip/message.hpp"
#include "siplb/sip/parser.hpp"

namespace siplb::auth {
inline void PrintTo(Verdict v, std::ostream* os) { *os << outcome_name(v); }
inline void PrintTo(Action a, std::ostream* os) { *os << action_name(a); }
}  // namespace siplb::auth

namespace siplb::auth::test {

// A message and its index; the index points into `text`, so the object stays where it is.
struct Parsed {
  std::string text;
  sip::Message m;
  Parsed() = default;
  Parsed(const Parsed&) = delete;
};

inline std::unique_ptr<Parsed> parse_message(std::string text) {
  auto p = std::make_unique<Parsed>();
  p->text = std::move(text);
  EXPECT_EQ(sip::parse(p->text.data(), p->text.size(), p->m), sip::ParseError::none) << p->text;
  return p;
}

// A REGISTER to `request_uri` with the given header lines (e.g. "Authorization: Digest ...").
inline std::unique_ptr<Parsed> make_register(const std::vector<std::string>& extra_headers,
                                             std::string_view request_uri = "sip:example.com",
                                             std::string_view method = "REGISTER") {
  std::string t;
  t.append(method).append(" ").append(request_uri).append(" SIP/2.0\r\n");
  t += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n";
  t += "Max-Forwards: 70\r\n";
  t += "To: <sip:alice@example.com>\r\n";
  t += "From: <sip:alice@example.com>;tag=1928301774\r\n";
  t += "Call-ID: a84b4c76e66710@10.0.0.1\r\n";
  t.append("CSeq: 2 ").append(method).append("\r\n");
  t += "Contact: <sip:alice@10.0.0.1:5060>\r\n";
  for (const std::string& h : extra_headers) t += h + "\r\n";
  t += "Content-Length: 0\r\n\r\n";
  return parse_message(std::move(t));
}

// What a UA answers to a challenge.
struct Answer {
  std::string header = "Authorization";
  std::string username = "alice";
  std::string realm = "example.com";
  std::string password = "secret";
  std::string nonce;
  std::string uri = "sip:example.com";
  std::string method = "REGISTER";
  std::string algorithm = "SHA-256";  // as written; "" leaves the parameter out
  std::string cnonce = "0a4f113b";
  std::string nc = "00000001";
  std::string qop = "auth";  // "" leaves qop, cnonce and nc out
  std::string opaque;        // "" leaves it out
  std::string response;      // "" computes it from the password

  std::string line() const {
    Algorithm a = algorithm == "MD5" || algorithm.empty() ? Algorithm::md5 : Algorithm::sha256;
    std::string r = response;
    if (r.empty()) {
      const HexDigest ha1 = compute_ha1(a, username, realm, password);
      r = std::string(expected_response(a, ha1.view(), nonce, nc, cnonce, qop, method, uri).view());
    }
    std::string s = header + ": Digest username=\"" + username + "\", realm=\"" + realm + "\", nonce=\"" + nonce +
                    "\", uri=\"" + uri + "\", response=\"" + r + "\"";
    if (!algorithm.empty()) s += ", algorithm=" + algorithm;
    if (!qop.empty()) s += ", cnonce=\"" + cnonce + "\", nc=" + nc + ", qop=" + qop;
    if (!opaque.empty()) s += ", opaque=\"" + opaque + "\"";
    return s;
  }
};

inline std::unique_ptr<NonceAuthority> make_authority(uint32_t slots = 1024, uint32_t lifetime_s = 300,
                                                      uint8_t retries = 3) {
  NonceSettings s;
  s.slots = slots;
  s.lifetime_s = lifetime_s;
  s.retries = retries;
  std::string error;
  auto a = NonceAuthority::create(s, &error);
  EXPECT_TRUE(a) << error;
  return a;
}

}  // namespace siplb::auth::test
