#include <random>

#include "ledger/audit.h"
#include "ledger/queries.h"
#include "ledger/state_machine.h"
#include "tests/ledger/test_support.h"
#include "ledger/collateral_view.h"
#include "valuation/carbon.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;
using json::Json;

namespace {

const Json fir_params = {{"fir", {{"wd", 307}, {"bef", 1634}, {"r", 246}, {"cf", 520}, {"growth_max_dm3_per_mu_yr", 2000}}},
                         {"masson_pine", {{"wd", 380}, {"bef", 1472}, {"r", 187}, {"cf", 460}, {"growth_max_dm3_per_mu_yr", 2000}}},
                         {"buffer_permille", 0}};

// Changkou village, 3,197 mu of Chinese fir, 2016-2020: about 10,676 m³ of growth.
Json changkou_provenance() {
  return {{"county", "350428"},
          {"village", "Changkou village, Gaotang town, Jiangle county"},
          {"period", {{"from", "2016-01-01"}, {"to", "2020-12-31"}}},
          {"plots",
           {{{"id", "350428-CK-001"}, {"area_cmu", 95000}, {"species", "fir"}, {"stock_start_dm3", 9120000}, {"stock_end_dm3", 12292000}},
            {{"id", "350428-CK-002"}, {"area_cmu", 82000}, {"species", "fir"}, {"stock_start_dm3", 7790000}, {"stock_end_dm3", 10528000}},
            {{"id", "350428-CK-003"}, {"area_cmu", 76700}, {"species", "fir"}, {"stock_start_dm3", 7210000}, {"stock_end_dm3", 9772000}},
            {{"id", "350428-CK-004"}, {"area_cmu", 66000}, {"species", "fir"}, {"stock_start_dm3", 6400000}, {"stock_end_dm3", 8604000}}}}};
}

std::int64_t quantify(const Json& provenance) {
  auto table = valuation::methodology_from_json("smcer-fir", 1, fir_params);
  REQUIRE(table.has_value());
  auto input = valuation::carbon_input_from_json(provenance);
  REQUIRE(input.has_value());
  auto result = valuation::quantify_carbon(*input, *table);
  REQUIRE(result.has_value());
  return result->kg_co2e;
}

// A state seen without its query indexes: what an auditor that drops them must reach.
class WithoutQueryIndexes final : public ledger::StateReader {
 public:
  explicit WithoutQueryIndexes(const ledger::StateReader& base) : base_(base) {}
  std::optional<std::string> get(std::string_view key) const override {
    if (ledger::is_query_index_key(key)) return std::nullopt;
    return base_.get(key);
  }
  void scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    base_.scan(prefix, [&](std::string_view key, std::string_view value) { return ledger::is_query_index_key(key) || visit(key, value); });
  }
  bool keeps_query_indexes() const override { return false; }

 private:
  const ledger::StateReader& base_;
};

