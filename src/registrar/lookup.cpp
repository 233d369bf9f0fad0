// Binding choice (see include/siplb/registrar/lookup.hpp).
#include "siplb/registrar/lookup.hpp"

#include "siplb/registrar/register.hpp"

namespace siplb::registrar {

int best_binding(const AorState& state, int64_t now_ms) {
  int best = -1;
  const uint8_t n = state.count <= kMaxContactsPerAor ? state.count : kMaxContactsPerAor;
  for (uint8_t i = 0; i < n; ++i) {
    const Binding& b = state.bindings[i];
    if (!binding_live(b, now_ms)) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const Binding& c = state.bindings[best];
    const uint16_t qb = b.has_q ? b.q_millis : 1000, qc = c.has_q ? c.q_millis : 1000;
    if (qb > qc || (qb == qc && b.updated_ms > c.updated_ms)) best = i;
  }
  return best;
}

}  // namespace siplb::registrar
