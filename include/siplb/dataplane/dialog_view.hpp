// A live dialog of a least-loaded call as the dialog table holds it, by value: what control reads
// to list, persist and restore dialogs. DialogKey names a dialog (hashes of its Call-ID and of the
// caller's From-tag). Plain values; any thread.
#pragma once

#include <cstdint>

#include "siplb/dialog/dialog_state.hpp"

namespace siplb::dataplane {

// A dialog is known by its Call-ID and the caller's From-tag (the To-tag is not known when the
// INVITE passes); requests from the callee carry the caller's tag as their To-tag.
struct DialogKey {
  uint64_t call_id_hash;
  uint64_t caller_tag_hash;
};

struct DialogView {
  DialogKey key{};
  uint16_t destination = 0;  // global position in the snapshot
  uint8_t resources = 0;     // LoadBoard columns held (bit r: resource r)
  dialog::Phase phase = dialog::Phase::free;
  uint32_t initial_cseq = 0;
  uint64_t callee_tag = 0;   // hash of the callee's tag, 0 until known
  uint64_t created_tsc = 0;
  uint64_t last_activity_tsc = 0;
};

}  // namespace siplb::dataplane
