// What the worker's SIP proxy does with the shared dialog table for least-loaded sets: start a
// call on the least-loaded destination (taking its resources), follow the dialog's destination
// for the caller's in-dialog requests, and end the dialog on BYE, CANCEL or a rejection so that
// the resources are given back. Runs on worker lcores (no allocation, lock or log); the set-up
// function runs on the main thread before the workers start.
#pragma once

#include <string>

#include "dataplane.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::config {
struct Config;
}

namespace siplb::dataplane {

// Creates shared.loads and shared.dialogs when a set of `config` is least-loaded (else leaves
// them null). False with `error` set when the table cannot be made (memory).
bool create_dialog_tracking(Shared& shared, const config::Config& config, rte_rcu_qsbr* rcu, int socket,
                            std::string& error);

enum class CallStart : uint8_t {
  started,     // a new dialog holds resources on `destination`
  existing,    // the dialog exists already (retransmitted INVITE, spiral): follow `destination`
  all_full,    // every destination is at capacity: answer 503
  table_full,  // the dialog table has no room: answer 503
};

// An initial INVITE for least-loaded set `set_position`: chooses the destination (global
// position in `destination`) and records the early dialog.
CallStart start_call(WorkerContext& ctx, const Snapshot& snap, int32_t set_position, const sip::Message& msg,
                     uint64_t call_id_hash, sip::Span from_tag, int32_t& destination);

// The dialog a request belongs to, if tracked.
struct DialogMatch {
  int32_t destination = -1;  // global position; -1: no tracked dialog
  bool from_caller = false;  // sent by the side that sent the INVITE
};

// An in-dialog request (it has a To-tag) or a CANCEL: refreshes the dialog's activity, ends it on
// BYE (either side) or CANCEL (before the answer), and says where the dialog is.
DialogMatch track_request(WorkerContext& ctx, const sip::Message& msg, uint64_t call_id_hash,
                          sip::Span from_tag, sip::Span to_tag, bool has_to_tag);

// A response to an INVITE passing back: 1xx/2xx tell the callee's tag (a 2xx's is final), 2xx
// confirms the dialog, 3xx-6xx to the initial INVITE ends it.
void track_response(WorkerContext& ctx, const sip::Message& msg);

}  // namespace siplb::dataplane
