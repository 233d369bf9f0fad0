// The RocksDB store (control/store/): what survives a close and reopen, what a directory must be
// to be opened (and the one-line reasons when it is not: missing parent, lock, foreign or garbage
// database, wrong format version, permissions, full disk), the writer's group commit, when_written
// and flush, memory mode, and the counters. Real RocksDB files in a fresh temporary directory each.
#include "../../control/store/store.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/db.h>

extern char** environ;

namespace siplb::control::store {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "siplb-store-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::unique_ptr<Store> open_store(const std::string& dir, Durability durability = Durability::sync) {
  std::string error;
  auto store = Store::open({dir, durability}, error);
  EXPECT_NE(store, nullptr) << error;
  EXPECT_TRUE(error.empty()) << error;
  return store;
}

// The error text of an open that must fail.
std::string open_error(const std::string& dir) {
  std::string error;
  auto store = Store::open({dir, Durability::sync}, error);
  EXPECT_EQ(store, nullptr);
  EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
  return error;
}

DialogRecord dialog(uint64_t n) {
  DialogRecord r;
  r.call_id_hash = n * 0x9e3779b97f4a7c15ull;
  r.caller_tag_hash = n;
  r.set_id = static_cast<uint32_t>(n % 7);
  r.destination = "sip:10.0.0." + std::to_string(n % 250) + ":5060";
  r.resources = {"calls"};
  if (n % 3 == 0) r.resources.push_back("transcoding");
  r.phase = static_cast<uint8_t>(2 + n % 2);
  r.initial_cseq = static_cast<uint32_t>(n);
  r.callee_tag = ~n;
  r.created_unix_ms = 1'700'000'000'000 + static_cast<int64_t>(n);
  r.last_activity_unix_ms = r.created_unix_ms + 5000;
  return r;
}

std::map<std::pair<uint64_t, uint64_t>, DialogRecord> by_key(const std::vector<DialogRecord>& records) {
  std::map<std::pair<uint64_t, uint64_t>, DialogRecord> out;
  for (const DialogRecord& r : records) out[{r.call_id_hash, r.caller_tag_hash}] = r;
  return out;
}

// A database opened with plain RocksDB, as a foreign program (or a damaged siplbd) would.
class RawDatabase {
 public:
  RawDatabase(const std::string& dir, const std::vector<std::string>& families, bool create) {
    rocksdb::DBOptions options;
    options.create_if_missing = create;
    options.create_missing_column_families = create;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::Status s = rocksdb::DB::Open(options, dir, descriptors, &handles_, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~RawDatabase() {
    if (db_ == nullptr) return;
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
    delete db_;
  }
  bool ok() const { return db_ != nullptr; }
  void put(std::size_t family, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db_->Put(sync, handles_[family], key, value).ok());
  }
  void erase(std::size_t family, const std::string& key) {
    ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), handles_[family], key).ok());
  }
  std::optional<std::string> get(std::size_t family, const std::string& key) {
    std::string value;
    if (!db_->Get(rocksdb::ReadOptions(), handles_[family], key, &value).ok()) return std::nullopt;
    return value;
  }

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

const std::vector<std::string> kOurFamilies = {"default", "dialogs", "destinations", "bindings"};

