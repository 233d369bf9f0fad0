// The TOML subset reader: one pass over the text, a cursor and a line counter; the first error
// stops the parse and is returned with its line.
#include "toml.hpp"

#include <limits>

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

bool is_bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Characters that may form an unquoted scalar token (integers, booleans, and the floats and dates
// we reject, which we still want to read whole so the message quotes them).
bool is_token_char(char c) {
  return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
}

// Text for messages: printable ASCII kept, anything else as \xNN.
std::string quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  out += '\'';
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

class Parser {
 public:
  Parser(std::string_view text, ParseResult& result) : text_(text), result_(result) {}

  void run();

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool fail(std::string reason) { return fail_at(line_, std::move(reason)); }
  bool fail_at(uint32_t line, std::string reason) {
    if (result_.error.reason.empty()) {
      result_.error.line = line;
      result_.error.reason = std::move(reason);
    }
    return false;
  }

  void skip_blanks();
  bool at_newline() const;
  bool consume_newline();
  bool skip_comment();
  bool finish_line(std::string_view after);
  bool skip_blanks_newlines_comments();

  bool parse_header();
  bool parse_key_value();
  bool parse_key(std::string& key);
  bool parse_value(Value& out);
  bool parse_basic_string(std::string& out);
  bool parse_literal_string(std::string& out);
  bool parse_array(Value& out);
  bool parse_token(Value& out);
  bool parse_integer(std::string_view token, int64_t& out);

  std::string_view text_;
  ParseResult& result_;
  std::size_t pos_ = 0;
  uint32_t line_ = 1;
  Table* current_ = nullptr;
  std::string current_name_;  // header path of current_, for messages ("" for the root)
};

void Parser::skip_blanks() {
  while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
}

bool Parser::at_newline() const {
  return !at_end() && (text_[pos_] == '\n' || (text_[pos_] == '\r' && peek(1) == '\n'));
}

bool Parser::consume_newline() {
  if (at_end()) return true;
  if (text_[pos_] == '\n') {
    ++pos_;
  } else if (text_[pos_] == '\r' && peek(1) == '\n') {
    pos_ += 2;
  } else {
    return false;
  }
  ++line_;
  return true;
}

// Skips a comment up to (not including) its line end. Control characters other than tab are not
// allowed in comments.
bool Parser::skip_comment() {
  if (peek() != '#') return true;
  while (!at_end() && !at_newline()) {
    auto u = static_cast<unsigned char>(text_[pos_]);
    if ((u < 0x20 && u != '\t') || u == 0x7f) {
      if (u == '\r') return fail("carriage return without a line feed");
      return fail("control character in a comment");
    }
    ++pos_;
  }
  return true;
}

// After a header or key/value: blanks, an optional comment, then the line end (or the text end).
bool Parser::finish_line(std::string_view after) {
  skip_blanks();
  if (!skip_comment()) return false;
  if (at_end() || consume_newline()) return true;
  if (peek() == '\r') return fail("carriage return without a line feed");
  return fail("unexpected " + quote(text_.substr(pos_, 1)) + " after " + std::string(after) +
              " (expected the end of the line)");
}

// Inside arrays: blanks, comments and line ends may come between items.
bool Parser::skip_blanks_newlines_comments() {
  for (;;) {
    skip_blanks();
    if (peek() == '#') {
      if (!skip_comment()) return false;
    }
    if (at_end()) return true;
    if (at_newline()) {
      consume_newline();
      continue;
    }
    if (peek() == '\r') return fail("carriage return without a line feed");
    return true;
  }
}

void Parser::run() {
  current_ = &result_.root;
  // A UTF-8 byte order mark is allowed at the very start.
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  while (!at_end()) {
    skip_blanks();
    if (at_end()) break;
    char c = text_[pos_];
    bool ok = true;
    if (c == '#') {
      ok = skip_comment() && finish_line("a comment");
    } else if (at_newline()) {
      consume_newline();
    } else if (c == '[') {
      ok = parse_header();
    } else if (is_bare_key_char(c) || c == '"' || c == '\'') {
      ok = parse_key_value();
    } else if (c == '\r') {
      ok = fail("carriage return without a line feed");
    } else {
      ok = fail("unexpected " + quote(text_.substr(pos_, 1)) +
                " (expected a key, a [table] header or a comment)");
    }
    if (!ok) return;
  }
}

bool Parser::parse_key(std::string& key) {
  key.clear();
  char c = peek();
  if (c == '"') {
    if (peek(1) == '"' && peek(2) == '"') return fail("multi-line strings cannot be keys");
    return parse_basic_string(key);
  }
  if (c == '\'') {
    if (peek(1) == '\'' && peek(2) == '\'') return fail("multi-line strings cannot be keys");
    return parse_literal_string(key);
  }
  std::size_t begin = pos_;
  while (!at_end() && is_bare_key_char(text_[pos_])) ++pos_;
  if (pos_ == begin) {
    if (at_end() || at_newline()) return fail("a key is missing");
    return fail("unexpected " + quote(text_.substr(pos_, 1)) + " where a key should be");
  }
  key.assign(text_.substr(begin, pos_ - begin));
  return true;
}

// [a.b.c] or [[a.b.c]]: walks from the root, creating implicit tables for missing parents and
// descending into the last element of arrays of tables, then opens the last part.
bool Parser::parse_header() {
  const bool is_array = peek(1) == '[';
  pos_ += is_array ? 2 : 1;
  std::vector<std::string> path;
  for (;;) {
    skip_blanks();
    std::string part;
    if (!parse_key(part)) return false;
    path.push_back(std::move(part));
    skip_blanks();
    if (peek() == '.') {
      ++pos_;
      continue;
    }
    break;
  }
  if (is_array) {
    if (peek() != ']' || peek(1) != ']') return fail("expected ']]' to close the [[array of tables]] header");
    pos_ += 2;
  } else {
    if (peek() != ']') return fail("expected ']' to close the [table] header");
    ++pos_;
  }

  std::string name;
  for (const std::string& part : path) {
    if (!name.empty()) name += '.';
    name += part;
  }
  const std::string shown = is_array ? "[[" + name + "]]" : "[" + name + "]";

  Table* table = &result_.root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    Value* v = table->find(path[i]);
    if (v == nullptr) {
      Entry e;
      e.key = path[i];
      e.value.kind = Kind::table;
      e.value.line = line_;
      e.value.tables.emplace_back();
      e.value.tables.back().line = line_;
      e.value.tables.back().implicit = true;
      table->entries.push_back(std::move(e));
      v = &table->entries.back().value;
    }
    if (v->kind == Kind::table || v->kind == Kind::table_array) {
      table = &v->tables.back();
    } else {
      return fail("cannot open " + shown + ": '" + path[i] + "' is already " +
                  std::string(kind_name(v->kind)) + " (line " + std::to_string(v->line) + ")");
    }
  }

  const std::string& last = path.back();
  Value* v = table->find(last);
  if (is_array) {
    if (v == nullptr) {
      Entry e;
      e.key = last;
      e.value.kind = Kind::table_array;
      e.value.line = line_;
      table->entries.push_back(std::move(e));
      v = &table->entries.back().value;
    } else if (v->kind != Kind::table_array) {
      return fail("cannot open " + shown + ": '" + last + "' is already " +
                  std::string(kind_name(v->kind)) + " (line " + std::to_string(v->line) + ")");
    }
    v->tables.emplace_back();
    v->tables.back().line = line_;
    current_ = &v->tables.back();
  } else {
    if (v == nullptr) {
      Entry e;
      e.key = last;
      e.value.kind = Kind::table;
      e.value.line = line_;
      e.value.tables.emplace_back();
      e.value.tables.back().line = line_;
      table->entries.push_back(std::move(e));
      v = &table->entries.back().value;
    } else if (v->kind == Kind::table && v->tables.back().implicit) {
      // Created as a parent by an earlier dotted header; now opened for real.
      v->tables.back().implicit = false;
      v->tables.back().line = line_;
    } else if (v->kind == Kind::table) {
      return fail("table " + shown + " is defined twice (first at line " +
                  std::to_string(v->tables.back().line) + ")");
    } else {
      return fail("cannot open " + shown + ": '" + last + "' is already " +
                  std::string(kind_name(v->kind)) + " (line " + std::to_string(v->line) + ")");
    }
    current_ = &v->tables.back();
  }
  current_name_ = name;
  return finish_line("the header " + shown);
}

