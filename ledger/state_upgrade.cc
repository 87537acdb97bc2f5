#include "ledger/state_upgrade.h"

#include <map>

#include "ledger/lot.h"
#include "ledger/state_machine.h"

namespace ecoledger::ledger {
namespace {

Status write_state(Store& store, StateOverlay& writes) {
  AppendBatch batch;
  batch.state_writes = writes.take_writes();
  batch.head = store.head();
  return store.write(batch);
}

// Version 2 keyed a lot, and its holder's index entry, by the lot's id.
bool keyed_by_id(std::string_view lot_key) {
  const auto colon = lot_key.rfind(':');
  return colon != std::string_view::npos && lot_key.substr(colon + 1).find('-') != std::string_view::npos;
}

Status rekey_lots(Store& store) {
  StateOverlay writes(store.state());
  std::size_t lots = 0;
  std::optional<Error> failed;
  // The scan reads the store as it was when it began; the batches written
  // meanwhile add only keys it has passed or never visits.
  store.state().scan("lot/", [&](std::string_view key, std::string_view value) {
    if (!keyed_by_id(key)) return true;
    auto lot = parse_lot(value);
    if (!lot || key.substr(4) != lot->id()) {
      failed = Error{"corruption", "lot " + std::string(key) + " is damaged"};
      return false;
    }
    writes.erase(std::string(key));
    writes.erase(std::string(account_lot_key_prefix) + lot->holder + "/" + lot->id());
    writes.put(lot_state_key(*lot), std::string(value));
    writes.put(account_lot_key(lot->holder, *lot), "1");
    if (++lots % state_upgrade_lots_per_batch != 0) return true;
    if (Status written = write_state(store, writes); !written) failed = written.error();
    return !failed;
  });
  if (failed) return std::unexpected(*failed);
  return writes.writes().empty() ? ok() : write_state(store, writes);
}

Status rebuild_holdings(Store& store) {
  std::map<std::string, Holdings> sums;
  std::optional<Error> damaged;
  store.state().scan("lot/", [&](std::string_view key, std::string_view value) {
    auto lot = parse_lot(value);
    if (!lot) damaged = Error{"corruption", "lot " + std::string(key) + " is damaged"};
    else sums[holdings_key(lot->holder, lot->asset)].count(*lot, +1);
    return lot.has_value();
  });
  if (damaged) return std::unexpected(*damaged);
  StateOverlay writes(store.state());
  for (std::string_view prefix : {holdings_key_prefix, expiring_key_prefix_v2})
    store.state().scan(prefix, [&](std::string_view key, std::string_view) {
      writes.erase(std::string(key));
      return true;
    });
  for (const auto& [key, holdings] : sums) writes.put(key, holdings.to_text());
  writes.put(state_version_key, state_version);
  return write_state(store, writes);
}

}  // namespace

Status upgrade_state(Store& store) {
  auto version = store.state().get(state_version_key);
  if (version == std::optional<std::string>(state_version)) return ok();
  if (version && *version != "2") return fail("corruption", "the state layout version \"" + *version + "\" is unknown");
  if (Status moved = rekey_lots(store); !moved) return moved;
  return rebuild_holdings(store);
}

}  // namespace ecoledger::ledger
