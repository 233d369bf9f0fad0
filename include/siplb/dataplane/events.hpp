// Events from the workers to control: one bounded DPDK ring per worker (single producer: the
// worker; single consumer: the control thread, which dequeues in bursts). A worker never waits:
// when its ring is full the event is counted in its `events_dropped` and lost. Each event is one
// cache line, copied by value.
//
// Dialog events carry the whole dialog as the table holds it, so that control can persist it
// without a copy of its own: created (early), confirmed (with the callee's tag) and ended (with
// the destination and resources it held). Probe answers carry the probe's destination, sequence
// and status code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "siplb/dataplane/dialog_view.hpp"

namespace siplb::dataplane {

enum class EventKind : uint8_t { dialog_created, dialog_confirmed, dialog_ended, probe_answer };

struct alignas(64) Event {
  EventKind kind = EventKind::dialog_created;
  uint8_t end_reason = 0;    // dialog_ended: dialog::EndReason
  uint16_t status_code = 0;  // probe_answer
  uint32_t probe_sequence = 0;  // probe_answer: from the probe's branch
  uint64_t event_tsc = 0;    // when the worker saw it
  DialogView dialog;         // dialog events; probe_answer: dialog.destination only
};
static_assert(sizeof(Event) == 64, "one cache line per event");

// Events each worker's ring holds ([workers] event_ring rounds up to a power of two).
inline constexpr uint32_t kDefaultEventRing = 16384;

}  // namespace siplb::dataplane
