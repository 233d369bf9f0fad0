// The adapter over toml++: toml++ parses, and its tree is copied into ours with lines, keys in
// written order and the `implicit` mark, while what siplb does not accept is rejected. On a syntax
// error the lines before it are parsed again, both to report an earlier rejection first and to
// name the first definition in duplicate-key and header-conflict messages.
#include "toml.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

// toml++ header-only and without exceptions: the core library is built with -fno-exceptions, and
// Debian's shared libtomlplusplus (built with exceptions) exports only the throwing parse(). Its
// pkg-config flags select that shared library, so they are undone here should they be passed.
#undef TOML_HEADER_ONLY
#undef TOML_SHARED_LIB
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0  // siplb never writes TOML
#include <toml++/toml.h>

namespace tomlpp = ::toml;

namespace siplb::config::toml {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::string: return "a string";
    case Kind::integer: return "an integer";
    case Kind::boolean: return "a boolean";
    case Kind::array: return "an array";
    case Kind::table: return "a table";
    case Kind::table_array: return "an array of tables";
  }
  return "a value";
}

const Value* Table::find(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

Value* Table::find(std::string_view key) {
  for (Entry& e : entries) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

namespace {

bool comes_before(const tomlpp::source_position& a, const tomlpp::source_position& b) {
  return a.line < b.line || (a.line == b.line && a.column < b.column);
}

// The document addressed as toml++ addresses it: lines from 1, columns from 1 counted in code
// points, a UTF-8 byte order mark before line 1 not counted.
class SourceText {
 public:
  explicit SourceText(std::string_view text) : text_(text) {
    const std::size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    line_starts_.push_back(start);
    for (std::size_t i = start; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  // Byte offset of the start of `line` (the end of the text for lines past it).
  std::size_t line_offset(uint32_t line) const {
    if (line == 0) return 0;
    return line <= line_starts_.size() ? line_starts_[line - 1] : text_.size();
  }

  std::size_t offset(const tomlpp::source_position& at) const {
    std::size_t offset = line_offset(at.line);
    for (uint32_t column = 1; column < at.column && offset < text_.size() && text_[offset] != '\n'; ++column) {
      ++offset;
      // UTF-8 continuation bytes (10xxxxxx) belong to the code point just passed.
      while (offset < text_.size() && (static_cast<unsigned char>(text_[offset]) & 0xC0) == 0x80) ++offset;
    }
    return offset;
  }

  // The text from `at` to the end of the document.
  std::string_view from(const tomlpp::source_position& at) const { return text_.substr(offset(at)); }

  // A value as written (cut at the line end should it span lines).
  std::string_view written(const tomlpp::source_region& region) const {
    const std::size_t begin = offset(region.begin);
    std::size_t end = region.end.line == region.begin.line ? offset(region.end) : text_.find('\n', begin);
    if (end == std::string_view::npos || end < begin) end = text_.size();
    return text_.substr(begin, end - begin);
  }

  // One line without its line end.
  std::string_view line(uint32_t line) const {
    std::string_view rest = text_.substr(line_offset(line));
    rest = rest.substr(0, rest.find('\n'));
    if (rest.ends_with('\r')) rest.remove_suffix(1);
    return rest;
  }

 private:
  std::string_view text_;
  std::vector<std::size_t> line_starts_;
};

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// "an integer", "a table", ...: for messages about what a toml++ node already is.
std::string what_is(const tomlpp::node& node) {
  switch (node.type()) {
    case tomlpp::node_type::table: return std::string(kind_name(Kind::table));
    case tomlpp::node_type::array:
      return std::string(kind_name(node.is_array_of_tables() ? Kind::table_array : Kind::array));
    case tomlpp::node_type::string: return std::string(kind_name(Kind::string));
    case tomlpp::node_type::integer: return std::string(kind_name(Kind::integer));
    case tomlpp::node_type::boolean: return std::string(kind_name(Kind::boolean));
    case tomlpp::node_type::floating_point: return "a floating-point value";
    default: return "a date or time";
  }
}

// A header [a.b] also creates the missing parents `a`, sharing its source position; such a parent
// has a child table (or array of tables) that begins on its own line, which a table opened by its
// own header cannot have (a header ends its line). Does not apply to the root.
bool opened_by_a_deeper_header(const tomlpp::table& table) {
  const uint32_t line = table.source().begin.line;
  for (auto&& [key, node] : table) {
    if ((node.is_table() || node.is_array()) && node.source().begin.line == line) return true;
  }
  return false;
}

// The last table of an array of tables: where a header's path goes on through `node`.
const tomlpp::table* last_table_of(const tomlpp::node& node) {
  const tomlpp::array* array = node.as_array();
  if (array == nullptr || array->empty()) return nullptr;
  const tomlpp::table* last = array->back().as_table();
  return last != nullptr && !last->is_inline() ? last : nullptr;
}

// Copies toml++'s tree into ours and notes what siplb does not accept; the earliest by position
// becomes the error, as a reader that stops at the first problem would report.
class Converter {
 public:
  Converter(const SourceText& source, ParseOptions options) : source_(source), options_(options) {}

  Table root(const tomlpp::table& in) { return table(in, /*is_root=*/true); }

  bool failed() const { return !reason_.empty(); }
  Error error() const { return Error{rejected_at_.line, reason_}; }

 private:
  void reject(const tomlpp::source_position& at, std::string reason) {
    if (!failed() || comes_before(at, rejected_at_)) {
      rejected_at_ = at;
      reason_ = std::move(reason);
    }
  }

  Table table(const tomlpp::table& in, bool is_root) {
    Table out;
    out.line = is_root ? 0 : in.source().begin.line;
    out.implicit = !is_root && opened_by_a_deeper_header(in);
    // toml++ keeps keys sorted; their source positions give back the written order.
    std::vector<std::pair<const tomlpp::key*, const tomlpp::node*>> members;
    for (auto&& [key, node] : in) members.emplace_back(&key, &node);
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
      return comes_before(a.first->source().begin, b.first->source().begin);
    });
    out.entries.reserve(members.size());
    for (const auto& [key, node] : members) {
      Entry entry;
      entry.key = std::string(key->str());
      entry.value = value(*node, key->source().begin.line);
      out.entries.push_back(std::move(entry));
    }
    return out;
  }

  Value value(const tomlpp::node& node, uint32_t line) {
    Value out;
    out.line = line;
    const tomlpp::source_region& where = node.source();
    switch (node.type()) {
      case tomlpp::node_type::table: {
        const tomlpp::table& in = *node.as_table();
        if (in.is_inline()) {
          reject(where.begin, "inline tables ({...}) are not supported: use a [table] header");
        } else if (!source_.from(where.begin).starts_with('[')) {
          // Not opened by a header, so made by a dotted key such as `a.b = 1`.
          reject(where.begin, "dotted keys are not supported: write the key inside its [table]");
        }
        out.kind = Kind::table;
        out.tables.push_back(table(in, /*is_root=*/false));
        break;
      }
      case tomlpp::node_type::array: {
        const tomlpp::array& in = *node.as_array();
        if (last_table_of(in) != nullptr) {  // [[header]] tables are never inline
          out.kind = Kind::table_array;
          for (const tomlpp::node& item : in) out.tables.push_back(table(*item.as_table(), /*is_root=*/false));
          break;
        }
        out.kind = Kind::array;
        for (const tomlpp::node& item : in) {
          if (item.is_array()) {
            reject(item.source().begin, "arrays of arrays are not supported");
            continue;
          }
          if (const tomlpp::table* inline_table = item.as_table();
              inline_table != nullptr && inline_table->is_inline() && options_.inline_tables_in_arrays) {
            Value table_item;
            table_item.kind = Kind::table;
            table_item.line = item.source().begin.line;
            table_item.tables.push_back(table(*inline_table, /*is_root=*/false));
            table_item.tables.back().implicit = false;  // a value opened by its '{', never a parent
            out.items.push_back(std::move(table_item));
            continue;
          }
          out.items.push_back(value(item, item.source().begin.line));
        }
        break;
      }
      case tomlpp::node_type::string: {
        const std::string_view written = source_.from(where.begin);
        if (written.starts_with("\"\"\"")) {
          reject(where.begin, "multi-line strings (\"\"\") are not supported");
        } else if (written.starts_with("'''")) {
          reject(where.begin, "multi-line strings (''') are not supported");
        }
        out.kind = Kind::string;
        out.string = node.as_string()->get();
        break;
      }
      case tomlpp::node_type::integer:
        if (node.as_integer()->flags() != tomlpp::value_flags::none) {  // hexadecimal, octal, binary
          reject(where.begin, "only decimal integers are supported, got " + quoted(source_.written(where)));
        }
        out.kind = Kind::integer;
        out.integer = node.as_integer()->get();
        break;
      case tomlpp::node_type::boolean:
        out.kind = Kind::boolean;
        out.boolean = node.as_boolean()->get();
        break;
      case tomlpp::node_type::floating_point:
        reject(where.begin, "floating-point values are not supported, got " + quoted(source_.written(where)));
        break;
      default:  // date, time, date_time
        reject(where.begin, "dates and times are not supported, got " + quoted(source_.written(where)));
        break;
    }
    return out;
  }

  const SourceText& source_;
  ParseOptions options_;
  tomlpp::source_position rejected_at_{};
  std::string reason_;
};

// ---- rewording toml++'s syntax errors ----

bool is_bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

void skip_blanks(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
}

// A key as written from `pos`: bare, "basic" or 'literal' parts joined by dots. Only for naming
// what toml++ already checked; gives up on escapes other than \" and \\.
std::optional<std::vector<std::string>> read_key(std::string_view text, std::size_t pos) {
  std::vector<std::string> parts;
  for (;;) {
    skip_blanks(text, pos);
    std::string part;
    if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
      const char quote = text[pos++];
      for (; pos < text.size() && text[pos] != quote; ++pos) {
        if (quote == '"' && text[pos] == '\\') {
          if (pos + 1 == text.size() || (text[pos + 1] != '"' && text[pos + 1] != '\\')) return std::nullopt;
          ++pos;
        }
        part += text[pos];
      }
      if (pos == text.size()) return std::nullopt;
      ++pos;
    } else {
      while (pos < text.size() && is_bare_key_char(text[pos])) part += text[pos++];
      if (part.empty()) return std::nullopt;
    }
    parts.push_back(std::move(part));
    skip_blanks(text, pos);
    if (pos == text.size() || text[pos] != '.') return parts;
    ++pos;
  }
}

std::string joined(const std::vector<std::string>& path) {
  std::string name;
  for (const std::string& part : path) {
    if (!name.empty()) name += '.';
    name += part;
  }
  return name;
}

// "[t]\n...\n[t]": toml++ says "cannot redefine existing table 't'"; we name the first definition,
// found in `earlier` (the document up to the header's line).
std::optional<std::string> header_conflict(std::string_view header_line, const tomlpp::table& earlier) {
  std::size_t pos = 0;
  skip_blanks(header_line, pos);
  if (pos == header_line.size() || header_line[pos] != '[') return std::nullopt;
  const bool is_array = header_line.substr(pos).starts_with("[[");
  std::optional<std::vector<std::string>> path = read_key(header_line, pos + (is_array ? 2 : 1));
  if (!path) return std::nullopt;
  const std::string shown = is_array ? "[[" + joined(*path) + "]]" : "[" + joined(*path) + "]";

  const tomlpp::table* table = &earlier;
  for (std::size_t i = 0; i < path->size(); ++i) {
    auto found = table->find((*path)[i]);
    if (found == table->end()) return std::nullopt;
    const tomlpp::node& node = found->second;
    const bool is_last = i + 1 == path->size();
    if (!is_last && node.is_table()) {
      table = node.as_table();
      continue;
    }
    if (!is_last && last_table_of(node) != nullptr) {
      table = last_table_of(node);
      continue;
    }
    if (is_last && !is_array && node.is_table()) {
      return "table " + shown + " is defined twice (first at line " +
             std::to_string(node.source().begin.line) + ")";
    }
    return "cannot open " + shown + ": '" + (*path)[i] + "' is already " + what_is(node) + " (line " +
           std::to_string(found->first.source().begin.line) + ")";
  }
  return std::nullopt;
}

// The table the last header opened, with its name: where the key/value lines that follow go.
struct OpenTable {
  const tomlpp::table* table = nullptr;
  std::string name;  // "" for the root
  uint32_t line = 0;
};

void find_last_opened(const tomlpp::table& table, const std::string& name, OpenTable& last) {
  for (auto&& [key, node] : table) {
    const std::string child_name = name.empty() ? std::string(key.str()) : name + "." + std::string(key.str());
    auto visit = [&](const tomlpp::table& child) {
      if (child.is_inline()) return;
      const uint32_t line = child.source().begin.line;
      if (line > last.line && !opened_by_a_deeper_header(child)) last = {&child, child_name, line};
      find_last_opened(child, child_name, last);
    };
    if (const tomlpp::table* child = node.as_table()) {
      visit(*child);
    } else if (const tomlpp::array* array = node.as_array()) {
      for (const tomlpp::node& item : *array) {
        if (const tomlpp::table* child = item.as_table()) visit(*child);
      }
    }
  }
}

// "a = 1\na = 2": toml++ says "cannot redefine existing integer 'a'"; we name the table and the
// first definition, found in `earlier` (the document up to the line of the second one).
std::optional<std::string> duplicate_key(std::string_view key_line, const tomlpp::table& earlier) {
  std::optional<std::vector<std::string>> key = read_key(key_line, 0);
  if (!key) return std::nullopt;
  if (key->size() > 1) return "dotted keys are not supported: write the key inside its [table]";
  OpenTable current{&earlier, "", 0};
  find_last_opened(earlier, "", current);
  auto found = current.table->find(key->front());
  if (found == current.table->end()) return std::nullopt;
  const std::string where = current.name.empty() ? "" : " in [" + current.name + "]";
  return "duplicate key '" + key->front() + "'" + where + " (first at line " +
         std::to_string(found->first.source().begin.line) + ")";
}

// The array that begins on an earlier line and ends on `last_line`, if any.
std::optional<uint32_t> line_of_array_ending_on(const tomlpp::node& node, uint32_t last_line) {
  if (const tomlpp::array* array = node.as_array()) {
    if (array->source().end.line == last_line && array->source().begin.line < last_line) {
      return array->source().begin.line;
    }
    for (const tomlpp::node& item : *array) {
      if (std::optional<uint32_t> line = line_of_array_ending_on(item, last_line)) return line;
    }
  } else if (const tomlpp::table* table = node.as_table()) {
    for (auto&& [key, child] : *table) {
      if (std::optional<uint32_t> line = line_of_array_ending_on(child, last_line)) return line;
    }
  }
  return std::nullopt;
}

// An array left open: toml++ points at the end of the file, but the line that opened it is more
// use. Closing it on a line of its own and parsing again finds that line.
std::optional<uint32_t> line_of_unclosed_array(std::string_view text) {
  const std::string closed = std::string(text) + "\n]";
  tomlpp::parse_result parsed = tomlpp::parse(closed);
  if (!parsed) return std::nullopt;
  const auto last_line = static_cast<uint32_t>(std::count(closed.begin(), closed.end(), '\n') + 1);
  return line_of_array_ending_on(parsed.table(), last_line);
}

// toml++ describes a syntax error as "Error while parsing <what>: <detail>". Passed on as
// "<what>: <detail>", except for the cases above and a few common slips given plainer words.
Error describe(const tomlpp::parse_error& error, std::string_view text, const SourceText& source,
               const tomlpp::table* earlier) {
  const std::string_view description = error.description();
  std::string_view what;
  std::string_view detail = description;
  constexpr std::string_view kLead = "Error while parsing ";
  if (description.starts_with(kLead)) {
    if (std::size_t colon = description.find(": ", kLead.size()); colon != std::string_view::npos) {
      what = description.substr(kLead.size(), colon - kLead.size());
      detail = description.substr(colon + 2);
    }
  }
  const tomlpp::source_position& at = error.source().begin;
  const std::string_view line = source.line(at.line);
  auto here = [&](std::string reason) { return Error{at.line, std::move(reason)}; };

  if (detail.starts_with("cannot redefine existing") && earlier != nullptr) {
    std::optional<std::string> reworded;
    if (what == "table header") reworded = header_conflict(line, *earlier);
    if (what == "key-value pair") reworded = duplicate_key(line, *earlier);
    if (reworded) return here(std::move(*reworded));
  }
  if (what == "string" || what == "literal string") {
    // toml++ objects to the line end (a control character) or to the end of the file.
    const std::string_view rest = source.from(at);
    if (rest.empty() || rest.front() == '\n' || rest.front() == '\r') {
      return here(what == "string" ? "unterminated string (a basic string ends on its line with '\"')"
                                   : "unterminated string (a literal string ends on its line with ''')");
    }
  }
  if (what == "array" && detail == "encountered end-of-file") {
    return Error{line_of_unclosed_array(text).value_or(at.line), "unterminated array (no closing ']')"};
  }
  if ((what == "value" && detail == "could not determine value type") || what == "boolean") {
    // `algorithm = maglev`, `enabled = True`: the word around the error, as written.
    const std::size_t column = source.offset(at) - source.line_offset(at.line);
    std::size_t begin = std::min(column, line.size());
    std::size_t end = begin;
    while (begin > 0 && is_bare_key_char(line[begin - 1])) --begin;
    while (end < line.size() && is_bare_key_char(line[end])) ++end;
    const std::string_view word = line.substr(begin, end - begin);
    if (!word.empty() && !(word.front() >= '0' && word.front() <= '9')) {
      return here("invalid value " + quoted(word) + " (strings need quotes; booleans are true or false)");
    }
  }
  if (what.empty()) return here(std::string(description));
  return here(std::string(what) + ": " + std::string(detail));
}

}  // namespace

ParseResult parse(std::string_view text, ParseOptions options) {
  const SourceText source(text);
  ParseResult result;
  tomlpp::parse_result parsed = tomlpp::parse(text);
  if (parsed) {
    Converter converter(source, options);
    result.root = converter.root(parsed.table());
    if (converter.failed()) result.error = converter.error();
    return result;
  }

  // toml++ stopped at its first error, so the lines before it parse on their own (unless that error
  // lies inside an array begun earlier). Something there that siplb rejects is reported first;
  // otherwise they tell where a duplicate key or table was first defined.
  const tomlpp::parse_error& error = parsed.error();
  const uint32_t line = std::max<uint32_t>(error.source().begin.line, 1);
  tomlpp::parse_result before = tomlpp::parse(text.substr(0, source.line_offset(line)));
  const tomlpp::table* earlier = nullptr;
  if (before) {
    Converter converter(source, options);
    converter.root(before.table());
    if (converter.failed()) {
      result.error = converter.error();
      return result;
    }
    earlier = &before.table();
  }
  result.error = describe(error, text, source, earlier);
  return result;
}

}  // namespace siplb::config::toml
