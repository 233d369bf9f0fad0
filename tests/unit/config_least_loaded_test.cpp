// Configuration of least-loaded sets and the dialog table (src/config/), and what a reload may
// change (control/config_reload.cpp): defaults, capacities in both syntaxes, Kamailio maxload in
// dispatcher.list, errors naming line and reason, resource columns kept across reloads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../../control/config_reload.hpp"
#include "siplb/config/config.hpp"

namespace siplb::config {
namespace {

const std::string kInterface = "[[interface]]\nport = \"net_ring0\"\naddress = \"10.0.0.1/24\"\n";  // lines 1-3

Config load_ok(const std::string& text) {
  ConfigResult r = load_config_text(text, "ll.toml");
  EXPECT_TRUE(r.ok()) << r.error.message << "\n--- text:\n" << text;
  return r.ok() ? *r.config : Config{};
}

std::string error_of(const std::string& text) {
  ConfigResult r = load_config_text(text, "ll.toml");
  EXPECT_FALSE(r.ok()) << "loaded:\n" << text;
  return r.ok() ? std::string() : r.error.message;
}

TEST(LeastLoadedConfig, DefaultsAndBothCapacitySyntaxes) {
  const Config c = load_ok(kInterface +
                           "[[set]]\nid = 1\nalgorithm = \"least-loaded\"\n"
                           "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = 30\n"
                           "[[set.destination]]\nuri = \"sip:10.0.0.12\"\ncapacity = \"calls=10;transcoding=4\"\n");
  ASSERT_EQ(c.sets.size(), 1u);
  const auto& set = c.sets[0].set;
  EXPECT_EQ(set.algorithm, balance::Algorithm::least_loaded);
  EXPECT_EQ(set.resources, std::vector<std::string>{"calls"});
  EXPECT_EQ(set.load_mode, balance::LoadMode::absolute);
  EXPECT_FALSE(set.overcommit);
  ASSERT_EQ(set.destinations[0].capacities.size(), 1u);
  EXPECT_EQ(set.destinations[0].capacities[0].resource, "calls");
  EXPECT_EQ(set.destinations[0].capacities[0].max, 30u);
  ASSERT_EQ(set.destinations[1].capacities.size(), 2u);
  EXPECT_EQ(set.destinations[1].capacities[1].resource, "transcoding");
  EXPECT_EQ(c.resource_names, (std::vector<std::string>{"calls", "transcoding"}));
  EXPECT_TRUE(c.uses_least_loaded());
  EXPECT_EQ(c.dialogs.capacity, 1u << 20);
  EXPECT_EQ(c.dialogs.early_timeout_s, 180u);
  EXPECT_EQ(c.dialogs.max_lifetime_s, 14400u);
  EXPECT_EQ(c.dialogs.idle_timeout_s, 0u);
}

TEST(LeastLoadedConfig, ResourcesModeOvercommitAndDialogs) {
  const Config c = load_ok(kInterface +
                           "[dialogs]\ncapacity = 4096\nearly_timeout_s = 5\nmax_lifetime_s = 60\nidle_timeout_s = 30\n"
                           "[[set]]\nid = 1\nalgorithm = 10\nresources = [\"pstn\", \"transcoding\"]\n"
                           "load_mode = \"relative\"\novercommit = true\n"
                           "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = \"pstn=32;transcoding=10\"\n");
  const auto& set = c.sets[0].set;
  EXPECT_EQ(set.resources, (std::vector<std::string>{"pstn", "transcoding"}));
  EXPECT_EQ(set.load_mode, balance::LoadMode::relative);
  EXPECT_TRUE(set.overcommit);
  EXPECT_EQ(c.dialogs.capacity, 4096u);
  EXPECT_EQ(c.dialogs.early_timeout_s, 5u);
  EXPECT_EQ(c.dialogs.max_lifetime_s, 60u);
  EXPECT_EQ(c.dialogs.idle_timeout_s, 30u);
}

TEST(LeastLoadedConfig, ErrorsNameTheLineAndReason) {
  const std::string set = "[[set]]\nid = 1\n";  // lines 4-5
  EXPECT_EQ(error_of(kInterface + set + "resources = [\"pstn\"]\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"),
            "ll.toml:6: set 1: resources applies to algorithm \"least-loaded\" only, not \"maglev\"");
  EXPECT_EQ(error_of(kInterface + set + "algorithm = \"least-loaded\"\nload_mode = \"percent\"\n"
                                        "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = 3\n"),
            "ll.toml:7: set 1: load_mode must be absolute or relative, got \"percent\"");
  EXPECT_EQ(error_of(kInterface + set + "algorithm = \"least-loaded\"\n"
                                        "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = \"calls=x\"\n"),
            "ll.toml:9: set 1 destination 1: capacity: capacity of \"calls\" must be a number 0..1000000000, got \"x\"");
  EXPECT_EQ(error_of(kInterface + set + "algorithm = \"least-loaded\"\nresources = \"pstn\"\n"
                                        "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = \"calls=3\"\n"),
            "ll.toml:4: set 1: least-loaded, but no destination declares a capacity for pstn (add capacity = "
            "\"pstn=N\" to the destinations)");
  EXPECT_EQ(error_of(kInterface + set + "algorithm = \"least-loaded\"\nresources = [\"a\", \"a\"]\n"
                                        "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = 1\n"),
            "ll.toml:7: set 1: resources lists \"a\" twice");
  EXPECT_EQ(error_of(kInterface + set + "algorithm = \"least-loaded\"\nresources = [\"a\", \"b\", \"c\", \"d\", \"e\", "
                                        "\"f\", \"g\", \"h\", \"i\"]\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = 1\n"),
            "ll.toml:7: set 1: resource \"i\" is one more than the 8 resource names siplb tracks");
  EXPECT_EQ(error_of(kInterface + "[dialogs]\ncapacity = 10\n" + "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"),
            "ll.toml:5: dialogs.capacity must be 1024..67108864, got 10");
  EXPECT_EQ(error_of(kInterface + "[dialogs]\nearly_timeout_s = 60\nmax_lifetime_s = 30\n" +
                     "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"),
            "ll.toml:6: dialogs.max_lifetime_s (30) must not be shorter than early_timeout_s (60)");
  EXPECT_EQ(error_of(kInterface + "[dialogs]\nsize = 1\n" + "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n")
                .substr(0, 30),
            "ll.toml:5: [dialogs]: unknown ");
}

TEST(LeastLoadedConfig, KamailioMaxloadInDispatcherList) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("siplb-ll-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "dispatcher.list") << "1 sip:10.0.0.31 0 0 duid=a;maxload=20\n1 sip:10.0.0.32 0 0 maxload=40\n";
  std::ofstream(dir / "siplbd.toml") << kInterface
                                     << "[[set]]\nid = 1\nalgorithm = \"least-loaded\"\ndispatcher_list = \"dispatcher.list\"\n";
  ConfigResult r = load_config_file((dir / "siplbd.toml").string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(r.ok()) << r.error.message;
  const auto& d = r.config->sets[0].set.destinations;
  ASSERT_EQ(d.size(), 2u);
  ASSERT_EQ(d[0].capacities.size(), 1u);
  EXPECT_EQ(d[0].capacities[0].resource, "calls");
  EXPECT_EQ(d[0].capacities[0].max, 20u);
  EXPECT_EQ(d[1].capacities[0].max, 40u);
}

TEST(SetMatchConfig, MethodsDomainsUserPrefixes) {
  const Config c = load_ok(kInterface + "[[set]]\nid = 1\nmethods = [\"INVITE\", \"MESSAGE\"]\n"
                                        "domains = \"PSTN.example.com\"\nuser_prefixes = [\"+1\", \"00\"]\n"
                                        "[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
                                        "[[set]]\nid = 2\n[[set.destination]]\nuri = \"sip:10.0.0.12\"\n");
  const SetMatch& m = c.sets[0].match;
  EXPECT_EQ(m.methods, (std::vector<sip::Method>{sip::Method::invite, sip::Method::message}));
  EXPECT_EQ(m.domains, std::vector<std::string>{"pstn.example.com"});
  EXPECT_EQ(m.user_prefixes, (std::vector<std::string>{"+1", "00"}));
  EXPECT_TRUE(c.sets[1].match.any());
  EXPECT_EQ(error_of(kInterface + "[[set]]\nid = 1\nmethods = [\"invite\"]\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"),
            "ll.toml:6: set 1: methods: \"invite\" is not a SIP method siplb knows (upper case, e.g. INVITE, MESSAGE)");
  EXPECT_EQ(error_of(kInterface + "[[set]]\nid = 1\nmethods = \"ACK\"\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"),
            "ll.toml:6: set 1: methods: ACK follows its INVITE and is never balanced on its own; leave it out");
  EXPECT_EQ(error_of(kInterface + "[[set]]\nid = 1\ndomains = []\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"),
            "ll.toml:6: set 1: domains must be a string or a non-empty array of strings, got an array");
}

TEST(ConfigReload, CapacitiesChangeShapeDoesNot) {
  const std::string head = kInterface + "[[set]]\nid = 1\nalgorithm = \"least-loaded\"\nresources = \"pstn\"\n";
  const Config running = load_ok(head + "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = 3\n");
  std::string error;

  Config next = load_ok(kInterface + "[[set]]\nid = 1\nalgorithm = \"least-loaded\"\nresources = [\"transcoding\", \"pstn\"]\n"
                        "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = \"transcoding=2;pstn=9\"\n");
  EXPECT_EQ(next.resource_names, (std::vector<std::string>{"transcoding", "pstn"}));
  ASSERT_TRUE(control::prepare_reload(running, next, error)) << error;
  EXPECT_EQ(next.resource_names, (std::vector<std::string>{"pstn", "transcoding"})) << "running columns kept";

  Config moved = load_ok(head + "[[set.destination]]\nuri = \"sip:10.0.0.99\"\ncapacity = 3\n");
  EXPECT_FALSE(control::prepare_reload(running, moved, error));
  EXPECT_EQ(error, "set 1 (line 4) destination 1: address changed (sip:10.0.0.11 -> sip:10.0.0.99): restart "
                   "siplbd to change destinations");

  Config more = load_ok(head + "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = 3\n"
                               "[[set.destination]]\nuri = \"sip:10.0.0.12\"\ncapacity = 3\n");
  EXPECT_FALSE(control::prepare_reload(running, more, error));
  EXPECT_NE(error.find("2 destinations instead of 1"), std::string::npos) << error;

  const Config hashing = load_ok(kInterface + "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n");
  Config became = load_ok(head + "[[set.destination]]\nuri = \"sip:10.0.0.11\"\ncapacity = 3\n");
  EXPECT_FALSE(control::prepare_reload(hashing, became, error));
  EXPECT_NE(error.find("restart siplbd so that it allocates the dialog table"), std::string::npos) << error;
}

TEST(ConfigReload, TheRegistrarsRulesMayChangeItsTableNot) {
  const std::string set = "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n";
  const std::string registrar = "[registrar]\ndomains = [\"example.com\"]\naors = 1000\ncontacts = 1000\n";
  const Config running = load_ok(kInterface + set + registrar);
  std::string error;
  Config rules = load_ok(kInterface + set + registrar + "min_expires = 10\ndefault_expires = 600\n");
  EXPECT_TRUE(control::prepare_reload(running, rules, error)) << error;
  Config resized = load_ok(kInterface + set + "[registrar]\ndomains = [\"example.com\"]\naors = 2000\ncontacts = 1000\n");
  EXPECT_FALSE(control::prepare_reload(running, resized, error));
  EXPECT_EQ(error, "[registrar] (line 8): aors/contacts changed (1000/1000 -> 2000/1000): restart siplbd to resize "
                   "the binding table");
  Config removed = load_ok(kInterface + set);
  EXPECT_FALSE(control::prepare_reload(running, removed, error));
  EXPECT_EQ(error, "[registrar] was removed: restart siplbd so that it makes or drops the binding table");
  Config added = load_ok(kInterface + set + registrar);
  const Config plain = load_ok(kInterface + set);
  EXPECT_FALSE(control::prepare_reload(plain, added, error));
  EXPECT_EQ(error, "[registrar] was added: restart siplbd so that it makes or drops the binding table");
}

}  // namespace
}  // namespace siplb::config
