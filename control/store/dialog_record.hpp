// A live least-loaded dialog as the store keeps it, and its binary form in RocksDB. Pure values
// and functions (no RocksDB, no I/O): any thread.
//
// Key (16 bytes): call_id_hash then caller_tag_hash, each 8 bytes big-endian, so keys sort by
// Call-ID hash and a prefix scan over one Call-ID's dialogs stays possible.
//
// Value, record version 1 (varint = unsigned LEB128, at most 10 bytes; zigzag maps signed to
// unsigned so that small negative numbers stay short):
//   byte     record version (1); a reader refuses versions it does not know
//   byte     phase (siplb::dialog::Phase value, stored as is)
//   varint   set_id (must fit 32 bits)
//   varint   initial_cseq (must fit 32 bits)
//   8 bytes  callee_tag, little-endian (a hash: varint would not make it shorter)
//   zigzag varint  created_unix_ms
//   zigzag varint  last_activity_unix_ms - created_unix_ms (wrapping 64-bit difference: exact for
//                  any two values, a few bytes for the usual few minutes)
//   varint   destination length, then its bytes
//   varint   number of resources, then each: varint length, bytes
// Nothing may follow. A typical call ("sip:10.0.0.2:5060", {"calls"}) takes about 45 bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siplb::control::store {

struct DialogRecord {
  uint64_t call_id_hash = 0;     // key part 1
  uint64_t caller_tag_hash = 0;  // key part 2
  uint32_t set_id = 0;           // the destination's set id (config [[set]] id)
  std::string destination;       // destination URI ("sip:10.0.0.2:5060"): positions change between configs
  std::vector<std::string> resources;  // names of the LoadBoard resources the call holds ({"calls"})
  uint8_t phase = 0;             // siplb::dialog::Phase value (early/confirmed), stored as is
  uint32_t initial_cseq = 0;
  uint64_t callee_tag = 0;
  int64_t created_unix_ms = 0;
  int64_t last_activity_unix_ms = 0;

  bool operator==(const DialogRecord&) const = default;
};

inline constexpr uint8_t kDialogRecordVersion = 1;
inline constexpr std::size_t kDialogKeySize = 16;

std::string encode_dialog_key(uint64_t call_id_hash, uint64_t caller_tag_hash);
// The two hashes of a key; false when it is not kDialogKeySize octets.
bool decode_dialog_key(std::string_view key, uint64_t& call_id_hash, uint64_t& caller_tag_hash);
// The value only: the key carries the two hashes.
std::string encode_dialog_value(const DialogRecord& record);
// nullopt when the key is not 16 bytes or the value is truncated, has an unknown record version,
// an out-of-range number or trailing bytes.
std::optional<DialogRecord> decode_dialog(std::string_view key, std::string_view value);

}  // namespace siplb::control::store