bool Parser::parse_key_value() {
  const uint32_t key_line = line_;
  std::string key;
  if (!parse_key(key)) return false;
  skip_blanks();
  if (peek() == '.') return fail("dotted keys are not supported: write the key inside its [table]");
  if (peek() != '=') {
    if (at_end() || at_newline()) return fail("expected '=' after the key '" + key + "'");
    return fail("unexpected " + quote(text_.substr(pos_, 1)) + " after the key '" + key +
                "' (expected '=')");
  }
  ++pos_;
  skip_blanks();
  if (const Value* existing = current_->find(key)) {
    std::string where = current_name_.empty() ? "" : " in [" + current_name_ + "]";
    return fail("duplicate key '" + key + "'" + where + " (first at line " +
                std::to_string(existing->line) + ")");
  }
  Entry e;
  e.key = std::move(key);
  e.value.line = key_line;
  if (!parse_value(e.value)) return false;
  const std::string after = "the value of '" + e.key + "'";
  current_->entries.push_back(std::move(e));
  return finish_line(after);
}

bool Parser::parse_value(Value& out) {
  if (at_end() || at_newline() || peek() == '#') return fail("a value is missing after '='");
  char c = peek();
  if (c == '"') {
    if (peek(1) == '"' && peek(2) == '"') return fail("multi-line strings (\"\"\") are not supported");
    out.kind = Kind::string;
    return parse_basic_string(out.string);
  }
  if (c == '\'') {
    if (peek(1) == '\'' && peek(2) == '\'') return fail("multi-line strings (''') are not supported");
    out.kind = Kind::string;
    return parse_literal_string(out.string);
  }
  if (c == '[') return parse_array(out);
  if (c == '{') return fail("inline tables ({...}) are not supported: use a [table] header");
  if (is_token_char(c)) return parse_token(out);
  return fail("unexpected " + quote(text_.substr(pos_, 1)) + " where a value should be");
}

