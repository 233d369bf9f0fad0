// Subscriber sources: db_text tables (OpenSIPS/Kamailio) and TOML lists, into a SubscriberTable.
#include "siplb/auth/subscriber_loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "../config/toml.hpp"
#include "siplb/text/db_text.hpp"
#include "siplb/text/edit_distance.hpp"

namespace siplb::auth {

namespace {

constexpr std::string_view kFields[] = {"username", "domain", "password", "ha1", "ha1b", "ha1_sha256", "ha1b_sha256"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string located(std::string_view source, uint32_t line, const std::string& what) {
  return std::string(source) + ":" + std::to_string(line) + ": " + what;
}

// Points `spec`'s member for field `name` at `value`; false for a name that is not one of ours.
bool assign(SubscriberSpec& spec, std::string_view name, std::string_view value) {
  if (name == "username") spec.username = value;
  else if (name == "domain") spec.domain = value;
  else if (name == "password") spec.password = value, spec.has_password = true;
  else if (name == "ha1") spec.ha1 = value;
  else if (name == "ha1b") spec.ha1b = value;
  else if (name == "ha1_sha256") spec.ha1_sha256 = value;
  else if (name == "ha1b_sha256") spec.ha1b_sha256 = value;
  else return false;
  return true;
}

// The next line of `text` (without its line end), advancing it.
std::string_view next_line(std::string_view& text) {
  const std::size_t nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return trim(line);
}

// ---- db_text (the syntax is text::db_text's) ----------------------------------------------------

SubscriberLoad parse_db_text(std::string_view text, std::string_view source, const SubscriberLoadOptions& options) {
  namespace db_text = text::db_text;
  SubscriberLoad out;
  std::vector<db_text::Column> columns;
  std::vector<db_text::Field> fields;
  db_text::Error error;
  uint32_t line_number = 0;
  auto fail = [&](const std::string& what) {
    out.error = located(source, line_number, what);
    out.table = SubscriberTable{};
    return std::move(out);
  };
  while (!text.empty()) {
    ++line_number;
    const std::string_view line = next_line(text);
    if (line.empty() || line.front() == '#') continue;
    if (columns.empty()) {
      if (!db_text::is_header(line)) return fail("not a db_text header (name(type) columns)");
      if (!db_text::parse_header(line, columns, error)) return fail(error.message());
      if (db_text::find_column(columns, "username") < 0) return fail("the db_text header has no 'username' column");
      if (db_text::find_column(columns, "domain") < 0 && options.default_domain.empty())
        return fail("the db_text header has no 'domain' column (and no default domain is set)");
      continue;
    }
    if (!db_text::split_row(line, fields, error))
      return fail("field " + std::to_string(error.column) + ": " + error.reason());
    if (fields.size() != columns.size())
      return fail("the row has " + std::to_string(fields.size()) + " fields, the header names " +
                  std::to_string(columns.size()) + " columns");
    SubscriberSpec spec;
    spec.line = line_number;
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (!fields[i].null) assign(spec, columns[i].name, fields[i].text);
    if (spec.domain.empty()) spec.domain = options.default_domain;
    const SubscriberError e = out.table.add(spec);
    if (!e.ok()) return fail(e.field.empty() ? e.reason : "column '" + e.field + "': " + e.reason);
  }
  if (columns.empty()) {
    line_number = 1;
    return fail("empty: no db_text header");
  }
  return out;
}

// ---- TOML ------------------------------------------------------------------------------------

SubscriberLoad parse_toml(std::string_view text, std::string_view source) {
  namespace toml = config::toml;
  SubscriberLoad out;
  auto fail = [&](uint32_t line, const std::string& what) {
    out.error = located(source, line, what);
    out.table = SubscriberTable{};
    return std::move(out);
  };
  const toml::ParseResult doc = toml::parse(text);
  if (!doc.ok()) return fail(doc.error.line, doc.error.reason);
  for (const toml::Entry& e : doc.root.entries) {
    if (e.key != "subscriber")
      return fail(e.value.line, "unknown key '" + e.key + "' (a subscriber list holds [[subscriber]] tables only)");
    if (e.value.kind != toml::Kind::table_array)
      return fail(e.value.line, "'subscriber' must be an array of tables ([[subscriber]]), got " +
                                    std::string(toml::kind_name(e.value.kind)));
    for (const toml::Table& t : e.value.tables) {
      SubscriberSpec spec;
      spec.line = t.line;
      for (const toml::Entry& f : t.entries) {
        if (f.value.kind != toml::Kind::string)
          return fail(f.value.line, "key '" + f.key + "': must be a string, got " +
                                        std::string(toml::kind_name(f.value.kind)));
        if (!assign(spec, f.key, f.value.string)) {
          std::string what = "unknown key '" + f.key + "'";
          for (std::string_view known : kFields)
            if (text::edit_distance(f.key, known) <= 2) {
              what += " (did you mean '" + std::string(known) + "'?)";
              break;
            }
          return fail(f.value.line, what);
        }
      }
      const SubscriberError err = out.table.add(spec);
      if (!err.ok()) {
        uint32_t line = t.line;
        if (const toml::Value* v = err.field.empty() ? nullptr : t.find(err.field)) line = v->line;
        return fail(line, err.field.empty() ? err.reason : "key '" + err.field + "': " + err.reason);
      }
    }
  }
  return out;
}

bool ends_with_toml(std::string_view name) {
  if (name.size() < 5) return false;
  std::string_view ext = name.substr(name.size() - 5);
  for (std::size_t i = 0; i < 5; ++i)
    if (lower(ext[i]) != ".toml"[i]) return false;
  return true;
}

}  // namespace

SubscriberLoad parse_subscribers(std::string_view text, std::string_view source_name,
                                 const SubscriberLoadOptions& options) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  SubscriberFormat format = options.format;
  if (format == SubscriberFormat::detect) {
    format = SubscriberFormat::toml;
    if (!ends_with_toml(source_name)) {
      std::string_view rest = text;
      while (!rest.empty()) {
        const std::string_view line = next_line(rest);
        if (line.empty() || line.front() == '#') continue;
        if (text::db_text::is_header(line)) format = SubscriberFormat::db_text;
        break;
      }
    }
  }
  return format == SubscriberFormat::db_text ? parse_db_text(text, source_name, options) : parse_toml(text, source_name);
}

SubscriberLoad load_subscribers(const std::string& path, const SubscriberLoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    SubscriberLoad out;
    out.error = path + ": cannot be read: " + std::strerror(errno);
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_subscribers(text.str(), path, options);
}

}  // namespace siplb::auth
