// db_text dispatcher tables (src/balance/dispatcher_list.cpp): tables written by hand after the
// OpenSIPS and Kamailio db_text documentation (escapes, null, quotes, columns in another order),
// and every refusal with the line and column it names.
#include <gtest/gtest.h>

#include <string>

#include "../../src/balance/dispatcher_list.hpp"

namespace siplb::balance {
namespace {

// OpenSIPS 3.x `dispatcher` table: state 0/1/2, probe_mode, weight as a string.
constexpr const char* kOpenSips =
    "id(int,auto) setid(int) destination(string) socket(string,null) state(int) probe_mode(int) "
    "weight(string) priority(int) attrs(string) description(string)\n"
    "1:1:sip\\:10.0.0.11\\:5060:udp\\:10.0.0.1\\:5060:0:1:3:10:duid=pbx1:'PBX one\\: main'\n"
    "2:1:sip\\:10.0.0.12:null:1:0:1:10::\n"
    "3:2:sip\\:10.0.0.21\\:5070::2:0:'5':0:null:backup\n";

// Kamailio `dispatcher` table, columns in another order: flags bits, weight in attrs.
constexpr const char* kKamailio =
    "setid(int) id(int,auto) priority(int) flags(int) destination(string) attrs(string,null) "
    "description(string,null)\n"
    "1:1:5:0:sip\\:10.0.0.31\\:5060:weight=2;maxload=40:first\n"
    "1:2:5:4:sip\\:10.0.0.32:null:disabled one\n"
    "1:3:0:1:sip\\:[2001\\:db8\\:\\:33]\\:5080::\\\\backslash\\tand tab\n";

TEST(DispatcherDbText, OpenSipsTable) {
  const DispatcherList r = parse_dispatcher_list(kOpenSips, "dispatcher");
  ASSERT_TRUE(r.ok()) << r.error->message();
  ASSERT_EQ(r.sets.size(), 2u);
  const auto& s1 = r.sets[0].destinations;
  ASSERT_EQ(s1.size(), 2u);
  EXPECT_EQ(s1[0].uri, "sip:10.0.0.11:5060");
  EXPECT_EQ(s1[0].address.port, 5060);
  EXPECT_EQ(s1[0].state, DestinationState::active);
  EXPECT_EQ(s1[0].weight, 3);
  EXPECT_EQ(s1[0].priority, 10);
  EXPECT_EQ(s1[0].attrs, "duid=pbx1");
  EXPECT_EQ(s1[1].uri, "sip:10.0.0.12");
  EXPECT_EQ(s1[1].state, DestinationState::inactive);
  const auto& s2 = r.sets[1].destinations;
  ASSERT_EQ(s2.size(), 1u);
  EXPECT_EQ(s2[0].address.port, 5070);
  EXPECT_EQ(s2[0].state, DestinationState::probing);
  EXPECT_EQ(s2[0].weight, 5);  // a quoted string holding a number
  ASSERT_EQ(r.sockets.size(), 1u);
  EXPECT_EQ(r.sockets[0].socket, "udp:10.0.0.1:5060");
  EXPECT_EQ(r.sockets[0].line, 2u);
  EXPECT_EQ(r.sockets[0].uri, "sip:10.0.0.11:5060");
}

TEST(DispatcherDbText, KamailioTableColumnsInAnotherOrder) {
  const DispatcherList r = parse_dispatcher_list(kKamailio, "dispatcher");
  ASSERT_TRUE(r.ok()) << r.error->message();
  ASSERT_EQ(r.sets.size(), 1u);
  const auto& d = r.sets[0].destinations;
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].weight, 2);
  EXPECT_EQ(d[0].priority, 5);
  EXPECT_EQ(d[0].attrs, "weight=2;maxload=40");  // maxload is read by the configuration
  EXPECT_EQ(d[1].state, DestinationState::disabled);
  EXPECT_FALSE(d[1].probe);
  EXPECT_EQ(d[2].state, DestinationState::inactive);
  EXPECT_TRUE(d[2].address.ip.is_v6());
  EXPECT_EQ(d[2].address.port, 5080);
  EXPECT_TRUE(r.sockets.empty());
}

void expect_error(const std::string& text, const std::string& message) {
  const DispatcherList r = parse_dispatcher_list(text, "dispatcher");
  ASSERT_FALSE(r.ok()) << "accepted:\n" << text;
  EXPECT_EQ(r.error->message(), message);
  EXPECT_TRUE(r.sets.empty());
}

TEST(DispatcherDbText, RefusalsNameLineAndColumn) {
  const std::string header = "id(int,auto) setid(int) destination(string) weight(string) priority(int)\n";
  expect_error("id(int) destination(string)\n1:sip\\:10.0.0.1\n",
               "dispatcher:1: the db_text header has no 'setid' column");
  expect_error("setid(int) priority(int)\n1:0\n", "dispatcher:1: the db_text header has no 'destination' column");
  expect_error("setid(int) destination(string) setid(int)\n", "dispatcher:1: header names column 'setid' twice");
  expect_error(header + "1:1:sip\\:10.0.0.1:1\n", "dispatcher:2: the row has 4 fields, the header 5 columns");
  expect_error(header + "1:x:sip\\:10.0.0.1:1:0\n",
               "dispatcher:2: column 2 (setid): 'x' is not a set id between 0 and 4294967295");
  expect_error(header + "1:1:sip\\:10.0.0.1:fs\\://provider/w:0\n",
               "dispatcher:2: column 4 (weight): 'fs://provider/w' is a dynamic weight source, which siplb does "
               "not read: give a number 0..65535");
  expect_error(header + "1:1:sip\\:10.0.0.1:heavy:0\n",
               "dispatcher:2: column 4 (weight): 'heavy' is not a number between 0 and 65535");
  expect_error(header + "1:1:sip\\:10.0.0.1:1:first\n",
               "dispatcher:2: column 5 (priority): 'first' is not a 32-bit integer");
  expect_error(header + "1:1:null:1:0\n", "dispatcher:2: column 3 (destination): no destination");
  expect_error(header + "1:1:sip\\:pbx.example.com:1:0\n",
               "dispatcher:2: column 3 (destination): destination host 'pbx.example.com' is not an IP address "
               "(siplb does not resolve names on the packet path)");
  expect_error(header + "1:1:'sip\\:10.0.0.1:1:0\n", "dispatcher:2: column 3: a quoted string has no closing quote");
  expect_error("setid(int) destination(string) state(int)\n1:sip\\:10.0.0.1:7\n",
               "dispatcher:2: column 3 (state): '7' is not 0 (active), 1 (inactive) or 2 (probing)");
  expect_error("setid(int) destination(string) flags(int)\n1:sip\\:10.0.0.1:64\n",
               "dispatcher:2: column 3 (flags): flags 64 has unknown bits (known: 1 inactive, 2 trying, 4 disabled, "
               "8 probing, 16 no DNS)");
  expect_error(header + "1:1:sip\\:10.0.0.1:1:0\n2:1:sip\\:10.0.0.1:1:0\n",
               "dispatcher:3: destination 'sip:10.0.0.1' appears twice in set 1 (first on line 2)");
}

TEST(DispatcherDbText, PlainListsStayPlain) {
  const DispatcherList r = parse_dispatcher_list("# a plain list\n1 sip:10.0.0.1 0 0 weight=2\n", "dispatcher.list");
  ASSERT_TRUE(r.ok()) << r.error->message();
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(r.sets[0].destinations[0].weight, 2);
}

}  // namespace
}  // namespace siplb::balance