// Runs one disabled test of this binary in a child process (a clean process: RocksDB's table of
// locks is per process; a crash there cannot skip the caller's clean-up), optionally as the user
// nobody. Returns its exit status, 128 + the signal that killed it, or -1 when it could not start
// (127: it could not be executed).
int run_child_test(const std::string& test, const std::string& env_name, const std::string& env_value,
                   bool as_nobody = false) {
  std::vector<std::string> args = {"/proc/self/exe", "--gtest_also_run_disabled_tests", "--gtest_filter=" + test};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back(env_name + "=" + env_value);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {  // only async-signal-safe calls until exec
    constexpr uid_t kNobody = 65534;
    if (as_nobody && (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) _exit(127);
    ::execve("/proc/self/exe", argv.data(), envp.data());
    _exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// ---------------------------------------------------------------------------------------------

TEST(Durability, NamesRoundTrip) {
  for (Durability d : {Durability::sync, Durability::async, Durability::memory}) {
    EXPECT_EQ(parse_durability(durability_name(d)), d);
  }
  EXPECT_EQ(durability_name(Durability::async), "async");
  EXPECT_FALSE(parse_durability("fsync").has_value());
  EXPECT_FALSE(parse_durability("").has_value());
}

TEST(Store, DialogsSurviveReopenWithErasesAndOverwrites) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  DialogRecord extreme = dialog(1);
  extreme.call_id_hash = UINT64_MAX;
  extreme.caller_tag_hash = UINT64_MAX;
  extreme.set_id = UINT32_MAX;
  extreme.resources.clear();
  extreme.created_unix_ms = INT64_MIN;
  extreme.last_activity_unix_ms = INT64_MAX;
  DialogRecord many = dialog(2);
  many.resources = {"calls", "transcoding", "recording", std::string(200, 'r')};
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->dir(), dir);
    EXPECT_EQ(store->durability(), Durability::sync);
    for (uint64_t n = 3; n < 10; ++n) store->put_dialog(dialog(n));
    store->put_dialog(extreme);
    store->put_dialog(many);
    store->erase_dialog(dialog(4).call_id_hash, dialog(4).caller_tag_hash);
    DialogRecord answered = dialog(5);
    answered.phase = 3;
    answered.last_activity_unix_ms += 60000;
    store->put_dialog(answered);
    store->erase_dialog(12345, 678);  // never stored: harmless
  }
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  std::size_t undecodable = 99;
  auto loaded = by_key(store->load_dialogs(&undecodable));
  EXPECT_EQ(undecodable, 0u);
  EXPECT_EQ(loaded.size(), 8u);
  auto key = [](const DialogRecord& r) { return std::make_pair(r.call_id_hash, r.caller_tag_hash); };
  EXPECT_EQ(loaded[key(extreme)], extreme);
  EXPECT_EQ(loaded[key(many)], many);
  EXPECT_EQ(loaded.count(key(dialog(4))), 0u);
  EXPECT_EQ(loaded[key(dialog(5))].last_activity_unix_ms, dialog(5).last_activity_unix_ms + 60000);
  EXPECT_EQ(loaded[key(dialog(9))], dialog(9));
}

TEST(Store, DestinationsAndBindingsSurviveReopen) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  {
    auto store = open_store(dir, Durability::async);
    ASSERT_NE(store, nullptr);
    store->put_destination("1/sip:10.0.0.2:5060", R"({"state":"disabled"})");
    store->put_destination("1/sip:10.0.0.3:5060", R"({"state":"active","weight":5})");
    store->put_destination("2/sip:10.0.0.4:5060", "{}");
    store->erase_destination("2/sip:10.0.0.4:5060");
    store->put_binding("sip:alice@example.com", std::string("binary\0value", 12));
    store->put_binding("sip:bob@example.com", "");
    store->put_binding("sip:carol@example.com", "x");
    store->erase_binding("sip:carol@example.com");
  }
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(store->load_destinations(), (Pairs{{"1/sip:10.0.0.2:5060", R"({"state":"disabled"})"},
                                               {"1/sip:10.0.0.3:5060", R"({"state":"active","weight":5})"}}));
  EXPECT_EQ(store->load_bindings(),
            (Pairs{{"sip:alice@example.com", std::string("binary\0value", 12)}, {"sip:bob@example.com", ""}}));
  EXPECT_TRUE(store->load_dialogs().empty());
}

TEST(Store, AsyncAndSyncBothWrite) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  {
    auto store = open_store(dir, Durability::async);
    ASSERT_NE(store, nullptr);
    store->put_dialog(dialog(1));
    store->flush();
  }
  {
    auto store = open_store(dir, Durability::sync);
    ASSERT_NE(store, nullptr);
    ASSERT_EQ(store->load_dialogs().size(), 1u);
    store->put_dialog(dialog(2));
  }
  auto store = open_store(dir, Durability::async);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(by_key(store->load_dialogs()).size(), 2u);
}

