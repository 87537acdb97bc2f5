// Asset transactions. Each handler checks its signers' roles, the body, and
// the state, then writes; any refusal returns before the first write reaches
// the caller's overlay (apply_transaction discards the scratch overlay).
#include "ledger/registry.h"

#include <cstdio>

#include "base/check.h"
#include "ledger/lot.h"
#include "valuation/arith.h"
#include "valuation/carbon.h"

namespace ecoledger::ledger {
namespace {

using json::Json;

inline constexpr std::size_t text_bytes_max = 512;
inline constexpr std::size_t plots_max = 1000;
// Events one record may add to one serial's history (the key prints the
// number with at least two digits).
inline constexpr int history_events_per_record_max = 1'000'000;

// ---- body decoding ---------------------------------------------------------

Result<std::string> body_text(const Json& body, const char* field, bool required = true) {
  if (!body.contains(field)) {
    if (!required) return std::string();
    return fail("missing_field", std::string("missing field \"") + field + "\"");
  }
  if (!body[field].is_string()) return fail("wrong_type", std::string("field \"") + field + "\" must be a string");
  std::string v = body[field].get<std::string>();
  if (v.empty() || v.size() > text_bytes_max) return fail("bad_tx", std::string("field \"") + field + "\" must be 1-512 bytes");
  return v;
}

Result<std::int64_t> body_quantity(const Json& body, const char* field) {
  auto q = json::get_int(body, field);
  if (!q) return std::unexpected(q.error());
  if (*q <= 0) return fail("bad_quantity", std::string("\"") + field + "\" must be a positive integer");
  return *q;
}

Result<std::string> body_date(const Json& body, const char* field) {
  auto text = body_text(body, field);
  if (!text) return text;
  if (!valuation::parse_date_days(*text)) return fail("bad_date", std::string("\"") + field + "\" must be a date YYYY-MM-DD");
  return text;
}

Status require_account(const StateReader& state, std::string_view account, const char* role = nullptr) {
  auto r = account_role(state, account);
  if (!r) return fail("unknown_account", "no account \"" + std::string(account) + "\"");
  if (role != nullptr && *r != role) return fail("not_authorized", "account \"" + std::string(account) + "\" is not a " + role);
  return ok();
}

// Units are held by holders and banks only (a bank holds what it enforced).
Status require_unit_holder(const StateReader& state, std::string_view account) {
  auto r = account_role(state, account);
  if (!r) return fail("unknown_account", "no account \"" + std::string(account) + "\"");
  if (*r != "holder" && *r != "bank")
    return fail("not_authorized", "account \"" + std::string(account) + "\" is a " + *r + " and cannot hold units");
  return ok();
}

std::string date_of(const std::string& time) { return time.substr(0, 10); }

// ---- history ---------------------------------------------------------------

// What a history event says of its units; the record it belongs to adds seq,
// time, type and tx.
struct HistoryEvent {
  std::string_view from;      // the holder before, when the units changed hands
  std::string_view from_lot;  // the lot the units were taken from (not at issuance)
  std::string_view holder;
  std::string_view lot;
  std::int64_t quantity = 0;
  std::string_view rest_lot;  // what stayed in from_lot, when some did
  std::string_view status;
};

// Appends an event to the serial's history: hist/<serial>/<seq:016>/<n:02>.
void add_history(StateOverlay& state, const TxContext& ctx, const std::string& serial, const HistoryEvent& event) {
  // Nothing reads the history back, so a state without it is spared building
  // it (about 6% of `audit --records`'s applying thread, bench/RESULTS.md).
  if (!state.keeps_query_indexes()) return;
  char prefix[48];
  std::snprintf(prefix, sizeof prefix, "/%016llu/", static_cast<unsigned long long>(ctx.seq));
  std::string base = std::string(history_key_prefix) + serial + prefix;
  // Events of this seq are written only by this transaction, numbered from
  // 00 without gaps, so the transaction's own count is the next number.
  int n = ctx.history_events[serial]++;
  ECOLEDGER_CHECK(n < history_events_per_record_max);
  const std::string suffix = (n < 10 ? "0" : "") + std::to_string(n);
  // The members in canonical order (the writer checks it).
  json::OrderedCanonicalWriter doc;
  if (!event.from.empty()) doc.add_string("from", event.from);
  if (!event.from_lot.empty()) doc.add_string("from_lot", event.from_lot);
  doc.add_string("holder", event.holder).add_string("lot", event.lot).add_int("quantity", event.quantity);
  if (!event.rest_lot.empty()) doc.add_string("rest_lot", event.rest_lot);
  doc.add_int("seq", static_cast<std::int64_t>(ctx.seq)).add_string("status", event.status).add_string("time", ctx.time);
  doc.add_string("tx", ctx.tx.id).add_string("type", ctx.tx.type);
  state.put(base + suffix, std::move(doc).finish());
}

// ---- the free-units check shared by transfer, pledge, freeze, retire -------

Result<Lot> load_free_lot(const StateReader& state, const TxContext& ctx, const std::string& lot_id,
                          const std::string& holder, std::int64_t quantity) {
  auto lot = load_lot(state, lot_id);
  if (!lot) return lot;
  if (lot->holder != holder) return fail("not_holder", "lot \"" + lot_id + "\" is not held by \"" + holder + "\"");
  switch (lot->status) {
    case LotStatus::pledged: return fail("units_pledged", "lot \"" + lot_id + "\" is pledged");
    case LotStatus::frozen: return fail("units_frozen", "lot \"" + lot_id + "\" is frozen");
    case LotStatus::retired: return fail("units_retired", "lot \"" + lot_id + "\" is retired");
    case LotStatus::free: break;
  }
  if (lot->expired_at(ctx.time)) return fail("right_expired", "pollution right \"" + lot_id + "\" expired on " + lot->valid_to);
  if (quantity > lot->quantity())
    return fail("insufficient_free_units", "lot \"" + lot_id + "\" has " + std::to_string(lot->quantity()) + " units");
  return lot;
}

// Takes the first `quantity` units of lot into a new state; the remainder
// stays with the old holder and status, under the lot's key (lot.h).
// Returns the taken lot as stored.
Lot carve(StateOverlay& state, const TxContext& ctx, const Lot& lot, std::int64_t quantity, const std::function<void(Lot&)>& change) {
  auto [taken, rest] = split_lot(lot, quantity);
  change(taken);
  taken.since = ctx.seq;
  if (rest) {
    rest->since = ctx.seq;
    replace_lot(state, lot, *rest);
    store_lot(state, taken);
  } else {
    replace_lot(state, lot, taken);
  }
  const std::string from_lot = lot.id(), taken_lot = taken.id(), rest_lot = rest ? rest->id() : std::string();
  HistoryEvent event{.from = lot.holder != taken.holder ? std::string_view(lot.holder) : std::string_view(),
                     .from_lot = from_lot,
                     .holder = taken.holder,
                     .lot = taken_lot,
                     .quantity = quantity,
                     .rest_lot = rest_lot,
                     .status = to_string(taken.status)};
  add_history(state, ctx, lot.serial, event);
  return taken;
}

// ---- asset.issue -----------------------------------------------------------

// Refuses an issuance whose plots overlap a period already issued on them
// (FCT by monitoring period, CSC by vintage year): no double counting.
Status check_and_mark_plots(StateOverlay& state, const std::string& serial, const std::string& asset, const Json& plots,
                            const std::string& from, const std::string& to) {
  if (!plots.is_array() || plots.size() > plots_max) return fail("bad_tx", "plots must be an array of at most 1000");
  for (const Json& plot : plots) {
    std::string plot_id = plot.is_string() ? plot.get<std::string>() : plot.value("id", "");
    if (plot_id.empty() || plot_id.size() > text_bytes_max || plot_id.find('/') != std::string::npos)
      return fail("bad_tx", "a plot id is 1-512 bytes without '/'");
    std::string prefix = "plot/" + plot_id + "/";
    std::optional<std::string> clash;
    state.scan(prefix, [&](std::string_view, std::string_view value) {
      auto doc = Json::parse(value, nullptr, false);
      if (doc.is_discarded()) return true;
      if (doc.value("from", "") <= to && from <= doc.value("to", "")) {
        clash = doc.value("serial", "");
        return false;
      }
      return true;
    });
    if (clash) return fail("plot_period_issued", "plot \"" + plot_id + "\" has " + from + ".." + to + " issued already in " + *clash);
    state.put_json(prefix + from + "/" + serial, Json{{"serial", serial}, {"asset", asset}, {"from", from}, {"to", to}});
  }
  return ok();
}

Status issue_fct(StateOverlay& state, const Json& body, const std::string& serial, std::int64_t quantity, Json& details) {
  auto method = json::get_object(body, "methodology");
  if (!method) return std::unexpected(method.error());
  auto method_id = json::get_string(**method, "id");
  auto method_version = json::get_int(**method, "version");
  if (!method_id || !method_version) return fail("bad_tx", "methodology is {\"id\",\"version\"}");
  auto provenance = json::get_object(body, "provenance");
  if (!provenance) return std::unexpected(provenance.error());
  const Json& p = **provenance;
  auto county = json::get_string(p, "county");
  if (!county || county->size() != 6 || county->find_first_not_of("0123456789") != std::string::npos)
    return fail("bad_tx", "provenance.county is a 6-digit administrative code");
  auto village = body_text(p, "village");
  if (!village) return std::unexpected(village.error());
  auto table = published_methodology(state, *method_id, *method_version);
  if (!table) return std::unexpected(table.error());
  auto input = valuation::carbon_input_from_json(p);
  if (!input) return std::unexpected(input.error());
  auto result = valuation::quantify_carbon(*input, *table);
  if (!result) return std::unexpected(result.error());
  if (result->kg_co2e != quantity)
    return fail("quantity_mismatch", "quantity " + std::to_string(quantity) + " differs from the quantification " +
                                         std::to_string(result->kg_co2e) + " kgCO2e under " + *method_id + " v" + std::to_string(*method_version));
  Status plots = check_and_mark_plots(state, serial, "FCT", p["plots"], input->period_from, input->period_to);
  if (!plots) return plots;
  details["methodology"] = **method;
  details["provenance"] = p;
  return ok();
}

Status issue_prt(const Json& body, Json& details, std::string& valid_to_out) {
  auto pollutant = body_text(body, "pollutant");
  if (!pollutant) return std::unexpected(pollutant.error());
  for (char c : *pollutant)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return fail("bad_tx", "pollutant is upper-case, e.g. COD, NH3N, SO2, NOX");
  auto region = body_text(body, "region");
  if (!region) return std::unexpected(region.error());
  auto from = body_date(body, "valid_from");
  if (!from) return std::unexpected(from.error());
  auto to = body_date(body, "valid_to");
  if (!to) return std::unexpected(to.error());
  if (*to < *from) return fail("bad_date", "valid_to is before valid_from");
  details.update(Json{{"pollutant", *pollutant}, {"region", *region}, {"valid_from", *from}, {"valid_to", *to}});
  valid_to_out = *to;
  return ok();
}

Status issue_csc(StateOverlay& state, const Json& body, const std::string& serial, Json& details) {
  auto standard = body_text(body, "standard");
  if (!standard) return std::unexpected(standard.error());
  auto project = body_text(body, "project");
  if (!project) return std::unexpected(project.error());
  auto vintage = json::get_int(body, "vintage");
  if (!vintage) return std::unexpected(vintage.error());
  if (*vintage < 1990 || *vintage > 9999) return fail("bad_tx", "vintage is a year");
  details.update(Json{{"standard", *standard}, {"project", *project}, {"vintage", *vintage}});
  if (body.contains("plots")) {
    char from[16], to[16];
    std::snprintf(from, sizeof from, "%04lld-01-01", static_cast<long long>(*vintage));
    std::snprintf(to, sizeof to, "%04lld-12-31", static_cast<long long>(*vintage));
    Status plots = check_and_mark_plots(state, serial, "CSC", body["plots"], from, to);
    if (!plots) return plots;
    details["plots"] = body["plots"];
  }
  return ok();
}

Status apply_issue(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  if (!signed_by_role(ctx, state, "registry")) return fail("not_authorized", "asset.issue is signed by the registry");
  auto asset = json::get_string(body, "asset");
  if (!asset) return std::unexpected(asset.error());
  if (*asset != "FCT" && *asset != "PRT" && *asset != "CSC") return fail("bad_tx", "asset is FCT, PRT or CSC");
  if ((*asset == "FCT" || *asset == "CSC") && !signed_by_role(ctx, state, "verifier"))
    return fail("not_authorized", *asset + " issuance needs a verifier's signature");
  auto serial = json::get_string(body, "serial");
  if (!serial) return std::unexpected(serial.error());
  if (!is_valid_serial(*serial)) return fail("bad_tx", "serial is 1-64 of [A-Za-z0-9._-]");
  auto holder = json::get_string(body, "holder");
  if (!holder) return std::unexpected(holder.error());
  if (Status s = require_unit_holder(state, *holder); !s) return s;
  auto quantity = body_quantity(body, "quantity");
  if (!quantity) return std::unexpected(quantity.error());
  if (state.get("serial/" + *serial)) return fail("serial_exists", "serial \"" + *serial + "\" was issued before");

  Json details{{"serial", *serial}, {"asset", *asset}, {"holder", *holder}, {"quantity", *quantity}, {"issued", ctx.seq}, {"time", ctx.time}, {"tx", ctx.tx.id}};
  Lot lot;
  if (*asset == "FCT") {
    if (Status s = issue_fct(state, body, *serial, *quantity, details); !s) return s;
  } else if (*asset == "PRT") {
    if (Status s = issue_prt(body, details, lot.valid_to); !s) return s;
  } else {
    if (Status s = issue_csc(state, body, *serial, details); !s) return s;
  }
  state.put_json("serial/" + *serial, details);
  lot.serial = *serial;
  lot.asset = *asset;
  lot.holder = *holder;
  lot.first = 1;
  lot.last = *quantity;
  lot.since = ctx.seq;
  store_lot(state, lot);
  const std::string issued_lot = lot.id();
  add_history(state, ctx, *serial,
              HistoryEvent{.from = {}, .from_lot = {}, .holder = *holder, .lot = issued_lot, .quantity = *quantity, .rest_lot = {}, .status = "free"});
  return ok();
}

// ---- transfer, retire -----------------------------------------------------

Status apply_transfer(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  auto from = json::get_string(body, "from");
  auto to = json::get_string(body, "to");
  auto lot_id = json::get_string(body, "lot");
  if (!from) return std::unexpected(from.error());
  if (!to) return std::unexpected(to.error());
  if (!lot_id) return std::unexpected(lot_id.error());
  auto quantity = body_quantity(body, "quantity");
  if (!quantity) return std::unexpected(quantity.error());
  if (!ctx.signers.contains(*from)) return fail("not_authorized", "a transfer is signed by the holder \"" + *from + "\"");
  if (Status s = require_unit_holder(state, *to); !s) return s;
  if (*from == *to) return fail("bad_tx", "from and to are the same account");
  auto lot = load_free_lot(state, ctx, *lot_id, *from, *quantity);
  if (!lot) return std::unexpected(lot.error());
  carve(state, ctx, *lot, *quantity, [&](Lot& l) { l.holder = *to; });
  return ok();
}

Status apply_retire(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  auto holder = json::get_string(body, "holder");
  auto lot_id = json::get_string(body, "lot");
  if (!holder) return std::unexpected(holder.error());
  if (!lot_id) return std::unexpected(lot_id.error());
  auto quantity = body_quantity(body, "quantity");
  if (!quantity) return std::unexpected(quantity.error());
  auto beneficiary = body_text(body, "beneficiary");
  if (!beneficiary) return std::unexpected(beneficiary.error());
  auto purpose = body_text(body, "purpose");
  if (!purpose) return std::unexpected(purpose.error());
  if (!ctx.signers.contains(*holder)) return fail("not_authorized", "a retirement is signed by the holder");
  auto lot = load_free_lot(state, ctx, *lot_id, *holder, *quantity);
  if (!lot) return std::unexpected(lot.error());
  Lot retired = carve(state, ctx, *lot, *quantity, [&](Lot& l) { l.status = LotStatus::retired; });
  state.put_json("retirement/" + retired.id(), Json{{"lot", retired.id()}, {"holder", *holder}, {"beneficiary", *beneficiary},
                                                    {"purpose", *purpose}, {"seq", ctx.seq}, {"time", ctx.time}});
  return ok();
}

// ---- pledges ---------------------------------------------------------------

Status apply_pledge_create(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  auto pledge = json::get_string(body, "pledge");
  auto holder = json::get_string(body, "holder");
  auto bank = json::get_string(body, "bank");
  auto lot_id = json::get_string(body, "lot");
  if (!pledge) return std::unexpected(pledge.error());
  if (!holder) return std::unexpected(holder.error());
  if (!bank) return std::unexpected(bank.error());
  if (!lot_id) return std::unexpected(lot_id.error());
  if (!is_valid_tx_id(*pledge)) return fail("bad_tx", "pledge id is 1-64 of [A-Za-z0-9._:-]");
  auto quantity = body_quantity(body, "quantity");
  if (!quantity) return std::unexpected(quantity.error());
  auto loan = json::get_object(body, "loan");
  if (!loan) return std::unexpected(loan.error());
  auto loan_id = body_text(**loan, "id");
  if (!loan_id) return std::unexpected(loan_id.error());
  auto principal = body_quantity(**loan, "principal_fen");
  if (!principal) return std::unexpected(principal.error());
  auto maturity = body_date(**loan, "maturity");
  if (!maturity) return std::unexpected(maturity.error());
  if (Status s = require_account(state, *bank, "bank"); !s) return s;
  if (!ctx.signers.contains(*holder) || !ctx.signers.contains(*bank))
    return fail("not_authorized", "pledge.create is signed by the holder and the bank together");
  if (state.get("pledge/" + *pledge)) return fail("pledge_exists", "pledge \"" + *pledge + "\" exists");
  auto lot = load_free_lot(state, ctx, *lot_id, *holder, *quantity);
  if (!lot) return std::unexpected(lot.error());
  Lot pledged = carve(state, ctx, *lot, *quantity, [&](Lot& l) {
    l.status = LotStatus::pledged;
    l.pledge = *pledge;
  });
  state.put_json("pledge/" + *pledge, Json{{"pledge", *pledge}, {"holder", *holder}, {"bank", *bank}, {"lot", pledged.id()},
                                           {"serial", pledged.serial}, {"asset", pledged.asset}, {"quantity", *quantity},
                                           {"loan", {{"id", *loan_id}, {"principal_fen", *principal}, {"maturity", *maturity}}},
                                           {"status", "open"}, {"created", ctx.seq}, {"time", ctx.time}});
  state.put("bankpledge/" + *bank + "/" + *pledge, "open");
  return ok();
}

Result<Json> load_open_pledge(const StateReader& state, const std::string& pledge_id) {
  auto raw = state.get("pledge/" + pledge_id);
  if (!raw) return fail("unknown_pledge", "no pledge \"" + pledge_id + "\"");
  Json pledge = Json::parse(*raw);
  if (pledge["status"] != "open") return fail("pledge_closed", "pledge \"" + pledge_id + "\" is " + pledge["status"].get<std::string>());
  return pledge;
}

Status close_pledge(const TxContext& ctx, StateOverlay& state, Json pledge, const std::string& status, const std::string& new_holder) {
  auto lot = load_lot(state, pledge["lot"].get<std::string>());
  if (!lot) return std::unexpected(lot.error());
  if (lot->status != LotStatus::pledged || pledge["pledge"] != lot->pledge) return fail("corruption", "pledged lot is not locked to its pledge");
  carve(state, ctx, *lot, lot->quantity(), [&](Lot& l) {
    l.status = LotStatus::free;
    l.pledge.clear();
    l.holder = new_holder;
  });
  pledge["status"] = status;
  pledge["closed"] = ctx.seq;
  if (status == "enforced") pledge["enforced_to"] = new_holder;
  std::string bank = pledge["bank"].get<std::string>();
  std::string id = pledge["pledge"].get<std::string>();
  state.put_json("pledge/" + id, pledge);
  state.put("bankpledge/" + bank + "/" + id, status);
  return ok();
}

Status apply_pledge_release(const TxContext& ctx, StateOverlay& state) {
  auto id = json::get_string(ctx.tx.body(), "pledge");
  if (!id) return std::unexpected(id.error());
  auto pledge = load_open_pledge(state, *id);
  if (!pledge) return std::unexpected(pledge.error());
  if (!ctx.signers.contains((*pledge)["bank"].get<std::string>())) return fail("not_authorized", "pledge.release is signed by the bank");
  return close_pledge(ctx, state, *pledge, "released", (*pledge)["holder"].get<std::string>());
}

Status apply_pledge_enforce(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  auto id = json::get_string(body, "pledge");
  if (!id) return std::unexpected(id.error());
  auto pledge = load_open_pledge(state, *id);
  if (!pledge) return std::unexpected(pledge.error());
  std::string bank = (*pledge)["bank"].get<std::string>();
  if (!ctx.signers.contains(bank) || !signed_by_role(ctx, state, "registry"))
    return fail("not_authorized", "pledge.enforce is signed by the bank and the registry");
  std::string maturity = (*pledge)["loan"]["maturity"].get<std::string>();
  if (date_of(ctx.time) <= maturity) return fail("not_matured", "the loan matures on " + maturity);
  std::string to = bank;
  if (body.contains("to")) {
    auto named = json::get_string(body, "to");
    if (!named) return std::unexpected(named.error());
    if (Status s = require_unit_holder(state, *named); !s) return s;
    to = *named;
  }
  return close_pledge(ctx, state, *pledge, "enforced", to);
}

// ---- judicial freeze ------------------------------------------------------

Status apply_freeze(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  if (!signed_by_role(ctx, state, "regulator")) return fail("not_authorized", "freeze is signed by a regulator");
  auto case_id = json::get_string(body, "case");
  auto lot_id = json::get_string(body, "lot");
  if (!case_id) return std::unexpected(case_id.error());
  if (!lot_id) return std::unexpected(lot_id.error());
  if (!is_valid_tx_id(*case_id)) return fail("bad_tx", "case is 1-64 of [A-Za-z0-9._:-]");
  auto quantity = body_quantity(body, "quantity");
  if (!quantity) return std::unexpected(quantity.error());
  auto existing = state.get_json("case/" + *case_id);
  if (existing && (*existing)["status"] != "open") return fail("case_closed", "case \"" + *case_id + "\" is closed");
  auto lot = load_lot(state, *lot_id);
  if (!lot) return std::unexpected(lot.error());
  auto free_lot = load_free_lot(state, ctx, *lot_id, lot->holder, *quantity);
  if (!free_lot) return std::unexpected(free_lot.error());
  Lot frozen = carve(state, ctx, *free_lot, *quantity, [&](Lot& l) {
    l.status = LotStatus::frozen;
    l.freeze_case = *case_id;
  });
  Json record = existing ? *existing : Json{{"case", *case_id}, {"status", "open"}, {"opened", ctx.seq}, {"lots", Json::array()}};
  record["lots"].push_back(frozen.id());
  state.put_json("case/" + *case_id, record);
  return ok();
}

Status apply_unfreeze(const TxContext& ctx, StateOverlay& state) {
  if (!signed_by_role(ctx, state, "regulator")) return fail("not_authorized", "unfreeze is signed by a regulator");
  auto case_id = json::get_string(ctx.tx.body(), "case");
  if (!case_id) return std::unexpected(case_id.error());
  auto record = state.get_json("case/" + *case_id);
  if (!record) return fail("unknown_case", "no case \"" + *case_id + "\"");
  if ((*record)["status"] != "open") return fail("case_closed", "case \"" + *case_id + "\" is closed");
  for (const Json& id : (*record)["lots"]) {
    auto lot = load_lot(state, id.get<std::string>());
    if (!lot) return std::unexpected(lot.error());
    carve(state, ctx, *lot, lot->quantity(), [&](Lot& l) {
      l.status = LotStatus::free;
      l.freeze_case.clear();
    });
  }
  (*record)["status"] = "closed";
  (*record)["closed"] = ctx.seq;
  state.put_json("case/" + *case_id, *record);
  return ok();
}

// ---- publication: prices and methodology tables ---------------------------

Status apply_price_publish(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  if (!signed_by_role(ctx, state, "oracle")) return fail("not_authorized", "price.publish is signed by an oracle");
  auto asset = json::get_string(body, "asset");
  if (!asset) return std::unexpected(asset.error());
  if (*asset != "FCT" && *asset != "PRT" && *asset != "CSC") return fail("bad_tx", "asset is FCT, PRT or CSC");
  auto kind = body_text(body, "kind", *asset != "FCT");
  if (!kind) return std::unexpected(kind.error());
  auto market = body_text(body, "market");
  if (!market) return std::unexpected(market.error());
  auto price = body_quantity(body, "price_fen_per_t");
  if (!price) return std::unexpected(price.error());
  auto as_of = body_date(body, "as_of");
  if (!as_of) return std::unexpected(as_of.error());
  auto source = body_text(body, "source");
  if (!source) return std::unexpected(source.error());
  if (kind->find('/') != std::string::npos || market->find('/') != std::string::npos) return fail("bad_tx", "kind and market have no '/'");
  char seq[24];
  std::snprintf(seq, sizeof seq, "%016llu", static_cast<unsigned long long>(ctx.seq));
  Json record{{"asset", *asset}, {"market", *market}, {"price_fen_per_t", *price}, {"as_of", *as_of}, {"source", *source}, {"seq", ctx.seq}};
  if (!kind->empty()) record["kind"] = *kind;
  state.put_json("price/" + *asset + "/" + *kind + "/" + *as_of + "/" + seq, record);
  return ok();
}

Status apply_methodology_publish(const TxContext& ctx, StateOverlay& state) {
  const Json& body = ctx.tx.body();
  if (!signed_by_role(ctx, state, "registry")) return fail("not_authorized", "methodology.publish is signed by the registry");
  auto id = json::get_string(body, "id");
  if (!id) return std::unexpected(id.error());
  if (!is_valid_tx_id(*id)) return fail("bad_tx", "methodology id is 1-64 of [A-Za-z0-9._:-]");
  auto version = json::get_int(body, "version");
  if (!version) return std::unexpected(version.error());
  if (*version <= 0) return fail("bad_tx", "version is a positive integer");
  auto params = json::get_object(body, "params");
  if (!params) return std::unexpected(params.error());
  auto table = valuation::methodology_from_json(*id, *version, **params);
  if (!table) return std::unexpected(table.error());
  std::string key = "method/" + *id + "/" + std::to_string(*version);
  if (state.get(key)) return fail("methodology_exists", "methodology " + *id + " version " + std::to_string(*version) + " is published");
  state.put_json(key, Json{{"id", *id}, {"version", *version}, {"params", **params}, {"seq", ctx.seq}});
  return ok();
}

}  // namespace

Result<valuation::MethodologyTable> published_methodology(const StateReader& state, const std::string& id, std::int64_t version) {
  auto raw = state.get("method/" + id + "/" + std::to_string(version));
  if (!raw) return fail("methodology_unknown", "methodology " + id + " version " + std::to_string(version) + " is not published");
  auto doc = Json::parse(*raw);
  return valuation::methodology_from_json(id, version, doc["params"]);
}

Status apply_registry_transaction(const TxContext& ctx, StateOverlay& state) {
  const std::string& type = ctx.tx.type;
  if (type == "asset.issue") return apply_issue(ctx, state);
  if (type == "transfer") return apply_transfer(ctx, state);
  if (type == "retire") return apply_retire(ctx, state);
  if (type == "pledge.create") return apply_pledge_create(ctx, state);
  if (type == "pledge.release") return apply_pledge_release(ctx, state);
  if (type == "pledge.enforce") return apply_pledge_enforce(ctx, state);
  if (type == "freeze") return apply_freeze(ctx, state);
  if (type == "unfreeze") return apply_unfreeze(ctx, state);
  if (type == "price.publish") return apply_price_publish(ctx, state);
  if (type == "methodology.publish") return apply_methodology_publish(ctx, state);
  return fail("unknown_type", "unknown transaction type \"" + type + "\"");
}

}  // namespace ecoledger::ledger
