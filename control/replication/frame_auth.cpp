// Key file checks, nonces, session key derivation and frame tags over libcrypto (see frame_auth.hpp).
#include "frame_auth.hpp"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "frame_codec.hpp"

namespace siplb::control::replication {

namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

std::optional<std::string> load_key(const std::string& path, std::string& error) {
  const std::string prefix = "replication key file " + path + ": ";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = prefix + std::strerror(errno);
    return std::nullopt;
  }
  // Checked on the open descriptor, so the file read is the file checked.
  struct stat st{};
  std::string key;
  bool ok = false;
  if (::fstat(fd, &st) != 0) {
    error = prefix + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    error = prefix + "not a regular file";
  } else if ((st.st_mode & 077) != 0) {
    error = prefix + "mode " + octal_mode(st.st_mode) +
            " lets group or others access it; the key must be private (chmod 600 " + path + ")";
  } else {
    char buffer[4096];
    ok = true;
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        error = prefix + std::strerror(errno);
        ok = false;
        break;
      }
      key.append(buffer, static_cast<std::size_t>(n));
      if (key.size() > (std::size_t{1} << 20)) {
        error = prefix + "larger than 1 MiB, not a key";
        ok = false;
        break;
      }
    }
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ' || key.back() == '\t')) {
    key.pop_back();
  }
  if (key.size() < kMinKeySize) {
    error = prefix + std::to_string(key.size()) + " bytes of key, at least " + std::to_string(kMinKeySize) +
            " needed (e.g. openssl rand -hex 32)";
    return std::nullopt;
  }
  return key;
}

std::string random_bytes(std::size_t size) {
  std::string out(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string derive_session_key(std::string_view long_term_key, const HandshakeParties& parties) {
  std::string input = "siplb-repl-1";
  input += parties.initiator_nonce;
  input += parties.responder_nonce;
  ByteWriter w(input);
  w.u32(parties.initiator_node);
  w.u32(parties.responder_node);
  w.u64(parties.initiator_epoch);
  w.u64(parties.responder_epoch);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_size = 0;
  HMAC(EVP_sha256(), long_term_key.data(), static_cast<int>(long_term_key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &out_size);
  return std::string(reinterpret_cast<const char*>(out), out_size);
}

struct FrameMac::Context {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  ~Context() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

FrameMac::FrameMac(std::string_view key) : context_(std::make_unique<Context>()) {
  context_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (context_->mac != nullptr) context_->ctx = EVP_MAC_CTX_new(context_->mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  if (context_->ctx == nullptr ||
      EVP_MAC_init(context_->ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    throw std::runtime_error("HMAC-SHA-256 unavailable in libcrypto");
  }
}

FrameMac::~FrameMac() = default;

void FrameMac::tag(Direction direction, uint64_t counter, std::string_view covered, unsigned char out[32]) {
  unsigned char prefix[9];
  prefix[0] = static_cast<unsigned char>(direction);
  for (int i = 0; i < 8; ++i) prefix[1 + i] = static_cast<unsigned char>(counter >> (56 - 8 * i));
  std::size_t out_size = 0;
  // A null key restarts the MAC with the key set in the constructor.
  if (EVP_MAC_init(context_->ctx, nullptr, 0, nullptr) != 1 || EVP_MAC_update(context_->ctx, prefix, sizeof prefix) != 1 ||
      EVP_MAC_update(context_->ctx, reinterpret_cast<const unsigned char*>(covered.data()), covered.size()) != 1 ||
      EVP_MAC_final(context_->ctx, out, &out_size, 32) != 1 || out_size != 32) {
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
}

void FrameSealer::seal(std::string& out, uint8_t type, std::string_view body) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  w.u32(static_cast<uint32_t>(body.size()));
  w.u8(type);
  w.raw(body);
  unsigned char tag[32];
  mac_.tag(direction_, counter_++, std::string_view(out).substr(start), tag);
  out.append(reinterpret_cast<const char*>(tag), sizeof tag);
}

bool FrameOpener::open(std::string_view header_and_body, std::string_view tag) {
  unsigned char expected[32];
  mac_.tag(direction_, counter_, header_and_body, expected);
  if (tag.size() != sizeof expected || CRYPTO_memcmp(expected, tag.data(), sizeof expected) != 0) return false;
  ++counter_;
  return true;
}

}  // namespace siplb::control::replication