TEST(Store, DestructorWritesWhatIsStillQueued) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  {
    auto store = open_store(dir, Durability::async);
    ASSERT_NE(store, nullptr);
    for (uint64_t n = 0; n < 5000; ++n) store->put_dialog(dialog(n));
  }  // no flush
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load_dialogs().size(), 5000u);
}

TEST(Store, NewDirectoryIsPrivateAndGetsTheFormatVersion) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  { ASSERT_NE(open_store(dir), nullptr); }
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  RawDatabase raw(dir, kOurFamilies, false);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.get(0, "siplb.format"), "1");
}

TEST(Store, ExistingEmptyDirectoryAndTrailingSlashAreFine) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  ASSERT_TRUE(fs::create_directory(dir));
  { ASSERT_NE(open_store(dir + "/"), nullptr); }
  ASSERT_NE(open_store(dir), nullptr);
}

TEST(Store, OtherFormatVersionIsRefusedWithBothNumbers) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  { ASSERT_NE(open_store(dir), nullptr); }
  {
    RawDatabase raw(dir, kOurFamilies, false);
    ASSERT_TRUE(raw.ok());
    raw.put(0, "siplb.format", "7");
  }
  EXPECT_EQ(open_error(dir), "store " + dir + ": format version 7, this siplbd reads 1");
}

TEST(Store, StoreWithoutVersionKeyIsRefused) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    store->put_dialog(dialog(1));
  }
  {
    RawDatabase raw(dir, kOurFamilies, false);
    ASSERT_TRUE(raw.ok());
    raw.erase(0, "siplb.format");
  }
  EXPECT_EQ(open_error(dir), "store " + dir + ": not a siplb store (no format version key)");
}

TEST(Store, InterruptedCreationWithNothingStoredIsCompleted) {
  // Our families exist, all empty, but the version was never written (a crash right after the
  // families were created): that is a new store, not a foreign one.
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  { RawDatabase raw(dir, kOurFamilies, true); }
  { ASSERT_NE(open_store(dir), nullptr); }
  RawDatabase raw(dir, kOurFamilies, false);
  EXPECT_EQ(raw.get(0, "siplb.format"), "1");
}

TEST(Store, ForeignDatabaseWithOtherFamilyIsRefusedAndLeftAlone) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  {
    RawDatabase raw(dir, {"default", "dialogs", "users"}, true);
    ASSERT_TRUE(raw.ok());
    raw.put(2, "alice", "1");
  }
  EXPECT_EQ(open_error(dir), "store " + dir + ": not a siplb store (unknown column family 'users')");
  RawDatabase raw(dir, {"default", "dialogs", "users"}, false);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.get(2, "alice"), "1");
  EXPECT_FALSE(raw.get(0, "siplb.format").has_value());
}

TEST(Store, ForeignDatabaseWithOnlyDefaultFamilyIsRefused) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  {
    RawDatabase raw(dir, {"default"}, true);
    ASSERT_TRUE(raw.ok());
    raw.put(0, "some", "thing");
  }
  EXPECT_EQ(open_error(dir), "store " + dir + ": not a siplb store (no format version key)");
}

TEST(Store, GarbageCurrentFileIsRefused) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  fs::create_directory(dir);
  std::ofstream(dir + "/CURRENT") << "this is not a manifest name\n\x01\x02";
  const std::string error = open_error(dir);
  std::printf("garbage CURRENT: %s\n", error.c_str());
  EXPECT_TRUE(error.starts_with("store " + dir + ": corrupt database: ")) << error;
}

TEST(Store, CurrentNamingAMissingManifestIsRefused) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  fs::create_directory(dir);
  std::ofstream(dir + "/CURRENT") << "MANIFEST-000009\n";
  const std::string error = open_error(dir);
  std::printf("missing MANIFEST: %s\n", error.c_str());
  EXPECT_TRUE(error.starts_with("store " + dir + ": corrupt database: ")) << error;
}

TEST(Store, DataFilesWithoutCurrentAreRefused) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  fs::create_directory(dir);
  std::ofstream(dir + "/000004.log") << "wal";
  EXPECT_EQ(open_error(dir), "store " + dir + ": corrupt database: RocksDB data files without a CURRENT file");
}

