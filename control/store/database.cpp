#include "database.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>

#include "rocksdb_logger.hpp"

namespace siplb::control::store {
namespace {

namespace fs = std::filesystem;

std::string one_line(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// "No space left on device" -> "no space left on device", like the rest of our messages.
std::string errno_cause(int error_number) {
  if (error_number == EPERM) error_number = EACCES;
  std::string text = std::strerror(error_number);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// RocksDB recovers from a full disk by itself only once a whole memtable's worth of space is free,
// looking every five seconds. The store's writer resumes it instead (at most once a second, on
// its next batch), which also covers errors that have no automatic recovery.
class ResumedByTheWriter : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// The options, chosen for this write pattern: records of a few dozen bytes, a put when a call is
// answered and a delete when it ends (a few thousand a second at most), one writer thread, and a
// process whose cores belong to the packet workers.
rocksdb::DBOptions database_options(std::shared_ptr<RocksdbLogger> logger) {
  rocksdb::DBOptions o;
  // Warnings and errors to stderr, no LOG file (rocksdb_logger.hpp says why).
  o.info_log = std::move(logger);
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  o.listeners.push_back(std::make_shared<ResumedByTheWriter>());
  // One flush and one compaction at a time keep up with this rate; more would only take cores.
  o.max_background_jobs = 2;
  o.max_subcompactions = 1;
  // The WAL is shared by all column families: a rarely written one (destinations) would keep old
  // WAL files alive for ever. Past this size RocksDB flushes it, so the WAL (and the replay at
  // start) stays small.
  o.max_total_wal_size = 64ull << 20;
  o.db_write_buffer_size = 32ull << 20;  // all memtables together
  // After a crash, replay the WAL up to its last intact record (the RocksDB default, said here
  // because the durability modes depend on it).
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  return o;
}

rocksdb::ColumnFamilyOptions family_options(const std::shared_ptr<rocksdb::Cache>& block_cache) {
  rocksdb::ColumnFamilyOptions o;
  // A modest memtable: 8 MiB take about 100k dialog writes and flush in a blink.
  o.write_buffer_size = 8ull << 20;
  o.max_write_buffer_number = 2;
  o.target_file_size_base = 8ull << 20;
  o.max_bytes_for_level_base = 32ull << 20;
  o.level_compaction_dynamic_level_bytes = true;
  // LZ4 costs little CPU and the records repeat URIs and resource names; without it (a RocksDB
  // built without LZ4) store them plainly rather than paying for a heavier codec.
  const auto supported = rocksdb::GetSupportedCompressions();
  const bool lz4 = std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  o.compression = lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  // Most dialogs are deleted soon after they are written: files full of tombstones are compacted
  // early instead of slowing the scan at start-up.
  o.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(/*sliding_window_size=*/16384, /*deletion_trigger=*/8192));
  // Reads happen at start-up only (full scans): a small shared cache is enough.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = block_cache;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return o;
}

// A path without trailing separators, so that parent_path() is the real parent.
fs::path without_trailing_separator(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (p.has_parent_path() && p.filename().empty()) p = p.parent_path();
  return p;
}

// Makes sure `dir` is a directory we may use, creating it (mode 0700, parents not created).
// Returns the cause when it is not.
std::optional<std::string> prepare_directory(const std::string& dir) {
  if (dir.empty()) return "no directory given";
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return "not a directory";
    // RocksDB would say the same later, in several lines about its LOCK file.
    if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) return errno_cause(errno);
    return std::nullopt;
  }
  if (errno != ENOENT) {
    if (errno == ENOTDIR) return "a parent of it is not a directory";
    return errno_cause(errno);
  }
  fs::path parent = without_trailing_separator(dir).parent_path();
  if (parent.empty()) parent = ".";
  if (::stat(parent.c_str(), &st) != 0) {
    if (errno == ENOENT) return "parent directory " + parent.string() + " does not exist";
    return "parent directory " + parent.string() + ": " + errno_cause(errno);
  }
  if (!S_ISDIR(st.st_mode)) return "parent " + parent.string() + " is not a directory";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errno_cause(errno);
  return std::nullopt;
}

// What the directory holds: a database (CURRENT exists), nothing of value (empty, or only what an
// interrupted creation leaves behind: RocksDB writes CURRENT last), or something else.
enum class DirectoryContent { database, fresh, damaged_database, foreign };

DirectoryContent inspect_directory(const std::string& dir, std::error_code& ec) {
  bool data_files = false, foreign_files = false;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "CURRENT") return DirectoryContent::database;
    const bool leftover = name == "LOCK" || name == "IDENTITY" || name.starts_with("LOG") ||
                          name.starts_with("MANIFEST-") || name.starts_with("OPTIONS-") ||
                          name.ends_with(".dbtmp");
    if (leftover) continue;
    if (name.ends_with(".sst") || name.ends_with(".log") || name.ends_with(".blob")) {
      data_files = true;
    } else {
      foreign_files = true;
    }
  }
  if (data_files) return DirectoryContent::damaged_database;
  return foreign_files ? DirectoryContent::foreign : DirectoryContent::fresh;
}

bool is_ours(std::string_view family) {
  return family == rocksdb::kDefaultColumnFamilyName ||
         std::find(kFamilyNames.begin(), kFamilyNames.end(), family) != kFamilyNames.end();
}

}  // namespace

