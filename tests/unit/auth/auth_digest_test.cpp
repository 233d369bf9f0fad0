// Digest hashing against the RFC vectors, and verify() on every path it can take, with real
// crypto: good credentials in SHA-256 and MD5, wrong passwords up to 403, stale, forged and
// replayed nonces, unknown users, realm and uri mismatches, unsupported algorithms, ha1b.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "auth_test_util.hpp"
#include "siplb/auth/challenge.hpp"
#include "siplb/auth/digest_hash.hpp"
#include "siplb/auth/verify.hpp"

namespace siplb::auth {
namespace {

using test::Answer;
using test::make_authority;
using test::make_register;

// ---- hashes -----------------------------------------------------------------------------------

TEST(DigestHash, KnownDigests) {
  EXPECT_EQ(hash_joined(Algorithm::md5, {""}).view(), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hash_joined(Algorithm::sha256, {"abc"}).view(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The parts are joined with ':'.
  EXPECT_EQ(hash_joined(Algorithm::md5, {"a", "b"}).view(), hash_joined(Algorithm::md5, {"a:b"}).view());
  Hasher h(Algorithm::sha256);
  h.update("a");
  h.update("bc");
  EXPECT_EQ(h.finish_hex().view(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestHash, HmacSha256Rfc4231) {
  uint8_t out[32];
  char hex[64];
  const std::string jefe = "Jefe";
  HmacSha256(reinterpret_cast<const uint8_t*>(jefe.data()), jefe.size()).mac({"what do ya want ", "for nothing?"}, out);
  to_hex(out, 32, hex);
  EXPECT_EQ(std::string_view(hex, 64), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block is hashed first.
  const std::string key(131, '\xaa');
  HmacSha256(reinterpret_cast<const uint8_t*>(key.data()), key.size())
      .mac({"Test Using Larger Than Block-Size Key - Hash Key First"}, out);
  to_hex(out, 32, hex);
  EXPECT_EQ(std::string_view(hex, 64), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(DigestHash, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

// RFC 2617 3.5: Mufasa / "Circle Of Life", MD5, qop=auth.
TEST(DigestResponse, Rfc2617Example) {
  const HexDigest ha1 = compute_ha1(Algorithm::md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  EXPECT_EQ(ha1.view(), "939e7578ed9e3c518a452acee763bce9");
  EXPECT_EQ(expected_response(Algorithm::md5, ha1.view(), "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
                              "0a4f113b", "auth", "GET", "/dir/index.html")
                .view(),
            "6629fae49393a05397450978507c4ef1");
}

// RFC 7616 3.9.1: Mufasa / "Circle of Life", SHA-256 and MD5.
TEST(DigestResponse, Rfc7616Example) {
  constexpr std::string_view realm = "http-auth@example.org";
  constexpr std::string_view nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  constexpr std::string_view cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  const HexDigest sha = compute_ha1(Algorithm::sha256, "Mufasa", realm, "Circle of Life");
  EXPECT_EQ(expected_response(Algorithm::sha256, sha.view(), nonce, "00000001", cnonce, "auth", "GET",
                              "/dir/index.html")
                .view(),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  const HexDigest md5 = compute_ha1(Algorithm::md5, "Mufasa", realm, "Circle of Life");
  EXPECT_EQ(expected_response(Algorithm::md5, md5.view(), nonce, "00000001", cnonce, "auth", "GET",
                              "/dir/index.html")
                .view(),
            "8ca523f5e9506fed4657c9700eebdbec");
}

// ---- verify -----------------------------------------------------------------------------------

class Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    nonces_ = make_authority(/*slots=*/64, /*lifetime_s=*/300, /*retries=*/3);
    ASSERT_TRUE(table_.add({.username = "alice", .domain = "example.com", .password = "secret", .has_password = true}).ok());
    // bob's source held only an MD5 ha1 (of "hunter2").
    const HexDigest bob = compute_ha1(Algorithm::md5, "bob", "example.com", "hunter2");
    ASSERT_TRUE(table_.add({.username = "bob", .domain = "example.com", .ha1 = bob.view()}).ok());
  }

  std::string fresh_nonce(uint64_t now = kNow) { return std::string(nonces_->issue("example.com", now).view()); }

  VerifyResult run(const std::vector<std::string>& headers, uint64_t now = kNow, Challenger ch = Challenger::www,
                   std::string_view uri = "sip:example.com", std::string_view opaque = {},
                   std::string_view method = "REGISTER") {
    msg_ = make_register(headers, uri, method);
    VerifyInput in{&msg_->m, ch, "example.com", opaque, now};
    return verify(in, table_, *nonces_);
  }
  VerifyResult check(const Answer& a, uint64_t now = kNow) { return run(std::vector<std::string>{a.line()}, now); }

  Answer answer() {
    Answer a;
    a.nonce = fresh_nonce();
    return a;
  }

  static constexpr uint64_t kNow = 1'700'000'000;
  std::unique_ptr<NonceAuthority> nonces_;
  SubscriberTable table_;
  std::unique_ptr<test::Parsed> msg_;
};

TEST_F(Verify, GoodSha256) {
  const Answer a = answer();
  const VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::ok);
  EXPECT_EQ(r.action, Action::accept);
  EXPECT_EQ(r.algorithm, Algorithm::sha256);
  EXPECT_EQ(r.username, "alice");
  EXPECT_EQ(r.realm, "example.com");
  ASSERT_NE(r.subscriber, nullptr);
  EXPECT_EQ(r.subscriber->username, "alice");
  // The views point into the message.
  EXPECT_GE(r.username.data(), msg_->text.data());
  EXPECT_LT(r.username.data(), msg_->text.data() + msg_->text.size());
}

TEST_F(Verify, GoodMd5AndDefaultAlgorithm) {
  Answer a = answer();
  a.algorithm = "MD5";
  EXPECT_EQ(check(a).verdict, Verdict::ok);
  a = answer();
  a.algorithm = "";  // no algorithm= means MD5 (RFC 7616 3.3)
  const VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::ok);
  EXPECT_EQ(r.algorithm, Algorithm::md5);
}

TEST_F(Verify, UpperCaseResponseHexAccepted) {
  Answer a = answer();
  const HexDigest ha1 = compute_ha1(Algorithm::sha256, "alice", "example.com", "secret");
  a.response = std::string(expected_response(Algorithm::sha256, ha1.view(), a.nonce, a.nc, a.cnonce, "auth",
                                             "REGISTER", a.uri).view());
  for (char& c : a.response) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(check(a).verdict, Verdict::ok);
}

TEST_F(Verify, OtherMethodsHashTheirOwnMethod) {
  Answer a = answer();
  a.method = "INVITE";
  a.uri = "sip:bob@example.com";
  a.header = "Proxy-Authorization";
  const VerifyResult r = run({a.line()}, kNow, Challenger::proxy, "sip:bob@example.com", {}, "INVITE");
  EXPECT_EQ(r.verdict, Verdict::ok);
  // The same response for a REGISTER is wrong (A2 names the method).
  Answer b = a;
  b.nonce = fresh_nonce();
  b.method = "INVITE";
  const std::string line = b.line();
  EXPECT_EQ(run({line}, kNow, Challenger::proxy, "sip:bob@example.com", {}, "MESSAGE").verdict, Verdict::bad_response);
}

TEST_F(Verify, WrongPasswordRechallengesThenForbids) {
  Answer a = answer();
  a.password = "wrong";
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const VerifyResult r = check(a);
    EXPECT_EQ(r.verdict, Verdict::bad_response) << attempt;
    EXPECT_EQ(r.action, Action::rechallenge) << attempt;
    EXPECT_EQ(r.nonce, a.nonce) << "re-challenged with the same nonce";
    a.cnonce += "x";  // a UA retries with another cnonce
  }
  VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::forbidden);
  EXPECT_EQ(r.action, Action::forbidden);
  // From then on the nonce teaches nothing, not even that a password is right.
  a.password = "secret";
  r = check(a);
  EXPECT_EQ(r.verdict, Verdict::forbidden);
  // A fresh nonce starts over.
  a.nonce = fresh_nonce();
  EXPECT_EQ(check(a).verdict, Verdict::ok);
}

TEST_F(Verify, NoRetryLimitWhenRetriesIsZero) {
  nonces_ = make_authority(64, 300, 0);
  Answer a = answer();
  a.password = "wrong";
  for (int i = 0; i < 300; ++i) ASSERT_EQ(check(a).verdict, Verdict::bad_response) << i;
}

TEST_F(Verify, StaleNonce) {
  Answer a = answer();  // issued at kNow
  VerifyResult r = check(a, kNow + 301);
  EXPECT_EQ(r.verdict, Verdict::stale);
  EXPECT_EQ(r.action, Action::challenge_stale);
  // Within the lifetime it is fine.
  EXPECT_EQ(check(a, kNow + 300).verdict, Verdict::ok);
  // A stale nonce with a wrong password is no stale=true: a fresh, plain challenge.
  a.password = "wrong";
  r = check(a, kNow + 301);
  EXPECT_EQ(r.verdict, Verdict::bad_response);
  EXPECT_EQ(r.action, Action::challenge);
  EXPECT_TRUE(r.nonce.empty());
}

TEST_F(Verify, ReissuedSlotMakesNonceStale) {
  const Answer a = answer();
  for (int i = 0; i < 64; ++i) fresh_nonce();  // every slot once more
  EXPECT_EQ(check(a).verdict, Verdict::stale);
}

TEST_F(Verify, ForgedNonce) {
  Answer a = answer();
  a.nonce[10] = a.nonce[10] == '0' ? '1' : '0';  // the payload no longer matches the MAC
  EXPECT_EQ(check(a).verdict, Verdict::invalid_nonce);
  a = answer();
  a.nonce.back() = a.nonce.back() == '0' ? '1' : '0';  // nor the MAC the payload
  EXPECT_EQ(check(a).verdict, Verdict::invalid_nonce);
  a.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";  // someone else's
  const VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::invalid_nonce);
  EXPECT_EQ(r.action, Action::challenge);
  // A nonce issued for another realm.
  a.nonce = std::string(nonces_->issue("other.com", kNow).view());
  EXPECT_EQ(check(a).verdict, Verdict::invalid_nonce);
  // One signed with another secret.
  auto other = make_authority(64);
  a.nonce = std::string(other->issue("example.com", kNow).view());
  EXPECT_EQ(check(a).verdict, Verdict::invalid_nonce);
}

TEST_F(Verify, ReplayedNc) {
  const Answer a = answer();
  EXPECT_EQ(check(a).verdict, Verdict::ok);
  const VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::replayed);
  EXPECT_EQ(r.action, Action::challenge_stale);
}

TEST_F(Verify, OutOfOrderNc) {
  Answer a = answer();
  a.nc = "00000003";
  EXPECT_EQ(check(a).verdict, Verdict::ok);
  a.nc = "00000002";
  EXPECT_EQ(check(a).verdict, Verdict::replayed);
  a.nc = "00000004";
  EXPECT_EQ(check(a).verdict, Verdict::ok);
  a.nc = "0000000A";  // hex, either case
  EXPECT_EQ(check(a).verdict, Verdict::ok);
  a.nc = "00000000";  // nc starts at 1
  a.nonce = fresh_nonce();
  EXPECT_EQ(check(a).verdict, Verdict::replayed);
}

TEST_F(Verify, UnknownUserLooksLikeAWrongPassword) {
  Answer a = answer();
  a.username = "mallory";
  VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::unknown_user);
  EXPECT_EQ(r.action, Action::rechallenge);
  EXPECT_EQ(r.username, "mallory");
  EXPECT_EQ(r.subscriber, nullptr);
  check(a);
  r = check(a);
  EXPECT_EQ(r.verdict, Verdict::forbidden);
}

TEST_F(Verify, MissingCredentials) {
  VerifyResult r = run(std::vector<std::string>{});
  EXPECT_EQ(r.verdict, Verdict::missing);
  EXPECT_EQ(r.action, Action::challenge);
  // Proxy-Authorization does not answer a 401, nor Authorization a 407.
  Answer a = answer();
  a.header = "Proxy-Authorization";
  EXPECT_EQ(check(a).verdict, Verdict::missing);
  a.header = "Authorization";
  EXPECT_EQ(run({a.line()}, kNow, Challenger::proxy).verdict, Verdict::missing);
  // Another scheme is not ours to judge.
  EXPECT_EQ(run(std::vector<std::string>{"Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}).verdict,
            Verdict::missing);
}

TEST_F(Verify, RealmMismatchAndSeveralCredentials) {
  Answer other = answer();
  other.realm = "other.com";
  EXPECT_EQ(check(other).verdict, Verdict::missing);
  // The one for our realm is picked among several.
  const Answer ours = answer();
  const VerifyResult r = run({other.line(), ours.line()});
  EXPECT_EQ(r.verdict, Verdict::ok);
  EXPECT_EQ(r.realm, "example.com");
  // A malformed field for another realm does not hide ours...
  const Answer again = answer();
  EXPECT_EQ(run({"Authorization: Digest username=\"x\", realm=", again.line()}).verdict, Verdict::ok);
  // ... but alone it is a 400.
  const VerifyResult bad = run(std::vector<std::string>{"Authorization: Digest username=\"x\", realm="});
  EXPECT_EQ(bad.verdict, Verdict::malformed);
  EXPECT_EQ(bad.action, Action::bad_request);
}

TEST_F(Verify, UriMismatch) {
  Answer a = answer();
  a.uri = "sip:evil.com";
  VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::uri_mismatch);
  EXPECT_EQ(r.action, Action::bad_request);
  // Case differences only are the same resource.
  a.uri = "SIP:EXAMPLE.COM";
  r = check(a);
  EXPECT_EQ(r.verdict, Verdict::ok);
}

TEST_F(Verify, UriNamingTheServerItself) {
  Answer a = answer();
  a.uri = "sip:10.0.0.9:5060";  // the address the UA sent to, not the Request-URI
  msg_ = make_register({a.line()});
  VerifyInput in{&msg_->m, Challenger::www, "example.com", {}, kNow};
  EXPECT_EQ(verify(in, table_, *nonces_).verdict, Verdict::uri_mismatch);
  const std::string_view ours = "sip:10.0.0.9:5060";
  in.uri_names_us = [](std::string_view uri, const void* ctx) { return uri == *static_cast<const std::string_view*>(ctx); };
  in.uri_context = &ours;
  EXPECT_EQ(verify(in, table_, *nonces_).verdict, Verdict::ok);
  a = answer();
  a.uri = "sip:10.0.0.8:5060";
  msg_ = make_register({a.line()});
  in.message = &msg_->m;
  EXPECT_EQ(verify(in, table_, *nonces_).verdict, Verdict::uri_mismatch);
}

TEST_F(Verify, MalformedCredentials) {
  Answer a = answer();
  a.response = "1234";  // not the length of a SHA-256 digest
  EXPECT_EQ(check(a).verdict, Verdict::malformed);
  a.response = "";
  a.nc = "1";
  EXPECT_EQ(check(a).verdict, Verdict::malformed);
  a.nc = "0000000g";
  EXPECT_EQ(check(a).verdict, Verdict::malformed);
  EXPECT_EQ(run(std::vector<std::string>{"Authorization: Digest realm=\"example.com\", nonce=\"x\""}).verdict,
            Verdict::malformed);
}

TEST_F(Verify, UnsupportedAlgorithmAndQop) {
  Answer a = answer();
  a.algorithm = "MD5-sess";
  a.response = std::string(32, '0');
  EXPECT_EQ(check(a).verdict, Verdict::unsupported_algorithm);
  a.algorithm = "SHA-512-256";
  EXPECT_EQ(check(a).verdict, Verdict::unsupported_algorithm);
  a = answer();
  a.qop = "";  // RFC 2069 form
  VerifyResult r = check(a);
  EXPECT_EQ(r.verdict, Verdict::unsupported_qop);
  EXPECT_EQ(r.action, Action::challenge);
  a = answer();
  a.qop = "auth-int";
  EXPECT_EQ(check(a).verdict, Verdict::unsupported_qop);
  a = answer();
  EXPECT_EQ(run({a.line() + ", userhash=true"}).verdict, Verdict::unsupported_algorithm);
  EXPECT_EQ(run({a.line() + ", userhash=false"}).verdict, Verdict::ok);
}

TEST_F(Verify, Md5OnlySubscriber) {
  Answer a = answer();
  a.username = "bob";
  a.password = "hunter2";
  VerifyResult r = check(a);  // SHA-256
  EXPECT_EQ(r.verdict, Verdict::unsupported_algorithm);
  EXPECT_EQ(r.action, Action::challenge);
  EXPECT_FALSE(r.sha256_available);
  EXPECT_TRUE(r.md5_available);
  a.algorithm = "MD5";
  r = check(a);
  EXPECT_EQ(r.verdict, Verdict::ok);
  EXPECT_FALSE(r.sha256_available);
}

TEST_F(Verify, Ha1bForUserAtDomain) {
  // From the password: ha1b computed.
  Answer a = answer();
  a.username = "alice@example.com";
  EXPECT_EQ(check(a).verdict, Verdict::ok);
  // From a table holding only ha1b.
  const HexDigest b = compute_ha1(Algorithm::md5, "carol@example.com", "example.com", "pw");
  ASSERT_TRUE(table_.add({.username = "carol", .domain = "example.com", .ha1b = b.view()}).ok());
  a = answer();
  a.username = "carol@example.com";
  a.password = "pw";
  a.algorithm = "MD5";
  EXPECT_EQ(check(a).verdict, Verdict::ok);
  // Plain "carol" has no ha1 then.
  a = answer();
  a.username = "carol";
  a.password = "pw";
  a.algorithm = "MD5";
  EXPECT_EQ(check(a).verdict, Verdict::unsupported_algorithm);
  // user@another-domain is not carol.
  a = answer();
  a.username = "carol@other.com";
  a.password = "pw";
  a.algorithm = "MD5";
  EXPECT_EQ(check(a).verdict, Verdict::unknown_user);
}

TEST_F(Verify, Opaque) {
  Answer a = answer();
  a.opaque = "5ccc069c403ebaf9f0171e9517f40e41";
  EXPECT_EQ(run({a.line()}, kNow, Challenger::www, "sip:example.com", "5ccc069c403ebaf9f0171e9517f40e41").verdict,
            Verdict::ok);
  a = answer();
  a.opaque = "wrong";
  EXPECT_EQ(run({a.line()}, kNow, Challenger::www, "sip:example.com", "5ccc069c403ebaf9f0171e9517f40e41").verdict,
            Verdict::invalid_nonce);
  a.opaque = "";
  EXPECT_EQ(run({a.line()}, kNow, Challenger::www, "sip:example.com", "5ccc069c403ebaf9f0171e9517f40e41").verdict,
            Verdict::invalid_nonce);
}

TEST(Outcomes, NamesAreDistinctLabels) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kVerdictCount; ++i) {
    const std::string_view n = outcome_name(static_cast<Verdict>(i));
    EXPECT_FALSE(n.empty());
    for (char c : n) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << n;
    names.insert(n);
  }
  EXPECT_EQ(names.size(), kVerdictCount);
  EXPECT_EQ(outcome_name(Verdict::bad_response), "bad_response");
}

// ---- challenges -------------------------------------------------------------------------------

TEST(Challenge, WwwBothAlgorithms) {
  char buf[512];
  const std::size_t n = write_challenge(buf, sizeof buf, {.realm = "example.com", .nonce = "abc"});
  EXPECT_EQ(std::string_view(buf, n),
            "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256\r\n"
            "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5\r\n");
}

TEST(Challenge, ProxyStaleOpaqueMd5Only) {
  char buf[512];
  const std::size_t n = write_challenge(buf, sizeof buf,
                                        {.challenger = Challenger::proxy, .realm = "example.com", .nonce = "abc",
                                         .opaque = "xyz", .stale = true, .sha256 = false});
  EXPECT_EQ(std::string_view(buf, n),
            "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5, "
            "opaque=\"xyz\", stale=true\r\n");
}

TEST(Challenge, TooSmallOrUnquotable) {
  char buf[512];
  const ChallengeParams p{.realm = "example.com", .nonce = "abc"};
  const std::size_t need = write_challenge(buf, sizeof buf, p);
  ASSERT_GT(need, 0u);
  for (std::size_t cap = 0; cap < need; ++cap) EXPECT_EQ(write_challenge(buf, cap, p), 0u) << cap;
  EXPECT_EQ(write_challenge(buf, need, p), need);
  EXPECT_EQ(write_challenge(buf, sizeof buf, {.realm = "exa\"mple.com", .nonce = "abc"}), 0u);
  EXPECT_EQ(write_challenge(buf, sizeof buf, {.realm = "example.com", .nonce = "a\r\nb"}), 0u);
  EXPECT_EQ(write_challenge(buf, sizeof buf, {.realm = "example.com", .nonce = "abc", .opaque = "a\\b"}), 0u);
  EXPECT_EQ(write_challenge(buf, sizeof buf, {.realm = "example.com", .nonce = "abc", .sha256 = false, .md5 = false}), 0u);
  EXPECT_EQ(write_challenge(buf, sizeof buf, {.realm = "", .nonce = "abc"}), 0u);
}

// A challenge's nonce answered by a UA is accepted: the loop closes.
TEST_F(Verify, FreshChallengeRoundTrip) {
  char buf[512];
  const std::size_t n = write_fresh_challenge(buf, sizeof buf, {.realm = "example.com"}, *nonces_, kNow);
  ASSERT_GT(n, 0u);
  const std::string_view text(buf, n);
  const std::size_t at = text.find("nonce=\"") + 7;
  Answer a;
  a.nonce = std::string(text.substr(at, text.find('"', at) - at));
  EXPECT_EQ(a.nonce.size(), kNonceLength);
  EXPECT_EQ(check(a).verdict, Verdict::ok);
}

}  // namespace
}  // namespace siplb::auth
