// Authentication of the replication channel: the shared key file, the handshake's nonces and
// session key, and the per-frame HMAC-SHA-256 tag bound to a direction and a frame counter.
//
// Every frame's tag covers (direction label | frame counter | header | body). The counter is not
// sent: each side counts the frames it has sent and received in that direction, so a frame that
// is replayed, dropped, reordered or moved into another connection (another session key) fails
// its check. The first frame (the initiator's hello) is tagged with the long-term key (it carries
// the nonce the session key needs); everything after it with the session key.
//
// Owns: key material of one connection. A FrameSealer/FrameOpener belongs to one connection and is
// used on the I/O thread only; load_key and random_bytes are free functions for any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace siplb::control::replication {

inline constexpr std::size_t kMinKeySize = 32;

// Reads the shared key: the whole file, trailing whitespace (a newline) removed, so both raw
// random bytes and `openssl rand -hex 32` output work. Refused (nullopt, `error` names the file
// and why) when the file is not a regular file, is readable or writable by group or others
// (mode & 077), or holds fewer than kMinKeySize bytes.
std::optional<std::string> load_key(const std::string& path, std::string& error);

// Cryptographically random bytes (RAND_bytes); throws std::runtime_error if the generator fails.
std::string random_bytes(std::size_t size);

struct HandshakeParties {
  uint32_t initiator_node = 0, responder_node = 0;
  uint64_t initiator_epoch = 0, responder_epoch = 0;
  std::string initiator_nonce, responder_nonce;
};
// HMAC(key, "siplb-repl-1" | initiator nonce | responder nonce | node ids | epochs).
std::string derive_session_key(std::string_view long_term_key, const HandshakeParties& parties);

// Which way a frame travels; part of every tag so that a frame cannot be reflected back.
enum class Direction : uint8_t { hello = 'H', initiator_to_responder = 'I', responder_to_initiator = 'R' };

// One HMAC-SHA-256 key with a reusable context (no allocation per frame).
class FrameMac {
 public:
  explicit FrameMac(std::string_view key);
  ~FrameMac();
  FrameMac(const FrameMac&) = delete;
  FrameMac& operator=(const FrameMac&) = delete;
  // 32-byte tag of (direction | counter | covered).
  void tag(Direction direction, uint64_t counter, std::string_view covered, unsigned char out[32]);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Appends whole frames (header, body, tag) and counts them.
class FrameSealer {
 public:
  FrameSealer(std::string_view key, Direction direction) : mac_(key), direction_(direction) {}
  // Appends a frame of `type` with `body` to `out`.
  void seal(std::string& out, uint8_t type, std::string_view body);
  uint64_t frames() const { return counter_; }

 private:
  FrameMac mac_;
  Direction direction_;
  uint64_t counter_ = 0;
};

// Checks received frames in order (constant-time comparison) and counts them.
class FrameOpener {
 public:
  FrameOpener(std::string_view key, Direction direction) : mac_(key), direction_(direction) {}
  // True when the tag matches this direction's next frame; the counter moves on only then.
  bool open(std::string_view header_and_body, std::string_view tag);

 private:
  FrameMac mac_;
  Direction direction_;
  uint64_t counter_ = 0;
};

}  // namespace siplb::control::replication