std::string describe_status(const rocksdb::Status& status) {
  const std::string text = one_line(status.ToString());
  if (status.IsNoSpace() || contains(text, "No space left on device")) return "no space left on device";
  if (contains(text, "Permission denied")) return "permission denied";
  if (contains(text, "Read-only file system")) return "read-only file system";
  // Another process: fcntl says "While lock file: <dir>/LOCK: Resource temporarily unavailable".
  // This process: RocksDB's own table of locks says "lock hold by current process".
  if (contains(text, "While lock file") || contains(text, "lock hold by current process")) {
    return "in use by another siplbd (RocksDB lock held)";
  }
  if (status.IsCorruption()) return "corrupt database: " + text;
  return text;
}

std::unique_ptr<Database> Database::open(const std::string& dir, std::string& error) {
  auto fail = [&](const std::string& cause) {
    error = "store " + dir + ": " + one_line(cause);
    return std::unique_ptr<Database>();
  };
  if (auto problem = prepare_directory(dir)) return fail(*problem);
  std::error_code ec;
  const DirectoryContent content = inspect_directory(dir, ec);
  if (ec) return fail(errno_cause(ec.value()));
  if (content == DirectoryContent::foreign) {
    return fail("not a siplb store (holds other files and no RocksDB database)");
  }
  if (content == DirectoryContent::damaged_database) {
    return fail("corrupt database: RocksDB data files without a CURRENT file");
  }

  const bool fresh = content == DirectoryContent::fresh;
  auto logger = std::make_shared<RocksdbLogger>(dir);
  rocksdb::DBOptions options = database_options(logger);
  options.create_if_missing = fresh;
  options.create_missing_column_families = fresh;

  // The column families to open: all of ours for a new store; those it has for an existing one,
  // which must all be ours (a foreign database is refused before it is opened, so left unchanged).
  std::vector<std::string> names;
  if (fresh) {
    names.emplace_back(rocksdb::kDefaultColumnFamilyName);
    names.insert(names.end(), kFamilyNames.begin(), kFamilyNames.end());
  } else {
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, dir, &names);
    // CURRENT naming a MANIFEST that is not there is damage too, not an I/O problem.
    if (s.IsPathNotFound()) return fail("corrupt database: " + s.ToString());
    if (!s.ok()) return fail(describe_status(s));
    for (const std::string& name : names) {
      if (!is_ours(name)) return fail("not a siplb store (unknown column family '" + name + "')");
    }
  }

  auto block_cache = rocksdb::NewLRUCache(8ull << 20);
  const rocksdb::ColumnFamilyOptions family = family_options(block_cache);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, family);

  std::unique_ptr<Database> database(new Database());
  rocksdb::Status s = rocksdb::DB::Open(options, dir, descriptors, &database->handles_, &database->db_);
  if (!s.ok()) return fail(describe_status(s));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == rocksdb::kDefaultColumnFamilyName) database->default_family_ = database->handles_[i];
    for (std::size_t f = 0; f < kFamilyNames.size(); ++f) {
      if (names[i] == kFamilyNames[f]) database->families_[f] = database->handles_[i];
    }
  }
  rocksdb::DB& db = *database->db_;

  auto is_empty = [&](rocksdb::ColumnFamilyHandle* handle) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), handle));
    it->SeekToFirst();
    return !it->Valid() && it->status().ok();
  };
  std::string version;
  s = db.Get(rocksdb::ReadOptions(), database->default_family_, kFormatVersionKey, &version);
  bool write_version = fresh;
  if (s.IsNotFound() && !fresh) {
    // Our own creation interrupted between creating the families and writing the version: all
    // our families and nothing in any of them. Anything else without the key is not ours.
    const bool interrupted_creation =
        names.size() == 1 + kFamilyNames.size() &&
        std::all_of(database->handles_.begin(), database->handles_.end(), is_empty);
    if (!interrupted_creation) return fail("not a siplb store (no format version key)");
    write_version = true;
  } else if (!s.ok() && !s.IsNotFound()) {
    return fail(describe_status(s));
  } else if (!fresh) {
    int found = 0;
    auto [end, parse_error] = std::from_chars(version.data(), version.data() + version.size(), found);
    if (parse_error != std::errc() || end != version.data() + version.size()) {
      return fail("not a siplb store (format version key holds '" + version + "')");
    }
    if (found != kFormatVersion) {
      return fail("format version " + version + ", this siplbd reads " + std::to_string(kFormatVersion));
    }
  }

  // A store of this version that lacks one of our families (none does today) gets it.
  for (std::size_t f = 0; f < kFamilyNames.size(); ++f) {
    if (database->families_[f] != nullptr) continue;
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    s = db.CreateColumnFamily(family, std::string(kFamilyNames[f]), &handle);
    if (!s.ok()) return fail(describe_status(s));
    database->handles_.push_back(handle);
    database->families_[f] = handle;
  }

  if (write_version) {
    rocksdb::WriteOptions durable;
    durable.sync = true;
    s = db.Put(durable, database->default_family_, kFormatVersionKey, std::to_string(kFormatVersion));
    if (!s.ok()) return fail(describe_status(s));
  }
  logger->opened();
  return database;
}

Database::~Database() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
  delete db_;
}

}  // namespace siplb::control::store
