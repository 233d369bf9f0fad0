// Units of control/replication/: version order, frame codec, ring log, key file checks, frame tags.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "frame_auth.hpp"
#include "frame_codec.hpp"
#include "record.hpp"
#include "ring_log.hpp"

namespace siplb::control::replication {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "siplb-repl-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content, mode_t mode) const {
    const std::string path = path_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }

 private:
  std::string path_;
};

TEST(ReplicationVersion, HigherCounterWinsThenHigherOrigin) {
  EXPECT_TRUE(newer({5, 1}, {4, 2}));
  EXPECT_FALSE(newer({4, 2}, {5, 1}));
  EXPECT_TRUE(newer({5, 2}, {5, 1}));   // tie on counter: higher origin wins, on both nodes
  EXPECT_FALSE(newer({5, 1}, {5, 2}));
  EXPECT_FALSE(newer({5, 1}, {5, 1}));  // the same record again is refused
  EXPECT_TRUE(newer({1, 1}, {}));       // anything beats "nothing stored"
}

TEST(ReplicationCodec, RecordBatchRoundTripsAndRejectsDamage) {
  std::string body;
  RecordBatchWriter batch(body, uint64_t{42});
  const Record put = Record::put(Kind::binding, "aor:alice", std::string("v\0x", 3), {7, 1});
  const Record erase = Record::erase(Kind::destination, "d1", {8, 2});
  batch.add(put);
  batch.add(erase);
  batch.finish();
  uint64_t first = 0;
  std::vector<Record> out;
  ASSERT_TRUE(decode_record_batch(body, true, first, out));
  EXPECT_EQ(first, 42u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], put);
  EXPECT_EQ(out[1], erase);
  EXPECT_FALSE(decode_record_batch(body.substr(0, body.size() - 1), true, first, out));  // truncated
  EXPECT_FALSE(decode_record_batch(body + "x", true, first, out));                       // trailing byte
  std::string bad_kind = body;
  bad_kind[12] = 99;  // first record's kind
  EXPECT_FALSE(decode_record_batch(bad_kind, true, first, out));
  std::string huge_count = body;
  huge_count[8] = 0x7f;  // a count the body cannot hold
  EXPECT_FALSE(decode_record_batch(huge_count, true, first, out));
}

TEST(ReplicationCodec, FrameScanWaitsForWholeFramesAndRefusesHugeOnes) {
  FrameSealer sealer(std::string(32, 'k'), Direction::initiator_to_responder);
  std::string wire;
  sealer.seal(wire, static_cast<uint8_t>(FrameType::ack), "12345678abcdefgh");
  FrameView view{};
  EXPECT_EQ(scan_frame(std::string_view(wire).substr(0, wire.size() - 1), view), FrameScan::need_more);
  ASSERT_EQ(scan_frame(wire, view), FrameScan::complete);
  EXPECT_EQ(view.type, FrameType::ack);
  EXPECT_EQ(view.body, "12345678abcdefgh");
  EXPECT_EQ(view.size, wire.size());
  std::string huge = wire;
  huge[0] = static_cast<char>(0x80);
  EXPECT_EQ(scan_frame(huge, view), FrameScan::too_large);
}

TEST(ReplicationAuth, TagsBindKeyDirectionAndCounter) {
  const std::string key(32, 'k');
  FrameSealer sealer(key, Direction::initiator_to_responder);
  std::string first, second;
  sealer.seal(first, 8, "body");
  sealer.seal(second, 8, "body");
  EXPECT_NE(first, second);  // same content, next counter: another tag
  auto split = [](const std::string& frame) {
    FrameView view{};
    EXPECT_EQ(scan_frame(frame, view), FrameScan::complete);
    return view;
  };
  {
    FrameOpener opener(key, Direction::initiator_to_responder);
    EXPECT_FALSE(opener.open(split(second).header_and_body, split(second).tag));  // out of order
    EXPECT_TRUE(opener.open(split(first).header_and_body, split(first).tag));
    EXPECT_FALSE(opener.open(split(first).header_and_body, split(first).tag));    // replayed
    EXPECT_TRUE(opener.open(split(second).header_and_body, split(second).tag));
  }
  FrameOpener reflected(key, Direction::responder_to_initiator);
  EXPECT_FALSE(reflected.open(split(first).header_and_body, split(first).tag));
  FrameOpener other_key(std::string(32, 'j'), Direction::initiator_to_responder);
  EXPECT_FALSE(other_key.open(split(first).header_and_body, split(first).tag));
}

