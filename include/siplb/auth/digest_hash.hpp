// MD5 and SHA-256 for HTTP Digest (RFC 7616 3.4.1), lower-case hex out, and the HMAC-SHA-256 that
// signs nonces. Everything here lives on the caller's stack: no heap, no lock, no syscall, so a
// worker may hash per packet. Any thread.
//
// Why not EVP_MD_CTX: OpenSSL 3.0's EVP_DigestInit_ex2() frees and re-creates the provider context
// on every init, one malloc per hash even with a pre-fetched EVP_MD and a kept EVP_MD_CTX
// (measured on Debian 12's 3.0.x), so a per-thread EVP workspace would still allocate per request.
// libcrypto's one-shot contexts (MD5_CTX, SHA256_CTX: plain structs, still the assembly cores) do
// not; they are deprecated in 3.0 but present in every 3.x, and only digest_hash.cpp touches them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace siplb::auth {

// The digest algorithms siplb answers (RFC 7616 3.3, RFC 8760). The -sess variants are refused.
enum class Algorithm : uint8_t { md5, sha256 };

constexpr std::size_t digest_size(Algorithm a) { return a == Algorithm::md5 ? 16 : 32; }
constexpr std::size_t hex_size(Algorithm a) { return 2 * digest_size(a); }
// "MD5", "SHA-256": as written in the algorithm= parameter.
std::string_view algorithm_name(Algorithm a);

// A digest as lower-case hex, the form every Digest computation feeds back in (HA1, HA2, response).
struct HexDigest {
  char text[64] = {};
  uint8_t length = 0;
  std::string_view view() const { return {text, length}; }
};

// Lower-case hex of `n` octets into `out` (2 * n chars, no terminator).
void to_hex(const uint8_t* in, std::size_t n, char* out);

// An incremental hash of one algorithm. Lives on the stack; update() any number of times, then
// finish once.
class Hasher {
 public:
  explicit Hasher(Algorithm a);
  void update(std::string_view text);
  void update(const void* data, std::size_t n);
  // digest_size(algorithm) octets into out.
  void finish(uint8_t* out);
  HexDigest finish_hex();
  Algorithm algorithm() const { return algorithm_; }

 private:
  Algorithm algorithm_;
  alignas(16) unsigned char state_[128];  // MD5_CTX or SHA256_CTX (sizes checked in the .cpp)
};

// H(parts[0] ":" parts[1] ":" ...): the colon-joined hashes of RFC 7616 (A1, A2, response).
HexDigest hash_joined(Algorithm a, std::initializer_list<std::string_view> parts);

// HMAC-SHA-256 with a key fixed at construction: the padded inner and outer states are hashed
// once there, so each mac() costs two compressions plus the data and copies two plain structs.
// Immutable after construction: any number of threads may call mac() at once.
class HmacSha256 {
 public:
  static constexpr std::size_t kSize = 32;
  HmacSha256(const uint8_t* key, std::size_t key_length);
  // MAC of the concatenation of `parts`.
  void mac(std::initializer_list<std::string_view> parts, uint8_t out[kSize]) const;

 private:
  alignas(16) unsigned char inner_[128];
  alignas(16) unsigned char outer_[128];
};

// Equality of two texts in time that depends on their length only, not on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace siplb::auth
