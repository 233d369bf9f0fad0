// Dialog phases and their events (see dialog_state.hpp).
#include "siplb/dialog/dialog_state.hpp"

namespace siplb::dialog {

std::string_view end_reason_name(EndReason r) {
  constexpr std::string_view kNames[] = {
#define SIPLB_X(name, text) #name,
      SIPLB_DIALOG_ENDS(SIPLB_X)
#undef SIPLB_X
  };
  return r < EndReason::count ? kNames[static_cast<std::size_t>(r)] : "unknown";
}

std::string_view end_reason_text(EndReason r) {
  constexpr std::string_view kTexts[] = {
#define SIPLB_X(name, text) text,
      SIPLB_DIALOG_ENDS(SIPLB_X)
#undef SIPLB_X
  };
  return r < EndReason::count ? kTexts[static_cast<std::size_t>(r)] : "unknown";
}

Step on_event(Phase current, Event event) {
  if (!is_live(current)) return {current};
  const bool early = current == Phase::early;
  switch (event) {
    case Event::provisional:
    case Event::in_dialog_request:
      return {current};
    case Event::success:
      return {Phase::confirmed};
    case Event::failure:
      if (early) return {Phase::busy, true, EndReason::rejected};
      return {current};
    case Event::cancel:
      if (early) return {Phase::busy, true, EndReason::cancel};
      return {current};
    case Event::bye_caller:
      return {Phase::busy, true, EndReason::bye_caller};
    case Event::bye_callee:
      return {Phase::busy, true, EndReason::bye_callee};
    case Event::operator_end:
      return {Phase::busy, true, EndReason::operator_end};
  }
  return {current};
}

bool expired(Phase phase, uint64_t created, uint64_t last_activity, uint64_t now, const Timeouts& t,
             EndReason& reason) {
  if (!is_live(phase)) return false;
  const uint64_t age = now > created ? now - created : 0;
  if (phase == Phase::early && age >= t.early) {
    reason = EndReason::early_timeout;
    return true;
  }
  if (age >= t.lifetime) {
    reason = EndReason::lifetime;
    return true;
  }
  if (phase == Phase::confirmed && t.idle != 0 && now > last_activity && now - last_activity >= t.idle) {
    reason = EndReason::idle_timeout;
    return true;
  }
  return false;
}

}  // namespace siplb::dialog
