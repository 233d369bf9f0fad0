// Byte-level encoding of frames and messages (see frame_codec.hpp for the layout).
#include "frame_codec.hpp"

namespace siplb::control::replication {

uint32_t load_u32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void store_u32(unsigned char* p, uint32_t value) {
  p[0] = static_cast<unsigned char>(value >> 24);
  p[1] = static_cast<unsigned char>(value >> 16);
  p[2] = static_cast<unsigned char>(value >> 8);
  p[3] = static_cast<unsigned char>(value);
}

void ByteWriter::u32(uint32_t value) {
  unsigned char b[4];
  store_u32(b, value);
  out_.append(reinterpret_cast<const char*>(b), 4);
}

void ByteWriter::u64(uint64_t value) {
  u32(static_cast<uint32_t>(value >> 32));
  u32(static_cast<uint32_t>(value));
}

void ByteWriter::record(const Record& record) {
  u8(static_cast<uint8_t>(record.kind));
  u8(static_cast<uint8_t>(record.operation));
  u32(record.version.origin);
  u64(record.version.counter);
  bytes(record.key);
  bytes(record.value);
}

std::string_view ByteReader::raw(std::size_t size) {
  if (!ok_ || in_.size() < size) {
    ok_ = false;
    return {};
  }
  std::string_view out = in_.substr(0, size);
  in_.remove_prefix(size);
  return out;
}

uint8_t ByteReader::u8() {
  std::string_view b = raw(1);
  return ok_ ? static_cast<uint8_t>(b[0]) : 0;
}

uint32_t ByteReader::u32() {
  std::string_view b = raw(4);
  return ok_ ? load_u32(reinterpret_cast<const unsigned char*>(b.data())) : 0;
}

uint64_t ByteReader::u64() {
  uint64_t high = u32();
  return (high << 32) | u32();
}

bool ByteReader::record(Record& out) {
  std::optional<Kind> kind = kind_from_wire(u8());
  std::optional<Operation> operation = operation_from_wire(u8());
  out.version.origin = u32();
  out.version.counter = u64();
  std::string_view key = bytes();
  std::string_view value = bytes();
  if (!ok_ || !kind || !operation) return ok_ = false;
  out.kind = *kind;
  out.operation = *operation;
  out.key.assign(key);
  out.value.assign(value);
  return true;
}

FrameScan scan_frame(std::string_view buffer, FrameView& out) {
  if (buffer.size() < kFrameHeaderSize) return FrameScan::need_more;
  const auto* p = reinterpret_cast<const unsigned char*>(buffer.data());
  const std::size_t body_size = load_u32(p);
  if (body_size > kMaxFrameBody) return FrameScan::too_large;
  const std::size_t total = kFrameHeaderSize + body_size + kFrameTagSize;
  if (buffer.size() < total) return FrameScan::need_more;
  out.type = static_cast<FrameType>(p[4]);
  out.header_and_body = buffer.substr(0, kFrameHeaderSize + body_size);
  out.body = buffer.substr(kFrameHeaderSize, body_size);
  out.tag = buffer.substr(kFrameHeaderSize + body_size, kFrameTagSize);
  out.size = total;
  return FrameScan::complete;
}

void encode_hello(std::string& body, const Hello& hello) {
  ByteWriter w(body);
  w.u32(kHelloMagic);
  w.u8(kProtocolVersion);
  w.u32(hello.node_id);
  w.u64(hello.epoch);
  w.raw(hello.nonce);
}

std::optional<Hello> decode_hello(std::string_view body) {
  ByteReader r(body);
  Hello hello;
  const uint32_t magic = r.u32();
  const uint8_t version = r.u8();
  hello.node_id = r.u32();
  hello.epoch = r.u64();
  hello.nonce.assign(r.raw(kNonceSize));
  if (!r.done() || magic != kHelloMagic || version != kProtocolVersion) return std::nullopt;
  return hello;
}

void encode_position(std::string& body, const StreamPosition& position) {
  ByteWriter w(body);
  w.u64(position.epoch);
  w.u64(position.seq);
}

std::optional<StreamPosition> decode_position(std::string_view body) {
  ByteReader r(body);
  StreamPosition position;
  position.epoch = r.u64();
  position.seq = r.u64();
  if (!r.done()) return std::nullopt;
  return position;
}

void encode_sync_begin(std::string& body, const SyncBegin& begin) {
  ByteWriter w(body);
  w.u64(begin.snapshot_seq);
  w.u64(begin.total_records);
}

std::optional<SyncBegin> decode_sync_begin(std::string_view body) {
  ByteReader r(body);
  SyncBegin begin;
  begin.snapshot_seq = r.u64();
  begin.total_records = r.u64();
  if (!r.done()) return std::nullopt;
  return begin;
}

void encode_sync_end(std::string& body, const SyncEnd& end) {
  ByteWriter w(body);
  w.u64(end.snapshot_seq);
  w.u64(end.records);
}

std::optional<SyncEnd> decode_sync_end(std::string_view body) {
  ByteReader r(body);
  SyncEnd end;
  end.snapshot_seq = r.u64();
  end.records = r.u64();
  if (!r.done()) return std::nullopt;
  return end;
}

RecordBatchWriter::RecordBatchWriter(std::string& body, std::optional<uint64_t> first_seq) : body_(body) {
  ByteWriter w(body_);
  if (first_seq) w.u64(*first_seq);
  count_offset_ = body_.size();
  w.u32(0);
}

void RecordBatchWriter::add(const Record& record) {
  ByteWriter(body_).record(record);
  ++count_;
}

void RecordBatchWriter::finish() {
  store_u32(reinterpret_cast<unsigned char*>(body_.data() + count_offset_), count_);
}

bool decode_record_batch(std::string_view body, bool with_seq, uint64_t& first_seq, std::vector<Record>& out) {
  ByteReader r(body);
  first_seq = with_seq ? r.u64() : 0;
  const uint32_t count = r.u32();
  // Each record takes at least 22 bytes: a count beyond what the body can hold is a lie, and
  // reserving for it would let a peer make us allocate gigabytes.
  if (!r.ok() || count > body.size() / 22) return false;
  out.clear();
  out.resize(count);
  for (Record& record : out) {
    if (!r.record(record)) return false;
  }
  return r.done();
}

}  // namespace siplb::control::replication