TEST(Store, DirectoryOfOtherFilesIsRefused) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  fs::create_directory(dir);
  std::ofstream(dir + "/notes.txt") << "hello\n";
  EXPECT_EQ(open_error(dir), "store " + dir + ": not a siplb store (holds other files and no RocksDB database)");
  EXPECT_FALSE(fs::exists(dir + "/CURRENT"));
}

TEST(Store, MissingParentIsNotCreated) {
  TempDir tmp;
  const std::string parent = tmp.sub("missing");
  const std::string dir = parent + "/db";
  EXPECT_EQ(open_error(dir), "store " + dir + ": parent directory " + parent + " does not exist");
  EXPECT_FALSE(fs::exists(parent));
}

TEST(Store, FileInsteadOfDirectoryIsRefused) {
  TempDir tmp;
  const std::string file = tmp.sub("file");
  std::ofstream(file) << "x";
  EXPECT_EQ(open_error(file), "store " + file + ": not a directory");
}

TEST(Store, SecondOpenInTheSameProcessIsRefusedByTheLock) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  {
    auto first = open_store(dir);
    ASSERT_NE(first, nullptr);
    first->put_dialog(dialog(1));
    first->flush();
    EXPECT_EQ(open_error(dir), "store " + dir + ": in use by another siplbd (RocksDB lock held)");
    first->put_dialog(dialog(2));  // the refused open did not disturb the first
  }
  auto again = open_store(dir);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->load_dialogs().size(), 2u);
}

// Run by the next test in a child process only.
TEST(StoreLockChild, DISABLED_OpenIsRefused) {
  const char* dir = std::getenv("SIPLB_STORE_LOCKED_DIR");
  ASSERT_NE(dir, nullptr);
  const std::string error = open_error(dir);
  std::printf("second process: %s\n", error.c_str());
  EXPECT_EQ(error, "store " + std::string(dir) + ": in use by another siplbd (RocksDB lock held)");
}

TEST(Store, OpenFromAnotherProcessIsRefusedByTheLock) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  const int status = run_child_test("StoreLockChild.DISABLED_OpenIsRefused", "SIPLB_STORE_LOCKED_DIR", dir);
  if (status == -1 || status == 127) GTEST_SKIP() << "could not run the test binary in a child process";
  EXPECT_EQ(status, 0) << "the child's open was not refused with the lock message";
}

// `root` holds "db", a store with mode 000, and "locked", a directory with mode 0555.
void expect_permission_denied(const fs::path& root) {
  const std::string unreadable = (root / "db").string();
  EXPECT_EQ(open_error(unreadable), "store " + unreadable + ": permission denied");
  const std::string in_read_only_parent = (root / "locked" / "db").string();
  EXPECT_EQ(open_error(in_read_only_parent), "store " + in_read_only_parent + ": permission denied");
}

// Run by the next test in a child process (as nobody) when the tests run as root.
TEST(StorePermissionChild, DISABLED_OpenIsDenied) {
  const char* root = std::getenv("SIPLB_STORE_DENIED_ROOT");
  ASSERT_NE(root, nullptr);
  ASSERT_NE(::geteuid(), 0u);
  expect_permission_denied(root);
}

TEST(Store, PermissionDenied) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  { ASSERT_NE(open_store(dir), nullptr); }
  ASSERT_EQ(::chmod(dir.c_str(), 0), 0);
  ASSERT_EQ(::mkdir(tmp.sub("locked").c_str(), 0555), 0);
  if (::geteuid() != 0) {
    expect_permission_denied(tmp.path());
  } else {
    // chmod 000 does not stop root: check as nobody, in a child process.
    ::chmod(tmp.path().c_str(), 0755);
    const int status = run_child_test("StorePermissionChild.DISABLED_OpenIsDenied", "SIPLB_STORE_DENIED_ROOT",
                                      tmp.path().string(), /*as_nobody=*/true);
    ::chmod(tmp.path().c_str(), 0700);
    if (status == -1 || status == 127) {
      GTEST_SKIP() << "running as root and the test binary cannot be run as nobody: chmod 000 does not stop root";
    }
    EXPECT_EQ(status, 0) << "the open as nobody was not refused with 'permission denied'";
  }
  ::chmod(dir.c_str(), 0700);
}

