// Per-worker transaction routes over rte_hash (single writer, single reader: no flags, no lock).
#include "transaction_table.hpp"

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_log.h>

namespace siplb::dataplane {

std::unique_ptr<TransactionTable> TransactionTable::create(const char* name, uint32_t capacity,
                                                           int socket_id) {
  rte_hash_parameters params{};
  params.name = name;
  params.entries = capacity;
  params.key_len = sizeof(TransactionKey);
  params.hash_func = rte_hash_crc;
  params.hash_func_init_val = 0;
  params.socket_id = socket_id;
  std::unique_ptr<TransactionTable> t(new TransactionTable());
  t->hash_ = rte_hash_create(&params);
  if (!t->hash_) {
    RTE_LOG(ERR, USER1, "transaction table %s: rte_hash_create(%u) failed\n", name, capacity);
    return nullptr;
  }
  // rte_hash may hold a few more keys than asked for (bucket rounding).
  t->slots_.reset(new Slot[rte_hash_max_key_id(t->hash_) + 1]());
  return t;
}

TransactionTable::~TransactionTable() {
  if (hash_) rte_hash_free(hash_);
}

bool TransactionTable::remember(const TransactionKey& key, const TransactionRoute& route,
                                uint64_t expires_tsc) {
  int32_t pos = rte_hash_add_key(hash_, &key);
  if (pos < 0) return false;
  slots_[pos] = {route, expires_tsc};
  return true;
}

bool TransactionTable::find(const TransactionKey& key, uint64_t now_tsc, TransactionRoute& out) {
  int32_t pos = rte_hash_lookup(hash_, &key);
  if (pos < 0) return false;
  if (slots_[pos].expires_tsc < now_tsc) {
    rte_hash_del_key(hash_, &key);
    return false;
  }
  out = slots_[pos].route;
  return true;
}

void TransactionTable::sweep(uint64_t now_tsc, uint32_t budget) {
  const void* key;
  void* data;
  for (uint32_t n = 0; n < budget; ++n) {
    int32_t pos = rte_hash_iterate(hash_, &key, &data, &sweep_next_);
    if (pos < 0) {
      sweep_next_ = 0;  // wrapped: start again next time
      return;
    }
    if (slots_[pos].expires_tsc < now_tsc) rte_hash_del_key(hash_, key);
  }
}

uint32_t TransactionTable::size() const { return static_cast<uint32_t>(rte_hash_count(hash_)); }

}  // namespace siplb::dataplane
