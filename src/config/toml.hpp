// siplb's view of a TOML configuration file: a thin adapter over toml++ (compiled header-only and
// without exceptions, in toml.cpp alone) that turns its tree into ours, adding what the schema
// loader needs for its `file:line: reason` messages: the line of every value and table, and keys
// in the order they were written (toml++ keeps them sorted).
//
// toml++ checks the TOML 1.0 syntax; its description of a syntax error comes back with the line.
// Duplicate keys and conflicting [table] headers are reworded to name the line of the first
// definition, and a few common slips get siplb's own words (unterminated strings, bare words that
// need quotes). Rejected with a named reason and the line, as siplb configs must not contain them:
// floats, dates and times, non-decimal integers, inline tables (except, when ParseOptions allow
// them, as items of an array: `domains = ["a.example", { name = "b.example" }]`), arrays of arrays,
// dotted keys in key/value lines, multi-line strings. When a syntax error and such a rejection both
// occur, the one on the earlier line is reported.
//
// Owns nothing shared: parse() builds a tree the caller owns. Control-plane code only: siplbd's
// main thread at start-up and on SIGHUP reload, tools and tests; never on the packet path.
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
  // Kind::array: in order, scalars and (with ParseOptions::inline_tables_in_arrays) inline tables,
  // each a Kind::table value whose line is that of its '{'.
  std::vector<Value> items;
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

struct ParseOptions {
  // Accept inline tables as items of an array (one level: an inline table inside one is still
  // rejected). Off, every inline table is rejected.
  bool inline_tables_in_arrays = false;
};

// Parses a whole document. On failure `error` names the first problem and `root` is not to be used.
ParseResult parse(std::string_view text, ParseOptions options = {});

}  // namespace siplb::config::toml
