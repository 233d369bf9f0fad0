// Events from the workers to control: one bounded DPDK ring per worker (single producer: the
// worker; single consumer: the control thread, which dequeues in bursts). A worker never waits:
// when its ring is full the event is counted in its `events_dropped` and lost. Each event is one
// cache line, copied by value.
//
// Dialog events carry the whole dialog as the table holds it, so that control can persist it
// without a copy of its own: created (early), confirmed (with the callee's tag) and ended (with
// the destination and resources it held). Probe answers carry the probe's destination, sequence
// and status code. Binding events name the AoR's key position in the binding table (control
// reads the record there and persists it: the latest state, whatever came between) and may carry
// a REGISTER's 200 OK that must wait for the store (durability "sync"): control hands it back
// with release_reply() once the batch holding the change is written.
#pragma once

#include <cstddef>
#include <cstdint>

#include "siplb/dataplane/dialog_view.hpp"

namespace siplb::dataplane {

enum class EventKind : uint8_t { dialog_created, dialog_confirmed, dialog_ended, probe_answer, binding_changed };

// A REGISTER's outcome for control: which AoR changed (position -1: none, the event only carries
// a reply), and the reply to send once what it acknowledges is durable (an opaque packet and its
// route, handed back to the engine; nullptr when the worker answered itself).
struct BindingChange {
  int32_t position = -1;
  uint16_t worker = 0;     // whose ring the reply goes back through
  uint16_t reply_code = 0;  // of `reply`
  void* reply = nullptr;
  uint8_t reply_route[32] = {};  // the engine's own description of where the reply goes
};

struct alignas(64) Event {
  EventKind kind = EventKind::dialog_created;
  uint8_t end_reason = 0;    // dialog_ended: dialog::EndReason
  uint16_t status_code = 0;  // probe_answer
  uint32_t probe_sequence = 0;  // probe_answer: from the probe's branch
  uint64_t event_tsc = 0;    // when the worker saw it
  union {
    DialogView dialog;       // dialog events; probe_answer: dialog.destination only
    BindingChange binding;   // binding_changed
  };
  Event() : dialog() {}
};
static_assert(sizeof(Event) == 64, "one cache line per event");

// Events each worker's ring holds ([workers] event_ring rounds up to a power of two).
inline constexpr uint32_t kDefaultEventRing = 16384;

}  // namespace siplb::dataplane