TEST(Store, WhenWrittenRunsInOrderOnTheWriterAfterItsChanges) {
  TempDir tmp;
  auto store = open_store(tmp.sub("db"));
  ASSERT_NE(store, nullptr);
  std::mutex mutex;
  std::vector<int> order;
  std::vector<bool> oks;
  std::atomic<bool> on_caller_thread{false};
  const auto caller = std::this_thread::get_id();
  auto note = [&](int n) {
    return [&, n](bool ok) {
      std::lock_guard lock(mutex);
      order.push_back(n);
      oks.push_back(ok);
      if (std::this_thread::get_id() == caller) on_caller_thread = true;
    };
  };
  store->put_binding("a", "1");
  store->when_written(note(1));
  store->put_binding("b", "2");
  store->erase_binding("a");
  store->when_written(note(2));
  store->when_written(note(3));  // nothing queued since the last one
  store->flush();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(oks, (std::vector<bool>{true, true, true}));
  EXPECT_FALSE(on_caller_thread);
  EXPECT_EQ(store->load_bindings(), (std::vector<std::pair<std::string, std::string>>{{"b", "2"}}));
}

TEST(Store, WriterThreadIsNamed) {
  TempDir tmp;
  auto store = open_store(tmp.sub("db"));
  ASSERT_NE(store, nullptr);
  bool found = false;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    found = found || name == "siplb-store";
  }
  EXPECT_TRUE(found);
}

TEST(Store, GroupCommitAndCounters) {
  TempDir tmp;
  auto store = open_store(tmp.sub("db"));
  ASSERT_NE(store, nullptr);
  store->put_dialog(dialog(0));
  store->flush();
  StoreStats first = store->stats();
  EXPECT_EQ(first.batches_written, 1u);
  EXPECT_EQ(first.records_written, 1u);
  EXPECT_GT(first.bytes_written, 16u);
  EXPECT_EQ(first.max_batch_records, 1u);

  // Hold the writer inside a callback while 1000 changes queue: they must go out as one batch.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  store->when_written([&entered, released](bool) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  for (uint64_t n = 1; n <= 1000; ++n) store->put_dialog(dialog(n));
  EXPECT_EQ(store->stats().queued, 1000u);
  release.set_value();
  store->flush();

  StoreStats s = store->stats();
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.batches_written, 2u);
  EXPECT_EQ(s.records_written, 1001u);
  EXPECT_EQ(s.max_batch_records, 1000u);
  EXPECT_GT(s.bytes_written, first.bytes_written + 1000 * 40);
  EXPECT_EQ(s.write_errors, 0u);
  EXPECT_EQ(s.records_lost, 0u);
  EXPECT_TRUE(s.last_error.empty());
  EXPECT_GE(s.latency_us_sum, s.latency_us_max);
  EXPECT_GT(s.latency_us_max, 0u);  // an fsync takes at least a microsecond
  for (std::size_t i = 1; i < s.latency_buckets.size(); ++i) {
    EXPECT_GE(s.latency_buckets[i], s.latency_buckets[i - 1]) << "cumulative";
  }
  EXPECT_LE(s.latency_buckets.back(), s.batches_written);
  EXPECT_EQ(kLatencyBucketsUs.size(), s.latency_buckets.size());
}

