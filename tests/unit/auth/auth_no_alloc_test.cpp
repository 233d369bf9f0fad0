// The per-request paths (verify on every verdict, nonce issue, challenge writing, subscriber
// lookup) allocate nothing: counted through the global operator new and through OpenSSL's own
// allocation hooks (CRYPTO_set_mem_functions, installed before libcrypto allocates anything).
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "auth_test_util.hpp"
#include "siplb/auth/challenge.hpp"
#include "siplb/auth/verify.hpp"

namespace {

std::atomic<long> g_allocations{0};

void* counted_malloc(std::size_t n, const char*, int) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n);
}
void* counted_realloc(void* p, std::size_t n, const char*, int) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, n);
}
void plain_free(void* p, const char*, int) { std::free(p); }

// Before main, so before libcrypto's first allocation.
const bool g_crypto_hooked = CRYPTO_set_mem_functions(counted_malloc, counted_realloc, plain_free) == 1;

}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace siplb::auth {
namespace {

using test::Answer;

constexpr uint64_t kNow = 1'700'000'000;

TEST(NoAlloc, PerRequestPaths) {
  ASSERT_TRUE(g_crypto_hooked) << "libcrypto allocated before the hooks were installed";
  auto nonces = test::make_authority(64, 300, 3);
  SubscriberTable table;
  ASSERT_TRUE(table.add({.username = "alice", .domain = "example.com", .password = "secret", .has_password = true}).ok());

  // Every message built beforehand (building them allocates).
  std::vector<std::unique_ptr<test::Parsed>> messages;
  auto add = [&](Answer a) { messages.push_back(test::make_register({a.line()})); };
  Answer a;
  a.nonce = std::string(nonces->issue("example.com", kNow).view());
  add(a);  // ok
  a.nc = "00000002";
  a.algorithm = "MD5";
  add(a);  // ok, MD5
  add(a);  // replayed
  Answer wrong = a;
  wrong.password = "x";
  wrong.nc = "00000009";
  add(wrong);  // bad_response
  Answer who = a;
  who.username = "mallory";
  add(who);  // unknown_user
  Answer old = a;
  old.nonce = std::string(nonces->issue("example.com", kNow - 1000).view());
  add(old);  // stale
  Answer forged = a;
  forged.nonce[3] ^= 1;
  add(forged);  // invalid_nonce
  messages.push_back(test::make_register({"Authorization: Digest username=\"a\", realm=\"example.com\""}));
  messages.push_back(test::make_register({}));
  const Verdict expected[] = {Verdict::ok,    Verdict::ok,          Verdict::replayed,  Verdict::bad_response,
                              Verdict::unknown_user, Verdict::stale, Verdict::invalid_nonce, Verdict::malformed,
                              Verdict::missing};
  ASSERT_EQ(messages.size(), std::size(expected));
  std::vector<Verdict> got(messages.size());
  char buf[512];

  const long before = g_allocations.load();
  for (std::size_t i = 0; i < messages.size(); ++i)
    got[i] = verify({&messages[i]->m, Challenger::www, "example.com", {}, kNow}, table, *nonces).verdict;
  const std::size_t n = write_fresh_challenge(buf, sizeof buf, {.realm = "example.com", .stale = true}, *nonces, kNow);
  const NonceText t = nonces->issue("example.com", kNow);
  const Subscriber* s = table.find("alice", "EXAMPLE.COM");
  const long during = g_allocations.load() - before;

  EXPECT_EQ(during, 0);
  for (std::size_t i = 0; i < messages.size(); ++i) EXPECT_EQ(got[i], expected[i]) << i;
  EXPECT_GT(n, 0u);
  EXPECT_EQ(t.view().size(), kNonceLength);
  EXPECT_NE(s, nullptr);
  // The counters do count: building a table allocates, and so does libcrypto's EVP interface.
  long mark = g_allocations.load();
  SubscriberTable other;
  ASSERT_TRUE(other.add({.username = "bob", .domain = "example.com", .password = "p", .has_password = true}).ok());
  EXPECT_GT(g_allocations.load() - mark, 0);
  mark = g_allocations.load();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_MD_CTX_free(ctx);
  EXPECT_GT(g_allocations.load() - mark, 0);
}

}  // namespace
}  // namespace siplb::auth
