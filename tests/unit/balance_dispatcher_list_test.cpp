// dispatcher.list loading (src/balance/dispatcher_list.cpp): a full good file, the flag, priority
// and attribute columns, and every refusal with the line it names.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "../../src/balance/dispatcher_list.hpp"
#include "siplb/balance/selector.hpp"

namespace siplb::balance {
namespace {

constexpr const char* kGoodList =
    "# dispatcher.list of the lab\n"
    "\n"
    "   # indented comment\n"
    "2 sip:10.0.0.21\n"
    "1 sip:10.0.0.11:5060 0 10 weight=2;duid=pbx1\n"
    "1\tsip:10.0.0.12:5070\t8\t10\tduid=pbx2;weight=1\r\n"
    "1 sip:10.0.0.13 2 5   # a trailing comment\n"
    "1 sip:gw@[2001:db8::13]:5080;transport=udp;lr 1\n"
    "1 sip:[2001:db8::14] 4 0 socket=udp:10.0.0.1:5060\n"
    "2 SIP:10.0.0.22;transport=UDP 0 -3 weight=0\n"
    "3 sip:10.0.0.31 9\n"
    "\t\n";

TEST(DispatcherList, GoodFile) {
  const DispatcherList list = parse_dispatcher_list(kGoodList, "dispatcher.list");
  ASSERT_TRUE(list.ok()) << list.error->message();
  ASSERT_EQ(list.sets.size(), 3u);

  const DestinationSet& one = list.sets[0];
  EXPECT_EQ(one.id, 1u);
  EXPECT_EQ(one.name, "1");
  EXPECT_EQ(one.algorithm, Algorithm::maglev);
  ASSERT_EQ(one.destinations.size(), 5u);

  const Destination& a = one.destinations[0];
  EXPECT_EQ(a.uri, "sip:10.0.0.11:5060");
  EXPECT_EQ(a.address.ip, net::IpAddress::v4(0x0a00000b));
  EXPECT_EQ(a.address.port, 5060);
  EXPECT_EQ(a.weight, 2);
  EXPECT_EQ(a.priority, 10);
  EXPECT_EQ(a.state, DestinationState::active);
  EXPECT_TRUE(a.probe);
  EXPECT_EQ(a.attrs, "weight=2;duid=pbx1");

  const Destination& b = one.destinations[1];
  EXPECT_EQ(b.uri, "sip:10.0.0.12:5070");
  EXPECT_EQ(b.address.port, 5070);
  EXPECT_EQ(b.weight, 1);
  EXPECT_EQ(b.state, DestinationState::active);
  EXPECT_TRUE(b.probe);
  EXPECT_EQ(b.attrs, "duid=pbx2;weight=1");

  const Destination& c = one.destinations[2];
  EXPECT_EQ(c.address.port, 5060);
  EXPECT_EQ(c.state, DestinationState::probing);  // flag 2, trying
  EXPECT_EQ(c.priority, 5);
  EXPECT_EQ(c.attrs, "");
  EXPECT_EQ(c.weight, 1);

  const Destination& d = one.destinations[3];
  EXPECT_EQ(d.uri, "sip:gw@[2001:db8::13]:5080;transport=udp;lr");
  EXPECT_EQ(d.address.ip, *net::parse_ip("2001:db8::13"));
  EXPECT_EQ(d.address.port, 5080);
  EXPECT_EQ(d.state, DestinationState::inactive);
  EXPECT_EQ(d.priority, 0);

  const Destination& e = one.destinations[4];
  EXPECT_EQ(e.address.ip, *net::parse_ip("2001:db8::14"));
  EXPECT_EQ(e.address.port, 5060);
  EXPECT_EQ(e.state, DestinationState::disabled);
  EXPECT_FALSE(e.probe) << "disabled destinations are never probed";
  EXPECT_EQ(e.attrs, "socket=udp:10.0.0.1:5060");

  const DestinationSet& two = list.sets[1];
  EXPECT_EQ(two.id, 2u);
  ASSERT_EQ(two.destinations.size(), 2u);
  EXPECT_EQ(two.destinations[0].uri, "sip:10.0.0.21");
  EXPECT_EQ(two.destinations[1].uri, "SIP:10.0.0.22;transport=UDP");
  EXPECT_EQ(two.destinations[1].priority, -3);
  EXPECT_EQ(two.destinations[1].weight, 0);

  const DestinationSet& three = list.sets[2];
  ASSERT_EQ(three.destinations.size(), 1u);
  EXPECT_EQ(three.destinations[0].state, DestinationState::inactive);  // 9 = 8 | 1

  // The sets build a selector; set 1 sends to the priority 10 pair only.
  auto selector = Selector::build(list.sets);
  ASSERT_NE(selector, nullptr);
  WorkerSelectState state;
  for (int i = 0; i < 200; ++i) {
    const std::string call_id = std::to_string(i);
    const int32_t index = selector->select(selector->find_set(1), SelectionKey{call_id, {}, {}, {}, {}}, state).index;
    EXPECT_TRUE(index == 0 || index == 1) << index;
  }
  EXPECT_EQ(selector->select(selector->find_set(3), {}, state).index, -1);
}

TEST(DispatcherList, Options) {
  DispatcherListOptions options;
  options.algorithm = Algorithm::round_robin;
  options.probe_all = false;
  const DispatcherList list = parse_dispatcher_list("1 sip:10.0.0.1 8\n1 sip:10.0.0.2 0\n1 sip:10.0.0.3\n", "x", options);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list.sets.size(), 1u);
  EXPECT_EQ(list.sets[0].algorithm, Algorithm::round_robin);
  EXPECT_TRUE(list.sets[0].destinations[0].probe);
  EXPECT_FALSE(list.sets[0].destinations[1].probe);
  EXPECT_FALSE(list.sets[0].destinations[2].probe);
}

TEST(DispatcherList, EmptyAndCommentOnly) {
  EXPECT_TRUE(parse_dispatcher_list("", "x").ok());
  const DispatcherList list = parse_dispatcher_list("\xEF\xBB\xBF# only comments\n\n  \n#1 sip:10.0.0.1\n", "x");
  EXPECT_TRUE(list.ok());
  EXPECT_TRUE(list.sets.empty());
}

// Each bad line is refused with the source name, its line number and the reason, and nothing of
// the good lines before it comes back.
TEST(DispatcherList, Errors) {
  const struct {
    const char* bad_line;
    const char* message;
  } kCases[] = {
      {"1 sip:pbx.example.com",
       "dispatcher.list:3: destination host 'pbx.example.com' is not an IP address (siplb does not resolve names on "
       "the packet path)"},
      {"x sip:10.0.0.1", "dispatcher.list:3: set id 'x' is not a number between 0 and 4294967295"},
      {"-1 sip:10.0.0.1", "dispatcher.list:3: set id '-1' is not a number between 0 and 4294967295"},
      {"4294967296 sip:10.0.0.1", "dispatcher.list:3: set id '4294967296' is not a number between 0 and 4294967295"},
      {"1", "dispatcher.list:3: set 1 has a line without a destination"},
      {"1 # no destination", "dispatcher.list:3: set 1 has a line without a destination"},
      {"1 10.0.0.1", "dispatcher.list:3: destination '10.0.0.1' is not a sip: URI"},
      {"1 tel:+15551234", "dispatcher.list:3: destination 'tel:+15551234' is not a sip: URI"},
      {"1 sips:10.0.0.1", "dispatcher.list:3: destination 'sips:10.0.0.1' is a sips: URI (siplb forwards over UDP; use sip:)"},
      {"1 sip:", "dispatcher.list:3: destination 'sip:' has no host"},
      {"1 sip::5060", "dispatcher.list:3: destination 'sip::5060' has no host"},
      {"1 sip:10.0.0.256", "dispatcher.list:3: destination host '10.0.0.256' is not a valid IPv4 address"},
      {"1 sip:10.0.0", "dispatcher.list:3: destination host '10.0.0' is not a valid IPv4 address"},
      {"1 sip:2001:db8::1", "dispatcher.list:3: destination 'sip:2001:db8::1' has an IPv6 host without brackets (write sip:[2001:db8::1])"},
      {"1 sip:[2001:db8::1", "dispatcher.list:3: destination 'sip:[2001:db8::1' has an unclosed '[' in its IPv6 host"},
      {"1 sip:[2001:db8::g]", "dispatcher.list:3: destination host '[2001:db8::g]' is not an IPv6 address"},
      {"1 sip:[10.0.0.1]", "dispatcher.list:3: destination host '[10.0.0.1]' is not an IPv6 address"},
      {"1 sip:10.0.0.1:0", "dispatcher.list:3: destination port '0' is not a number between 1 and 65535"},
      {"1 sip:10.0.0.1:65536", "dispatcher.list:3: destination port '65536' is not a number between 1 and 65535"},
      {"1 sip:10.0.0.1:", "dispatcher.list:3: destination port '' is not a number between 1 and 65535"},
      {"1 sip:10.0.0.1:50x", "dispatcher.list:3: destination port '50x' is not a number between 1 and 65535"},
      {"1 sip:[::1]x", "dispatcher.list:3: unexpected 'x' after the host and port of destination 'sip:[::1]x'"},
      {"1 sip:10.0.0.1?Subject=x", "dispatcher.list:3: unexpected '?Subject=x' after the host and port of destination 'sip:10.0.0.1?Subject=x'"},
      {"1 sip:10.0.0.1;transport=tcp", "dispatcher.list:3: destination 'sip:10.0.0.1;transport=tcp' asks for transport=tcp (siplb forwards over UDP only)"},
      {"1 sip:10.0.0.1 x", "dispatcher.list:3: flags 'x' is not a number"},
      {"1 sip:10.0.0.1 32", "dispatcher.list:3: flags 32 has unknown bits (known: 1 inactive, 2 trying, 4 disabled, 8 probing, 16 no DNS)"},
      {"1 sip:10.0.0.1 0 high", "dispatcher.list:3: priority 'high' is not a 32-bit integer"},
      {"1 sip:10.0.0.1 0 2147483648", "dispatcher.list:3: priority '2147483648' is not a 32-bit integer"},
      {"1 sip:10.0.0.1 0 0 weight=x", "dispatcher.list:3: attribute 'weight=x' is not weight=N with N between 0 and 65535"},
      {"1 sip:10.0.0.1 0 0 weight=65536", "dispatcher.list:3: attribute 'weight=65536' is not weight=N with N between 0 and 65535"},
      {"1 sip:10.0.0.1 0 0 weight", "dispatcher.list:3: attribute 'weight' is not weight=N with N between 0 and 65535"},
      {"1 sip:10.0.0.1 0 0 weight=1;weight=2", "dispatcher.list:3: attribute weight given twice"},
      {"1 sip:10.0.0.1 0 0 weight=1 extra", "dispatcher.list:3: unexpected 'extra' after the attributes (attributes hold no blanks)"},
      {"1 sip:10.0.0.2:5060", "dispatcher.list:3: destination 'sip:10.0.0.2:5060' appears twice in set 1 (first on line 2)"},
  };
  for (const auto& c : kCases) {
    const std::string text = std::string("# first\n1 sip:10.0.0.2:5060\n") + c.bad_line + "\n2 sip:10.0.0.9\n";
    const DispatcherList list = parse_dispatcher_list(text, "dispatcher.list");
    ASSERT_FALSE(list.ok()) << c.bad_line;
    EXPECT_EQ(list.error->message(), c.message) << c.bad_line;
    EXPECT_EQ(list.error->line, 3u);
    EXPECT_EQ(list.error->source, "dispatcher.list");
    EXPECT_TRUE(list.sets.empty()) << "nothing partial";
  }
}

TEST(DispatcherList, ErrorLineCountsCommentsBlanksAndCrLf) {
  const DispatcherList list = parse_dispatcher_list("# a\r\n\r\n1 sip:10.0.0.1\r\n  \r\n1 sip:host.invalid\r\n", "lab.list");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error->line, 5u);
  EXPECT_EQ(list.error->message(),
            "lab.list:5: destination host 'host.invalid' is not an IP address (siplb does not resolve names on the packet path)");
}

