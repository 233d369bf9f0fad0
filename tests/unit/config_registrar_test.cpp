// The [registrar] section of siplbd's configuration (include/siplb/config/config.hpp): every key
// with good values, the defaults, and every refusal with its exact "FILE:LINE: reason".
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "siplb/config/config.hpp"
#include "siplb/registrar/binding.hpp"

namespace siplb::config {
namespace {

constexpr char kSource[] = "test.toml";

// What follows [registrar] in every test: an interface and two named sets.
constexpr std::string_view kRest =
    "\n"
    "[[interface]]\n"
    "port = \"net_ring0\"\n"
    "address = \"10.0.0.1/24\"\n"
    "\n"
    "[[set]]\n"
    "id = 1\n"
    "name = \"pbx\"\n"
    "[[set.destination]]\n"
    "uri = \"sip:10.0.0.11\"\n"
    "\n"
    "[[set]]\n"
    "id = 2\n"
    "name = \"voicemail\"\n"
    "[[set.destination]]\n"
    "uri = \"sip:10.0.0.21\"\n";

// [registrar] on line 1, `keys` from line 2 on, then a valid rest of the file.
std::string registrar_with(std::string_view keys) { return "[registrar]\n" + std::string(keys) + std::string(kRest); }

ConfigResult load(std::string_view text, std::string_view source = kSource) { return load_config_text(text, source); }

Config load_ok(std::string_view text, std::string_view source = kSource) {
  ConfigResult r = load(text, source);
  EXPECT_TRUE(r.ok()) << r.error.message << "\n--- text:\n" << text;
  return r.ok() ? *r.config : Config{};
}

uint32_t line_of(std::string_view text, std::string_view needle) {
  std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  uint32_t line = 1;
  for (std::size_t i = 0; i < at && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

// The load fails on the line holding `needle`, with "test.toml:LINE: reason".
void expect_error_at(std::string_view text, std::string_view needle, std::string_view reason) {
  const uint32_t line = line_of(text, needle);
  ConfigResult r = load(text);
  ASSERT_FALSE(r.ok()) << "loaded:\n" << text;
  EXPECT_EQ(r.error.line, line) << r.error.message;
  EXPECT_EQ(r.error.reason, reason);
  EXPECT_EQ(r.error.message, std::string(kSource) + ":" + std::to_string(line) + ": " + std::string(reason));
}

// For errors of [registrar] keys: `keys` after the header, the error on the line holding `needle`.
void expect_registrar_error(std::string_view keys, std::string_view needle, std::string_view reason) {
  expect_error_at(registrar_with(keys), needle, reason);
}

// ---------------------------------------------------------------------------------------------
// Accepted forms

TEST(ConfigRegistrar, AbsentMeansNoRegistrar) {
  const Config c = load_ok(std::string(kRest.substr(1)));
  const RegistrarConfig& r = c.registrar;
  EXPECT_FALSE(r.enabled());
  EXPECT_TRUE(r.domains.empty());
  EXPECT_EQ(r.line, 0u);
  EXPECT_EQ(r.aors, defaults::kRegistrarAors);
  EXPECT_TRUE(r.unregistered_set.empty());
  EXPECT_TRUE(r.subscribers.empty());
}

TEST(ConfigRegistrar, DomainsAloneGetEveryDefault) {
  const Config c = load_ok(registrar_with("domains = [\"example.com\"]\n"));
  const RegistrarConfig& r = c.registrar;
  EXPECT_TRUE(r.enabled());
  EXPECT_EQ(r.line, 1u);
  ASSERT_EQ(r.domains.size(), 1u);
  EXPECT_EQ(r.domains[0].name, "example.com");
  EXPECT_EQ(r.domains[0].auth, AuthMode::none);
  EXPECT_EQ(r.domains[0].realm, "example.com");  // the name when not given
  EXPECT_EQ(r.domains[0].line, 2u);
  EXPECT_EQ(r.aors, defaults::kRegistrarAors);
  EXPECT_EQ(r.contacts, defaults::kRegistrarContacts);
  EXPECT_EQ(r.default_expires, defaults::kDefaultExpires);
  EXPECT_EQ(r.min_expires, defaults::kMinExpires);
  EXPECT_EQ(r.max_expires, defaults::kMaxExpires);
  EXPECT_EQ(r.min_expires_mode, MinExpiresMode::reply);
  EXPECT_EQ(r.max_contacts, defaults::kMaxContacts);
  EXPECT_EQ(r.max_contacts_mode, MaxContactsMode::reject);
  EXPECT_TRUE(r.unregistered_set.empty());
  EXPECT_TRUE(r.subscribers.empty());
  EXPECT_EQ(r.nonce_lifetime_s, defaults::kNonceLifetimeS);
  EXPECT_EQ(r.auth_retries, defaults::kAuthRetries);
}

TEST(ConfigRegistrar, DefaultsBlockValues) {
  // The numbers docs/siplbd.example.toml promises; a change here is a change of behaviour.
  EXPECT_EQ(defaults::kRegistrarAors, 1u << 20);
  EXPECT_EQ(defaults::kRegistrarContacts, 1u << 20);
  EXPECT_EQ(defaults::kDefaultExpires, 3600u);
  EXPECT_EQ(defaults::kMinExpires, 60u);
  EXPECT_EQ(defaults::kMaxExpires, 86400u);
  EXPECT_EQ(defaults::kMaxContacts, 0u);
  EXPECT_EQ(defaults::kNonceLifetimeS, 30u);
  EXPECT_EQ(defaults::kAuthRetries, 3u);
}

TEST(ConfigRegistrar, EveryKeyWithGoodValues) {
  const std::string text = registrar_with(
      "domains = [\n"                                                                      // 2
      "  \"Example.COM\",\n"                                                               // 3
      "  { name = \"Secure.Example.com\", auth = \"all\", realm = \"Secure Realm\" },\n"   // 4
      "  { name = \"open.example.com\", auth = \"none\" },\n"                              // 5
      "  { name = \"plain.example.com\" },\n"                                              // 6
      "  \"10.0.0.1\",\n"                                                                  // 7
      "  \"[FD00::1]\",\n"                                                                 // 8
      "]\n"                                                                                // 9
      "auth = \"register\"\n"
      "aors = 134217728\n"
      "contacts = 2000000\n"
      "default_expires = 1800\n"
      "min_expires = 120\n"
      "max_expires = 7200\n"
      "min_expires_mode = \"raise\"\n"
      "max_contacts = 16\n"
      "max_contacts_mode = \"replace_oldest\"\n"
      "unregistered_set = \"voicemail\"\n"
      "subscribers = \"subscribers.toml\"\n"
      "nonce_lifetime = 3600\n"
      "auth_retries = 0\n");
  const Config c = load_ok(text, "/etc/siplb/siplbd.toml");
  const RegistrarConfig& r = c.registrar;
  ASSERT_EQ(r.domains.size(), 6u);
  // Strings take the section's auth; so does an inline table without its own.
  EXPECT_EQ(r.domains[0].name, "example.com");
  EXPECT_EQ(r.domains[0].auth, AuthMode::register_only);
  EXPECT_EQ(r.domains[0].realm, "example.com");
  EXPECT_EQ(r.domains[0].line, 3u);
  EXPECT_EQ(r.domains[1].name, "secure.example.com");
  EXPECT_EQ(r.domains[1].auth, AuthMode::all);
  EXPECT_EQ(r.domains[1].realm, "Secure Realm");  // as written
  EXPECT_EQ(r.domains[1].line, 4u);
  EXPECT_EQ(r.domains[2].auth, AuthMode::none);
  EXPECT_EQ(r.domains[2].line, 5u);
  EXPECT_EQ(r.domains[3].name, "plain.example.com");
  EXPECT_EQ(r.domains[3].auth, AuthMode::register_only);
  EXPECT_EQ(r.domains[3].realm, "plain.example.com");
  EXPECT_EQ(r.domains[4].name, "10.0.0.1");
  EXPECT_EQ(r.domains[5].name, "[fd00::1]");
  EXPECT_EQ(r.domains[5].line, 8u);
  EXPECT_EQ(r.aors, 1u << 27);
  EXPECT_EQ(r.contacts, 2000000u);
  EXPECT_EQ(r.default_expires, 1800u);
  EXPECT_EQ(r.min_expires, 120u);
  EXPECT_EQ(r.max_expires, 7200u);
  EXPECT_EQ(r.min_expires_mode, MinExpiresMode::raise);
  EXPECT_EQ(r.max_contacts, registrar::kMaxContactsPerAor);
  EXPECT_EQ(r.max_contacts_mode, MaxContactsMode::replace_oldest);
  EXPECT_EQ(r.unregistered_set, "voicemail");
  EXPECT_EQ(r.subscribers, "/etc/siplb/subscribers.toml");  // like dispatcher_list
  EXPECT_EQ(r.nonce_lifetime_s, 3600u);
  EXPECT_EQ(r.auth_retries, 0u);
  EXPECT_EQ(r.line, 1u);
}

TEST(ConfigRegistrar, LoneStringAndPaths) {
  Config c = load_ok(registrar_with("domains = \"example.com\"\nsubscribers = \"/srv/subs.txt\"\n"),
                     "conf/siplbd.toml");
  ASSERT_EQ(c.registrar.domains.size(), 1u);
  EXPECT_EQ(c.registrar.domains[0].line, 2u);
  EXPECT_EQ(c.registrar.subscribers, "/srv/subs.txt");  // absolute: as written
  c = load_ok(registrar_with("domains = [\"example.com\"]\nsubscribers = \"subs.txt\"\n"), "conf/siplbd.toml");
  EXPECT_EQ(c.registrar.subscribers, "conf/subs.txt");
  c = load_ok(registrar_with("domains = [\"example.com\"]\nsubscribers = \"subs.txt\"\n"), "siplbd.toml");
  EXPECT_EQ(c.registrar.subscribers, "subs.txt");
}

TEST(ConfigRegistrar, BoundsAreInclusive) {
  Config c = load_ok(registrar_with(
      "domains = [\"a.example\"]\naors = 1\ncontacts = 1\nmin_expires = 0\ndefault_expires = 1\n"
      "max_expires = 1\nmax_contacts = 0\nnonce_lifetime = 1\nauth_retries = 100\n"));
  EXPECT_EQ(c.registrar.aors, 1u);
  EXPECT_EQ(c.registrar.contacts, 1u);
  EXPECT_EQ(c.registrar.min_expires, 0u);  // no minimum
  EXPECT_EQ(c.registrar.default_expires, 1u);
  EXPECT_EQ(c.registrar.max_expires, 1u);
  EXPECT_EQ(c.registrar.nonce_lifetime_s, 1u);
  EXPECT_EQ(c.registrar.auth_retries, 100u);
  c = load_ok(registrar_with("domains = [\"a.example\"]\ndefault_expires = 2147483648\nmax_expires = 2147483648\n"
                             "min_expires = 2147483648\n"));
  EXPECT_EQ(c.registrar.default_expires, 1u << 31);
  EXPECT_EQ(c.registrar.min_expires, 1u << 31);
  // default_expires equal to either bound.
  c = load_ok(registrar_with("domains = [\"a.example\"]\ndefault_expires = 60\nmin_expires = 60\n"));
  EXPECT_EQ(c.registrar.default_expires, 60u);
  c = load_ok(registrar_with("domains = [\"a.example\"]\ndefault_expires = 86400\n"));
  EXPECT_EQ(c.registrar.default_expires, 86400u);
}

TEST(ConfigRegistrar, ModeNames) {
  EXPECT_EQ(auth_mode_text(AuthMode::none), "none");
  EXPECT_EQ(auth_mode_text(AuthMode::register_only), "register");
  EXPECT_EQ(auth_mode_text(AuthMode::all), "all");
  EXPECT_EQ(min_expires_mode_text(MinExpiresMode::reply), "reply");
  EXPECT_EQ(min_expires_mode_text(MinExpiresMode::raise), "raise");
  EXPECT_EQ(max_contacts_mode_text(MaxContactsMode::reject), "reject");
  EXPECT_EQ(max_contacts_mode_text(MaxContactsMode::replace_oldest), "replace_oldest");
  // Each name loads back as its mode.
  for (AuthMode m : {AuthMode::none, AuthMode::register_only, AuthMode::all}) {
    const Config c = load_ok(registrar_with("domains = [{ name = \"a.example\", auth = \"" +
                                            std::string(auth_mode_text(m)) + "\" }]\nsubscribers = \"s\"\n"));
    ASSERT_EQ(c.registrar.domains.size(), 1u);
    EXPECT_EQ(c.registrar.domains[0].auth, m);
  }
}

// ---------------------------------------------------------------------------------------------
// Refusals

TEST(ConfigRegistrarErrors, BadModeStrings) {
  expect_registrar_error("domains = [\"a.example\"]\nauth = \"digest\"\n", "auth =",
                         "registrar.auth must be one of \"none\", \"register\", \"all\", got \"digest\"");
  expect_registrar_error("domains = [{ name = \"a.example\", auth = \"Register\" }]\n", "domains",
                         "registrar.domains item 1: auth must be one of \"none\", \"register\", \"all\", got \"Register\"");
  expect_registrar_error("domains = [\"a.example\"]\nmin_expires_mode = \"423\"\n", "min_expires_mode",
                         "registrar.min_expires_mode must be one of \"reply\", \"raise\", got \"423\"");
  expect_registrar_error("domains = [\"a.example\"]\nmax_contacts_mode = \"overwrite\"\n", "max_contacts_mode",
                         "registrar.max_contacts_mode must be one of \"reject\", \"replace_oldest\", got \"overwrite\"");
  expect_registrar_error("domains = [\"a.example\"]\nmin_expires_mode = 1\n", "min_expires_mode",
                         "registrar.min_expires_mode must be a string, got an integer");
}

TEST(ConfigRegistrarErrors, OutOfRange) {
  const std::string d = "domains = [\"a.example\"]\n";
  expect_registrar_error(d + "aors = 0\n", "aors", "registrar.aors must be 1..134217728, got 0");
  expect_registrar_error(d + "aors = 134217729\n", "aors", "registrar.aors must be 1..134217728, got 134217729");
  expect_registrar_error(d + "contacts = 0\n", "contacts", "registrar.contacts must be 1..268435456, got 0");
  expect_registrar_error(d + "default_expires = 0\n", "default_expires",
                         "registrar.default_expires must be 1..2147483648, got 0");
  expect_registrar_error(d + "max_expires = 2147483649\n", "max_expires",
                         "registrar.max_expires must be 1..2147483648, got 2147483649");
  expect_registrar_error(d + "min_expires = -1\n", "min_expires", "registrar.min_expires must be 0..2147483648, got -1");
  expect_registrar_error(d + "nonce_lifetime = 0\n", "nonce_lifetime", "registrar.nonce_lifetime must be 1..3600, got 0");
  expect_registrar_error(d + "nonce_lifetime = 3601\n", "nonce_lifetime",
                         "registrar.nonce_lifetime must be 1..3600, got 3601");
  expect_registrar_error(d + "auth_retries = 101\n", "auth_retries", "registrar.auth_retries must be 0..100, got 101");
  expect_registrar_error(d + "auth_retries = -1\n", "auth_retries", "registrar.auth_retries must be 0..100, got -1");
}

TEST(ConfigRegistrarErrors, MaxContactsNamesTheLimit) {
  const std::string d = "domains = [\"a.example\"]\n";
  expect_registrar_error(d + "max_contacts = 17\n", "max_contacts",
                         "registrar.max_contacts must be 0..16 (a binding holds at most 16 contacts per AoR; "
                         "0 means 16), got 17");
  expect_registrar_error(d + "max_contacts = -1\n", "max_contacts",
                         "registrar.max_contacts must be 0..16 (a binding holds at most 16 contacts per AoR; "
                         "0 means 16), got -1");
  expect_registrar_error(d + "max_contacts = \"16\"\n", "max_contacts",
                         "registrar.max_contacts must be an integer, got a string");
}

TEST(ConfigRegistrarErrors, WrongTypes) {
  const std::string d = "domains = [\"a.example\"]\n";
  expect_registrar_error(d + "aors = \"1M\"\n", "aors", "registrar.aors must be an integer, got a string");
  expect_registrar_error(d + "nonce_lifetime = true\n", "nonce_lifetime",
                         "registrar.nonce_lifetime must be an integer, got a boolean");
  expect_registrar_error(d + "subscribers = 1\n", "subscribers", "registrar.subscribers must be a string, got an integer");
  expect_registrar_error(d + "unregistered_set = 1\n", "unregistered_set",
                         "registrar.unregistered_set must be a string, got an integer");
  expect_registrar_error(d + "auth = false\n", "auth =", "registrar.auth must be a string, got a boolean");
  expect_registrar_error("domains = 5\n", "domains",
                         "registrar.domains must be an array of domain names and { name = \"...\" } tables, got an integer");
  expect_registrar_error("domains = [\"a.example\", 5]\n", "domains",
                         "registrar.domains item 2: must be a domain name or an inline table { name = \"...\", "
                         "auth = \"...\", realm = \"...\" }, got an integer");
  expect_registrar_error("domains = [{ name = 5 }]\n", "domains", "registrar.domains item 1: name must be a string, got an integer");
  expect_registrar_error("domains = [{ name = \"a.example\", realm = 1 }]\n", "domains",
                         "registrar.domains item 1: realm must be a string, got an integer");
  // A single table, not an array of tables; not a plain value.
  expect_error_at("[[registrar]]\ndomains = [\"a.example\"]\n" + std::string(kRest), "[[registrar]]",
                  "[registrar] is a single table: write [registrar], not [[registrar]]");
  expect_error_at("registrar = 1\n" + std::string(kRest), "registrar",
                  "'registrar' must be the table [registrar], got an integer");
}

TEST(ConfigRegistrarErrors, UnknownKeys) {
  expect_registrar_error("domains = [\"a.example\"]\nmin_expire = 60\n", "min_expire",
                         "[registrar]: unknown key 'min_expire' (did you mean 'min_expires'?)");
  expect_registrar_error("domains = [\"a.example\"]\nnonce_lifetime_s = 30\n", "nonce_lifetime_s",
                         "[registrar]: unknown key 'nonce_lifetime_s' (did you mean 'nonce_lifetime'?)");
  expect_registrar_error("domain = [\"a.example\"]\n", "domain", "[registrar]: unknown key 'domain' (did you mean 'domains'?)");
  expect_registrar_error("domains = [{ name = \"a.example\", relm = \"x\" }]\n", "domains",
                         "registrar.domains item 1: unknown key 'relm' (did you mean 'realm'?)");
  expect_registrar_error("domains = [{ name = \"a.example\", password = \"x\" }]\n", "domains",
                         "registrar.domains item 1: unknown key 'password' (expected name, auth, realm)");
  expect_error_at("[registar]\n" + std::string(kRest), "[registar]", "unknown table [registar] (did you mean [registrar]?)");
}

TEST(ConfigRegistrarErrors, DuplicateDomainNamesBothLines) {
  const std::string text = registrar_with(
      "domains = [\n"
      "  \"example.com\",\n"
      "  \"other.example\",\n"
      "  { name = \"EXAMPLE.com\", auth = \"none\" },\n"
      "]\n");
  expect_error_at(text, "EXAMPLE.com",
                  "registrar.domains item 3: domain \"example.com\" is listed twice (first at line 3)");
}

TEST(ConfigRegistrarErrors, DomainNamesMustBeHosts) {
  auto expect_bad = [](std::string_view written, std::string_view why) {
    expect_registrar_error("domains = [\"ok.example\", \"" + std::string(written) + "\"]\n", "domains",
                           "registrar.domains item 2: " + std::string(why));
  };
  expect_bad("", "domain \"\" must not be empty");
  expect_bad("alice@example.com", "domain \"alice@example.com\" is a domain, not a user@domain address (no '@')");
  expect_bad("example.com:5060", "domain \"example.com:5060\" must not name a port or a scheme (no ':')");
  expect_bad("sip:example.com", "domain \"sip:example.com\" must not name a port or a scheme (no ':')");
  expect_bad("fd00::1", "domain \"fd00::1\" must write an IPv6 address in brackets, e.g. \"[fd00::1]\"");
  expect_bad("[fd00::1]:5060", "domain \"[fd00::1]:5060\" must not name a port");
  expect_bad("[fd00::1", "domain \"[fd00::1\" has no ']' after the IPv6 address");
  expect_bad("[10.0.0.1]", "domain \"[10.0.0.1]\" must hold an IPv6 address between the brackets");
  expect_bad("exa mple.com", "domain \"exa mple.com\" must not contain spaces or control characters");
  expect_bad("a..example", "domain \"a..example\" has an empty label (a leading, trailing or double '.')");
  expect_bad("example.com.", "domain \"example.com.\" has an empty label (a leading, trailing or double '.')");
  expect_bad("exa/mple", "domain \"exa/mple\" is not a host name (letters, digits, '-' and '.'), got '/'");
  // In an inline table (TOML keeps one on a single line): on the line of its item.
  expect_registrar_error("domains = [\n  \"ok.example\",\n  { auth = \"none\", name = \"a@b\" },\n]\n", "a@b",
                         "registrar.domains item 2: domain \"a@b\" is a domain, not a user@domain address (no '@')");
  // Required: on the line of its table.
  expect_registrar_error("domains = [{ auth = \"none\" }]\n", "domains", "registrar.domains item 1: name is required");
  expect_registrar_error("domains = [{ name = \"a.example\", realm = \"\" }]\n", "domains",
                         "registrar.domains item 1: realm must not be empty (leave it out for the domain name)");
  expect_registrar_error("domains = [{ name = \"a.example\", realm = \"a\\\"b\" }]\n", "domains",
                         "registrar.domains item 1: realm must not contain control characters, '\"' or '\\' "
                         "(it is quoted in WWW-Authenticate), got \"a\"b\"");
}

TEST(ConfigRegistrarErrors, DomainsRequiredAndNotEmpty) {
  expect_registrar_error("aors = 10\n", "[registrar]",
                         "registrar.domains is required (the domains siplb is the registrar of; leave out "
                         "[registrar] to balance REGISTERs like other requests)");
  expect_registrar_error("domains = []\n", "domains",
                         "registrar.domains must list at least one domain (leave out [registrar] to balance "
                         "REGISTERs like other requests)");
}

TEST(ConfigRegistrarErrors, UnknownUnregisteredSet) {
  expect_registrar_error("domains = [\"a.example\"]\nunregistered_set = \"pbxx\"\n", "unregistered_set",
                         "registrar.unregistered_set \"pbxx\" names no [[set]] (known: \"pbx\", \"voicemail\")");
  expect_registrar_error("domains = [\"a.example\"]\nunregistered_set = \"\"\n", "unregistered_set",
                         "registrar.unregistered_set must not be empty (leave it out: 404 for users not registered)");
  // No set has a name.
  const std::string text =
      "[registrar]\ndomains = [\"a.example\"]\nunregistered_set = \"pbx\"\n"
      "[[interface]]\nport = \"net_ring0\"\naddress = \"10.0.0.1/24\"\n"
      "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n";
  expect_error_at(text, "unregistered_set", "registrar.unregistered_set \"pbx\" names no [[set]] (no [[set]] has a name)");
  // The section may come after the sets.
  const Config c = load_ok(std::string(kRest.substr(1)) +
                           "\n[registrar]\ndomains = [\"a.example\"]\nunregistered_set = \"pbx\"\n");
  EXPECT_EQ(c.registrar.unregistered_set, "pbx");
  EXPECT_EQ(c.registrar.line, line_of(std::string(kRest.substr(1)) + "\n[registrar]\n", "[registrar]"));
}

TEST(ConfigRegistrarErrors, AuthNeedsSubscribers) {
  // Per domain.
  expect_registrar_error("domains = [\n  \"open.example\",\n  { name = \"Secure.example\", auth = \"register\" },\n]\n",
                         "Secure.example",
                         "registrar.domains: \"secure.example\" has auth \"register\" but registrar.subscribers "
                         "(the file of users and their passwords) is not set");
  // Through the section's default.
  expect_registrar_error("auth = \"all\"\ndomains = [\"a.example\"]\n", "domains",
                         "registrar.domains: \"a.example\" has auth \"all\" but registrar.subscribers "
                         "(the file of users and their passwords) is not set");
  expect_registrar_error("domains = [\"a.example\"]\nsubscribers = \"\"\n", "subscribers",
                         "registrar.subscribers must not be empty");
  // No auth anywhere: no file needed, and one may still be named.
  EXPECT_TRUE(load(registrar_with("auth = \"register\"\ndomains = [{ name = \"a.example\", auth = \"none\" }]\n")).ok());
  EXPECT_TRUE(load(registrar_with("domains = [\"a.example\"]\nsubscribers = \"s.txt\"\n")).ok());
}

TEST(ConfigRegistrarErrors, DefaultExpiresWithinMinAndMax) {
  const std::string d = "domains = [\"a.example\"]\n";
  expect_registrar_error(d + "min_expires = 60\ndefault_expires = 30\n", "default_expires",
                         "registrar.default_expires (30) must lie within min_expires..max_expires (60..86400)");
  expect_registrar_error(d + "default_expires = 100000\n", "default_expires",
                         "registrar.default_expires (100000) must lie within min_expires..max_expires (60..86400)");
  // default_expires left at 3600: the bound that excludes it is at fault.
  expect_registrar_error(d + "min_expires = 7200\n", "min_expires",
                         "registrar.default_expires (3600) must lie within min_expires..max_expires (7200..86400)");
  expect_registrar_error(d + "max_expires = 1800\n", "max_expires",
                         "registrar.default_expires (3600) must lie within min_expires..max_expires (60..1800)");
  expect_registrar_error(d + "min_expires = 600\nmax_expires = 300\n", "max_expires",
                         "registrar.max_expires (300) must not be below min_expires (600)");
  expect_registrar_error(d + "min_expires = 100000\n", "min_expires",
                         "registrar.max_expires (86400) must not be below min_expires (100000)");
}

TEST(ConfigRegistrarErrors, InlineTablesOnlyAsArrayItems) {
  // Nested, or outside an array: still refused by the TOML reader.
  expect_registrar_error("domains = [{ name = \"a.example\", x = { y = 1 } }]\n", "domains",
                         "inline tables ({...}) are not supported: use a [table] header");
  expect_registrar_error("domains = { name = \"a.example\" }\n", "domains",
                         "inline tables ({...}) are not supported: use a [table] header");
  // In arrays of other sections they are refused as items of the wrong type.
  expect_error_at(
      "[[interface]]\nport = \"net_ring0\"\naddress = \"10.0.0.1/24\"\n"
      "[[set]]\nid = 1\ndomains = [{ name = \"a.example\" }]\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n",
      "domains", "set 1: domains: items must be non-empty strings");
  expect_error_at("[balancer]\nsip_ports = [5060, { port = 5080 }]\n" + std::string(kRest), "sip_ports",
                  "balancer.sip_ports item 2 must be an integer, got a table");
}

}  // namespace
}  // namespace siplb::config
