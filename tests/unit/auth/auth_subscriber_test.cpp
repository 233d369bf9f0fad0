// SubscriberTable and its loaders: OpenSIPS and Kamailio db_text subscriber tables, TOML lists,
// format detection, files on disk, and each refusal with its file:line: message.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "siplb/auth/subscriber.hpp"
#include "siplb/auth/subscriber_loader.hpp"

namespace siplb::auth {
namespace {

std::string md5(std::string_view user, std::string_view realm, std::string_view pw) {
  return std::string(compute_ha1(Algorithm::md5, user, realm, pw).view());
}
std::string sha(std::string_view user, std::string_view realm, std::string_view pw) {
  return std::string(compute_ha1(Algorithm::sha256, user, realm, pw).view());
}

// ---- the table --------------------------------------------------------------------------------

TEST(SubscriberTable, PasswordGivesEveryHa1) {
  SubscriberTable t;
  ASSERT_TRUE(t.add({.username = "alice", .domain = "Example.COM", .password = "secret", .has_password = true}).ok());
  const Subscriber* s = t.find("alice", "example.com");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->domain, "example.com");
  EXPECT_EQ(s->for_user(Algorithm::md5).view(), md5("alice", "example.com", "secret"));
  EXPECT_EQ(s->for_user(Algorithm::sha256).view(), sha("alice", "example.com", "secret"));
  EXPECT_EQ(s->for_user_at_domain(Algorithm::md5).view(), md5("alice@example.com", "example.com", "secret"));
  EXPECT_EQ(s->for_user_at_domain(Algorithm::sha256).view(), sha("alice@example.com", "example.com", "secret"));
  // Domains case-insensitive, usernames exact.
  EXPECT_EQ(t.find("alice", "EXAMPLE.com"), s);
  EXPECT_EQ(t.find("Alice", "example.com"), nullptr);
  EXPECT_EQ(t.find("alice", "example.org"), nullptr);
  EXPECT_EQ(t.find("", ""), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(SubscriberTable, StoredHa1WinsAndIsLowerCased) {
  SubscriberTable t;
  const std::string upper = "939E7578ED9E3C518A452ACEE763BCE9";
  ASSERT_TRUE(t.add({.username = "u", .domain = "d", .password = "pw", .ha1 = upper, .has_password = true}).ok());
  const Subscriber* s = t.find("u", "d");
  EXPECT_EQ(s->for_user(Algorithm::md5).view(), "939e7578ed9e3c518a452acee763bce9");
  EXPECT_EQ(s->for_user(Algorithm::sha256).view(), sha("u", "d", "pw"));  // filled from the password
}

TEST(SubscriberTable, Refusals) {
  SubscriberTable t;
  SubscriberError e = t.add({.username = "u", .domain = "d", .ha1 = "12x"});
  EXPECT_EQ(e.field, "ha1");
  EXPECT_EQ(e.reason, "'12x' is not 32 hex digits");
  EXPECT_EQ(e.message(), "ha1: '12x' is not 32 hex digits");
  e = t.add({.username = "u", .domain = "d", .ha1_sha256 = std::string(32, 'a')});
  EXPECT_EQ(e.message(), "ha1_sha256: '" + std::string(32, 'a') + "' is not 64 hex digits");
  e = t.add({.username = "u", .domain = "d", .ha1b = std::string(31, 'a') + "g"});
  EXPECT_EQ(e.field, "ha1b");
  EXPECT_EQ(t.add({.username = "u", .domain = "d"}).message(), "neither password nor ha1");
  EXPECT_EQ(t.add({.username = "", .domain = "d", .password = "p", .has_password = true}).message(), "username: no value");
  EXPECT_EQ(t.add({.username = "u", .domain = "", .password = "p", .has_password = true}).message(), "domain: no value");
  ASSERT_TRUE(t.add({.username = "u", .domain = "d", .password = "", .has_password = true, .line = 4}).ok());
  EXPECT_EQ(t.add({.username = "u", .domain = "D", .password = "p", .has_password = true}).message(),
            "u@d is already defined on line 4");
  EXPECT_EQ(t.size(), 1u);
}

// ---- db_text ----------------------------------------------------------------------------------

TEST(SubscriberDbText, OpenSipsTable) {
  const std::string text =
      "id(int,auto) username(string) domain(string) password(string) email_address(string) ha1(string) "
      "ha1_sha256(string) ha1_sha512t256(string) rpid(string,null)\n"
      "1:alice:example.com:secret:alice@example.com:::\n"  // too few fields: see below
      ;
  SubscriberLoad l = parse_subscribers(text, "subscriber");
  EXPECT_EQ(l.error, "subscriber:2: the row has 8 fields, the header names 9 columns");

  const std::string good =
      "id(int,auto) username(string) domain(string) password(string) email_address(string) ha1(string) "
      "ha1_sha256(string) ha1_sha512t256(string) rpid(string,null)\n"
      "1:alice:example.com:secret:alice@example.com::::null\n"
      "\n"
      "# a comment\n"
      "2:bob:example.com::bob@example.com:" + md5("bob", "example.com", "pw") + ":" +
      sha("bob", "example.com", "pw") + "::NULL\n"
      "3:carol:example.com:'pa:ss':::::\r\n"
      "4:dave:example.com:a\\:b\\\\c::::: \n";
  l = parse_subscribers(good, "subscriber");
  ASSERT_TRUE(l.ok()) << l.error;
  EXPECT_EQ(l.table.size(), 4u);
  EXPECT_EQ(l.table.find("alice", "example.com")->for_user(Algorithm::sha256).view(), sha("alice", "example.com", "secret"));
  const Subscriber* bob = l.table.find("bob", "example.com");
  EXPECT_EQ(bob->for_user(Algorithm::md5).view(), md5("bob", "example.com", "pw"));
  EXPECT_EQ(bob->for_user(Algorithm::sha256).view(), sha("bob", "example.com", "pw"));
  EXPECT_FALSE(bob->for_user_at_domain(Algorithm::md5).known());
  EXPECT_EQ(bob->line, 5u);
  EXPECT_EQ(l.table.find("carol", "example.com")->for_user(Algorithm::md5).view(), md5("carol", "example.com", "pa:ss"));
  EXPECT_EQ(l.table.find("dave", "example.com")->for_user(Algorithm::md5).view(), md5("dave", "example.com", "a:b\\c"));
}

TEST(SubscriberDbText, KamailioTableWithHa1b) {
  const std::string text =
      "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string)\n"
      "1:alice:example.com::" + md5("alice", "example.com", "s") + ":" + md5("alice@example.com", "example.com", "s") + "\n";
  const SubscriberLoad l = parse_subscribers(text, "subscriber");
  ASSERT_TRUE(l.ok()) << l.error;
  const Subscriber* s = l.table.find("alice", "example.com");
  EXPECT_EQ(s->for_user_at_domain(Algorithm::md5).view(), md5("alice@example.com", "example.com", "s"));
  EXPECT_FALSE(s->for_user(Algorithm::sha256).known());
}

TEST(SubscriberDbText, DefaultDomain) {
  const std::string text = "username(string) password(string)\nalice:s\n";
  SubscriberLoad l = parse_subscribers(text, "subs");
  EXPECT_EQ(l.error, "subs:1: the db_text header has no 'domain' column (and no default domain is set)");
  l = parse_subscribers(text, "subs", {.default_domain = "example.com"});
  ASSERT_TRUE(l.ok()) << l.error;
  EXPECT_NE(l.table.find("alice", "example.com"), nullptr);
  // A null domain takes the default too.
  l = parse_subscribers("username(string) domain(string,null) password(string)\nalice:null:s\n", "subs",
                        {.default_domain = "example.com"});
  ASSERT_TRUE(l.ok()) << l.error;
  EXPECT_NE(l.table.find("alice", "example.com"), nullptr);
}

TEST(SubscriberDbText, Errors) {
  const std::string header = "id(int,auto) username(string) domain(string) password(string) ha1(string)\n";
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {header + "1:alice:example.com::" + md5("a", "b", "c") + "\n2:bob:example.com::12x\n",
       "subscribers:3: column 'ha1': '12x' is not 32 hex digits"},
      {header + "1:alice:example.com::\n", "subscribers:2: neither password nor ha1"},
      {header + "1:alice:example.com:x:\n2:alice:EXAMPLE.com:y:\n",
       "subscribers:3: alice@example.com is already defined on line 2"},
      {header + "1::example.com:x:\n", "subscribers:2: column 'username': no value"},
      {header + "1:alice:example.com:x\n", "subscribers:2: the row has 4 fields, the header names 5 columns"},
      {header + "1:alice:example.com:x:\\\n", "subscribers:2: field 5: a '\\' ends the line"},
      {header + "1:alice:example.com:'x:\n", "subscribers:2: field 4: a quoted string has no closing quote"},
      {"id(int,auto) domain(string) password(string)\n", "subscribers:1: the db_text header has no 'username' column"},
      {"username(string) domain(string) password\n", "subscribers:1: header column 3 'password' is not name(type[,flags])"},
      {"username(string) domain(string) username(string)\n", "subscribers:1: header names column 'username' twice"},
      {"# only a comment\n", "subscribers:1: empty: no db_text header"},
  };
  for (const Case& c : cases) {
    const SubscriberLoad l = parse_subscribers(c.text, "subscribers", {.format = SubscriberFormat::db_text});
    EXPECT_EQ(l.error, c.error) << c.text;
    EXPECT_EQ(l.table.size(), 0u) << "nothing partial";
  }
}

// ---- TOML -------------------------------------------------------------------------------------

TEST(SubscriberToml, Good) {
  const std::string text =
      "# users\n"
      "[[subscriber]]\n"
      "username = \"alice\"\n"
      "domain = \"example.com\"\n"
      "password = \"secret\"\n"
      "\n"
      "[[subscriber]]\n"
      "username = \"bob\"\n"
      "domain = \"example.com\"\n"
      "ha1 = \"" + md5("bob", "example.com", "pw") + "\"\n"
      "ha1_sha256 = \"" + sha("bob", "example.com", "pw") + "\"\n";
  const SubscriberLoad l = parse_subscribers(text, "subscribers.toml");
  ASSERT_TRUE(l.ok()) << l.error;
  EXPECT_EQ(l.table.size(), 2u);
  EXPECT_EQ(l.table.find("alice", "example.com")->for_user(Algorithm::md5).view(), md5("alice", "example.com", "secret"));
  const Subscriber* bob = l.table.find("bob", "example.com");
  EXPECT_EQ(bob->for_user(Algorithm::sha256).view(), sha("bob", "example.com", "pw"));
  EXPECT_EQ(bob->line, 7u);
  // An empty list is a list.
  EXPECT_TRUE(parse_subscribers("", "s.toml").ok());
}

TEST(SubscriberToml, Errors) {
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"[[subscriber]]\nusername = \"a\"\ndomain = \"d\"\nha1 = \"12x\"\n", "s.toml:4: key 'ha1': '12x' is not 32 hex digits"},
      {"[[subscriber]]\nusername = \"a\"\ndomain = \"d\"\n", "s.toml:1: neither password nor ha1"},
      {"[[subscriber]]\ndomain = \"d\"\npassword = \"p\"\n", "s.toml:1: key 'username': no value"},
      {"[[subscriber]]\nusername = \"a\"\ndomain = \"d\"\npasword = \"p\"\n",
       "s.toml:4: unknown key 'pasword' (did you mean 'password'?)"},
      {"[[subscriber]]\nusername = \"a\"\ndomain = \"d\"\npassword = 5\n",
       "s.toml:4: key 'password': must be a string, got an integer"},
      {"[[subscriber]]\nusername = \"a\"\ndomain = \"d\"\npassword = \"p\"\n[[subscriber]]\nusername = \"a\"\n"
       "domain = \"d\"\npassword = \"q\"\n",
       "s.toml:5: a@d is already defined on line 1"},
      {"[subscriber]\nusername = \"a\"\n", "s.toml:1: 'subscriber' must be an array of tables ([[subscriber]]), got a table"},
      {"[[user]]\nusername = \"a\"\n", "s.toml:1: unknown key 'user' (a subscriber list holds [[subscriber]] tables only)"},
  };
  for (const Case& c : cases) {
    const SubscriberLoad l = parse_subscribers(c.text, "s.toml");
    EXPECT_EQ(l.error, c.error) << c.text;
    EXPECT_EQ(l.table.size(), 0u);
  }
  // A syntax error comes with toml's line.
  const SubscriberLoad l = parse_subscribers("[[subscriber]]\nusername = \"a\n", "s.toml");
  EXPECT_EQ(l.error.rfind("s.toml:2: ", 0), 0u) << l.error;
}