TEST(Store, FullQueueDropsChangesAndSaysSo) {
  TempDir tmp;
  std::string error;
  auto store = Store::open({tmp.sub("db"), Durability::async, /*max_queued=*/100}, error);
  ASSERT_NE(store, nullptr) << error;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  store->when_written([&entered, released](bool) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();  // the writer is held: nothing leaves the queue
  for (uint64_t n = 0; n < 150; ++n) store->put_dialog(dialog(n));
  std::promise<bool> first;
  store->when_written([&first](bool ok) { first.set_value(ok); });
  EXPECT_EQ(store->stats().queued, 100u);
  release.set_value();
  EXPECT_FALSE(first.get_future().get()) << "50 changes before it were dropped";

  store->put_dialog(dialog(1000));
  std::promise<bool> second;
  store->when_written([&second](bool ok) { second.set_value(ok); });
  EXPECT_TRUE(second.get_future().get());
  const StoreStats s = store->stats();
  EXPECT_EQ(s.records_lost, 50u);
  EXPECT_EQ(s.records_written, 101u);
  EXPECT_EQ(s.write_errors, 0u);
  EXPECT_EQ(s.last_error, "queue full: 100 changes wait for the writer");
  EXPECT_EQ(store->load_dialogs().size(), 101u);
}

TEST(Store, MemoryModeKeepsNothingAndTouchesNoDirectory) {
  TempDir tmp;
  const std::string dir = tmp.sub("never/created");
  std::string error;
  auto store = Store::open({dir, Durability::memory}, error);
  ASSERT_NE(store, nullptr) << error;
  EXPECT_EQ(store->durability(), Durability::memory);
  store->put_dialog(dialog(1));
  store->put_destination("k", "v");
  store->put_binding("k", "v");
  store->erase_dialog(1, 2);
  bool called = false, called_ok = false;
  store->when_written([&](bool ok) {
    called = true;
    called_ok = ok;
  });
  EXPECT_TRUE(called) << "at once, on the calling thread";
  EXPECT_TRUE(called_ok);
  store->flush();
  EXPECT_TRUE(store->load_dialogs().empty());
  EXPECT_TRUE(store->load_destinations().empty());
  EXPECT_TRUE(store->load_bindings().empty());
  EXPECT_EQ(store->count_dialogs(), 0u);
  EXPECT_EQ(store->stats().records_written, 0u);
  EXPECT_FALSE(fs::exists(tmp.sub("never")));
}

TEST(Store, HundredThousandDialogsReloadWithUndecodableOnesCounted) {
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  constexpr uint64_t kDialogs = 100'000;
  {
    auto store = open_store(dir, Durability::async);
    ASSERT_NE(store, nullptr);
    for (uint64_t n = 0; n < kDialogs; ++n) store->put_dialog(dialog(n));
    store->flush();
    const std::size_t estimate = store->count_dialogs();
    EXPECT_GE(estimate, kDialogs * 9 / 10);
    EXPECT_LE(estimate, kDialogs * 11 / 10);
  }
  {
    RawDatabase raw(dir, kOurFamilies, false);
    ASSERT_TRUE(raw.ok());
    raw.put(1, "short key", "x");
    raw.put(1, std::string(16, '\xee'), std::string("\x09 unknown record version"));
  }
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  std::size_t undecodable = 0;
  const std::vector<DialogRecord> loaded = store->load_dialogs(&undecodable);
  EXPECT_EQ(undecodable, 2u);
  ASSERT_EQ(loaded.size(), kDialogs);
  auto map = by_key(loaded);
  ASSERT_EQ(map.size(), kDialogs);
  for (uint64_t n = 0; n < kDialogs; n += 997) {
    EXPECT_EQ(map[std::make_pair(dialog(n).call_id_hash, dialog(n).caller_tag_hash)], dialog(n)) << n;
  }
}

// A 2 MiB tmpfs: a store that cannot be created on a full disk says so; one that was open keeps
// taking changes, counts and reports the lost ones, and writes again once there is room. The
// store runs in a child process so that the tmpfs is unmounted whatever becomes of it.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& mount_point) : mount_point_(mount_point) {
    fs::create_directory(mount_point_);
    mounted_ = std::system(("mount -t tmpfs -o size=2m tmpfs '" + mount_point_ + "' 2>/dev/null").c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_ && std::system(("umount '" + mount_point_ + "'").c_str()) != 0) {
      std::system(("umount -l '" + mount_point_ + "'").c_str());
    }
  }
  bool mounted() const { return mounted_; }

 private:
  std::string mount_point_;
  bool mounted_ = false;
};

// Writes a file until the disk is full.
void fill_disk(const std::string& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  std::string chunk(4096, 'f');
  while (::write(fd, chunk.data(), chunk.size()) > 0) {
  }
  ::close(fd);
}

