// db_text header and row syntax (see include/siplb/text/db_text.hpp).
#include "siplb/text/db_text.hpp"

#include <algorithm>

namespace siplb::text::db_text {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out.push_back(lower(c));
  return out;
}

constexpr std::string_view kBlanks = " \t";

std::string_view trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlanks) - first + 1);
}

// The next blank-separated field of `rest` (empty at its end), advancing it.
std::string_view next_field(std::string_view& rest) {
  rest = trim(rest);
  const std::string_view field = rest.substr(0, rest.find_first_of(kBlanks));
  rest.remove_prefix(field.size());
  return field;
}

// 'text'. (Not "'" + std::string: GCC 12 warns falsely (-Wrestrict) on that.)
std::string quoted(std::string_view s) { return std::string(1, '\'').append(s).append(1, '\''); }

bool fail(Error& error, ErrorKind kind, std::size_t column, std::string_view text = {}) {
  error.kind = kind;
  error.column = static_cast<uint32_t>(column);
  error.text = std::string(text);
  return false;
}

}  // namespace

std::string Error::reason() const {
  switch (kind) {
    case ErrorKind::none: return {};
    case ErrorKind::bad_column: return "header column " + quoted(text) + " is not name(type[,flags])";
    case ErrorKind::duplicate_column: return "the header names column " + quoted(text) + " twice";
    case ErrorKind::trailing_backslash: return "a '\\' ends the line";
    case ErrorKind::unclosed_quote: return "a quoted string has no closing quote";
  }
  return {};
}

std::string Error::message() const {
  switch (kind) {
    case ErrorKind::none: return {};
    case ErrorKind::bad_column:
      return "header column " + std::to_string(column) + " " + quoted(text) + " is not name(type[,flags])";
    case ErrorKind::duplicate_column: return "header names column " + quoted(text) + " twice";
    case ErrorKind::trailing_backslash:
    case ErrorKind::unclosed_quote: return "column " + std::to_string(column) + ": " + reason();
  }
  return {};
}

bool is_header(std::string_view line) {
  const std::string_view first = next_field(line);
  return !first.empty() && first.find('(') != std::string_view::npos && first.back() == ')';
}

bool parse_header(std::string_view line, std::vector<Column>& columns, Error& error) {
  columns.clear();
  for (std::string_view field = next_field(line); !field.empty(); field = next_field(line)) {
    const std::size_t number = columns.size() + 1;
    const std::size_t open = field.find('(');
    if (open == 0 || open == std::string_view::npos || field.back() != ')')
      return fail(error, ErrorKind::bad_column, number, field);
    Column c;
    c.name = lowered(field.substr(0, open));
    const std::string_view spec = field.substr(open + 1, field.size() - open - 2);
    for (std::size_t at = 0, item = 0; at <= spec.size(); ++item) {
      const std::size_t comma = std::min(spec.find(',', at), spec.size());
      const std::string word = lowered(trim(spec.substr(at, comma - at)));
      if (item == 0) c.type = word;
      else if (word == "null") c.null = true;
      else if (word == "auto") c.auto_increment = true;
      at = comma + 1;
    }
    if (find_column(columns, c.name) >= 0) return fail(error, ErrorKind::duplicate_column, number, c.name);
    columns.push_back(std::move(c));
  }
  return true;
}

bool split_row(std::string_view line, std::vector<Field>& fields, Error& error) {
  fields.clear();
  Field current;
  bool was_quoted = false;
  auto finish = [&] {
    if (!was_quoted && (current.text.empty() || current.text == "null" || current.text == "NULL")) current.null = true;
    fields.push_back(std::move(current));
    current = Field{};
    was_quoted = false;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\') {
      if (i + 1 == line.size()) return fail(error, ErrorKind::trailing_backslash, fields.size() + 1);
      const char e = line[++i];
      current.text.push_back(e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e);
    } else if (c == ':') {
      finish();
    } else if (c == '\'' && current.text.empty() && !was_quoted) {
      const std::size_t close = line.find('\'', i + 1);
      if (close == std::string_view::npos) return fail(error, ErrorKind::unclosed_quote, fields.size() + 1);
      current.text.append(line.substr(i + 1, close - i - 1));
      was_quoted = true;
      i = close;
    } else {
      current.text.push_back(c);
    }
  }
  finish();
  return true;
}

int find_column(const std::vector<Column>& columns, std::string_view name) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace siplb::text::db_text
