// hash_key / hash_bytes (src/balance/hash.cpp): pinned values (the hash is part of the cluster
// contract: nodes must agree), independence from alignment and seed, and statistical quality:
// uniform buckets, avalanche, no collisions on Call-ID-like keys.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "../../src/balance/hash.hpp"
#include "../../src/balance/maglev.hpp"
#include "siplb/balance/selector.hpp"

namespace siplb::balance {
namespace {

// Changing any of these changes which destination every existing call maps to, on every node:
// a breaking change that needs a release note, not a test update.
TEST(HashKey, PinnedValues) {
  const struct {
    const char* text;
    uint64_t hash;
  } kExpected[] = {
      {"", 0x4c68bdc5dabee5daull},
      {"a", 0x5b6018b85f26afdbull},
      {"abc", 0x60a58ea42ffba716ull},
      {"abcd", 0xf835823e12a43240ull},
      {"abcdefgh", 0x6a1f78096282b925ull},
      {"0123456789abcdef", 0x3da70c869d1ea5f7ull},
      {"0123456789abcdefg", 0xefc3e5819626f9cbull},
      {"a84b4c76e66710@pc33.atlanta.com", 0x414d3ea43b78f557ull},
      {"sip:alice@atlanta.com", 0x5da5c73d874ca936ull},
  };
  for (const auto& e : kExpected) EXPECT_EQ(hash_key(e.text), e.hash) << '"' << e.text << '"';
}

TEST(HashKey, IsHashBytesWithKeySeed) {
  const std::string s = "3848276298220188511@atlanta.example.com";
  EXPECT_EQ(hash_key(s), hash_bytes(s.data(), s.size(), kKeyHashSeed));
  EXPECT_NE(hash_bytes(s.data(), s.size(), kMaglevOffsetSeed), hash_bytes(s.data(), s.size(), kMaglevSkipSeed));
  EXPECT_NE(hash_bytes(s.data(), s.size(), 0), hash_bytes(s.data(), s.size(), 1));
}

TEST(HashKey, DependsOnlyOnTheBytes) {
  // The same bytes at every alignment, inside larger buffers with different neighbours.
  std::mt19937_64 rng(7);
  for (std::size_t len = 0; len <= 80; ++len) {
    std::string text(len, '\0');
    for (char& c : text) c = static_cast<char>('!' + rng() % 90);
    const uint64_t expected = hash_key(text);
    for (std::size_t shift = 0; shift < 8; ++shift) {
      std::vector<char> buffer(len + 16, static_cast<char>(shift * 31));
      std::memcpy(buffer.data() + shift, text.data(), len);
      EXPECT_EQ(hash_key(std::string_view(buffer.data() + shift, len)), expected) << len << " " << shift;
    }
  }
}

TEST(HashKey, LengthMatters) {
  // Overlapping tail reads must not make a prefix collide with the whole.
  const std::string zeros(64, '\0');
  std::unordered_set<uint64_t> seen;
  for (std::size_t len = 0; len <= zeros.size(); ++len) {
    EXPECT_TRUE(seen.insert(hash_key(std::string_view(zeros.data(), len))).second) << len;
  }
}

TEST(HashKey, NoCollisionsOnCallIds) {
  std::unordered_set<uint64_t> seen;
  seen.reserve(1 << 21);
  std::string key;
  for (uint32_t i = 0; i < 1000000; ++i) {
    key = std::to_string(i) + "@10.0.0.1";
    ASSERT_TRUE(seen.insert(hash_key(key)).second) << key;
  }
  for (uint32_t i = 0; i < 500000; ++i) {
    key = "a84b4c76e" + std::to_string(i * 2654435761u);
    ASSERT_TRUE(seen.insert(hash_key(key)).second) << key;
  }
}

// Chi-square of sequential keys over 1024 buckets, for the top bits (Maglev slot reduction) and
// the low bits. With 1023 degrees of freedom the statistic is about 1023 +- 45; 1250 is > 5 sigma.
double chi_square(const std::vector<uint64_t>& counts, double expected) {
  double chi = 0;
  for (uint64_t c : counts) chi += (c - expected) * (c - expected) / expected;
  return chi;
}

TEST(HashKey, UniformBuckets) {
  constexpr uint32_t kBuckets = 1024;
  constexpr uint32_t kKeys = 1 << 20;
  std::vector<uint64_t> high(kBuckets), low(kBuckets), slot(kBuckets);
  for (uint32_t i = 0; i < kKeys; ++i) {
    const uint64_t h = hash_key("call-" + std::to_string(i));
    ++high[h >> 54];
    ++low[h & (kBuckets - 1)];
    ++slot[maglev_slot(h, 65537) % kBuckets];
  }
  const double expected = double{kKeys} / kBuckets;
  EXPECT_LT(chi_square(high, expected), 1250);
  EXPECT_LT(chi_square(low, expected), 1250);
  EXPECT_LT(chi_square(slot, expected), 1250);
}

// Flipping one input bit flips each output bit with probability close to 1/2.
TEST(HashKey, Avalanche) {
  std::mt19937_64 rng(11);
  std::vector<uint64_t> flips(64 * 64);  // [input bit % 64][output bit]
  std::vector<uint64_t> trials(64);
  uint64_t total_flipped = 0;
  uint64_t total_trials = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::size_t len = 1 + rng() % 48;
    std::string s(len, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    const uint64_t h = hash_key(s);
    for (std::size_t bit = 0; bit < len * 8; ++bit) {
      s[bit / 8] = static_cast<char>(s[bit / 8] ^ (1 << (bit % 8)));
      const uint64_t diff = h ^ hash_key(s);
      s[bit / 8] = static_cast<char>(s[bit / 8] ^ (1 << (bit % 8)));
      total_flipped += static_cast<uint64_t>(std::popcount(diff));
      ++total_trials;
      ++trials[bit % 64];
      for (int out = 0; out < 64; ++out) flips[(bit % 64) * 64 + out] += diff >> out & 1;
    }
  }
  EXPECT_NEAR(double(total_flipped) / total_trials, 32.0, 0.1);
  double worst = 0;
  for (int in = 0; in < 64; ++in) {
    for (int out = 0; out < 64; ++out) {
      const double p = double(flips[in * 64 + out]) / trials[in];
      worst = std::max(worst, std::abs(p - 0.5));
    }
  }
  EXPECT_LT(worst, 0.03) << "some input bit does not reach some output bit evenly";
}

}  // namespace
}  // namespace siplb::balance
