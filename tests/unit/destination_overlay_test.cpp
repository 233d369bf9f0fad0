// The operator's overlay on the configured destinations (control/destination_overlay.*) and the
// stable positions they are placed in (control/destination_layout.*): records round trip, the
// overlay applied to a file (weights, states, capacities, drain, added and removed destinations),
// diff and export, and positions that stay put while destinations come and go.
#include <gtest/gtest.h>

#include "../../control/config_reload.hpp"
#include "../../control/destination_layout.hpp"
#include "../../control/destination_overlay.hpp"
#include "../../src/balance/dispatcher_list.hpp"
#include "siplb/config/config.hpp"

namespace siplb::control {
namespace {

using balance::DestinationState;

config::Config file_config() {
  auto r = config::load_config_text(
      "[[interface]]\nport = \"net_ring0\"\naddress = \"10.0.0.1/24\"\n"
      "[[set]]\nid = 1\nalgorithm = \"least-loaded\"\n"
      "[[set.destination]]\nuri = \"sip:10.0.0.11:5060\"\ncapacity = 4\n"
      "[[set.destination]]\nuri = \"sip:10.0.0.12:5060\"\ncapacity = 4\n"
      "[[set]]\nid = 2\n"
      "[[set.destination]]\nuri = \"sip:10.0.0.21:5060\"\n"
      "[[set.destination]]\nuri = \"sip:10.0.0.22:5060\"\n",
      "t.toml");
  EXPECT_TRUE(r.ok()) << r.error.message;
  return *r.config;
}

std::vector<std::string> uris(const config::SetConfig& s) {
  std::vector<std::string> out;
  for (const auto& d : s.set.destinations) out.push_back(d.uri);
  return out;
}

TEST(DestinationOverlay, RecordsRoundTripAndBadOnesAreSkipped) {
  DestinationOverlay a;
  DestinationOverride& o = a.at(2, "sip:10.0.0.21:5060");
  o.state = DestinationState::disabled;
  o.weight = 7;
  o.priority = -3;
  o.capacity["calls"] = 9;
  o.drained = true;
  a.at(1, "sip:10.0.0.13:5060").added = true;
  const std::string r1 = a.record(2, "sip:10.0.0.21:5060");
  const std::string r2 = a.record(1, "sip:10.0.0.13:5060");
  EXPECT_EQ(a.record(1, "sip:10.0.0.99:5060"), "");  // nothing to keep
  DestinationOverlay b;
  std::vector<std::string> skipped;
  b.load({{DestinationOverlay::key(2, "sip:10.0.0.21:5060"), r1},
          {DestinationOverlay::key(1, "sip:10.0.0.13:5060"), r2},
          {"1 sip:x", "not json"},
          {"1 sip:y", "{\"weight\": -1}"},
          {"1 sip:z", "{\"state\": \"asleep\"}"}},
         skipped);
  EXPECT_EQ(skipped, (std::vector<std::string>{"1 sip:x", "1 sip:y", "1 sip:z"}));
  const DestinationOverride* back = b.find(2, "sip:10.0.0.21:5060");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->state, DestinationState::disabled);
  EXPECT_EQ(back->weight, 7);
  EXPECT_EQ(back->priority, -3);
  EXPECT_EQ(back->capacity.at("calls"), 9u);
  EXPECT_TRUE(back->drained);
  EXPECT_TRUE(b.find(1, "sip:10.0.0.13:5060")->added);
}

TEST(DestinationOverlay, AppliedOverTheFileWithDiff) {
  const config::Config file = file_config();
  DestinationOverlay overlay;
  overlay.at(1, "sip:10.0.0.11:5060").capacity["calls"] = 0;
  overlay.at(1, "sip:10.0.0.12:5060").drained = true;
  overlay.at(2, "sip:10.0.0.21:5060").weight = 5;
  overlay.at(2, "sip:10.0.0.22:5060").removed = true;
  overlay.at(1, "sip:10.0.0.13:5060").added = true;
  overlay.at(1, "sip:10.0.0.13:5060").capacity["calls"] = 8;
  overlay.at(3, "sip:10.0.0.31:5060").weight = 2;  // a set the file does not have
  std::vector<std::string> stale;
  const config::Config c = overlay.apply(file, &stale);
  EXPECT_EQ(uris(c.sets[0]), (std::vector<std::string>{"sip:10.0.0.11:5060", "sip:10.0.0.12:5060", "sip:10.0.0.13:5060"}));
  EXPECT_EQ(uris(c.sets[1]), (std::vector<std::string>{"sip:10.0.0.21:5060"}));
  EXPECT_EQ(c.sets[0].set.destinations[0].capacities[0].max, 0u);
  EXPECT_EQ(c.sets[0].set.destinations[2].capacities[0].max, 8u);
  EXPECT_EQ(c.sets[0].set.destinations[2].weight, 1);  // the file's defaults
  EXPECT_EQ(c.sets[1].set.destinations[0].weight, 5);
  EXPECT_TRUE(overlay.drained(1, "sip:10.0.0.12:5060"));
  EXPECT_EQ(stale, (std::vector<std::string>{"3 sip:10.0.0.31:5060"}));
  std::vector<std::string> fields;
  for (const auto& change : overlay.diff(file)) fields.push_back(std::to_string(change.set) + " " + change.field);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"1 added", "1 capacity.calls", "1 drained", "2 removed", "2 weight"}));
}