struct Registry : TestLedger {
  Registry() {
    open_account("verifier.fj", "verifier");
    open_account("village.changkou", "holder");
    open_account("buyer.tonghai", "holder");
    open_account("bank.cib", "bank");
    open_account("regulator.sm", "regulator");
    open_account("oracle.hx", "oracle");
    ok(signed_by(tx("methodology.publish", {{"id", "smcer-fir"}, {"version", 1}, {"params", fir_params}}), {"registry"}));
  }
  ledger::Receipt ok(const Json& t) {
    auto r = submit(t);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().code + ": " + r.error().message));
    return *r;
  }
  Json issue_fct(const std::string& serial, const Json& provenance, std::int64_t quantity) {
    return signed_by(tx("asset.issue", {{"asset", "FCT"}, {"serial", serial}, {"holder", "village.changkou"}, {"quantity", quantity},
                                        {"methodology", {{"id", "smcer-fir"}, {"version", 1}}}, {"provenance", provenance}}),
                     {"registry", "verifier.fj"});
  }
  Json issue_prt(const std::string& serial, const std::string& holder, std::int64_t kg, const std::string& to) {
    return signed_by(tx("asset.issue", {{"asset", "PRT"}, {"serial", serial}, {"holder", holder}, {"quantity", kg}, {"pollutant", "COD"},
                                        {"region", "350500"}, {"valid_from", "2022-01-01"}, {"valid_to", to}}),
                     {"registry"});
  }
  Json state_of(const std::string& account) {
    return *ledger::query_account(ledger->store().state(), account, ledger->head().time);
  }
  Json balance(const std::string& account, const std::string& asset) { return state_of(account)["balances"][asset]; }
  std::vector<std::string> records() {
    std::vector<std::string> out;
    (void)ledger->store().scan_records(0, ledger->head().size, [&](std::uint64_t, std::string_view b) {
      out.emplace_back(b);
      return true;
    });
    return out;
  }
  void check_audit_matches_state() {
    REQUIRE(ledger::check_invariants(ledger->store().state()).has_value());
    ledger::Auditor auditor;
    for (const auto& r : records()) REQUIRE(auditor.feed(r));
    auto report = auditor.finish(std::nullopt, std::nullopt);
    REQUIRE_MESSAGE(report.ok, report.reason);
    CHECK(ledger::first_state_difference(ledger->store().state(), auditor.state()) == "");
    // The disk-backed auditor used by the CLI reaches the same state.
    ledger::Auditor on_disk(ledger::Auditor::StateStore::scratch_disk);
    for (const auto& r : records()) REQUIRE(on_disk.feed(r));
    REQUIRE(on_disk.finish(std::nullopt, std::nullopt).ok);
    CHECK(ledger::first_state_difference(ledger->store().state(), on_disk.state()) == "");
    // Without the query indexes (`audit --records`), the same state but them;
    // the scratch store aborts if the state machine reads one.
    ledger::Auditor unindexed(ledger::Auditor::StateStore::scratch_disk, ledger::Auditor::Signatures::check, ledger::QueryIndexes::dropped);
    for (const auto& r : records()) REQUIRE(unindexed.feed(r));
    auto unindexed_report = unindexed.finish(std::nullopt, std::nullopt);
    REQUIRE_MESSAGE(unindexed_report.ok, unindexed_report.reason);
    CHECK(unindexed_report.head == report.head);
    CHECK(unindexed_report.root == report.root);
    CHECK(ledger::first_state_difference(WithoutQueryIndexes(ledger->store().state()), unindexed.state()) == "");
  }
};

const std::string serial = "FCT-350428-2021-000001";

}  // namespace

