// Digest authentication costs on the packet path (src/auth/), one thread unless said:
//
//   BM_verify/sha256, /md5    verify() of a valid REGISTER (credentials found, nonce HMAC checked,
//                             subscriber found among 100000, response computed and compared, nc
//                             advanced): every call returns ok. Each timed batch is 256 REGISTERs
//                             with nc 1..256 on a fresh nonce, built untimed (manual time);
//                             ns_per_op is the cost of one verify()
//   BM_verify_bad_response    SHA-256 with a wrong password (hashed, one failure counted per call)
//   BM_parse_credentials      the Authorization value alone into views
//   BM_nonce_issue            NonceAuthority::issue (HMAC-SHA-256, one slot CAS), 1 and 2 threads
//   BM_challenge_fresh        write_fresh_challenge: a nonce and both challenge lines
//   BM_challenge_write        write_challenge with a given nonce (the text alone)
//   BM_subscriber_find        SubscriberTable::find among 100000 subscribers
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "siplb/auth/challenge.hpp"
#include "siplb/auth/credentials.hpp"
#include "siplb/auth/nonce.hpp"
#include "siplb/auth/subscriber.hpp"
#include "siplb/auth/verify.hpp"
#include "siplb/sip/message.hpp"
#include "siplb/sip/parser.hpp"

namespace {

using namespace siplb::auth;
namespace sip = siplb::sip;

constexpr uint64_t kNow = 1'700'000'000;
constexpr std::string_view kRealm = "example.com";

struct Fixture {
  std::unique_ptr<NonceAuthority> nonces;
  SubscriberTable table;
  Fixture() {
    NonceSettings s;
    s.slots = 65536;
    nonces = NonceAuthority::create(s, nullptr);
    for (int i = 0; i < 100000; ++i) {
      const std::string user = "user" + std::to_string(i);
      table.add({.username = user, .domain = kRealm, .password = "pw" + std::to_string(i), .has_password = true});
    }
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

struct Parsed {
  std::string text;
  sip::Message m;
};

std::string authorization(Algorithm a, std::string_view user, std::string_view password, std::string_view nonce,
                          uint32_t nc) {
  char nc_text[9];
  std::snprintf(nc_text, sizeof nc_text, "%08x", nc);
  const std::string uri = "sip:example.com";
  const HexDigest ha1 = compute_ha1(a, user, kRealm, password);
  const HexDigest r = expected_response(a, ha1.view(), nonce, nc_text, "0a4f113b", "auth", "REGISTER", uri);
  return "Authorization: Digest username=\"" + std::string(user) + "\", realm=\"example.com\", nonce=\"" +
         std::string(nonce) + "\", uri=\"" + uri + "\", response=\"" + std::string(r.view()) + "\", algorithm=" +
         std::string(algorithm_name(a)) + ", cnonce=\"0a4f113b\", nc=" + nc_text + ", qop=auth";
}

std::unique_ptr<Parsed> make_register(const std::string& auth_line) {
  auto p = std::make_unique<Parsed>();
  p->text =
      "REGISTER sip:example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
      "Max-Forwards: 70\r\n"
      "To: <sip:user42@example.com>\r\n"
      "From: <sip:user42@example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710@10.0.0.1\r\n"
      "CSeq: 2 REGISTER\r\n"
      "Contact: <sip:user42@10.0.0.1:5060>;expires=3600\r\n"
      "User-Agent: bench\r\n" +
      auth_line + "\r\nContent-Length: 0\r\n\r\n";
  if (sip::parse(p->text.data(), p->text.size(), p->m) != sip::ParseError::none) return nullptr;
  return p;
}

void run_verify(benchmark::State& state, Algorithm a, std::string_view password, Verdict want) {
  Fixture& f = fixture();
  constexpr uint32_t kBatch = 256;
  double total_ns = 0;
  uint64_t count = 0;
  std::vector<std::unique_ptr<Parsed>> batch(kBatch);
  for (auto _ : state) {
    const NonceText nonce = f.nonces->issue(kRealm, kNow);
    for (uint32_t i = 0; i < kBatch; ++i) batch[i] = make_register(authorization(a, "user42", password, nonce.view(), i + 1));
    bool all = true;
    const auto t0 = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < kBatch; ++i) {
      const VerifyResult r = verify({&batch[i]->m, Challenger::www, kRealm, {}, kNow}, f.table, *f.nonces);
      all &= r.verdict == want;
      benchmark::DoNotOptimize(r);
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (!all) {
      state.SkipWithError("unexpected verdict");
      break;
    }
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    state.SetIterationTime(ns * 1e-9);
    total_ns += ns;
    count += kBatch;
  }
  state.counters["ns_per_op"] = count ? total_ns / static_cast<double>(count) : 0;
  state.SetItemsProcessed(static_cast<int64_t>(count));
}

void BM_verify_sha256(benchmark::State& state) { run_verify(state, Algorithm::sha256, "pw42", Verdict::ok); }
void BM_verify_md5(benchmark::State& state) { run_verify(state, Algorithm::md5, "pw42", Verdict::ok); }
void BM_verify_bad_response(benchmark::State& state) {
  // retries = 0: the nonce never gives up, so every call hashes and counts a failure.
  Fixture& f = fixture();
  NonceSettings s;
  s.retries = 0;
  auto nonces = NonceAuthority::create(s, nullptr);
  const NonceText nonce = nonces->issue(kRealm, kNow);
  auto msg = make_register(authorization(Algorithm::sha256, "user42", "wrong", nonce.view(), 1));
  for (auto _ : state) {
    const VerifyResult r = verify({&msg->m, Challenger::www, kRealm, {}, kNow}, f.table, *nonces);
    if (r.verdict != Verdict::bad_response) {
      state.SkipWithError("unexpected verdict");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["ns_per_op"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_verify_sha256)->Name("BM_verify/sha256")->UseManualTime();
BENCHMARK(BM_verify_md5)->Name("BM_verify/md5")->UseManualTime();
BENCHMARK(BM_verify_bad_response);

void BM_parse_credentials(benchmark::State& state) {
  const std::string line = authorization(Algorithm::sha256, "user42", "pw42", std::string(kNonceLength, 'a'), 1);
  const std::string_view value = std::string_view(line).substr(line.find(':') + 2);
  for (auto _ : state) {
    Credentials c;
    benchmark::DoNotOptimize(parse_credentials(value, c));
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_parse_credentials);

void BM_nonce_issue(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.nonces->issue(kRealm, kNow));
}
BENCHMARK(BM_nonce_issue)->Threads(1)->Threads(2);

void BM_challenge_fresh(benchmark::State& state) {
  Fixture& f = fixture();
  char buf[512];
  for (auto _ : state) {
    benchmark::DoNotOptimize(write_fresh_challenge(buf, sizeof buf, {.realm = kRealm}, *f.nonces, kNow));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_challenge_fresh);

void BM_challenge_write(benchmark::State& state) {
  char buf[512];
  const std::string nonce(kNonceLength, 'a');
  for (auto _ : state) {
    benchmark::DoNotOptimize(write_challenge(buf, sizeof buf, {.realm = kRealm, .nonce = nonce, .stale = true}));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_challenge_write);

void BM_subscriber_find(benchmark::State& state) {
  Fixture& f = fixture();
  std::vector<std::string> users;
  for (int i = 0; i < 1024; ++i) users.push_back("user" + std::to_string(i * 97));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.table.find(users[i++ & 1023], kRealm));
  }
}
BENCHMARK(BM_subscriber_find);

}  // namespace

BENCHMARK_MAIN();
