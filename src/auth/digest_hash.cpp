// Hashes over libcrypto's plain MD5/SHA-256 contexts (see digest_hash.hpp for why not EVP).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "siplb/auth/digest_hash.hpp"

#include <openssl/md5.h>
#include <openssl/sha.h>

#include <cstring>

namespace siplb::auth {

static_assert(sizeof(MD5_CTX) <= 128 && sizeof(SHA256_CTX) <= 128, "Hasher::state_ too small");
static_assert(alignof(MD5_CTX) <= 16 && alignof(SHA256_CTX) <= 16);

namespace {
MD5_CTX* md5(unsigned char* s) { return reinterpret_cast<MD5_CTX*>(s); }
SHA256_CTX* sha(unsigned char* s) { return reinterpret_cast<SHA256_CTX*>(s); }
const SHA256_CTX* sha(const unsigned char* s) { return reinterpret_cast<const SHA256_CTX*>(s); }
}  // namespace

std::string_view algorithm_name(Algorithm a) { return a == Algorithm::md5 ? "MD5" : "SHA-256"; }

void to_hex(const uint8_t* in, std::size_t n, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[in[i] >> 4];
    out[2 * i + 1] = kDigits[in[i] & 15];
  }
}

Hasher::Hasher(Algorithm a) : algorithm_(a) {
  if (a == Algorithm::md5)
    MD5_Init(md5(state_));
  else
    SHA256_Init(sha(state_));
}

void Hasher::update(const void* data, std::size_t n) {
  if (algorithm_ == Algorithm::md5)
    MD5_Update(md5(state_), data, n);
  else
    SHA256_Update(sha(state_), data, n);
}

void Hasher::update(std::string_view text) { update(text.data(), text.size()); }

void Hasher::finish(uint8_t* out) {
  if (algorithm_ == Algorithm::md5)
    MD5_Final(out, md5(state_));
  else
    SHA256_Final(out, sha(state_));
}

HexDigest Hasher::finish_hex() {
  uint8_t raw[32];
  finish(raw);
  HexDigest h;
  h.length = static_cast<uint8_t>(hex_size(algorithm_));
  to_hex(raw, digest_size(algorithm_), h.text);
  return h;
}

HexDigest hash_joined(Algorithm a, std::initializer_list<std::string_view> parts) {
  Hasher h(a);
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) h.update(":", 1);
    first = false;
    h.update(p);
  }
  return h.finish_hex();
}

HmacSha256::HmacSha256(const uint8_t* key, std::size_t key_length) {
  uint8_t block[SHA256_CBLOCK] = {};
  if (key_length > sizeof block) {
    SHA256(key, key_length, block);  // RFC 2104: a long key is hashed first
  } else if (key_length > 0) {
    std::memcpy(block, key, key_length);
  }
  uint8_t pad[SHA256_CBLOCK];
  for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(sha(inner_));
  SHA256_Update(sha(inner_), pad, sizeof pad);
  for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(sha(outer_));
  SHA256_Update(sha(outer_), pad, sizeof pad);
}

void HmacSha256::mac(std::initializer_list<std::string_view> parts, uint8_t out[kSize]) const {
  SHA256_CTX c = *sha(inner_);
  for (std::string_view p : parts) SHA256_Update(&c, p.data(), p.size());
  uint8_t inner_digest[kSize];
  SHA256_Final(inner_digest, &c);
  c = *sha(outer_);
  SHA256_Update(&c, inner_digest, sizeof inner_digest);
  SHA256_Final(out, &c);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace siplb::auth
