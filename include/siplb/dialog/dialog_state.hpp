// The life of a dialog as a load balancer sees it (RFC 3261 12, 15): what each SIP event or timer
// does to a dialog's phase, and which event ends it. Pure functions over values: the shared
// dialog table (dataplane/dialog_table) applies them with compare-and-swap so that exactly one
// thread ends a dialog and gives its resources back. No allocation; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siplb::dialog {

// X(name, description): why a dialog ended. One list gives the enum, names and counters.
#define SIPLB_DIALOG_ENDS(X)                                                  \
  X(bye_caller, "BYE from the caller")                                        \
  X(bye_callee, "BYE from the callee")                                        \
  X(cancel, "CANCEL before the call was answered")                            \
  X(rejected, "3xx-6xx final answer to the initial INVITE")                   \
  X(early_timeout, "no final answer within the early timeout")                \
  X(lifetime, "maximum lifetime reached (BYE never seen)")                    \
  X(idle_timeout, "no in-dialog request within the idle timeout")             \
  X(operator_end, "ended by the operator (siplbctl dialogs end)")

enum class EndReason : uint8_t {
#define SIPLB_X(name, text) name,
  SIPLB_DIALOG_ENDS(SIPLB_X)
#undef SIPLB_X
      count
};
inline constexpr std::size_t kEndReasonCount = static_cast<std::size_t>(EndReason::count);
std::string_view end_reason_name(EndReason r);
std::string_view end_reason_text(EndReason r);

// free: no dialog. busy: being created or ended by one thread; everyone else treats it as absent.
enum class Phase : uint8_t { free, busy, early, confirmed };
inline bool is_live(Phase p) { return p == Phase::early || p == Phase::confirmed; }

enum class Event : uint8_t {
  provisional,       // 1xx to the initial INVITE
  success,           // 2xx to an INVITE of the dialog (also a retransmitted or re-INVITE 2xx)
  failure,           // 3xx-6xx to the initial INVITE (a re-INVITE's failure is not reported)
  cancel,            // CANCEL of the initial INVITE
  bye_caller,        // BYE sent by the side that sent the INVITE
  bye_callee,        // BYE sent by the other side
  in_dialog_request,  // ACK, re-INVITE, UPDATE, INFO, PRACK...: activity only
  operator_end        // the management API ends it (nothing is sent upstream)
};

struct Step {
  Phase next;
  bool ends = false;                       // the dialog is over: give back its resources
  EndReason reason = EndReason::count;     // when ends
};

// The step from `current` on `event`. Events on a free or busy slot change nothing. A CANCEL
// after the 2xx and a failure after it (a CANCEL/2xx race) leave the confirmed call alone, as the
// UAS does (RFC 3261 9.2): it ends by BYE or by lifetime.
Step on_event(Phase current, Event event);

// Timers, in any unit (the table uses TSC cycles); 0 turns the idle timer off.
struct Timeouts {
  uint64_t early = 0;     // from creation until a final answer
  uint64_t lifetime = 0;  // from creation, for any dialog
  uint64_t idle = 0;      // confirmed dialogs: since the last in-dialog activity
};

// Whether time alone has ended a dialog; `reason` says how. Created/last activity/now in the same
// unit as the timeouts.
bool expired(Phase phase, uint64_t created, uint64_t last_activity, uint64_t now, const Timeouts& t,
             EndReason& reason);

}  // namespace siplb::dialog