TEST(SubscriberFormat, Detection) {
  // By content when the name says nothing.
  EXPECT_TRUE(parse_subscribers("[[subscriber]]\nusername = \"a\"\ndomain = \"d\"\npassword = \"p\"\n", "subs").ok());
  EXPECT_TRUE(parse_subscribers("# db_text\nusername(string) domain(string) password(string)\na:d:p\n", "subs").ok());
  // A .toml name is TOML whatever it holds.
  EXPECT_FALSE(parse_subscribers("username(string) domain(string) password(string)\na:d:p\n", "s.TOML").ok());
}

// ---- files ------------------------------------------------------------------------------------

class SubscriberFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/siplb-auth-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string& f : files_) std::remove(f.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    files_.push_back(path);
    return path;
  }
  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(SubscriberFiles, LoadsBothFormats) {
  const std::string db = write("subscriber", "username(string) domain(string) password(string)\nalice:example.com:s\n");
  SubscriberLoad l = load_subscribers(db);
  ASSERT_TRUE(l.ok()) << l.error;
  EXPECT_NE(l.table.find("alice", "example.com"), nullptr);
  const std::string toml =
      write("subscribers.toml", "[[subscriber]]\nusername = \"bob\"\ndomain = \"example.com\"\npassword = \"p\"\n");
  l = load_subscribers(toml);
  ASSERT_TRUE(l.ok()) << l.error;
  EXPECT_NE(l.table.find("bob", "example.com"), nullptr);
  // Errors name the path.
  const std::string bad = write("bad", "username(string) domain(string) ha1(string)\nalice:example.com:12x\n");
  EXPECT_EQ(load_subscribers(bad).error, bad + ":2: column 'ha1': '12x' is not 32 hex digits");
  const std::string missing = dir_ + "/none";
  EXPECT_EQ(load_subscribers(missing).error, missing + ": cannot be read: No such file or directory");
}

}  // namespace
}  // namespace siplb::auth