TEST(DispatcherList, SameUriInDifferentSetsIsFine) {
  const DispatcherList list = parse_dispatcher_list("1 sip:10.0.0.1\n2 sip:10.0.0.1\n", "x");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list.sets.size(), 2u);
}

TEST(DispatcherList, LoadFromFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::filesystem::path path = dir / ("siplb_dispatcher_test_" + std::to_string(::getpid()) + ".list");
  {
    std::ofstream out(path);
    out << "1 sip:10.0.0.1:5060 0 0 weight=3\n1 sip:10.0.0.2\n";
  }
  const DispatcherList list = load_dispatcher_list(path.string());
  ASSERT_TRUE(list.ok()) << list.error->message();
  ASSERT_EQ(list.sets.size(), 1u);
  EXPECT_EQ(list.sets[0].destinations[0].weight, 3);
  {
    std::ofstream out(path);
    out << "1 sip:10.0.0.1\n\n7 sip:example.com\n";
  }
  const DispatcherList bad = load_dispatcher_list(path.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error->message(), path.string() +
                                      ":3: destination host 'example.com' is not an IP address (siplb does not resolve "
                                      "names on the packet path)");
  std::filesystem::remove(path);

  const DispatcherList missing = load_dispatcher_list((dir / "siplb_no_such_dispatcher.list").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->line, 0u);
  EXPECT_EQ(missing.error->message(),
            (dir / "siplb_no_such_dispatcher.list").string() + ": cannot open the file: No such file or directory");
}

}  // namespace
}  // namespace siplb::balance
