// The binary form of a stored dialog (control/store/dialog_record.*): key layout, round trips of
// ordinary and extreme values, and refusal of every damaged or foreign value.
#include "../../control/store/dialog_record.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace siplb::control::store {
namespace {

DialogRecord typical() {
  DialogRecord r;
  r.call_id_hash = 0x0123456789abcdefull;
  r.caller_tag_hash = 0xfedcba9876543210ull;
  r.set_id = 2;
  r.destination = "sip:10.0.0.2:5060";
  r.resources = {"calls"};
  r.phase = 3;
  r.initial_cseq = 101;
  r.callee_tag = 0x1122334455667788ull;
  r.created_unix_ms = 1'700'000'000'000;
  r.last_activity_unix_ms = 1'700'000'090'000;
  return r;
}

DialogRecord round_trip(const DialogRecord& r) {
  auto decoded = decode_dialog(encode_dialog_key(r.call_id_hash, r.caller_tag_hash), encode_dialog_value(r));
  EXPECT_TRUE(decoded.has_value());
  return decoded.value_or(DialogRecord{});
}

TEST(DialogRecord, KeyIsBothHashesBigEndian) {
  const std::string key = encode_dialog_key(0x0102030405060708ull, 0x1112131415161718ull);
  ASSERT_EQ(key.size(), kDialogKeySize);
  EXPECT_EQ(key, std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x11\x12\x13\x14\x15\x16\x17\x18", 16));
}

TEST(DialogRecord, ValueStartsWithItsRecordVersionAndIsCompact) {
  const std::string value = encode_dialog_value(typical());
  EXPECT_EQ(static_cast<uint8_t>(value[0]), kDialogRecordVersion);
  EXPECT_LE(value.size(), 48u);
}

TEST(DialogRecord, TypicalRoundTrip) { EXPECT_EQ(round_trip(typical()), typical()); }

TEST(DialogRecord, EmptyAndManyResources) {
  DialogRecord r = typical();
  r.resources.clear();
  EXPECT_EQ(round_trip(r), r);
  r.resources = {"calls", "transcoding", "", std::string(300, 'x')};
  EXPECT_EQ(round_trip(r), r);
  r.destination.clear();
  EXPECT_EQ(round_trip(r), r);
}

TEST(DialogRecord, ExtremeValues) {
  DialogRecord r = typical();
  r.call_id_hash = std::numeric_limits<uint64_t>::max();
  r.caller_tag_hash = 0;
  r.set_id = std::numeric_limits<uint32_t>::max();
  r.initial_cseq = std::numeric_limits<uint32_t>::max();
  r.callee_tag = std::numeric_limits<uint64_t>::max();
  r.phase = 255;
  r.created_unix_ms = std::numeric_limits<int64_t>::min();
  r.last_activity_unix_ms = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(round_trip(r), r);
  std::swap(r.created_unix_ms, r.last_activity_unix_ms);
  EXPECT_EQ(round_trip(r), r);
  r.created_unix_ms = -1;
  r.last_activity_unix_ms = 0;
  EXPECT_EQ(round_trip(r), r);
  r.destination = std::string(70000, 'd');  // a three-byte length
  EXPECT_EQ(round_trip(r), r);
  EXPECT_EQ(round_trip(DialogRecord{}), DialogRecord{});
}

TEST(DialogRecord, EveryTruncationIsRefused) {
  const DialogRecord r = typical();
  const std::string key = encode_dialog_key(r.call_id_hash, r.caller_tag_hash);
  const std::string value = encode_dialog_value(r);
  for (std::size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(decode_dialog(key, value.substr(0, n)).has_value()) << "length " << n;
  }
}

TEST(DialogRecord, DamagedOrForeignValuesAreRefused) {
  const DialogRecord r = typical();
  const std::string key = encode_dialog_key(r.call_id_hash, r.caller_tag_hash);
  const std::string value = encode_dialog_value(r);

  EXPECT_FALSE(decode_dialog(key.substr(0, 15), value).has_value());
  EXPECT_FALSE(decode_dialog(key + "x", value).has_value());
  EXPECT_FALSE(decode_dialog(key, value + '\0').has_value()) << "trailing byte";
  std::string other_version = value;
  other_version[0] = static_cast<char>(kDialogRecordVersion + 1);
  EXPECT_FALSE(decode_dialog(key, other_version).has_value());
  EXPECT_FALSE(decode_dialog(key, "{\"json\": true}").has_value());

  // set_id of 2^32: version, phase, then a five-byte varint.
  std::string wide_set_id = value.substr(0, 2) + std::string("\x80\x80\x80\x80\x10", 5) + value.substr(3);
  EXPECT_FALSE(decode_dialog(key, wide_set_id).has_value());
  // An eleven-byte varint.
  std::string long_varint = value.substr(0, 2) + std::string(10, '\x80') + '\x01' + value.substr(3);
  EXPECT_FALSE(decode_dialog(key, long_varint).has_value());
}

TEST(DialogRecord, HugeResourceCountIsRefusedWithoutReserving) {
  DialogRecord r = typical();
  r.resources.clear();
  std::string value = encode_dialog_value(r);
  value.pop_back();  // the count (0)
  value += std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
  EXPECT_FALSE(decode_dialog(encode_dialog_key(1, 2), value).has_value());
}

}  // namespace
}  // namespace siplb::control::store
