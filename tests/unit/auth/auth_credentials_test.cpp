// The Digest credentials parser: every field, its tolerances (case, LWS, quoting, unknown
// parameters), its refusals, and robustness: every truncation and many mutations of a valid header
// parse or fail cleanly (run under AddressSanitizer, each input in an exactly-sized buffer).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "auth_test_util.hpp"
#include "siplb/auth/credentials.hpp"

namespace siplb::auth {
namespace {

constexpr std::string_view kValid =
    "Digest username=\"alice\", realm=\"example.com\", nonce=\"abcdef\", uri=\"sip:example.com\", "
    "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", nc=00000001, "
    "qop=auth, opaque=\"xyz\"";

// Parses a copy held in a heap buffer of exactly its size, so ASan sees any read past it.
CredentialsParse parse_exact(std::string_view text, Credentials& out) {
  std::unique_ptr<char[]> copy(new char[text.size() ? text.size() : 1]);
  if (!text.empty()) std::memcpy(copy.get(), text.data(), text.size());
  const CredentialsParse r = parse_credentials({copy.get(), text.size()}, out);
  out = Credentials{};  // its views die with the copy
  return r;
}

TEST(Credentials, EveryField) {
  Credentials c;
  ASSERT_EQ(parse_credentials(kValid, c), CredentialsParse::ok);
  EXPECT_EQ(c.username, "alice");
  EXPECT_EQ(c.realm, "example.com");
  EXPECT_EQ(c.nonce, "abcdef");
  EXPECT_EQ(c.uri, "sip:example.com");
  EXPECT_EQ(c.response, "6629fae49393a05397450978507c4ef1");
  EXPECT_EQ(c.algorithm, "MD5");
  EXPECT_EQ(c.cnonce, "0a4f113b");
  EXPECT_EQ(c.nc_text, "00000001");
  EXPECT_EQ(c.nc, 1u);
  EXPECT_EQ(c.qop, "auth");
  EXPECT_EQ(c.opaque, "xyz");
  EXPECT_TRUE(c.has_algorithm && c.has_qop && c.has_opaque);
  // Views into the input, not copies.
  EXPECT_GE(c.username.data(), kValid.data());
  EXPECT_LT(c.username.data(), kValid.data() + kValid.size());
}

TEST(Credentials, Tolerances) {
  Credentials c;
  // Scheme and names in any case, LWS (folded lines too) around '=' and ',', quoted tokens,
  // unknown parameters skipped, any order.
  ASSERT_EQ(parse_credentials("dIgEsT  NONCE = \"n\" ,\r\n\tUserName=alice,Realm=\"r\" , foo=\"bar, baz\","
                              " uri=\"u\",response=\"00\", qop=\"auth\", nc=0000000a, cnonce=c, ALGORITHM=\"SHA-256\"",
                              c),
            CredentialsParse::ok);
  EXPECT_EQ(c.username, "alice");
  EXPECT_EQ(c.nonce, "n");
  EXPECT_EQ(c.nc, 10u);
  EXPECT_EQ(c.qop, "auth");
  EXPECT_EQ(c.algorithm, "SHA-256");
  EXPECT_EQ(c.cnonce, "c");
  // Without qop, cnonce and nc are not needed.
  ASSERT_EQ(parse_credentials("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"", c),
            CredentialsParse::ok);
  EXPECT_FALSE(c.has_qop);
  EXPECT_FALSE(c.has_algorithm);
  // Empty quoted values are values.
  ASSERT_EQ(parse_credentials("Digest username=\"\", realm=\"\", nonce=\"\", uri=\"\", response=\"\"", c),
            CredentialsParse::ok);
  EXPECT_EQ(c.nc, 0u);
  EXPECT_EQ(parse_credentials("Digest username=\"\", realm=\"\", nonce=\"\", uri=\"\", response=\"\"   ", c),
            CredentialsParse::ok);
}

TEST(Credentials, OtherSchemes) {
  Credentials c;
  EXPECT_EQ(parse_credentials("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", c), CredentialsParse::not_digest);
  EXPECT_EQ(parse_credentials("Bearer abc", c), CredentialsParse::not_digest);
  EXPECT_EQ(parse_credentials("", c), CredentialsParse::not_digest);
  EXPECT_EQ(parse_credentials("Digestive username=\"a\"", c), CredentialsParse::not_digest);
}

TEST(Credentials, Refusals) {
  const char* bad[] = {
      "Digest",
      "Digest ",
      "Digest,username=\"a\"",
      "Digest username=\"a\"",  // realm, nonce, uri, response missing
      "Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",  // username missing
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\"",   // response missing
      "Digest username=\"a\", username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth",  // no cnonce, nc
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"c\"",
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"c\", nc=1",
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"c\", nc=0000000z",
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"\", nc=00000001",
      "Digest username=\"a\\\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",  // escape
      "Digest username=\"a, realm=\"r\"",  // unterminated quote
      "Digest username=\"a\" realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",  // no comma
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\",",  // trailing comma
      "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=",
      "Digest username=\"a\", =\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",
      "Digest username=\"a\", realm, nonce=\"n\", uri=\"u\", response=\"x\"",
      "Digest username=<a>, realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",
  };
  for (const char* b : bad) {
    Credentials c;
    EXPECT_EQ(parse_exact(b, c), CredentialsParse::malformed) << b;
  }
}

TEST(Credentials, EveryTruncationParsesOrFailsCleanly) {
  int ok = 0;
  for (std::size_t n = 0; n <= kValid.size(); ++n) {
    Credentials c;
    const CredentialsParse r = parse_exact(kValid.substr(0, n), c);
    ok += r == CredentialsParse::ok;
    if (n < 6) {
      EXPECT_EQ(r, CredentialsParse::not_digest) << n;
    }
  }
  // A cut inside a quoted value or before the required fields fails; a cut inside an unquoted
  // token leaves a shorter token (verify() then refuses the value), so some cuts parse.
  EXPECT_GE(ok, 1);
  Credentials c;
  EXPECT_EQ(parse_exact(kValid.substr(0, kValid.find("response=") + 20), c), CredentialsParse::malformed);
}

TEST(Credentials, MutationsNeverCrash) {
  // Every octet replaced by each of a set of troublesome octets, and deleted.
  const char subst[] = {'"', '\\', ',', '=', ' ', '\r', '\n', '\0', '\x7f', '\xff', 'a'};
  std::string text(kValid);
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (char s : subst) {
      std::string m = text;
      m[i] = s;
      Credentials c;
      parse_exact(m, c);
    }
    std::string d = text;
    d.erase(i, 1);
    Credentials c;
    parse_exact(d, c);
  }
  SUCCEED();
}

TEST(Credentials, FindPicksTheRealm) {
  auto msg = test::make_register(
      {"Authorization: Basic abc", "Authorization: Digest username=\"x\", realm=\"other.com\", nonce=\"n\", "
       "uri=\"u\", response=\"r\"",
       "Proxy-Authorization: Digest username=\"p\", realm=\"example.com\", nonce=\"n\", uri=\"u\", response=\"r\"",
       "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n\", uri=\"u\", response=\"r\""});
  CredentialsLookup l = find_credentials(msg->m, Challenger::www, "example.com");
  ASSERT_TRUE(l.found);
  EXPECT_EQ(l.credentials.username, "alice");
  l = find_credentials(msg->m, Challenger::proxy, "example.com");
  ASSERT_TRUE(l.found);
  EXPECT_EQ(l.credentials.username, "p");
  l = find_credentials(msg->m, Challenger::www, "other.com");
  ASSERT_TRUE(l.found);
  EXPECT_EQ(l.credentials.username, "x");
  l = find_credentials(msg->m, Challenger::www, "third.com");
  EXPECT_FALSE(l.found);
  EXPECT_FALSE(l.malformed);
  EXPECT_TRUE(l.credentials.username.empty());
}

}  // namespace
}  // namespace siplb::auth
