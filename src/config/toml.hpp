// A small TOML reader for siplb's configuration files: the subset our files use, written for
// exact error messages (every error names its line) rather than for the whole TOML 1.0 grammar.
//
// Supported: comments; bare and quoted keys; [table] and [[array.of.tables]] headers with dotted
// paths (a nested [[set.destination]] belongs to the last [[set]]); basic strings with escapes,
// literal strings, decimal integers (sign, underscores), booleans, arrays of those scalars (over
// several lines, trailing comma allowed). Rejected with a named reason: dotted keys in key/value
// lines, multi-line strings, floats, dates, inline tables, nested arrays.
//
// Owns nothing shared: parse() builds a tree the caller owns. Control-plane code (start-up and
// reload), any thread; never on the packet path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siplb::config::toml {

enum class Kind : uint8_t { string, integer, boolean, array, table, table_array };

// "a string", "an integer", ...: for messages such as "must be an integer, got a string".
std::string_view kind_name(Kind kind);

struct Table;

// One value with the line it was written on. Only the member of its kind is meaningful.
struct Value {
  Kind kind = Kind::string;
  uint32_t line = 0;
  std::string string;
  int64_t integer = 0;
  bool boolean = false;
  std::vector<Value> items;   // Kind::array: scalars, in order
  std::vector<Table> tables;  // Kind::table: exactly one; Kind::table_array: one per [[header]]
};

struct Entry {
  std::string key;
  Value value;
};

// Keys in the order they were written; a key appears once.
struct Table {
  uint32_t line = 0;      // line of the header that opened it (0 for the root table)
  bool implicit = false;  // only created as the parent of a dotted header, never opened itself
  std::vector<Entry> entries;

  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
};

struct Error {
  uint32_t line = 0;  // 1-based
  std::string reason;
};

struct ParseResult {
  Table root;
  Error error;  // reason empty when the text parsed
  bool ok() const { return error.reason.empty(); }
};

// Parses a whole document. On failure stops at the first error; `root` is then incomplete.
ParseResult parse(std::string_view text);

}  // namespace siplb::config::toml