TEST(DestinationOverlay, ExportsSkipFreePositions) {
  config::Config c = file_config();
  c.sets[1].set.destinations[1].uri.clear();  // a free position
  const std::vector<DestinationState> states{DestinationState::active, DestinationState::inactive,
                                             DestinationState::probing, DestinationState::disabled};
  const std::string list = export_dispatcher_list(c, states);
  EXPECT_NE(list.find("1 sip:10.0.0.12:5060 1 0 weight=1;maxload=4\n"), std::string::npos) << list;
  EXPECT_NE(list.find("2 sip:10.0.0.21:5060 8 0 weight=1\n"), std::string::npos) << list;
  EXPECT_EQ(list.find("sip:10.0.0.22"), std::string::npos);
  const std::string toml = export_sets_toml(c, states);
  // What export writes loads back as a configuration.
  auto back = config::load_config_text("[[interface]]\nport = \"net_ring0\"\naddress = \"10.0.0.1/24\"\n" + toml, "x.toml");
  ASSERT_TRUE(back.ok()) << back.error.message << "\n" << toml;
  EXPECT_EQ(back.config->sets[0].set.destinations[1].state, DestinationState::inactive);
  EXPECT_EQ(back.config->sets[1].set.destinations.size(), 1u);
  // The OpenSIPS db_text table loads back as a dispatcher table.
  const std::string table = export_db_text(c, states);
  EXPECT_NE(table.find("2:1:sip\\:10.0.0.12\\:5060:null:1:1:1:0:maxload=4:null\n"), std::string::npos) << table;
  const balance::DispatcherList loaded = balance::parse_dispatcher_list(table, "exported");
  ASSERT_TRUE(loaded.ok()) << loaded.error->message() << "\n" << table;
  ASSERT_EQ(loaded.sets.size(), 2u);
  EXPECT_EQ(loaded.sets[0].destinations[1].state, DestinationState::inactive);
  EXPECT_EQ(loaded.sets[1].destinations[0].uri, "sip:10.0.0.21:5060");
  EXPECT_EQ(loaded.sets[1].destinations[0].state, DestinationState::probing);
}

TEST(DestinationLayout, PositionsStayWhileDestinationsComeAndGo) {
  const config::Config file = file_config();
  DestinationLayout layout;
  layout.init(file, 512);
  EXPECT_EQ(layout.positions(), 2u + DestinationLayout::kMinSpare + 2u + DestinationLayout::kMinSpare);
  config::Config placed;
  DestinationLayout next;
  std::string error;
  ASSERT_TRUE(layout.place(file, placed, next, error)) << error;
  layout = next;
  ASSERT_EQ(placed.sets[0].set.destinations.size(), 2u + DestinationLayout::kMinSpare);
  EXPECT_TRUE(placed.sets[0].set.destinations[2].uri.empty());  // spare: never chosen
  EXPECT_EQ(placed.sets[0].set.destinations[2].state, DestinationState::disabled);

  // Remove .11 and add .13 in set 1: .12 keeps position 1, .13 takes the first free one (2),
  // .11 is a tombstone that still names its address (for its calls in progress).
  DestinationOverlay overlay;
  overlay.at(1, "sip:10.0.0.11:5060").removed = true;
  overlay.at(1, "sip:10.0.0.13:5060").added = true;
  config::Config placed2;
  ASSERT_TRUE(layout.place(overlay.apply(file), placed2, next, error)) << error;
  const auto& d = placed2.sets[0].set.destinations;
  EXPECT_TRUE(d[0].uri.empty());
  EXPECT_EQ(d[0].address, placed.sets[0].set.destinations[0].address);
  EXPECT_EQ(d[0].weight, 0);
  EXPECT_FALSE(d[0].probe);
  EXPECT_EQ(d[1].uri, "sip:10.0.0.12:5060");
  EXPECT_EQ(d[2].uri, "sip:10.0.0.13:5060");
  // A reload may take the new shape: the tombstone and the free position that filled pass.
  config::Config check = placed2;
  EXPECT_TRUE(prepare_reload(placed, check, error)) << error;
  layout = next;
  // Adding .11 back does not reuse its tombstone before a restart: it takes the next free one.
  overlay.at(1, "sip:10.0.0.11:5060").removed = false;
  config::Config placed3;
  ASSERT_TRUE(layout.place(overlay.apply(file), placed3, next, error)) << error;
  EXPECT_TRUE(placed3.sets[0].set.destinations[0].uri.empty());
  EXPECT_EQ(placed3.sets[0].set.destinations[3].uri, "sip:10.0.0.11:5060");
}

TEST(DestinationLayout, FullSetsAndChangedSetsAreRefused) {
  config::Config file = file_config();
  DestinationLayout layout;
  layout.init(file, 4 + 2);  // room for two spare positions in all
  config::Config placed;
  DestinationLayout next;
  std::string error;
  ASSERT_TRUE(layout.place(file, placed, next, error)) << error;
  DestinationOverlay overlay;
  for (int i = 0; i < 3; ++i) overlay.at(1, "sip:10.0.0.1" + std::to_string(3 + i) + ":5060").added = true;
  EXPECT_FALSE(layout.place(overlay.apply(file), placed, next, error));
  EXPECT_NE(error.find("set 1 has no room left for sip:10.0.0.15:5060"), std::string::npos) << error;
  config::Config fewer = file;
  fewer.sets.pop_back();
  EXPECT_FALSE(layout.place(fewer, placed, next, error));
  EXPECT_NE(error.find("the number of sets changed (2 -> 1)"), std::string::npos) << error;
}

}  // namespace
}  // namespace siplb::control