void full_disk_scenario(const fs::path& disk, Durability durability) {
  const std::string mode(durability_name(durability));
  std::printf("durability %s\n", mode.c_str());
  const std::string dir = (disk / ("db-" + mode)).string();
  auto store = open_store(dir, durability);
  ASSERT_NE(store, nullptr);
  store->put_dialog(dialog(0));
  store->flush();
  ASSERT_EQ(store->stats().write_errors, 0u);

  fill_disk((disk / "filler").string());
  const std::string second = (disk / ("db2-" + mode)).string();
  const std::string error = open_error(second);
  std::printf("open on a full disk: %s\n", error.c_str());
  EXPECT_EQ(error, "store " + second + ": no space left on device");

  // 20000 records do not fit in what is left: the writes fail, are counted, and nothing crashes.
  std::vector<bool> oks;
  for (uint64_t n = 1; n <= 20000; ++n) {
    store->put_dialog(dialog(n));
    if (n % 5000 == 0) store->when_written([&oks](bool ok) { oks.push_back(ok); });
  }
  store->flush();
  StoreStats s = store->stats();
  std::printf("on a full disk: %llu write errors, %llu records lost, last error: %s\n",
              static_cast<unsigned long long>(s.write_errors), static_cast<unsigned long long>(s.records_lost),
              s.last_error.c_str());
  EXPECT_GT(s.write_errors, 0u);
  EXPECT_GT(s.records_lost, 0u);
  EXPECT_EQ(s.last_error, "no space left on device");
  EXPECT_EQ(oks, (std::vector<bool>{false, false, false, false}));
  std::promise<bool> nothing_new;
  store->when_written([&nothing_new](bool ok) { nothing_new.set_value(ok); });
  EXPECT_TRUE(nothing_new.get_future().get()) << "no change since the last when_written: nothing was lost";
  store->put_binding("still", "accepting");
  store->erase_dialog(1, 1);
  store->flush();

  // Room again: after at most a second (resume is rate-limited) the writes succeed.
  fs::remove(disk / "filler");
  bool written = false;
  int attempt = 0;
  for (; attempt < 200 && !written; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    store->put_destination("after", "room");
    std::promise<bool> ok;
    store->when_written([&ok](bool result) { ok.set_value(result); });
    written = ok.get_future().get();
  }
  std::printf("recovered after %d attempts\n", attempt);
  EXPECT_TRUE(written) << "writes did not recover after space was freed: " << store->stats().last_error;

  // What was written before and after the full disk is there after a reopen.
  store.reset();
  store = open_store(dir);
  ASSERT_NE(store, nullptr);
  auto destinations = store->load_destinations();
  EXPECT_EQ(destinations, (std::vector<std::pair<std::string, std::string>>{{"after", "room"}}));
  auto dialogs = by_key(store->load_dialogs());
  EXPECT_EQ(dialogs.count({dialog(0).call_id_hash, dialog(0).caller_tag_hash}), 1u);
  store.reset();
  fs::remove_all(dir);
  fs::remove_all(second);
}

// Run by the next test in a child process only.
TEST(StoreFullDiskChild, DISABLED_WritesFailAndRecover) {
  const char* mount_point = std::getenv("SIPLB_STORE_SMALL_DISK");
  ASSERT_NE(mount_point, nullptr);
  full_disk_scenario(mount_point, Durability::sync);
  full_disk_scenario(mount_point, Durability::async);
}

TEST(Store, FullDisk) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root: cannot mount a small tmpfs to fill";
  TempDir tmp;
  SmallDisk disk(tmp.sub("small"));
  if (!disk.mounted()) GTEST_SKIP() << "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)";
  const int status =
      run_child_test("StoreFullDiskChild.DISABLED_WritesFailAndRecover", "SIPLB_STORE_SMALL_DISK", tmp.sub("small"));
  ASSERT_NE(status, -1) << "could not run the test binary in a child process";
  EXPECT_EQ(status, 0) << "the store on a full disk failed (128 + n: killed by signal n)";
}

}  // namespace
}  // namespace siplb::control::store
