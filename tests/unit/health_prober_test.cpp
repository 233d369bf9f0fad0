// HealthProber (control/health_prober.*): when OPTIONS go out, what the answers and timeouts do
// to a destination's state (separate failure and recovery thresholds, configured success codes,
// provisional and stale answers), operator states, and the OPTIONS text itself.
#include "../../control/health_prober.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "siplb/sip/accessors.hpp"
#include "siplb/sip/parser.hpp"

namespace siplb::control {
namespace {

using balance::DestinationState;

struct Sent {
  uint16_t destination;
  std::string message;
};

ProbeTarget target(const std::string& host_port, DestinationState state = DestinationState::active) {
  ProbeTarget t;
  t.uri = "sip:" + host_port;
  t.host_port = host_port;
  t.via_sent_by = "10.0.0.1:5060";
  t.from_uri = "sip:siplb@10.0.0.1";
  t.state = state;
  return t;
}

ProberSettings settings() {
  ProberSettings s;
  s.interval_ms = 1000;
  s.timeout_ms = 500;
  s.failure_threshold = 3;
  s.recovery_threshold = 2;
  return s;
}

// The CSeq number of a probe is its sequence, which answers carry back.
uint32_t sequence_of(const std::string& message) {
  sip::Message m;
  EXPECT_EQ(sip::parse(message.data(), message.size(), m), sip::ParseError::none) << message;
  return m.cseq_number;
}

class Prober : public ::testing::Test {
 protected:
  std::vector<Sent> sent;
  bool send_ok = true;
  HealthProber::SendFn send = [this](uint16_t d, std::string_view text) {
    sent.push_back({d, std::string(text)});
    return send_ok;
  };
};

TEST_F(Prober, TimeoutsTakeADestinationOutAfterTheFailureThreshold) {
  HealthProber p(settings(), {target("10.0.0.11:5060")});
  uint64_t now = 0;
  EXPECT_FALSE(p.tick(now, send));  // first probe out
  ASSERT_EQ(sent.size(), 1u);
  // Two timeouts: probing (still selectable), not yet inactive.
  for (int i = 0; i < 2; ++i) {
    now += 1000;
    EXPECT_FALSE(p.tick(now, send));
  }
  EXPECT_EQ(p.states()[0], DestinationState::probing);
  now += 1000;
  EXPECT_TRUE(p.tick(now, send));  // third timeout: out of selection
  EXPECT_EQ(p.states()[0], DestinationState::inactive);
  EXPECT_EQ(p.timeouts(), 3u);
  EXPECT_EQ(p.probes_sent(), 4u);
}

TEST_F(Prober, AnswersBringItBackAfterTheRecoveryThreshold) {
  HealthProber p(settings(), {target("10.0.0.11:5060", DestinationState::inactive)});
  uint64_t now = 0;
  p.tick(now, send);
  EXPECT_FALSE(p.on_answer(0, sequence_of(sent.back().message), 200, now + 10));  // 1 of 2
  EXPECT_EQ(p.states()[0], DestinationState::inactive);
  now += 1000;
  p.tick(now, send);
  EXPECT_TRUE(p.on_answer(0, sequence_of(sent.back().message), 200, now + 10));  // 2 of 2
  EXPECT_EQ(p.states()[0], DestinationState::active);
  EXPECT_EQ(p.answers(), 2u);
}

TEST_F(Prober, ASuccessInBetweenResetsTheFailureCount) {
  HealthProber p(settings(), {target("10.0.0.11:5060")});
  uint64_t now = 0;
  p.tick(now, send);
  now += 1000;
  p.tick(now, send);  // timeout 1, new probe
  now += 1000;
  p.tick(now, send);  // timeout 2, new probe
  EXPECT_EQ(p.states()[0], DestinationState::probing);
  p.on_answer(0, sequence_of(sent.back().message), 200, now + 1);
  EXPECT_EQ(p.states()[0], DestinationState::active);
  now += 1000;
  p.tick(now, send);
  now += 1000;
  EXPECT_FALSE(p.tick(now, send));  // one timeout since the success: far from 3
  EXPECT_EQ(p.states()[0], DestinationState::probing);
}

TEST_F(Prober, ConfiguredCodesCountAsSuccessOthersAsFailure) {
  ProberSettings s = settings();
  s.failure_threshold = 1;
  s.success_codes = {404};
  s.timeout_ms = 900;
  HealthProber p(s, {target("10.0.0.11:5060"), target("10.0.0.12:5060")});
  // The probes of a round are spread over the interval: the second goes half an interval later.
  p.tick(0, send);
  EXPECT_EQ(sent.size(), 1u);
  p.tick(500, send);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_FALSE(p.on_answer(0, sequence_of(sent[0].message), 404, 505));
  EXPECT_TRUE(p.on_answer(1, sequence_of(sent[1].message), 486, 505));
  EXPECT_EQ(p.states()[0], DestinationState::active);
  EXPECT_EQ(p.states()[1], DestinationState::inactive);
}

TEST_F(Prober, ProvisionalStaleAndUnknownAnswersChangeNothing) {
  ProberSettings s = settings();
  s.failure_threshold = 1;
  HealthProber p(s, {target("10.0.0.11:5060")});
  p.tick(0, send);
  uint32_t seq = sequence_of(sent.back().message);
  EXPECT_FALSE(p.on_answer(0, seq, 100, 5));      // provisional: still waiting
  EXPECT_FALSE(p.on_answer(0, seq + 7, 503, 5));  // not the outstanding probe
  EXPECT_FALSE(p.on_answer(9, seq, 503, 5));      // no such destination
  EXPECT_EQ(p.answers(), 0u);
  EXPECT_FALSE(p.on_answer(0, seq, 200, 6));
  EXPECT_FALSE(p.on_answer(0, seq, 503, 7));  // a duplicate after the answer
  EXPECT_EQ(p.answers(), 1u);
  EXPECT_EQ(p.states()[0], DestinationState::active);
}

TEST_F(Prober, DisabledAndUnprobedDestinationsGetNoOptions) {
  ProbeTarget quiet = target("10.0.0.12:5060");
  quiet.probe = false;
  HealthProber p(settings(), {target("10.0.0.11:5060", DestinationState::disabled), quiet,
                              target("10.0.0.13:5060")});
  for (uint64_t now = 0; now < 5000; now += 100) p.tick(now, send);
  for (const Sent& s : sent) EXPECT_EQ(s.destination, 2u);
  EXPECT_EQ(p.states()[0], DestinationState::disabled);
  EXPECT_EQ(p.states()[1], DestinationState::active);
  // The operator enables the first: probing starts.
  EXPECT_TRUE(p.set_state(0, DestinationState::active));
  EXPECT_FALSE(p.set_state(7, DestinationState::active));
  sent.clear();
  p.tick(10000, send);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.front().destination, 0u);
}

TEST_F(Prober, AProbeThatCannotBeSentCountsAsAFailure) {
  ProberSettings s = settings();
  s.failure_threshold = 2;
  HealthProber p(s, {target("10.0.0.11:5060")});
  send_ok = false;
  EXPECT_FALSE(p.tick(0, send));
  EXPECT_TRUE(p.tick(1000, send));
  EXPECT_EQ(p.states()[0], DestinationState::inactive);
  EXPECT_EQ(p.probes_sent(), 0u);
}

TEST_F(Prober, ProbingOffSendsNothing) {
  ProberSettings s = settings();
  s.enabled = false;
  HealthProber p(s, {target("10.0.0.11:5060")});
  EXPECT_FALSE(p.tick(0, send));
  EXPECT_FALSE(p.tick(100000, send));
  EXPECT_TRUE(sent.empty());
}

TEST_F(Prober, TheOptionsNameTheInterfaceTheyLeaveFrom) {
  ProberSettings s = settings();
  ProbeTarget v4 = target("10.0.0.11:5060");
  ProbeTarget v6 = target("[fd00::11]:5060");
  v6.via_sent_by = "[fd00::1]:5060";
  ProbeTarget other_arm = target("10.1.0.11:5060");  // behind the second interface
  other_arm.via_sent_by = "10.1.0.1:5060";
  other_arm.from_uri = "sip:siplb@10.1.0.1";
  HealthProber p(s, {v4, v6, other_arm});

  std::string text = p.probe_message(0, 42);
  sip::Message m;
  ASSERT_EQ(sip::parse(text.data(), text.size(), m), sip::ParseError::none) << text;
  EXPECT_EQ(m.method, sip::Method::options);
  EXPECT_EQ(m.text(m.request_uri), "sip:10.0.0.11:5060");
  EXPECT_EQ(m.text(m.top_via.host), "10.0.0.1");
  EXPECT_EQ(m.top_via.port, 5060);
  EXPECT_EQ(m.cseq_number, 42u);
  EXPECT_EQ(m.max_forwards, 70);
  EXPECT_NE(text.find("From: <sip:siplb@10.0.0.1>;tag="), std::string::npos) << text;
  EXPECT_NE(text.find("To: <sip:10.0.0.11:5060>\r\n"), std::string::npos) << text;
  EXPECT_TRUE(m.text(m.top_via.branch).starts_with("z9hG4bK-slbp-"));

  text = p.probe_message(1, 43);
  ASSERT_EQ(sip::parse(text.data(), text.size(), m), sip::ParseError::none) << text;
  EXPECT_EQ(m.text(m.top_via.host), "[fd00::1]");

  text = p.probe_message(2, 44);
  ASSERT_EQ(sip::parse(text.data(), text.size(), m), sip::ParseError::none) << text;
  EXPECT_EQ(m.text(m.top_via.host), "10.1.0.1");
  EXPECT_NE(text.find("From: <sip:siplb@10.1.0.1>;tag="), std::string::npos) << text;
  // Every probe has a branch of its own.
  EXPECT_NE(p.probe_message(0, 42), p.probe_message(0, 45));
}

}  // namespace
}  // namespace siplb::control
