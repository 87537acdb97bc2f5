#include "ledger/collateral_view.h"

#include <set>

namespace ecoledger::ledger {

using json::Json;

std::vector<std::string> open_pledges_of_bank(const StateReader& state, const std::string& bank) {
  std::vector<std::string> out;
  std::string prefix = "bankpledge/" + bank + "/";
  state.scan(prefix, [&](std::string_view key, std::string_view status) {
    if (status == "open") out.emplace_back(key.substr(prefix.size()));
    return out.size() < valuation::limits::book_pledges_max;
  });
  return out;
}

Result<valuation::PledgeBook> pledge_book_from_state(const StateReader& state, const std::vector<std::string>& pledge_ids,
                                                      const std::string& valuation_date) {
  valuation::PledgeBook book;
  book.valuation_date = valuation_date;
  std::set<std::string> loans_seen;
  std::set<std::pair<std::string, std::string>> instruments;
  for (const std::string& id : pledge_ids) {
    auto raw = state.get("pledge/" + id);
    if (!raw) return fail("unknown_pledge", "no pledge \"" + id + "\"");
    Json pledge = Json::parse(*raw);
    auto serial_raw = state.get("serial/" + pledge["serial"].get<std::string>());
    if (!serial_raw) return fail("corruption", "pledge \"" + id + "\" names an unknown serial");
    Json issuance = Json::parse(*serial_raw);
    std::string asset = pledge["asset"].get<std::string>();
    std::string instrument;
    std::string expires;
    if (asset == "PRT") {
      instrument = issuance["pollutant"].get<std::string>();
      expires = issuance["valid_to"].get<std::string>();
    } else if (asset == "CSC") {
      instrument = issuance["standard"].get<std::string>();
    }
    std::string loan_id = pledge["loan"]["id"].get<std::string>();
    // A loan is keyed by bank and loan id: two banks may both number a loan "1".
    std::string loan_key = pledge["bank"].get<std::string>() + "/" + loan_id;
    if (loans_seen.insert(loan_key).second)
      book.loans.push_back(valuation::Loan{loan_key, pledge["loan"]["principal_fen"].get<std::int64_t>()});
    book.pledges.push_back(valuation::Pledge{id, loan_key, asset, instrument, pledge["quantity"].get<std::int64_t>(), expires});
    instruments.emplace(asset, instrument);
  }
  for (const auto& [asset, instrument] : instruments) {
    state.scan("price/" + asset + "/" + instrument + "/", [&](std::string_view, std::string_view value) {
      Json price = Json::parse(value);
      std::string as_of = price["as_of"].get<std::string>();
      if (as_of > valuation_date) return false;  // keys sort by date: nothing later applies
      book.prices.push_back(valuation::PriceRecord{price["seq"].get<std::int64_t>(), asset, instrument, as_of,
                                                   price["price_fen_per_t"].get<std::int64_t>()});
      return book.prices.size() < valuation::limits::book_prices_max;
    });
  }
  return book;
}

Result<Json> value_pledges(const StateReader& state, const std::vector<std::string>& pledge_ids, const std::string& valuation_date,
                           const valuation::CollateralTable& table) {
  ECOLEDGER_TRY(book, pledge_book_from_state(state, pledge_ids, valuation_date));
  ECOLEDGER_TRY(report, valuation::value_pledge_book(*book, table));
  return valuation::pledge_report_to_json(*report);
}

}  // namespace ecoledger::ledger
