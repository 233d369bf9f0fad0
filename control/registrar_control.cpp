// ControlPlane, the registrar's half on the control thread: bindings persisted as the workers
// change them (the AoR's whole current record, read from the table by the position the event
// names: the latest state, whatever came between), REGISTER replies that wait for the store
// (durability "sync": released once the batch holding their change is fsynced, one when_written
// per tick covering them all), expiry sweeps, the restore at start, and the subscriber file.
#include <chrono>
#include <cstdio>

#include "control/replication/channel.hpp"
#include "control_plane.hpp"
#include "siplb/auth/subscriber_loader.hpp"
#include "siplb/registrar/binding_codec.hpp"
#include "siplb/registrar/register.hpp"

namespace siplb::control {

namespace {

// How long a REGISTER's 200 OK waits for the peer under durability "peer" before it is withheld
// (the UA retransmits and the retransmission is answered once the change is acknowledged).
constexpr std::chrono::milliseconds kPeerAckTimeout{1000};

}  // namespace

void ControlPlane::persist_binding(int32_t position) {
  uint64_t version = 0;
  if (!engine_.binding_at(position, binding_scratch_, version)) return;  // deleted since: persisted then
  const std::string_view key = binding_scratch_.key.view();
  if (binding_scratch_.count == 0) {
    store_.erase_binding(key);
    replicate(replication::Kind::binding, key, nullptr);
  } else {
    binding_bytes_.clear();  // encode appends
    registrar::encode_aor_state(binding_scratch_, binding_bytes_);
    store_.put_binding(key, binding_bytes_);
    replicate(replication::Kind::binding, key, &binding_bytes_);
  }
  engine_.binding_persisted(position, version);
}

void ControlPlane::handle_binding_event(const dataplane::Event& e) {
  if (e.binding.position >= 0) persist_binding(e.binding.position);
  if (e.binding.reply) waiting_replies_.push_back(e);
}

void ControlPlane::release_waiting_replies() {
  if (waiting_replies_.empty()) return;
  if (!post_) {  // no loop to come back to (tests): the store is written synchronously enough
    store_.flush();
    for (const auto& e : waiting_replies_) engine_.release_reply(e, true);
    waiting_replies_.clear();
    return;
  }
  // Durability "peer": the replies wait for the peer's acknowledgement of every change sent so
  // far as well, while the link streams; with the peer away they leave on the local write alone
  // (counted), rather than no REGISTER being answered until it returns.
  // A peer in a full sync is there: it acknowledges once the sync and the records after it are in.
  const replication::LinkState link = channel_ ? channel_->stats().state : replication::LinkState::disconnected;
  const bool wait_for_peer = running_.store.durability == config::Durability::peer && channel_ &&
                             (link == replication::LinkState::streaming || link == replication::LinkState::syncing);
  if (running_.store.durability == config::Durability::peer && !wait_for_peer)
    replies_unreplicated_ += waiting_replies_.size();
  struct Release {
    std::vector<dataplane::Event> replies;
    int waiting = 1;
    bool ok = true;
  };
  auto release = std::make_shared<Release>();
  release->replies = std::move(waiting_replies_);
  release->waiting = wait_for_peer ? 2 : 1;
  waiting_replies_.clear();
  // Both callbacks run on this thread (the store's is posted here); the last one releases.
  auto done = [this, release](bool ok) {
    release->ok &= ok;
    if (--release->waiting > 0) return;
    for (const auto& e : release->replies) engine_.release_reply(e, release->ok);
    if (!release->ok) replies_withheld_ += release->replies.size();  // the UA retransmits
  };
  // The store's writer runs its callback; the replies go back to the workers from this thread,
  // the only producer of their inject rings.
  store_.when_written([this, done](bool ok) { post_([done, ok] { done(ok); }); });
  if (wait_for_peer) channel_->when_acked(last_appended_, kPeerAckTimeout, done);
}

void ControlPlane::sweep_bindings() {
  // The active node expires bindings and tells the peer; a backup waits for those records.
  if (!engine_.serves_registrar() || !owns_timers()) return;
  swept_bindings_.clear();
  bindings_expired_ += engine_.sweep_bindings(wall_clock_ms(), swept_bindings_);
  for (int32_t position : swept_bindings_) persist_binding(position);
}

void ControlPlane::restore_bindings() {
  if (!engine_.serves_registrar()) return;
  const auto started = std::chrono::steady_clock::now();
  const int64_t now = wall_clock_ms();
  uint64_t aors = 0, contacts = 0, expired = 0, undecodable = 0, full = 0;
  for (const auto& [key, value] : store_.load_bindings()) {
    if (!registrar::decode_aor_state(value, binding_scratch_)) {
      ++undecodable;
      store_.erase_binding(key);
      continue;
    }
    registrar::AorState& aor = binding_scratch_;
    uint8_t live = 0;
    for (uint8_t i = 0; i < aor.count; ++i)
      if (registrar::binding_live(aor.bindings[i], now)) aor.bindings[live++] = aor.bindings[i];
    expired += aor.count - live;
    aor.count = live;
    if (live == 0) {
      store_.erase_binding(key);
      continue;
    }
    if (!engine_.restore_binding(aor)) {
      ++full;
      continue;
    }
    ++aors;
    contacts += live;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  bindings_restored_ = contacts;
  std::printf(
      "siplbd: store: %llu binding(s) of %llu AoR(s) restored in %.3f s (%llu expired, %llu undecodable, %llu "
      "beyond the table)\n",
      static_cast<unsigned long long>(contacts), static_cast<unsigned long long>(aors), seconds,
      static_cast<unsigned long long>(expired), static_cast<unsigned long long>(undecodable),
      static_cast<unsigned long long>(full));
}

bool ControlPlane::load_subscribers(const config::Config& cfg, std::string& error) {
  if (cfg.registrar.subscribers.empty()) {
    subscribers_.reset();
    return true;
  }
  auth::SubscriberLoad loaded = auth::load_subscribers(cfg.registrar.subscribers);
  if (!loaded.ok()) {
    error = loaded.error;
    return false;
  }
  subscribers_ = std::make_shared<const auth::SubscriberTable>(std::move(loaded.table));
  return true;
}

}  // namespace siplb::control
