// Which binding of an AoR a request to it goes to (the lookup("location") choice of one target).
// Pure, no allocation: any thread (workers on the packet path).
#pragma once

#include <cstdint>

#include "siplb/registrar/binding.hpp"

namespace siplb::registrar {

// Index in state.bindings of the live binding with the highest q (no q counts as 1.0, RFC 3261
// 20.10's default); among equals the one written most recently (the phone that registered last);
// -1 when none is live at now_ms.
int best_binding(const AorState& state, int64_t now_ms);

}  // namespace siplb::registrar