bool Parser::parse_basic_string(std::string& out) {
  const uint32_t open_line = line_;
  ++pos_;  // opening quote
  for (;;) {
    if (at_end() || at_newline() || peek() == '\r') {
      return fail_at(open_line, "unterminated string (a basic string ends on its line with '\"')");
    }
    char c = text_[pos_];
    auto u = static_cast<unsigned char>(c);
    if (c == '"') {
      ++pos_;
      return true;
    }
    if ((u < 0x20 && c != '\t') || u == 0x7f) return fail("control character in a string: escape it");
    if (c != '\\') {
      out += c;
      ++pos_;
      continue;
    }
    char esc = peek(1);
    pos_ += 2;
    switch (esc) {
      case 'b': out += '\b'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'f': out += '\f'; break;
      case 'r': out += '\r'; break;
      case 'e': out += '\x1b'; break;
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'u':
      case 'U': {
        const std::size_t digits = esc == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (std::size_t i = 0; i < digits; ++i) {
          char h = peek();
          uint32_t d;
          if (h >= '0' && h <= '9') {
            d = static_cast<uint32_t>(h - '0');
          } else if (h >= 'a' && h <= 'f') {
            d = static_cast<uint32_t>(h - 'a' + 10);
          } else if (h >= 'A' && h <= 'F') {
            d = static_cast<uint32_t>(h - 'A' + 10);
          } else {
            return fail(std::string("\\") + esc + " needs " + std::to_string(digits) + " hex digits");
          }
          cp = cp << 4 | d;
          ++pos_;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          return fail("\\" + std::string(1, esc) + " escape is not a Unicode scalar value");
        }
        append_utf8(out, cp);
        break;
      }
      default:
        if (esc == '\0' || esc == '\n' || esc == '\r') {
          return fail_at(open_line, "unterminated string (a basic string ends on its line with '\"')");
        }
        return fail("unknown escape \\" + quote(std::string_view(&esc, 1)).substr(1, 1) +
                    " in a string (known: \\b \\t \\n \\f \\r \\e \\\" \\\\ \\uXXXX \\UXXXXXXXX)");
    }
  }
}

