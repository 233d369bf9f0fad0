// The db_text reader (src/text/db_text.cpp): headers (types, flags, errors naming the column),
// rows (escapes, quotes, null, errors naming the field) and finding a column by name.
#include "siplb/text/db_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace siplb::text::db_text {
namespace {

TEST(DbText, IsHeader) {
  EXPECT_TRUE(is_header("id(int,auto) setid(int)"));
  EXPECT_TRUE(is_header("  \tusername(string)"));
  EXPECT_FALSE(is_header("1 sip:10.0.0.1 0 0"));
  EXPECT_FALSE(is_header("[[subscriber]]"));
  EXPECT_FALSE(is_header("name(int x"));
  EXPECT_FALSE(is_header(""));
  EXPECT_FALSE(is_header("   "));
}

TEST(DbText, HeaderColumnsTypesAndFlags) {
  std::vector<Column> columns;
  Error error;
  ASSERT_TRUE(parse_header("  ID(Int,Auto) Setid(int)\tdestination(String,NULL) weight()  ", columns, error));
  ASSERT_EQ(columns.size(), 4u);
  EXPECT_EQ(columns[0].name, "id");
  EXPECT_EQ(columns[0].type, "int");
  EXPECT_TRUE(columns[0].auto_increment);
  EXPECT_FALSE(columns[0].null);
  EXPECT_EQ(columns[1].name, "setid");
  EXPECT_FALSE(columns[1].null);
  EXPECT_EQ(columns[2].type, "string");
  EXPECT_TRUE(columns[2].null);
  EXPECT_FALSE(columns[2].auto_increment);
  EXPECT_EQ(columns[3].name, "weight");
  EXPECT_EQ(columns[3].type, "");
  EXPECT_EQ(find_column(columns, "id"), 0);
  EXPECT_EQ(find_column(columns, "destination"), 2);
  EXPECT_EQ(find_column(columns, "priority"), -1);

  // Cleared first.
  ASSERT_TRUE(parse_header("a(int)", columns, error));
  EXPECT_EQ(columns.size(), 1u);
  ASSERT_TRUE(parse_header("", columns, error));
  EXPECT_TRUE(columns.empty());
}

TEST(DbText, HeaderErrorsNameTheColumn) {
  std::vector<Column> columns;
  Error error;
  for (const char* bad : {"password", "(int)", "password(int", "pass(int)x", "pass(string,"}) {
    ASSERT_FALSE(parse_header(std::string("username(string) domain(string) ") + bad, columns, error)) << bad;
    EXPECT_EQ(error.kind, ErrorKind::bad_column);
    EXPECT_EQ(error.column, 3u);
    EXPECT_EQ(error.text, bad);
    EXPECT_EQ(error.message(), std::string("header column 3 '") + bad + "' is not name(type[,flags])");
    EXPECT_EQ(error.reason(), std::string("header column '") + bad + "' is not name(type[,flags])");
  }
  ASSERT_FALSE(parse_header("username(string) domain(string) USERNAME(string)", columns, error));
  EXPECT_EQ(error.kind, ErrorKind::duplicate_column);
  EXPECT_EQ(error.column, 3u);
  EXPECT_EQ(error.text, "username");
  EXPECT_EQ(error.message(), "header names column 'username' twice");
  EXPECT_EQ(error.reason(), "the header names column 'username' twice");
}

std::vector<Field> split(std::string_view line) {
  std::vector<Field> fields;
  Error error;
  EXPECT_TRUE(split_row(line, fields, error)) << line << ": " << error.message();
  return fields;
}

TEST(DbText, RowEscapesQuotesAndNull) {
  const std::vector<Field> f =
      split("1:sip\\:10.0.0.1\\:5060:'PBX\\: one':null:NULL::'null':'':a\\\\b\\n\\r\\t\\x:it's");
  ASSERT_EQ(f.size(), 10u);
  EXPECT_EQ(f[0].text, "1");
  EXPECT_FALSE(f[0].null);
  EXPECT_EQ(f[1].text, "sip:10.0.0.1:5060");
  EXPECT_EQ(f[2].text, "PBX\\: one");  // inside quotes nothing is an escape...
  EXPECT_TRUE(f[3].null);
  EXPECT_TRUE(f[4].null);
  EXPECT_TRUE(f[5].null);
  EXPECT_FALSE(f[6].null);  // ...and a quoted "null" or '' is a value
  EXPECT_EQ(f[6].text, "null");
  EXPECT_FALSE(f[7].null);
  EXPECT_EQ(f[7].text, "");
  EXPECT_EQ(f[8].text, "a\\b\n\r\tx");
  EXPECT_EQ(f[9].text, "it's");  // a quote inside a field is text
  EXPECT_FALSE(f[9].null);

  const std::vector<Field> empty = split("");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty[0].null);
  EXPECT_EQ(split("a:").size(), 2u);
  EXPECT_EQ(split(" a : b ")[1].text, " b ");  // blanks are kept
  EXPECT_EQ(split("'a'b:c")[0].text, "ab");
}

TEST(DbText, RowErrorsNameTheField) {
  std::vector<Field> fields;
  Error error;
  ASSERT_FALSE(split_row("1:alice:example.com:x:\\", fields, error));
  EXPECT_EQ(error.kind, ErrorKind::trailing_backslash);
  EXPECT_EQ(error.column, 5u);
  EXPECT_EQ(error.reason(), "a '\\' ends the line");
  EXPECT_EQ(error.message(), "column 5: a '\\' ends the line");

  ASSERT_FALSE(split_row("1:1:'sip\\:10.0.0.1:1:0", fields, error));
  EXPECT_EQ(error.kind, ErrorKind::unclosed_quote);
  EXPECT_EQ(error.column, 3u);
  EXPECT_EQ(error.reason(), "a quoted string has no closing quote");
  EXPECT_EQ(error.message(), "column 3: a quoted string has no closing quote");

  Error none;
  EXPECT_EQ(none.kind, ErrorKind::none);
  EXPECT_EQ(none.message(), "");
  EXPECT_EQ(none.reason(), "");
}

}  // namespace
}  // namespace siplb::text::db_text
