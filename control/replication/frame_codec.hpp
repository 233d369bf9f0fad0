// The replication channel's wire format: frames and the messages inside them (no crypto here; the
// tag is computed and checked by frame_auth.hpp).
//
//   frame   = length u32 | type u8 | body (length bytes) | tag (32 bytes, HMAC-SHA-256)
//   integers are big-endian; byte strings are length u32 | bytes.
//   record  = kind u8 | operation u8 | origin u32 | version u64 | key bytes | value bytes
//
// Owns: pure encoding and decoding, no state; any thread (the I/O thread and the sync thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record.hpp"

namespace siplb::control::replication {

inline constexpr std::size_t kFrameHeaderSize = 5;  // length u32, type u8
inline constexpr std::size_t kFrameTagSize = 32;    // HMAC-SHA-256
// A longer frame is refused before it is read: chunks are far smaller, so this is a broken or
// hostile peer, and the receiver must not buffer gigabytes on its word.
inline constexpr std::size_t kMaxFrameBody = std::size_t{16} << 20;
inline constexpr std::size_t kNonceSize = 32;
inline constexpr uint32_t kHelloMagic = 0x534c5250;  // "SLRP"
inline constexpr uint8_t kProtocolVersion = 1;

enum class FrameType : uint8_t {
  hello_initiator = 1,  // connecting node: who it is and its nonce (tagged with the long-term key)
  hello_responder = 2,  // accepting node: who it is and its nonce (tagged with the session key)
  resume = 3,           // "I applied your stream of epoch E up to sequence S"
  records = 4,          // live records with consecutive sequence numbers
  sync_begin = 5,       // a full sync starts; the snapshot covers the sender's stream up to S
  sync_chunk = 6,       // snapshot records (no sequence numbers)
  sync_end = 7,         // the snapshot is complete
  ack = 8,              // "I applied your stream of epoch E up to sequence S"
};

// Appends big-endian integers and length-prefixed byte strings to a buffer.
class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void u8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(uint32_t value);
  void u64(uint64_t value);
  void raw(std::string_view bytes) { out_.append(bytes); }
  void bytes(std::string_view bytes) { u32(static_cast<uint32_t>(bytes.size())); raw(bytes); }
  void record(const Record& record);

 private:
  std::string& out_;
};

// Reads what ByteWriter wrote; every read checks the bounds and turns the reader bad (sticky).
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  std::string_view raw(std::size_t size);
  std::string_view bytes() { return raw(u32()); }
  bool record(Record& out);  // false (and bad) on truncation or an unknown kind/operation
  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }  // everything read, nothing left over

 private:
  std::string_view in_;
  bool ok_ = true;
};

uint32_t load_u32(const unsigned char* p);
void store_u32(unsigned char* p, uint32_t value);

// Splits frames out of received bytes.
struct FrameView {
  FrameType type;
  std::string_view header_and_body;  // what the tag covers (with the direction and counter)
  std::string_view body;
  std::string_view tag;
  std::size_t size;  // of the whole frame
};
enum class FrameScan : uint8_t { complete, need_more, too_large };
FrameScan scan_frame(std::string_view buffer, FrameView& out);

// Messages. encode_* append a frame's body; decode_* return nullopt on a malformed body.
struct Hello {
  uint32_t node_id = 0;
  uint64_t epoch = 0;  // the sender's stream epoch (random per channel start)
  std::string nonce;   // kNonceSize bytes
};
void encode_hello(std::string& body, const Hello& hello);
std::optional<Hello> decode_hello(std::string_view body);

struct StreamPosition {  // resume and ack
  uint64_t epoch = 0;  // 0: nothing applied from the peer (ask for a full sync)
  uint64_t seq = 0;
};
void encode_position(std::string& body, const StreamPosition& position);
std::optional<StreamPosition> decode_position(std::string_view body);

struct SyncBegin {
  uint64_t snapshot_seq = 0;  // the snapshot covers every record up to this one
  uint64_t total_records = 0;  // the provider's estimate, kUnknownTotal when it gave none
};
inline constexpr uint64_t kUnknownTotal = ~uint64_t{0};
void encode_sync_begin(std::string& body, const SyncBegin& begin);
std::optional<SyncBegin> decode_sync_begin(std::string_view body);

struct SyncEnd {
  uint64_t snapshot_seq = 0;
  uint64_t records = 0;  // sent in the chunks, checked by the receiver
};
void encode_sync_end(std::string& body, const SyncEnd& end);
std::optional<SyncEnd> decode_sync_end(std::string_view body);

// records: first_seq u64 | count u32 | record*; sync_chunk: count u32 | record*.
// The count is patched when the batch is finished, so records can be appended one by one.
class RecordBatchWriter {
 public:
  RecordBatchWriter(std::string& body, std::optional<uint64_t> first_seq);
  void add(const Record& record);
  uint32_t count() const { return count_; }
  std::size_t size() const { return body_.size(); }
  void finish();  // writes the count

 private:
  std::string& body_;
  std::size_t count_offset_;
  uint32_t count_ = 0;
};
// Decodes a records (with_seq) or sync_chunk body; false when malformed.
bool decode_record_batch(std::string_view body, bool with_seq, uint64_t& first_seq, std::vector<Record>& out);

}  // namespace siplb::control::replication
