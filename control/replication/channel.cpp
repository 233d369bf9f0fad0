// The public channel: settings checks and the hand-over to Core (see channel.hpp).
#include "channel.hpp"

#include "core.hpp"
#include "frame_auth.hpp"
#include "peer_session.hpp"

namespace siplb::control::replication {

std::string_view link_state_name(LinkState state) {
  switch (state) {
    case LinkState::disconnected: return "disconnected";
    case LinkState::connecting: return "connecting";
    case LinkState::handshaking: return "handshaking";
    case LinkState::syncing: return "syncing";
    case LinkState::streaming: return "streaming";
  }
  return "unknown";
}

std::unique_ptr<Channel> Channel::create(Settings settings, Handlers handlers, std::string& error) {
  if (settings.node_id == 0 || settings.peer_node_id == 0) {
    error = "replication: node_id and peer_node_id must be non-zero";
    return nullptr;
  }
  if (settings.node_id == settings.peer_node_id) {
    error = "replication: node_id and peer_node_id must differ (both are " + std::to_string(settings.node_id) + ")";
    return nullptr;
  }
  if (settings.key.size() < kMinKeySize) {
    error = "replication: key of " + std::to_string(settings.key.size()) + " bytes, at least " +
            std::to_string(kMinKeySize) + " needed (load it with load_key)";
    return nullptr;
  }
  if (settings.ring_capacity == 0 || settings.chunk_records == 0) {
    error = "replication: ring_capacity and chunk_records must be at least 1";
    return nullptr;
  }
  auto core = std::make_shared<Core>(std::move(settings), std::move(handlers));
  if (!core->start(error)) return nullptr;
  return std::unique_ptr<Channel>(new Channel(std::move(core)));
}

Channel::Channel(std::shared_ptr<Core> core) : core_(std::move(core)) {}

Channel::~Channel() { core_->stop(); }

uint64_t Channel::append(Record record) { return core_->append(std::move(record)); }

void Channel::when_acked(uint64_t seq, std::chrono::milliseconds timeout, std::function<void(bool acked)> done) {
  core_->when_acked(seq, timeout, std::move(done));
}

ChannelStats Channel::stats() const { return core_->stats(); }
uint16_t Channel::listen_port() const { return core_->listen_port(); }
uint32_t Channel::node_id() const { return core_->settings().node_id; }

void Channel::drop_connection_for_test() {
  core_->run_on_session([](Session& session) { session.close(Session::Failure::network, "dropped by a test"); });
}

void Channel::replay_last_frame_for_test() {
  core_->run_on_session([](Session& session) { session.replay_last_frame(); });
}

void Channel::corrupt_next_frame_for_test(std::size_t byte_offset) {
  core_->run_on_session([byte_offset](Session& session) { session.corrupt_next_frame(byte_offset); });
}

}  // namespace siplb::control::replication
