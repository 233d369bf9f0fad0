// OpenSIPS/Kamailio db_text tables: the header line ("name(type[,flags]) ..." columns) and the
// rows (fields split on ':', "\:" "\\" "\n" "\r" "\t" escapes, 'quoted' strings, "null" or an
// empty field for no value). Owns only the syntax; what the columns mean is the caller's (the
// dispatcher, subscriber and location loaders). Control thread and start-up: allocates; pure
// functions, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siplb::text::db_text {

// One header column: "name(type[,flag...])".
struct Column {
  std::string name;           // lower-cased
  std::string type;           // lower-cased, as written ("int", "str", "string", "double", ...)
  bool null = false;          // flag "null": the column may hold no value
  bool auto_increment = false;  // flag "auto"
};

// One field of a row.
struct Field {
  std::string text;   // escapes resolved, quotes removed
  bool null = false;  // "null"/"NULL" or empty, unquoted
};

enum class ErrorKind : uint8_t {
  none,
  bad_column,         // a header field that is not name(type[,flags]); `text` is the field
  duplicate_column,   // a header naming a column twice; `text` is the (lower-cased) name
  trailing_backslash, // a row ending in a lone '\'
  unclosed_quote,     // a row's 'quoted string without its closing quote
};

struct Error {
  ErrorKind kind = ErrorKind::none;
  uint32_t column = 0;  // 1-based: the header column, or the row's field, the error is in
  std::string text;     // see ErrorKind

  // Why, without the column's number (callers number it their own way):
  // "header column 'id' is not name(type[,flags])", "the header names column 'id' twice",
  // "a '\' ends the line", "a quoted string has no closing quote".
  std::string reason() const;
  // Why, naming the column: "header column 3 'id' is not name(type[,flags])",
  // "header names column 'id' twice", "column 3: a '\' ends the line",
  // "column 3: a quoted string has no closing quote".
  std::string message() const;
};

// True when the first blank-separated field of `line` looks like "name(type...)": a db_text header
// (what a dispatcher.list line or a TOML line never is).
bool is_header(std::string_view line);

// The blank-separated "name(type[,flags])" fields of `line` into `columns` (cleared first). On
// failure returns false and sets `error`.
bool parse_header(std::string_view line, std::vector<Column>& columns, Error& error);

// One row into `fields` (cleared first; one per ':'-separated field, so never empty). On failure
// returns false and sets `error`.
bool split_row(std::string_view line, std::vector<Field>& fields, Error& error);

// The 0-based index of the column named `name` (lower case), or -1.
int find_column(const std::vector<Column>& columns, std::string_view name);

}  // namespace siplb::text::db_text
