// NonceAuthority: the nonce text, authenticity, age, slot reuse, nonce counts and failure counts,
// and the nc compare-and-swap under threads racing on one nonce.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "auth_test_util.hpp"
#include "siplb/auth/nonce.hpp"

namespace siplb::auth {
namespace {

constexpr uint64_t kNow = 1'700'000'000;

TEST(Nonce, CreateRefusesBadSettings) {
  std::string error;
  NonceSettings s;
  s.slots = 0;
  EXPECT_EQ(NonceAuthority::create(s, &error), nullptr);
  EXPECT_NE(error.find("slots"), std::string::npos) << error;
  s.slots = 16;
  s.lifetime_s = 0;
  EXPECT_EQ(NonceAuthority::create(s, &error), nullptr);
  EXPECT_NE(error.find("lifetime"), std::string::npos) << error;
}

TEST(Nonce, TextIsLowerHexAndUnique) {
  auto a = test::make_authority(8);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const NonceText t = a->issue("example.com", kNow);
    EXPECT_EQ(t.view().size(), kNonceLength);
    for (char c : t.view()) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << t.view();
    EXPECT_TRUE(seen.insert(std::string(t.view())).second);
  }
}

TEST(Nonce, CheckOkStaleInvalid) {
  auto a = test::make_authority(8, /*lifetime_s=*/60);
  const std::string n(a->issue("example.com", kNow).view());
  EXPECT_EQ(a->check(n, "example.com", kNow).check, NonceCheck::ok);
  EXPECT_EQ(a->check(n, "example.com", kNow + 60).check, NonceCheck::ok);
  EXPECT_EQ(a->check(n, "example.com", kNow + 61).check, NonceCheck::stale);
  EXPECT_EQ(a->check(n, "example.com", kNow - 3).check, NonceCheck::ok);  // a peer's clock a little behind
  EXPECT_EQ(a->check(n, "example.com", kNow - 100).check, NonceCheck::stale);
  EXPECT_EQ(a->check(n, "example.org", kNow).check, NonceCheck::invalid);
  EXPECT_EQ(a->check(n.substr(1), "example.com", kNow).check, NonceCheck::invalid);
  std::string upper = n;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != n) {
    EXPECT_EQ(a->check(upper, "example.com", kNow).check, NonceCheck::invalid);
  }
  for (std::size_t i = 0; i < n.size(); ++i) {  // every single-digit forgery
    std::string f = n;
    f[i] = f[i] == '7' ? '8' : '7';
    EXPECT_EQ(a->check(f, "example.com", kNow).check, NonceCheck::invalid) << i;
  }
}

TEST(Nonce, SharedSecretVerifiesOnPeerButSlotsAreLocal) {
  NonceSettings s;
  s.slots = 8;
  s.secret.fill(7);
  auto a = NonceAuthority::create(s, nullptr);
  auto b = NonceAuthority::create(s, nullptr);
  ASSERT_TRUE(a && b);
  const std::string n(a->issue("example.com", kNow).view());
  // Authentic on the peer, but its slot there never held it: stale, the UA retries at once.
  EXPECT_EQ(b->check(n, "example.com", kNow).check, NonceCheck::stale);
}

TEST(Nonce, SlotReuseMakesOlderStale) {
  auto a = test::make_authority(4);
  const std::string first(a->issue("r", kNow).view());
  for (int i = 0; i < 3; ++i) a->issue("r", kNow);
  EXPECT_EQ(a->check(first, "r", kNow).check, NonceCheck::ok);
  const std::string fifth(a->issue("r", kNow).view());  // takes first's slot
  EXPECT_EQ(a->check(first, "r", kNow).check, NonceCheck::stale);
  EXPECT_EQ(a->check(fifth, "r", kNow).check, NonceCheck::ok);
}

TEST(Nonce, NcStrictlyIncreasing) {
  auto a = test::make_authority(4);
  const std::string n(a->issue("r", kNow).view());
  const NonceRef ref = a->check(n, "r", kNow).ref;
  EXPECT_EQ(a->advance_nc(ref, 0), NcResult::replayed);
  EXPECT_EQ(a->advance_nc(ref, 1), NcResult::ok);
  EXPECT_EQ(a->advance_nc(ref, 1), NcResult::replayed);
  EXPECT_EQ(a->advance_nc(ref, 5), NcResult::ok);
  EXPECT_EQ(a->advance_nc(ref, 4), NcResult::replayed);
  EXPECT_EQ(a->advance_nc(ref, 0xffffffff), NcResult::ok);
  EXPECT_EQ(a->advance_nc(ref, 0xffffffff), NcResult::replayed);
  for (int i = 0; i < 4; ++i) a->issue("r", kNow);
  EXPECT_EQ(a->advance_nc(ref, 1), NcResult::stale);
}

TEST(Nonce, FailuresCountUpToRetries) {
  auto a = test::make_authority(4, 300, /*retries=*/2);
  const std::string n(a->issue("r", kNow).view());
  NonceStatus st = a->check(n, "r", kNow);
  EXPECT_EQ(st.failures, 0);
  EXPECT_EQ(a->record_failure(st.ref), FailureResult::retry);
  EXPECT_EQ(a->check(n, "r", kNow).failures, 1);
  EXPECT_EQ(a->advance_nc(st.ref, 1), NcResult::ok);  // the nc keeps the count
  EXPECT_EQ(a->record_failure(st.ref), FailureResult::give_up);
  st = a->check(n, "r", kNow);
  EXPECT_EQ(st.failures, 2);
  EXPECT_TRUE(a->exhausted(st.failures));
  for (int i = 0; i < 300; ++i) a->record_failure(st.ref);  // saturates, never wraps
  EXPECT_EQ(a->check(n, "r", kNow).failures, 255);
  EXPECT_EQ(a->advance_nc(st.ref, 2), NcResult::ok);
}

// Threads racing with the same nc values on one nonce: each nc is accepted at most once, and the
// highest always.
TEST(Nonce, NcRaceAcceptsEachValueOnce) {
  auto a = test::make_authority(4);
  const std::string n(a->issue("r", kNow).view());
  const NonceRef ref = a->check(n, "r", kNow).ref;
  constexpr uint32_t kMax = 20000;
  std::vector<std::atomic<int>> accepted(kMax + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (uint32_t nc = 1; nc <= kMax; ++nc)
        if (a->advance_nc(ref, nc) == NcResult::ok) accepted[nc].fetch_add(1);
    });
  for (std::thread& t : threads) t.join();
  int total = 0;
  for (uint32_t nc = 1; nc <= kMax; ++nc) {
    ASSERT_LE(accepted[nc].load(), 1) << nc;
    total += accepted[nc].load();
  }
  EXPECT_EQ(accepted[kMax].load(), 1);
  EXPECT_GE(total, 1);
  EXPECT_EQ(a->advance_nc(ref, kMax), NcResult::replayed);
}

// Issuers racing on few slots: every nonce still checks ok or stale, never invalid, and the last
// one issued into each slot is ok.
TEST(Nonce, IssueRace) {
  auto a = test::make_authority(16);
  std::vector<std::vector<std::string>> issued(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) issued[t].emplace_back(a->issue("r", kNow).view());
    });
  for (std::thread& t : threads) t.join();
  int ok = 0;
  for (const auto& v : issued)
    for (const std::string& n : v) {
      const NonceCheck c = a->check(n, "r", kNow).check;
      ASSERT_NE(c, NonceCheck::invalid);
      ok += c == NonceCheck::ok;
    }
  EXPECT_GE(ok, 1);
  EXPECT_LE(ok, 16);
}

}  // namespace
}  // namespace siplb::auth
