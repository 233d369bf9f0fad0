// The dialog state machine (src/dialog/dialog_state.cpp): every way a dialog ends, what leaves a
// dialog alone, and the timers.
#include <gtest/gtest.h>

#include "siplb/dialog/dialog_state.hpp"

namespace siplb::dialog {
namespace {

void expect_ends(Phase from, Event e, EndReason reason) {
  const Step s = on_event(from, e);
  EXPECT_TRUE(s.ends);
  EXPECT_EQ(s.reason, reason);
  EXPECT_EQ(s.next, Phase::busy);
}

void expect_stays(Phase from, Event e, Phase to) {
  const Step s = on_event(from, e);
  EXPECT_FALSE(s.ends);
  EXPECT_EQ(s.next, to);
}

TEST(DialogState, AnsweredCallEndsByByeFromEitherSide) {
  expect_stays(Phase::early, Event::provisional, Phase::early);
  expect_stays(Phase::early, Event::success, Phase::confirmed);
  expect_stays(Phase::confirmed, Event::in_dialog_request, Phase::confirmed);  // ACK, re-INVITE
  expect_ends(Phase::confirmed, Event::bye_caller, EndReason::bye_caller);
  expect_ends(Phase::confirmed, Event::bye_callee, EndReason::bye_callee);
}

TEST(DialogState, RetransmittedTwoHundredChangesNothing) {
  expect_stays(Phase::confirmed, Event::success, Phase::confirmed);
  expect_stays(Phase::confirmed, Event::provisional, Phase::confirmed);  // a late 180
}

TEST(DialogState, CancelEndsOnlyAnUnansweredCall) {
  expect_ends(Phase::early, Event::cancel, EndReason::cancel);
  // The 2xx crossed the CANCEL: the UAS ignores it (RFC 3261 9.2) and the call is up.
  expect_stays(Phase::confirmed, Event::cancel, Phase::confirmed);
}

TEST(DialogState, RejectionsEndTheEarlyDialog) {
  // 486 Busy Here, 408 Request Timeout, 302 Moved: all are Event::failure to the initial INVITE.
  expect_ends(Phase::early, Event::failure, EndReason::rejected);
  // A failure after the 2xx (a 487 racing the 200) leaves the call up.
  expect_stays(Phase::confirmed, Event::failure, Phase::confirmed);
}

TEST(DialogState, ByeInTheEarlyDialogEndsIt) {
  expect_ends(Phase::early, Event::bye_caller, EndReason::bye_caller);
  expect_ends(Phase::early, Event::bye_callee, EndReason::bye_callee);
}

TEST(DialogState, FreeAndBusySlotsIgnoreEverything) {
  for (Event e : {Event::provisional, Event::success, Event::failure, Event::cancel, Event::bye_caller,
                  Event::bye_callee, Event::in_dialog_request}) {
    expect_stays(Phase::free, e, Phase::free);
    expect_stays(Phase::busy, e, Phase::busy);
  }
}

TEST(DialogState, EarlyDialogExpires) {
  const Timeouts t{100, 1000, 0};
  EndReason r = EndReason::count;
  EXPECT_FALSE(expired(Phase::early, 50, 50, 149, t, r));
  EXPECT_TRUE(expired(Phase::early, 50, 50, 150, t, r));
  EXPECT_EQ(r, EndReason::early_timeout);
  // Answered in time: the early timer no longer applies.
  EXPECT_FALSE(expired(Phase::confirmed, 50, 50, 150, t, r));
}

TEST(DialogState, ConfirmedDialogReachesItsLifetime) {
  const Timeouts t{100, 1000, 0};
  EndReason r = EndReason::count;
  EXPECT_FALSE(expired(Phase::confirmed, 0, 999, 999, t, r));
  EXPECT_TRUE(expired(Phase::confirmed, 0, 999, 1000, t, r));  // BYE never seen
  EXPECT_EQ(r, EndReason::lifetime);
}

TEST(DialogState, IdleTimerWhenConfigured) {
  const Timeouts t{100, 100000, 300};
  EndReason r = EndReason::count;
  EXPECT_FALSE(expired(Phase::confirmed, 0, 500, 799, t, r));  // activity at 500 refreshed it
  EXPECT_TRUE(expired(Phase::confirmed, 0, 500, 800, t, r));
  EXPECT_EQ(r, EndReason::idle_timeout);
  const Timeouts off{100, 100000, 0};
  EXPECT_FALSE(expired(Phase::confirmed, 0, 0, 99999, off, r));
}

TEST(DialogState, NamesForReports) {
  EXPECT_EQ(end_reason_name(EndReason::bye_callee), "bye_callee");
  EXPECT_EQ(end_reason_text(EndReason::lifetime), "maximum lifetime reached (BYE never seen)");
  EXPECT_EQ(end_reason_name(EndReason::count), "unknown");
}

}  // namespace
}  // namespace siplb::dialog
