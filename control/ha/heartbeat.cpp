// Heartbeat encoding and HMAC-SHA-256 authentication (libcrypto's one-shot HMAC()).
#include "heartbeat.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

namespace siplb::control::ha {
namespace {

constexpr std::size_t kMacOffset = 40;
constexpr std::size_t kMacSize = 32;
static_assert(kMacOffset + kMacSize == kHeartbeatSize);
constexpr uint8_t kMagic[4] = {'S', 'L', 'H', 'A'};

enum Flag : uint8_t {
  kHealthy = 1u << 0,
  kTakeoverRequest = 1u << 1,
  kLeaving = 1u << 2,
  kHearsPeer = 1u << 3,
  kLostSplitBrain = 1u << 4,
  kSplitBrainAck = 1u << 5,
};

void put32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
void put64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
uint32_t get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | p[i];
  return v;
}
uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void mac(const std::string& key, const uint8_t* data, uint8_t* out) {
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data, kMacOffset, out, &length);
}

}  // namespace

HeartbeatBytes HeartbeatCodec::encode(const Heartbeat& h) const {
  HeartbeatBytes b{};
  std::memcpy(b.data(), kMagic, sizeof kMagic);
  b[4] = kHeartbeatVersion;
  b[5] = static_cast<uint8_t>(h.role);
  b[6] = static_cast<uint8_t>((h.healthy ? kHealthy : 0) | (h.takeover_request ? kTakeoverRequest : 0) |
                              (h.leaving ? kLeaving : 0) | (h.hears_peer ? kHearsPeer : 0) |
                              (h.lost_split_brain ? kLostSplitBrain : 0) |
                              (h.split_brain_ack ? kSplitBrainAck : 0));
  b[7] = h.priority;
  put32(&b[8], h.node_id);
  put32(&b[12], 0);
  put64(&b[16], h.boot_id);
  put64(&b[24], h.counter);
  put64(&b[32], h.epoch);
  mac(key_, b.data(), &b[kMacOffset]);
  return b;
}

DecodeResult HeartbeatCodec::decode(std::span<const uint8_t> d, Heartbeat& out) const {
  if (d.size() != kHeartbeatSize || std::memcmp(d.data(), kMagic, sizeof kMagic) != 0) {
    return DecodeResult::malformed;
  }
  uint8_t expected[kMacSize];
  mac(key_, d.data(), expected);
  if (CRYPTO_memcmp(expected, &d[kMacOffset], kMacSize) != 0) return DecodeResult::bad_mac;
  if (d[4] != kHeartbeatVersion || d[5] >= kRoleCount) return DecodeResult::unsupported;
  out.role = static_cast<Role>(d[5]);
  out.healthy = d[6] & kHealthy;
  out.takeover_request = d[6] & kTakeoverRequest;
  out.leaving = d[6] & kLeaving;
  out.hears_peer = d[6] & kHearsPeer;
  out.lost_split_brain = d[6] & kLostSplitBrain;
  out.split_brain_ack = d[6] & kSplitBrainAck;
  out.priority = d[7];
  out.node_id = get32(&d[8]);
  out.boot_id = get64(&d[16]);
  out.counter = get64(&d[24]);
  out.epoch = get64(&d[32]);
  return DecodeResult::ok;
}

}  // namespace siplb::control::ha
