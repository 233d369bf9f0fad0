// siplb's TOML adapter over toml++ (src/config/toml.hpp): every supported form, the tree it builds
// (order, lines, nesting of [[a.b]] under the last [[a]], implicit parents), what siplb rejects,
// and errors with their line: syntax errors in toml++'s words unless the adapter rewords them.
#include <gtest/gtest.h>

#include <string>

#include "config/toml.hpp"

namespace siplb::config::toml {
namespace {

ParseResult ok_parse(std::string_view text) {
  ParseResult r = parse(text);
  EXPECT_TRUE(r.ok()) << "line " << r.error.line << ": " << r.error.reason;
  return r;
}

// Expects a parse error at `line` whose reason contains `part`.
void expect_error(std::string_view text, uint32_t line, std::string_view part) {
  ParseResult r = parse(text);
  ASSERT_FALSE(r.ok()) << "parsed: " << text;
  EXPECT_EQ(r.error.line, line) << r.error.reason;
  EXPECT_NE(r.error.reason.find(part), std::string::npos)
      << "reason \"" << r.error.reason << "\" lacks \"" << part << "\"";
}

TEST(Toml, EmptyAndCommentsOnly) {
  EXPECT_TRUE(ok_parse("").root.entries.empty());
  EXPECT_TRUE(ok_parse("# just a comment\n\n   \t\n# another").root.entries.empty());
}

TEST(Toml, ScalarsKeepOrderAndLines) {
  ParseResult r = ok_parse(
      "b = 1\n"
      "a = \"x\"\n"
      "\n"
      "c = true   # trailing comment\n"
      "d = false\n");
  ASSERT_EQ(r.root.entries.size(), 4u);
  EXPECT_EQ(r.root.entries[0].key, "b");
  EXPECT_EQ(r.root.entries[1].key, "a");
  EXPECT_EQ(r.root.entries[2].key, "c");
  EXPECT_EQ(r.root.entries[0].value.kind, Kind::integer);
  EXPECT_EQ(r.root.entries[0].value.integer, 1);
  EXPECT_EQ(r.root.entries[0].value.line, 1u);
  EXPECT_EQ(r.root.entries[1].value.kind, Kind::string);
  EXPECT_EQ(r.root.entries[1].value.string, "x");
  EXPECT_EQ(r.root.entries[2].value.kind, Kind::boolean);
  EXPECT_TRUE(r.root.entries[2].value.boolean);
  EXPECT_EQ(r.root.entries[2].value.line, 4u);
  EXPECT_FALSE(r.root.find("d")->boolean);
  EXPECT_EQ(r.root.find("missing"), nullptr);
}

TEST(Toml, Integers) {
  ParseResult r = ok_parse(
      "a = 0\nb = +17\nc = -5\nd = 1_000_000\ne = 9223372036854775807\n"
      "f = -9223372036854775808\ng = -0\n");
  EXPECT_EQ(r.root.find("a")->integer, 0);
  EXPECT_EQ(r.root.find("b")->integer, 17);
  EXPECT_EQ(r.root.find("c")->integer, -5);
  EXPECT_EQ(r.root.find("d")->integer, 1000000);
  EXPECT_EQ(r.root.find("e")->integer, INT64_MAX);
  EXPECT_EQ(r.root.find("f")->integer, INT64_MIN);
  EXPECT_EQ(r.root.find("g")->integer, 0);
}

TEST(Toml, BasicStringEscapes) {
  ParseResult r = ok_parse(R"(s = "tab\there \"q\" back\\slash nl\n \u00e9 \U0001F600 cr\r bs\b ff\f")");
  EXPECT_EQ(r.root.find("s")->string,
            "tab\there \"q\" back\\slash nl\n \xC3\xA9 \xF0\x9F\x98\x80 cr\r bs\b ff\f");
}

TEST(Toml, LiteralStringsKeepBackslashes) {
  ParseResult r = ok_parse(R"(path = 'C:\Users\x "quoted"')" "\nempty = ''\n");
  EXPECT_EQ(r.root.find("path")->string, R"(C:\Users\x "quoted")");
  EXPECT_EQ(r.root.find("empty")->string, "");
}

TEST(Toml, QuotedKeys) {
  ParseResult r = ok_parse("\"with space\" = 1\n'lit.key' = 2\n\"\" = 3\nbare-key_9 = 4\n");
  EXPECT_EQ(r.root.find("with space")->integer, 1);
  EXPECT_EQ(r.root.find("lit.key")->integer, 2);
  EXPECT_EQ(r.root.find("")->integer, 3);
  EXPECT_EQ(r.root.find("bare-key_9")->integer, 4);
}

TEST(Toml, ArraysSpanLinesWithCommentsAndTrailingComma) {
  ParseResult r = ok_parse(
      "a = [1, 2, 3]\n"
      "b = [\n"
      "  \"x\",  # first\n"
      "  'y',\n"
      "\n"
      "  # a comment line\n"
      "]\n"
      "c = []\n"
      "d = [ true ,false, ]\n"
      "e = 5\n");
  const Value* a = r.root.find("a");
  ASSERT_EQ(a->kind, Kind::array);
  ASSERT_EQ(a->items.size(), 3u);
  EXPECT_EQ(a->items[2].integer, 3);
  const Value* b = r.root.find("b");
  ASSERT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->line, 2u);
  EXPECT_EQ(b->items[0].string, "x");
  EXPECT_EQ(b->items[0].line, 3u);
  EXPECT_EQ(b->items[1].string, "y");
  EXPECT_EQ(b->items[1].line, 4u);
  EXPECT_TRUE(r.root.find("c")->items.empty());
  ASSERT_EQ(r.root.find("d")->items.size(), 2u);
  EXPECT_FALSE(r.root.find("d")->items[1].boolean);
  EXPECT_EQ(r.root.find("e")->line, 10u);
}

TEST(Toml, CrlfLineEnds) {
  ParseResult r = ok_parse("a = 1\r\n# c\r\n[t]\r\nb = [\r\n 2,\r\n]\r\n");
  EXPECT_EQ(r.root.find("a")->integer, 1);
  const Value* t = r.root.find("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->line, 3u);
  EXPECT_EQ(t->tables[0].find("b")->items[0].line, 5u);
}

TEST(Toml, ByteOrderMarkIsSkipped) {
  EXPECT_EQ(ok_parse("\xEF\xBB\xBF" "a = 1\n").root.find("a")->integer, 1);
}

TEST(Toml, Tables) {
  ParseResult r = ok_parse(
      "top = 1\n"
      "[alpha]\n"
      "x = 2\n"
      "[ beta ]  # spaces inside the brackets\n"
      "y = 3\n"
      "[\"quoted name\"]\n"
      "z = 4\n");
  const Value* alpha = r.root.find("alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->kind, Kind::table);
  EXPECT_EQ(alpha->tables.size(), 1u);
  EXPECT_EQ(alpha->tables[0].line, 2u);
  EXPECT_EQ(alpha->tables[0].find("x")->integer, 2);
  EXPECT_EQ(alpha->tables[0].find("top"), nullptr);
  EXPECT_EQ(r.root.find("beta")->tables[0].find("y")->integer, 3);
  EXPECT_EQ(r.root.find("quoted name")->tables[0].find("z")->integer, 4);
}

TEST(Toml, NestedArrayOfTablesBelongsToTheLastParent) {
  ParseResult r = ok_parse(
      "[[set]]\n"
      "id = 1\n"
      "[[set.destination]]\n"
      "uri = \"a\"\n"
      "[[set.destination]]\n"
      "uri = \"b\"\n"
      "[[set]]\n"
      "id = 2\n"
      "[[ set . destination ]]\n"
      "uri = \"c\"\n");
  const Value* sets = r.root.find("set");
  ASSERT_NE(sets, nullptr);
  ASSERT_EQ(sets->kind, Kind::table_array);
  ASSERT_EQ(sets->tables.size(), 2u);
  EXPECT_EQ(sets->tables[0].line, 1u);
  EXPECT_EQ(sets->tables[1].line, 7u);
  const Value* d1 = sets->tables[0].find("destination");
  ASSERT_NE(d1, nullptr);
  ASSERT_EQ(d1->kind, Kind::table_array);
  ASSERT_EQ(d1->tables.size(), 2u);
  EXPECT_EQ(d1->tables[0].find("uri")->string, "a");
  EXPECT_EQ(d1->tables[1].find("uri")->string, "b");
  EXPECT_EQ(d1->tables[1].line, 5u);
  const Value* d2 = sets->tables[1].find("destination");
  ASSERT_EQ(d2->tables.size(), 1u);
  EXPECT_EQ(d2->tables[0].find("uri")->string, "c");
  EXPECT_EQ(d2->tables[0].find("uri")->line, 10u);
}

TEST(Toml, ImplicitParentMayBeDefinedLater) {
  ParseResult r = ok_parse("[a.b]\nx = 1\n[a]\ny = 2\n");
  const Value* a = r.root.find("a");
  ASSERT_EQ(a->kind, Kind::table);
  EXPECT_FALSE(a->tables[0].implicit);
  EXPECT_EQ(a->tables[0].line, 3u);
  EXPECT_EQ(a->tables[0].find("y")->integer, 2);
  EXPECT_EQ(a->tables[0].find("b")->tables[0].find("x")->integer, 1);
}

TEST(Toml, ImplicitParentStaysMarked) {
  ParseResult r = ok_parse("[[a.b]]\nx = 1\n");
  const Value* a = r.root.find("a");
  ASSERT_EQ(a->kind, Kind::table);
  EXPECT_TRUE(a->tables[0].implicit);
}

TEST(Toml, KindNames) {
  EXPECT_EQ(kind_name(Kind::string), "a string");
  EXPECT_EQ(kind_name(Kind::integer), "an integer");
  EXPECT_EQ(kind_name(Kind::boolean), "a boolean");
  EXPECT_EQ(kind_name(Kind::array), "an array");
  EXPECT_EQ(kind_name(Kind::table), "a table");
  EXPECT_EQ(kind_name(Kind::table_array), "an array of tables");
}

// ---- errors, each with its line ----

TEST(TomlErrors, Strings) {
  expect_error("a = 1\nb = \"open\n", 2, "unterminated string (a basic string ends on its line with '\"')");
  expect_error("a = 1\nb = 'open\nc = 2\n", 2, "unterminated string (a literal string ends on its line with ''')");
  expect_error("a = \"open", 1, "unterminated string");
  expect_error("a = \"bad \\q escape\"\n", 1, "unknown escape sequence '\\q'");
  expect_error("a = \"\\u12\"\n", 1, "expected hex digit");
  expect_error("a = \"\\uD800\"\n", 1, "unicode surrogates");
  expect_error("a = \"\\e\"\n", 1, "'\\e' is not supported");  // TOML 1.0 has no \e
  expect_error("\n\na = \"\"\"multi\"\"\"\n", 3, "multi-line strings (\"\"\") are not supported");
  expect_error("a = '''multi'''\n", 1, "multi-line strings (''') are not supported");
  expect_error("a = 1\nb = \"\"\"\nspans\nlines\"\"\"\n", 2, "multi-line strings");
  expect_error("a = \"ctl\x01\"\n", 1, "control character");
}

TEST(TomlErrors, Integers) {
  expect_error("x = 1\ny = 012\n", 2, "leading zeroes are prohibited");
  expect_error("y = 1__0\n", 1, "underscore");
  expect_error("y = _1\n", 1, "values may not begin with underscores");
  expect_error("y = 1_\n", 1, "saw '_'");
  expect_error("y = 9223372036854775808\n", 1, "not representable in 64 bits");
  expect_error("y = -9223372036854775809\n", 1, "not representable in 64 bits");
  expect_error("y = 12abc\n", 1, "expected digit, saw 'a'");
}

// Valid TOML that siplb configs must not contain, each rejected with its line.
TEST(TomlErrors, FloatsDatesAndOtherBases) {
  expect_error("y = 1.5\n", 1, "floating-point values are not supported, got '1.5'");
  expect_error("y = 1e3\n", 1, "floating-point values are not supported, got '1e3'");
  expect_error("y = inf\n", 1, "floating-point values are not supported, got 'inf'");
  expect_error("y = 0x1f\n", 1, "only decimal integers are supported, got '0x1f'");
  expect_error("x = 1\ny = 0o17\n", 2, "only decimal integers are supported, got '0o17'");
  expect_error("y = 0b101\n", 1, "only decimal integers");
  expect_error("y = 1979-05-27\n", 1, "dates and times are not supported, got '1979-05-27'");
  expect_error("y = 07:32:00\n", 1, "dates and times are not supported, got '07:32:00'");
  expect_error("y = 1979-05-27T07:32:00Z\n", 1, "dates and times are not supported, got '1979-05-27T07:32:00Z'");
  expect_error("y = [\n  1,\n  2.5,\n]\n", 3, "floating-point values are not supported, got '2.5'");
}

// Values are quoted from the text at toml++'s positions: columns count code points, and a byte
// order mark is not counted.
TEST(TomlErrors, QuotedValuesAfterMultiByteCharacters) {
  expect_error("a = [\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\", 1.5]\n", 1,
               "floating-point values are not supported, got '1.5'");
  expect_error("\xEF\xBB\xBF" "a = 2.5\n", 1, "floating-point values are not supported, got '2.5'");
}

TEST(TomlErrors, BareWordsAndMissingValues) {
  expect_error("a = maglev\n", 1, "invalid value 'maglev' (strings need quotes; booleans are true or false)");
  expect_error("a = True\n", 1, "invalid value 'True' (strings need quotes");
  expect_error("x = 1\na = tru\n", 2, "invalid value 'tru' (strings need quotes");
  expect_error("a =\n", 1, "expected value");
  expect_error("a = # comment\n", 1, "expected value, saw '#'");
  expect_error("a 1\n", 1, "expected '='");
  expect_error("a\n", 1, "expected '='");
  expect_error("= 1\n", 1, "expected keys, tables, whitespace or comments, saw '='");
  expect_error("a = 1 2\n", 1, "expected a comment or whitespace, saw '2'");
  expect_error("a = \"x\" y\n", 1, "expected a comment or whitespace, saw 'y'");
}

TEST(TomlErrors, Unsupported) {
  expect_error("a.b = 1\n", 1, "dotted keys are not supported");
  expect_error("[t]\nx = 1\ny . z = 2\n", 3, "dotted keys are not supported: write the key inside its [table]");
  expect_error("\"k\".d = 1\n", 1, "dotted keys are not supported");
  expect_error("[t]\nx = 1\nx.y = 2\n", 3, "dotted keys are not supported");  // toml++: a redefinition
  expect_error("t = { a = 1 }\n", 1, "inline tables ({...}) are not supported: use a [table] header");
  expect_error("t = [{ a = 1 }]\n", 1, "inline tables");
  expect_error("t = [[1], [2]]\n", 1, "arrays of arrays are not supported");
  expect_error("t = [\n  1,\n  [2],\n]\n", 3, "arrays of arrays are not supported");
}

// The first problem in the file is reported, whether toml++ found it or siplb's rules did.
TEST(TomlErrors, EarliestProblemWins) {
  expect_error("a = 1\nb = 1979-05-27\nc = 1.5\n", 2, "dates and times");
  expect_error("a = 1\nb = { c = 1 }\nd =\n", 2, "inline tables");
  expect_error("a.b = 1\na.b = 2\n", 1, "dotted keys are not supported");
  expect_error("a = 1\nb =\nc = 1.5\n", 2, "expected value");
}

TEST(TomlErrors, Arrays) {
  expect_error("a = [1, 2\nb = 3\n", 2, "expected comma or closing ']', saw 'b'");
  expect_error("x = 0\na = [\n1,\n2,\n", 2, "unterminated array (no closing ']')");
  expect_error("[t]\nx = 0\n[u]\na = [1,\n", 4, "unterminated array");
  expect_error("a = [1,,2]\n", 1, "expected value or closing ']', saw comma");
  expect_error("a = [,]\n", 1, "expected value or closing ']', saw comma");
}

TEST(TomlErrors, DuplicateKeys) {
  expect_error("a = 1\n\nb = 2\na = 3\n", 4, "duplicate key 'a' (first at line 1)");
  expect_error("[t]\na = 1\na = 2\n", 3, "duplicate key 'a' in [t] (first at line 2)");
  expect_error("[t.u]\nx = 1\n[t]\nu = 2\n", 4, "duplicate key 'u' in [t] (first at line 1)");
  expect_error("[[set]]\nid = 1\n[[set.destination]]\nuri = \"a\"\nuri = \"b\"\n", 5,
               "duplicate key 'uri' in [set.destination] (first at line 4)");
  expect_error("[[set]]\nid = 1\n[[set]]\nid = 2\n\nid = 3\n", 6, "duplicate key 'id' in [set] (first at line 4)");
}

TEST(TomlErrors, Headers) {
  expect_error("[t]\nx = 1\n\n[t]\n", 4, "table [t] is defined twice (first at line 1)");
  expect_error("[t]\n[[t]]\n", 2, "'t' is already a table");
  expect_error("[[t]]\n[t]\n", 2, "'t' is already an array of tables");
  expect_error("t = 1\n[t]\n", 2, "'t' is already an integer (line 1)");
  expect_error("t = 1\n[t.u]\n", 2, "'t' is already an integer");
  expect_error("x = [1]\n[[x]]\n", 2, "cannot open [[x]]: 'x' is already an array (line 1)");
  expect_error("[\"a.b\"]\nx = 1\n[ 'a.b' ]\n", 3, "table [a.b] is defined twice (first at line 1)");
  expect_error("[t\n", 1, "expected ']'");
  expect_error("[[t]\n", 1, "expected ']'");
  expect_error("[]\n", 1, "blank bare keys");
  expect_error("[t] x = 1\n", 1, "expected a comment or whitespace, saw 'x'");
  expect_error("[a]\n[a.b]\n[a.b]\n", 3, "table [a.b] is defined twice (first at line 2)");
}

TEST(TomlErrors, StrayCharacters) {
  expect_error("a = 1\n\n  ! = 2\n", 3, "saw '!'");
  expect_error("a = 1\rb = 2\n", 1, "expected '\\n' after '\\r'");
}

}  // namespace
}  // namespace siplb::config::toml
