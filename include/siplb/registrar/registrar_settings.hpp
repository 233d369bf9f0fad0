// What an operator tunes of REGISTER processing ([registrar] in the configuration), with the
// defaults OpenSIPS/Kamailio operators expect. Plain values: built by control, read by workers.
#pragma once

#include <cstdint>

#include "siplb/registrar/binding.hpp"

namespace siplb::registrar {

// A requested expiry above 0 and below min_expires (RFC 3261 10.3 step 7):
enum class MinExpiresMode : uint8_t {
  reply_423,  // 423 Interval Too Brief with Min-Expires (what the RFC describes)
  raise,      // accept, bound for min_expires (Kamailio/OpenSIPS min_expires behaviour)
};

// A REGISTER that would take an AoR past max_contacts:
enum class OverflowMode : uint8_t {
  reject,          // 503, nothing changed (Kamailio max_contacts; the safe default)
  replace_oldest,  // the bindings least recently written make room (OpenSIPS max_contacts + overwrite)
};

struct RegistrarSettings {
  uint32_t default_expires = 3600;  // neither an expires parameter nor an Expires header
  uint32_t min_expires = 60;        // 0: no minimum
  // Longer requests are granted this. 0: no maximum; the default is a day (Kamailio's default is
  // 0, but an unbounded binding from a phone that vanished only clutters the table).
  uint32_t max_expires = 86400;
  MinExpiresMode min_expires_mode = MinExpiresMode::reply_423;
  uint32_t max_contacts = 0;  // per AoR; 0 or more than kMaxContactsPerAor: kMaxContactsPerAor
  OverflowMode overflow_mode = OverflowMode::reject;

  uint32_t contact_limit() const {
    return max_contacts == 0 || max_contacts > kMaxContactsPerAor ? static_cast<uint32_t>(kMaxContactsPerAor)
                                                                  : max_contacts;
  }
};

}  // namespace siplb::registrar