TEST(ReplicationAuth, SessionKeyDependsOnBothNonces) {
  HandshakeParties parties{1, 2, 10, 20, random_bytes(kNonceSize), random_bytes(kNonceSize)};
  const std::string key(32, 'k');
  const std::string a = derive_session_key(key, parties);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, derive_session_key(key, parties));
  HandshakeParties other = parties;
  other.responder_nonce = random_bytes(kNonceSize);
  EXPECT_NE(a, derive_session_key(key, other));
}

TEST(ReplicationKeyFile, PrivateFileIsReadAndOthersRefused) {
  TempDir dir;
  std::string error;
  const std::string good = dir.file("key", std::string(40, 'a') + "\n", 0600);
  std::optional<std::string> key = load_key(good, error);
  ASSERT_TRUE(key) << error;
  EXPECT_EQ(*key, std::string(40, 'a'));  // trailing newline dropped

  const std::string shared = dir.file("shared.key", std::string(40, 'a'), 0644);
  EXPECT_FALSE(load_key(shared, error));
  EXPECT_NE(error.find(shared), std::string::npos) << error;
  EXPECT_NE(error.find("0644"), std::string::npos) << error;

  const std::string group = dir.file("group.key", std::string(40, 'a'), 0640);
  EXPECT_FALSE(load_key(group, error));
  EXPECT_NE(error.find(group), std::string::npos) << error;

  const std::string short_key = dir.file("short.key", "secret\n", 0600);
  EXPECT_FALSE(load_key(short_key, error));
  EXPECT_NE(error.find(short_key), std::string::npos) << error;
  EXPECT_NE(error.find("at least 32"), std::string::npos) << error;

  EXPECT_FALSE(load_key(good + ".missing", error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(ReplicationRing, KeepsUnackedRecordsInOrderAndOverwritesWhenFull) {
  RingLog ring(4);
  auto t0 = RingLog::Clock::now();
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(ring.append(Record::put(Kind::dialog, std::to_string(i), "v", {uint64_t(i), 1}), t0), uint64_t(i));
  }
  std::string body;
  RecordBatchWriter batch(body, uint64_t{2});
  EXPECT_EQ(ring.read(2, 10, 1 << 20, batch), RingLog::ReadResult::records);
  EXPECT_EQ(batch.count(), 2u);
  EXPECT_TRUE(ring.holds_after(0));
  EXPECT_TRUE(ring.holds_after(3));
  EXPECT_FALSE(ring.holds_after(4));  // beyond what was appended
  EXPECT_EQ(ring.acknowledge(2), 2u);
  RingLog::Positions p = ring.positions(t0 + std::chrono::milliseconds(30));
  EXPECT_EQ(p.last_appended, 3u);
  EXPECT_EQ(p.acknowledged, 2u);
  EXPECT_EQ(p.held, 1u);
  EXPECT_EQ(p.oldest_unacked_age.count(), 30);
  for (int i = 4; i <= 8; ++i) ring.append(Record::put(Kind::dialog, std::to_string(i), "v", {uint64_t(i), 1}), t0);
  p = ring.positions(t0);
  EXPECT_EQ(p.held, 4u);
  EXPECT_EQ(p.first_held, 5u);
  EXPECT_EQ(p.overwritten, 2u);  // 3 and 4 were never acknowledged
  EXPECT_FALSE(ring.holds_after(2));
  EXPECT_TRUE(ring.holds_after(4));
  std::string body2;
  RecordBatchWriter batch2(body2, uint64_t{3});
  EXPECT_EQ(ring.read(3, 10, 1 << 20, batch2), RingLog::ReadResult::overwritten);
  std::string body3;
  RecordBatchWriter batch3(body3, uint64_t{9});
  EXPECT_EQ(ring.read(9, 10, 1 << 20, batch3), RingLog::ReadResult::nothing_new);
}

}  // namespace
}  // namespace siplb::control::replication
