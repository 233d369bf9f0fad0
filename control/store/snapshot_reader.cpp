// SnapshotReader: one RocksDB snapshot, one iterator per column family in turn.
#include "snapshot_reader.hpp"

#include <rocksdb/db.h>

#include <cstdio>

#include "database.hpp"

namespace siplb::control::store {
namespace {

constexpr Family kOrder[] = {Family::dialogs, Family::destinations, Family::bindings};
constexpr SnapshotFamily kNames[] = {SnapshotFamily::dialogs, SnapshotFamily::destinations, SnapshotFamily::bindings};

}  // namespace

SnapshotReader::SnapshotReader(Database& database, uint64_t total)
    : database_(database), snapshot_(database.db().GetSnapshot()), total_(total) {}

SnapshotReader::~SnapshotReader() {
  iterator_.reset();  // before the snapshot it reads
  database_.db().ReleaseSnapshot(snapshot_);
}

bool SnapshotReader::open_family(std::size_t index) {
  if (index >= std::size(kOrder)) return false;
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  options.fill_cache = false;  // read once: do not push the working set out of the cache
  iterator_.reset(database_.db().NewIterator(options, database_.family(kOrder[index])));
  iterator_->SeekToFirst();
  family_ = index;
  return true;
}

bool SnapshotReader::next(SnapshotFamily& family, std::string_view& key, std::string_view& value) {
  if (!started_) {
    started_ = true;
    if (!open_family(0)) return false;
  } else if (iterator_) {
    iterator_->Next();
  }
  while (iterator_ && !iterator_->Valid()) {
    if (!iterator_->status().ok()) {
      std::fprintf(stderr, "siplb store: snapshot read stopped: %s\n", describe_status(iterator_->status()).c_str());
      iterator_.reset();
      return false;
    }
    if (!open_family(family_ + 1)) {
      iterator_.reset();
      return false;
    }
  }
  if (!iterator_) return false;
  family = kNames[family_];
  key = std::string_view(iterator_->key().data(), iterator_->key().size());
  value = std::string_view(iterator_->value().data(), iterator_->value().size());
  return true;
}

}  // namespace siplb::control::store