TEST_CASE("worked example: Changkou ticket issued, partly sold, pledged, released, the rest retired") {
  Registry r;
  std::int64_t kg = quantify(changkou_provenance());
  CHECK(kg >= 12'722'500);  // 12,723 tCO2e within the rounding of the inventory
  CHECK(kg <= 12'723'500);
  r.ok(r.issue_fct(serial, changkou_provenance(), kg));
  std::string whole = serial + ":1-" + std::to_string(kg);
  CHECK(r.balance("village.changkou", "FCT")["free"] == kg);

  // Sale 1: 2,723 t to Tonghai nickel.
  r.ok(r.signed_by(r.tx("transfer", {{"from", "village.changkou"}, {"to", "buyer.tonghai"}, {"lot", whole}, {"quantity", 2'723'000}}),
                   {"village.changkou"}));
  std::string rest = serial + ":2723001-" + std::to_string(kg);
  CHECK(r.balance("buyer.tonghai", "FCT")["free"] == 2'723'000);
  CHECK(r.balance("village.changkou", "FCT")["free"] == kg - 2'723'000);
  CHECK(r.state_of("buyer.tonghai")["balances"]["FCT"]["total"] == 2'723'000);

  // The rest pledged to the bank for a loan.
  r.ok(r.signed_by(r.tx("pledge.create", {{"pledge", "P-CIB-2021-001"}, {"holder", "village.changkou"}, {"bank", "bank.cib"}, {"lot", rest},
                                          {"quantity", kg - 2'723'000},
                                          {"loan", {{"id", "L-2021-77"}, {"principal_fen", 50'000'000}, {"maturity", "2027-05-18"}}}}),
                   {"village.changkou", "bank.cib"}));
  CHECK(r.balance("village.changkou", "FCT")["pledged"] == kg - 2'723'000);
  CHECK(r.balance("village.changkou", "FCT")["free"] == 0);
  CHECK(r.error_of(r.signed_by(r.tx("transfer", {{"from", "village.changkou"}, {"to", "buyer.tonghai"}, {"lot", rest}, {"quantity", 1}}),
                               {"village.changkou"})) == "units_pledged");
  CHECK(r.error_of(r.signed_by(r.tx("retire", {{"holder", "village.changkou"}, {"lot", rest}, {"quantity", 1}, {"beneficiary", "x"}, {"purpose", "y"}}),
                               {"village.changkou"})) == "units_pledged");
  auto bank = *ledger::query_bank_pledges(r.ledger->store().state(), "bank.cib", true);
  CHECK(bank["pledges"].size() == 1);

  // Released by the bank, then the rest retired by the village.
  r.ok(r.signed_by(r.tx("pledge.release", {{"pledge", "P-CIB-2021-001"}}), {"bank.cib"}));
  CHECK(r.balance("village.changkou", "FCT")["free"] == kg - 2'723'000);
  r.ok(r.signed_by(r.tx("retire", {{"holder", "village.changkou"}, {"lot", rest}, {"quantity", kg - 2'723'000},
                                   {"beneficiary", "Jiangle county"}, {"purpose", "2021 offset"}}),
                   {"village.changkou"}));
  CHECK(r.balance("village.changkou", "FCT")["retired"] == kg - 2'723'000);
  CHECK(r.balance("village.changkou", "FCT")["total"] == 0);

  auto history = *ledger::query_serial(r.ledger->store().state(), serial, r.ledger->head().time);
  CHECK(history["history"].size() == 5);  // issue, transfer, pledge, release, retire
  CHECK(history["lots"].size() == 2);
  auto lots = *ledger::query_account_lots(r.ledger->store().state(), "village.changkou", r.ledger->head().time);
  CHECK(lots["lots"][0]["status"] == "retired");
  r.check_audit_matches_state();
}

TEST_CASE("issuance rules: quantification, serials, signers, double counting") {
  Registry r;
  Json prov = changkou_provenance();
  std::int64_t kg = quantify(prov);
  CHECK(r.error_of(r.issue_fct(serial, prov, kg + 1)) == "quantity_mismatch");
  auto unverified = r.signed_by(r.tx("asset.issue", r.issue_fct(serial, prov, kg)["body"]), {"registry"});
  CHECK(r.error_of(unverified) == "not_authorized");
  auto by_holder = r.signed_by(r.tx("asset.issue", r.issue_fct(serial, prov, kg)["body"]), {"village.changkou", "verifier.fj"});
  CHECK(r.error_of(by_holder) == "not_authorized");
  Json unknown_method = r.issue_fct(serial, prov, kg)["body"];
  unknown_method["methodology"]["version"] = 2;
  CHECK(r.error_of(r.signed_by(r.tx("asset.issue", unknown_method), {"registry", "verifier.fj"})) == "methodology_unknown");
  r.ok(r.issue_fct(serial, prov, kg));
  CHECK(r.error_of(r.issue_fct(serial, prov, kg)) == "serial_exists");
  // Same plot, overlapping period, other serial.
  Json overlap = prov;
  overlap["period"] = {{"from", "2020-01-01"}, {"to", "2022-12-31"}};
  overlap["plots"] = Json::array({prov["plots"][0]});
  overlap["plots"][0]["stock_start_dm3"] = 12292000;
  overlap["plots"][0]["stock_end_dm3"] = 13000000;
  CHECK(r.error_of(r.issue_fct("FCT-350428-2021-000002", overlap, quantify(overlap))) == "plot_period_issued");
  // The next monitoring period may be issued again.
  overlap["period"] = {{"from", "2021-01-01"}, {"to", "2022-12-31"}};
  r.ok(r.issue_fct("FCT-350428-2023-000003", overlap, quantify(overlap)));
  // A CSC on the same plot and a covered vintage is refused across standards.
  auto csc = r.signed_by(r.tx("asset.issue", {{"asset", "CSC"}, {"serial", "CCER-FJ-2018-01"}, {"holder", "village.changkou"}, {"quantity", 1000},
                                              {"standard", "CCER"}, {"project", "P-1"}, {"vintage", 2018}, {"plots", {"350428-CK-002"}}}),
                         {"registry", "verifier.fj"});
  CHECK(r.error_of(csc) == "plot_period_issued");
  Json negative = prov;
  negative["plots"][0]["stock_end_dm3"] = 1;
  CHECK(r.error_of(r.issue_fct("FCT-X", negative, 1)) == "growth_negative");
  CHECK(r.error_of(r.signed_by(r.tx("asset.issue", {{"asset", "PRT"}, {"serial", "PRT-1"}, {"holder", "nobody"}, {"quantity", 5}}), {"registry"})) ==
        "unknown_account");
  CHECK(r.error_of(r.issue_prt("PRT-0", "buyer.tonghai", 0, "2026-12-31")) == "bad_quantity");
  Json extra = r.issue_prt("PRT-0", "buyer.tonghai", 5, "2026-12-31")["body"];
  extra["valid_untill"] = "2027-01-01";
  CHECK(r.error_of(r.signed_by(r.tx("asset.issue", extra), {"registry"})) == "bad_tx");
  CHECK(r.error_of(r.issue_prt("PRT-0", "buyer.tonghai", -5, "2026-12-31")) == "bad_quantity");
  CHECK(r.error_of(r.issue_prt("PRT-0", "buyer.tonghai", 5, "2026-02-30")) == "bad_date");
  r.check_audit_matches_state();
}