bool Parser::parse_literal_string(std::string& out) {
  const uint32_t open_line = line_;
  ++pos_;  // opening quote
  for (;;) {
    if (at_end() || at_newline() || peek() == '\r') {
      return fail_at(open_line, "unterminated string (a literal string ends on its line with ''')");
    }
    char c = text_[pos_];
    auto u = static_cast<unsigned char>(c);
    if (c == '\'') {
      ++pos_;
      return true;
    }
    if ((u < 0x20 && c != '\t') || u == 0x7f) return fail("control character in a literal string");
    out += c;
    ++pos_;
  }
}

bool Parser::parse_array(Value& out) {
  const uint32_t open_line = line_;
  out.kind = Kind::array;
  ++pos_;  // '['
  for (;;) {
    if (!skip_blanks_newlines_comments()) return false;
    if (at_end()) return fail_at(open_line, "unterminated array (no closing ']')");
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    if (peek() == ',') return fail("unexpected ',' in an array (a value is missing)");
    if (peek() == '[') return fail("arrays of arrays are not supported");
    Value item;
    item.line = line_;
    if (!parse_value(item)) return false;
    out.items.push_back(std::move(item));
    if (!skip_blanks_newlines_comments()) return false;
    if (at_end()) return fail_at(open_line, "unterminated array (no closing ']')");
    if (peek() == ',') {
      ++pos_;
      continue;
    }
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    return fail("unexpected " + quote(text_.substr(pos_, 1)) + " in an array (expected ',' or ']')");
  }
}

bool Parser::parse_token(Value& out) {
  std::size_t begin = pos_;
  while (!at_end() && is_token_char(text_[pos_])) ++pos_;
  std::string_view token = text_.substr(begin, pos_ - begin);
  if (token == "true" || token == "false") {
    out.kind = Kind::boolean;
    out.boolean = token == "true";
    return true;
  }
  out.kind = Kind::integer;
  return parse_integer(token, out.integer);
}

bool Parser::parse_integer(std::string_view token, int64_t& out) {
  const std::string shown = quote(token);
  std::size_t i = 0;
  bool negative = false;
  if (i < token.size() && (token[i] == '+' || token[i] == '-')) {
    negative = token[i] == '-';
    ++i;
  }
  std::string_view body = token.substr(i);
  if (body == "inf" || body == "nan") return fail("floating-point values are not supported, got " + shown);
  if (body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
    return fail("only decimal integers are supported, got " + shown);
  }
  if (body.empty() || !is_digit(body[0])) {
    if (!body.empty() && (is_bare_key_char(body[0]))) {
      return fail("invalid value " + shown + " (strings need quotes; booleans are true or false)");
    }
    return fail("invalid value " + shown);
  }
  // Dates (1979-05-27), times (07:32:00) and floats (1.5, 1e3) start with digits too.
  for (std::size_t k = 0; k < body.size(); ++k) {
    char c = body[k];
    if (c == ':' || c == '-' || c == '+') return fail("dates and times are not supported, got " + shown);
    if (c == '.' || c == 'e' || c == 'E') return fail("floating-point values are not supported, got " + shown);
  }
  if (body.size() > 1 && body[0] == '0') return fail("leading zeros are not allowed in integers, got " + shown);

  // |INT64_MIN| fits in uint64_t; the limit depends on the sign.
  const uint64_t limit = negative ? uint64_t{1} << 63 : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t value = 0;
  for (std::size_t k = 0; k < body.size(); ++k) {
    char c = body[k];
    if (c == '_') {
      if (k == 0 || k + 1 == body.size() || !is_digit(body[k - 1]) || !is_digit(body[k + 1])) {
        return fail("an underscore in an integer must sit between two digits, got " + shown);
      }
      continue;
    }
    if (!is_digit(c)) return fail("invalid integer " + shown);
    const auto d = static_cast<uint64_t>(c - '0');
    if (value > (limit - d) / 10) return fail("integer " + shown + " is out of the 64-bit range");
    value = value * 10 + d;
  }
  if (negative) {
    out = value == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(value);
  } else {
    out = static_cast<int64_t>(value);
  }
  return true;
}

}  // namespace

ParseResult parse(std::string_view text) {
  ParseResult result;
  Parser parser(text, result);
  parser.run();
  return result;
}

}  // namespace siplb::config::toml