TEST_CASE("pollution rights expire by the record's time") {
  Registry r;
  r.ok(r.issue_prt("PRT-350500-COD-001", "buyer.tonghai", 120'000, "2026-11-27"));  // the ledger's clock is 2026-11-28
  r.ok(r.issue_prt("PRT-350500-COD-002", "buyer.tonghai", 80'000, "2027-12-31"));
  CHECK(r.balance("buyer.tonghai", "PRT")["expired"] == 120'000);
  CHECK(r.balance("buyer.tonghai", "PRT")["free"] == 80'000);
  for (const char* type : {"transfer", "retire"}) {
    Json body = std::string(type) == "transfer"
                    ? Json{{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-350500-COD-001:1-120000"}, {"quantity", 10}}
                    : Json{{"holder", "buyer.tonghai"}, {"lot", "PRT-350500-COD-001:1-120000"}, {"quantity", 10}, {"beneficiary", "b"}, {"purpose", "p"}};
    CHECK(r.error_of(r.signed_by(r.tx(type, body), {"buyer.tonghai"})) == "right_expired");
  }
  r.ok(r.signed_by(r.tx("transfer", {{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-350500-COD-002:1-80000"}, {"quantity", 30'000}}),
                   {"buyer.tonghai"}));
  r.check_audit_matches_state();
}

TEST_CASE("pledge rules: both sign, only banks, enforcement after maturity") {
  Registry r;
  r.ok(r.issue_prt("PRT-A", "buyer.tonghai", 50'000, "2030-12-31"));
  Json body{{"pledge", "P1"}, {"holder", "buyer.tonghai"}, {"bank", "bank.cib"}, {"lot", "PRT-A:1-50000"}, {"quantity", 20'000},
            {"loan", {{"id", "L1"}, {"principal_fen", 2'000'000}, {"maturity", "2026-12-31"}}}};
  CHECK(r.error_of(r.signed_by(r.tx("pledge.create", body), {"buyer.tonghai"})) == "not_authorized");
  Json to_holder = body;
  to_holder["bank"] = "village.changkou";
  CHECK(r.error_of(r.signed_by(r.tx("pledge.create", to_holder), {"buyer.tonghai", "village.changkou"})) == "not_authorized");
  r.ok(r.signed_by(r.tx("pledge.create", body), {"buyer.tonghai", "bank.cib"}));
  CHECK(r.error_of(r.signed_by(r.tx("pledge.create", body), {"buyer.tonghai", "bank.cib"})) == "pledge_exists");
  Json again = body;
  again["pledge"] = "P2";
  again["lot"] = "PRT-A:1-20000";
  CHECK(r.error_of(r.signed_by(r.tx("pledge.create", again), {"buyer.tonghai", "bank.cib"})) == "units_pledged");
  again["lot"] = "PRT-A:20001-50000";
  again["quantity"] = 40'000;
  CHECK(r.error_of(r.signed_by(r.tx("pledge.create", again), {"buyer.tonghai", "bank.cib"})) == "insufficient_free_units");
  CHECK(r.error_of(r.signed_by(r.tx("pledge.release", {{"pledge", "P1"}}), {"buyer.tonghai"})) == "not_authorized");
  CHECK(r.error_of(r.signed_by(r.tx("pledge.enforce", {{"pledge", "P1"}}), {"bank.cib", "registry"})) == "not_matured");
  CHECK(r.error_of(r.signed_by(r.tx("pledge.enforce", {{"pledge", "P1"}}), {"bank.cib"})) == "not_authorized");
  r.now_ms += 40LL * 24 * 3600 * 1000;  // past 2026-12-31
  r.ok(r.signed_by(r.tx("pledge.enforce", {{"pledge", "P1"}, {"to", "village.changkou"}}), {"bank.cib", "registry"}));
  CHECK(r.balance("village.changkou", "PRT")["free"] == 20'000);
  CHECK(r.error_of(r.signed_by(r.tx("pledge.release", {{"pledge", "P1"}}), {"bank.cib"})) == "pledge_closed");
  CHECK((*ledger::query_pledge(r.ledger->store().state(), "P1"))["status"] == "enforced");
  r.check_audit_matches_state();
}

TEST_CASE("judicial freeze: only regulators, and frozen units do not move until unfrozen") {
  Registry r;
  r.ok(r.issue_prt("PRT-F", "buyer.tonghai", 10'000, "2030-12-31"));
  Json freeze{{"case", "(2026)Min0403-1"}, {"lot", "PRT-F:1-10000"}, {"quantity", 4'000}};
  CHECK(r.error_of(r.signed_by(r.tx("freeze", freeze), {"bank.cib"})) == "not_authorized");
  freeze["case"] = "2026-MIN-0403-1";
  r.ok(r.signed_by(r.tx("freeze", freeze), {"regulator.sm"}));
  CHECK(r.balance("buyer.tonghai", "PRT")["frozen"] == 4'000);
  CHECK(r.error_of(r.signed_by(r.tx("transfer", {{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-F:1-4000"}, {"quantity", 1}}),
                               {"buyer.tonghai"})) == "units_frozen");
  r.ok(r.signed_by(r.tx("unfreeze", {{"case", "2026-MIN-0403-1"}}), {"regulator.sm"}));
  CHECK(r.balance("buyer.tonghai", "PRT")["free"] == 10'000);
  CHECK(r.error_of(r.signed_by(r.tx("unfreeze", {{"case", "2026-MIN-0403-1"}}), {"regulator.sm"})) == "case_closed");
  r.ok(r.signed_by(r.tx("transfer", {{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-F:1-4000"}, {"quantity", 1}}),
                   {"buyer.tonghai"}));
  r.check_audit_matches_state();
}

TEST_CASE("transfers: holder signs, free units only, retired units stay put") {
  Registry r;
  r.ok(r.issue_prt("PRT-T", "buyer.tonghai", 1'000, "2030-12-31"));
  Json t{{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-T:1-1000"}, {"quantity", 100}};
  CHECK(r.error_of(r.signed_by(r.tx("transfer", t), {"village.changkou"})) == "not_authorized");
  t["quantity"] = 1001;
  CHECK(r.error_of(r.signed_by(r.tx("transfer", t), {"buyer.tonghai"})) == "insufficient_free_units");
  t["quantity"] = 100;
  t["to"] = "ghost";
  CHECK(r.error_of(r.signed_by(r.tx("transfer", t), {"buyer.tonghai"})) == "unknown_account");
  t["to"] = "regulator.sm";
  CHECK(r.error_of(r.signed_by(r.tx("transfer", t), {"buyer.tonghai"})) == "not_authorized");
  t["to"] = "village.changkou";
  t["from"] = "village.changkou";
  CHECK(r.error_of(r.signed_by(r.tx("transfer", t), {"village.changkou"})) == "bad_tx");
  r.ok(r.signed_by(r.tx("retire", {{"holder", "buyer.tonghai"}, {"lot", "PRT-T:1-1000"}, {"quantity", 1000}, {"beneficiary", "b"}, {"purpose", "p"}}),
                   {"buyer.tonghai"}));
  t["from"] = "buyer.tonghai";
  CHECK(r.error_of(r.signed_by(r.tx("transfer", t), {"buyer.tonghai"})) == "units_retired");
  CHECK(r.error_of(r.signed_by(r.tx("price.publish", {{"asset", "FCT"}, {"market", "haixia"}, {"price_fen_per_t", 1500}, {"as_of", "2021-05-18"},
                                                      {"source", "Xinhua"}}),
                               {"registry"})) == "not_authorized");
  r.ok(r.signed_by(r.tx("price.publish", {{"asset", "FCT"}, {"market", "haixia"}, {"price_fen_per_t", 1500}, {"as_of", "2021-05-18"}, {"source", "Xinhua"}}),
                   {"oracle.hx"}));
  r.check_audit_matches_state();
}

TEST_CASE("a refused transaction leaves the overlay it was applied to as it was") {
  // apply_transaction writes straight into an empty overlay and undoes the
  // writes on refusal; into one holding writes already, through a scratch
  // layer. Both must look the same from outside.
  Registry r;
  r.ok(r.issue_prt("PRT-R", "buyer.tonghai", 1'000, "2030-12-31"));
  // Refused after a write: the first plot is marked issued for the period,
  // then the second clashes with a ticket issued on it before.
  Json second_plot = changkou_provenance();
  second_plot["plots"] = Json::array({second_plot["plots"][1]});
  r.ok(r.issue_fct("FCT-EARLIER", second_plot, quantify(second_plot)));
  Json refused = r.issue_fct("FCT-R", changkou_provenance(), quantify(changkou_provenance()));
  auto tx = ledger::parse_transaction(json::canonical(refused), "test-ledger");
  REQUIRE(tx.has_value());
  const std::uint64_t seq = r.ledger->head().size;
  const std::string time = ledger::format_time_ms(r.now_ms);

  ledger::StateOverlay empty(r.ledger->store().state());
  Status applied = ledger::apply_transaction(*tx, seq, time, empty);
  REQUIRE_FALSE(applied.has_value());
  CHECK(applied.error().code == "plot_period_issued");
  CHECK(empty.writes().empty());

  ledger::StateOverlay holding(r.ledger->store().state());
  holding.put("meta/earlier", "kept");
  const auto before = holding.writes();
  applied = ledger::apply_transaction(*tx, seq, time, holding);
  REQUIRE_FALSE(applied.has_value());
  CHECK(holding.writes() == before);

  // The same transaction to a holder is accepted into either kind, with the same writes.
  Json accepted = r.signed_by(
      r.tx("transfer", {{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-R:1-1000"}, {"quantity", 100}}), {"buyer.tonghai"});
  tx = ledger::parse_transaction(json::canonical(accepted), "test-ledger");
  REQUIRE(tx.has_value());
  REQUIRE(ledger::apply_transaction(*tx, seq, time, empty).has_value());
  REQUIRE(ledger::apply_transaction(*tx, seq, time, holding).has_value());
  CHECK_FALSE(empty.writes().empty());
  auto holding_writes = holding.writes();
  CHECK(holding_writes.erase("meta/earlier") == 1);
  CHECK(holding_writes == empty.writes());
}

TEST_CASE("a state without the query indexes is not sent them: the other writes are the same") {
  // The auditor's scratch store without the indexes says so, and the state
  // machine then builds no history event and no holder index entry.
  Registry r;
  r.ok(r.issue_prt("PRT-Q", "buyer.tonghai", 1'000, "2030-12-31"));
  const std::uint64_t seq = r.ledger->head().size;
  const std::string time = ledger::format_time_ms(r.now_ms);
  const WithoutQueryIndexes unindexed(r.ledger->store().state());
  for (const Json& t : {r.signed_by(r.tx("transfer", {{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-Q:1-1000"}, {"quantity", 100}}),
                                    {"buyer.tonghai"}),
                        r.signed_by(r.tx("transfer", {{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-Q:1-1000"}, {"quantity", 1000}}),
                                    {"buyer.tonghai"}),
                        r.issue_fct("FCT-Q", changkou_provenance(), quantify(changkou_provenance()))}) {
    auto tx = ledger::parse_transaction(json::canonical(t), "test-ledger");
    REQUIRE(tx.has_value());
    ledger::StateOverlay kept(r.ledger->store().state());
    ledger::StateOverlay layer(unindexed);
    ledger::StateOverlay dropped(layer);  // the flag reaches through layers
    CHECK(kept.keeps_query_indexes());
    CHECK_FALSE(dropped.keeps_query_indexes());
    REQUIRE(ledger::apply_transaction(*tx, seq, time, kept).has_value());
    REQUIRE(ledger::apply_transaction(*tx, seq, time, dropped).has_value());
    auto expected = kept.writes();
    std::size_t index_writes = std::erase_if(expected, [](const auto& w) { return ledger::is_query_index_key(w.first); });
    CHECK(index_writes >= 2);  // a history event and a holder index entry at least
    CHECK(dropped.writes() == expected);
  }
}

TEST_CASE("conflicts in one group commit resolve in sequence order") {
  Registry r;
  r.ok(r.issue_prt("PRT-C", "buyer.tonghai", 1'000, "2030-12-31"));
  auto spend1 = r.signed_by(r.tx("transfer", {{"from", "buyer.tonghai"}, {"to", "village.changkou"}, {"lot", "PRT-C:1-1000"}, {"quantity", 1000}}),
                            {"buyer.tonghai"});
  auto spend2 = r.signed_by(r.tx("pledge.create", {{"pledge", "PX"}, {"holder", "buyer.tonghai"}, {"bank", "bank.cib"}, {"lot", "PRT-C:1-1000"},
                                                   {"quantity", 1000}, {"loan", {{"id", "L"}, {"principal_fen", 1}, {"maturity", "2027-01-01"}}}}),
                            {"buyer.tonghai", "bank.cib"});
  auto results = r.ledger->submit({json::canonical(spend1), json::canonical(spend2)}, r.now_ms);
  CHECK(results[0].has_value());
  REQUIRE_FALSE(results[1].has_value());
  CHECK(results[1].error().code == "not_holder");
  r.check_audit_matches_state();
}

TEST_CASE("random operations keep the invariants and audit re-derives the state") {
  Registry r;
  std::mt19937_64 rng(20261123);
  std::vector<std::string> holders;
  for (int i = 0; i < 12; ++i) {
    holders.push_back("h" + std::to_string(i));
    r.open_account(holders.back(), "holder");
  }
  for (int i = 0; i < 6; ++i) r.ok(r.issue_prt("PRT-R" + std::to_string(i), holders[i], 1'000'000, i == 5 ? "2026-11-01" : "2031-12-31"));
  int accepted = 0, refused = 0, pledges = 0;
  std::vector<std::string> batch;
  for (int op = 0; op < 3000; ++op) {
    const auto& state = r.ledger->store().state();
    // Pick a random lot of a random holder.
    std::string who = holders[rng() % holders.size()];
    auto lots = *ledger::query_account_lots(state, who, r.ledger->head().time);
    if (lots["lots"].empty()) continue;
    Json lot = lots["lots"][rng() % lots["lots"].size()];
    std::int64_t q = 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(lot["quantity"].get<std::int64_t>() + 50));
    std::string id = lot["lot"];
    Json t;
    switch (rng() % 6) {
      case 0:
      case 1:
        t = r.signed_by(r.tx("transfer", {{"from", who}, {"to", holders[rng() % holders.size()]}, {"lot", id}, {"quantity", q}}), {who});
        break;
      case 2:
        t = r.signed_by(r.tx("pledge.create", {{"pledge", "P" + std::to_string(++pledges)}, {"holder", who}, {"bank", "bank.cib"}, {"lot", id},
                                               {"quantity", q}, {"loan", {{"id", "L"}, {"principal_fen", 100}, {"maturity", "2030-01-01"}}}}),
                        {who, "bank.cib"});
        break;
      case 3:
        t = r.signed_by(r.tx("pledge.release", {{"pledge", lot.value("pledge", "P1")}}), {"bank.cib"});
        break;
      case 4:
        t = r.signed_by(r.tx("retire", {{"holder", who}, {"lot", id}, {"quantity", q}, {"beneficiary", "b"}, {"purpose", "p"}}), {who});
        break;
      default:
        t = r.signed_by(r.tx(rng() % 2 ? "freeze" : "unfreeze", {{"case", "C" + std::to_string(rng() % 20)}, {"lot", id}, {"quantity", q}}),
                        {"regulator.sm"});
        if (t["type"] == "unfreeze") t = r.signed_by(r.tx("unfreeze", {{"case", "C" + std::to_string(rng() % 20)}}), {"regulator.sm"});
    }
    batch.push_back(json::canonical(t));
    if (batch.size() == 16 || op == 2999) {
      for (const auto& res : r.ledger->submit(batch, r.now_ms)) (res ? accepted : refused)++;
      batch.clear();
      REQUIRE(ledger::check_invariants(r.ledger->store().state()).has_value());
    }
  }
  MESSAGE("accepted " << accepted << ", refused " << refused);
  CHECK(accepted > 500);
  CHECK(refused > 100);
  r.check_audit_matches_state();
}

TEST_CASE("collateral valued from the ledger alone: pledges, issuance terms and published prices") {
  Registry r;
  // 485.2 t/yr of SO2 (the 2014 Fujian first session), pledged for a 5,000,000 fen loan.
  r.ok(r.signed_by(r.tx("asset.issue", {{"asset", "PRT"}, {"serial", "PRT-FJ-SO2-1"}, {"holder", "buyer.tonghai"}, {"quantity", 485'200},
                                        {"pollutant", "SO2"}, {"region", "350000"}, {"valid_from", "2026-01-01"}, {"valid_to", "2030-12-31"}}),
                   {"registry"}));
  r.ok(r.signed_by(r.tx("pledge.create", {{"pledge", "P-SO2"}, {"holder", "buyer.tonghai"}, {"bank", "bank.cib"}, {"lot", "PRT-FJ-SO2-1:1-485200"},
                                          {"quantity", 485'200}, {"loan", {{"id", "L-9"}, {"principal_fen", 5'000'000'00}, {"maturity", "2028-01-01"}}}}),
                   {"buyer.tonghai", "bank.cib"}));
  auto price = [&](std::int64_t fen, const char* as_of) {
    return r.ok(r.signed_by(r.tx("price.publish", {{"asset", "PRT"}, {"kind", "SO2"}, {"market", "haixia"}, {"price_fen_per_t", fen},
                                                   {"as_of", as_of}, {"source", "Haixia equity exchange"}}),
                            {"oracle.hx"}));
  };
  price(141'900, "2014-09-27");
  auto used = price(150'000, "2026-11-01");
  price(999'999, "2027-01-01");  // after the valuation date: must not be used
  valuation::CollateralTable table{"test-haircuts", 3, {{"PRT", 200}}, 1300, 1100};
  auto report = ledger::value_pledges(r.ledger->store().state(), ledger::open_pledges_of_bank(r.ledger->store().state(), "bank.cib"),
                                      "2026-11-28", table);
  REQUIRE_MESSAGE(report.has_value(), (report ? "" : report.error().message));
  const Json& p = (*report)["pledges"][0];
  CHECK(p["price_fen"] == 150'000);
  CHECK(p["price_seq"] == used.seq);
  // 485.2 t × 1,500 元 × 1,495 remaining days / 365 (2026-11-28..2030-12-31).
  CHECK(p["remaining_days"] == 1495);
  CHECK(p["market_value_fen"] == 485'200LL * 150'000 * 1495 / 365 / 1000);
  CHECK((*report)["tables"]["collateral"]["version"] == 3);
  CHECK((*report)["loans"][0]["loan_id"] == "bank.cib/L-9");
  auto none = ledger::value_pledges(r.ledger->store().state(), {"P-SO2"}, "2014-01-01", table);
  CHECK(none.error().code == "price_missing");
}
