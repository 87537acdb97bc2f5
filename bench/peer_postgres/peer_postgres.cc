// peer_postgres: the ecoledger append workload done the way a bank's IT team
// would otherwise build it, on PostgreSQL 15 with libpqxx.
//
// Schema: accounts (with each account's public key), lots (holder, unit
// range, status; a transfer splits a lot as ecoledger does), and a journal
// table whose rows carry a SHA-256 hash chain (hash = SHA-256(prev hash ||
// transaction)), with the chain head in a one-row table. Each transfer is one
// transaction on one of `connections` connections: read the sender's key and
// check the Ed25519 signature in the client, lock and split the lot, lock the
// chain head, append the journal row, commit (synchronous_commit=on, set by
// bench/run on the server). The same signed transfers as `append` (same
// accounts, keys and plan), so the two rates compare like for like.
// Usage: peer_postgres --conn "host=DIR port=P dbname=postgres user=postgres"
//                      [--accounts A] [--transfers N] [--connections C]
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "bench/bench_util.h"
#include "ledger/transaction.h"

using namespace ecoledger;
using namespace ecoledger::bench;

namespace {

inline constexpr const char* ledger_id = "bench-ledger";
inline constexpr std::size_t connections_max = 512;

const char* const schema_sql = R"(
DROP TABLE IF EXISTS journal, chain_head, lots, accounts;
CREATE TABLE accounts (
  id         text PRIMARY KEY,
  role       text NOT NULL,
  name       text NOT NULL,
  public_key text NOT NULL            -- base64 Ed25519 key, as on the wire
);
CREATE TABLE lots (
  id         text PRIMARY KEY,        -- serial:first-last
  serial     text NOT NULL,
  holder     text NOT NULL REFERENCES accounts(id),
  first_unit bigint NOT NULL,
  last_unit  bigint NOT NULL,
  status     text NOT NULL DEFAULT 'free',
  CHECK (first_unit <= last_unit)
);
CREATE INDEX lots_holder ON lots(holder);
CREATE TABLE journal (
  seq        bigint PRIMARY KEY,
  tx_id      text NOT NULL UNIQUE,
  tx         jsonb NOT NULL,          -- the signed transaction
  prev_hash  bytea NOT NULL,
  hash       bytea NOT NULL,          -- SHA-256(prev_hash || transaction bytes)
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE chain_head (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq  bigint NOT NULL,
  hash bytea NOT NULL
);
)";

std::string lot_id(const std::string& serial, std::int64_t first, std::int64_t last) {
  return serial + ":" + std::to_string(first) + "-" + std::to_string(last);
}

void prepare_statements(pqxx::connection& c) {
  c.prepare("key", "SELECT public_key FROM accounts WHERE id = $1");
  c.prepare("lock_lot", "SELECT serial, first_unit, last_unit, status FROM lots WHERE id = $1 AND holder = $2 FOR UPDATE");
  c.prepare("shrink_lot", "UPDATE lots SET id = $2, first_unit = $3 WHERE id = $1");
  c.prepare("move_lot", "UPDATE lots SET holder = $2 WHERE id = $1");
  c.prepare("new_lot", "INSERT INTO lots (id, serial, holder, first_unit, last_unit) VALUES ($1, $2, $3, $4, $5)");
  c.prepare("lock_head", "SELECT seq, encode(hash, 'hex') FROM chain_head FOR UPDATE");
  c.prepare("append", "INSERT INTO journal (seq, tx_id, tx, prev_hash, hash) VALUES ($1, $2, $3::jsonb, decode($4, 'hex'), decode($5, 'hex'))");
  c.prepare("move_head", "UPDATE chain_head SET seq = $1, hash = decode($2, 'hex')");
}

// One transfer, one database transaction; an empty string when committed,
// else why it was refused.
std::string transfer(pqxx::connection& c, const std::string& text) {
  auto tx = ledger::parse_transaction(text, ledger_id);
  if (!tx || tx->type != "transfer" || tx->sigs.size() != 1) return "bad transaction";
  const json::Json& body = tx->body();
  const std::string from = body["from"], to = body["to"], lot = body["lot"];
  const std::int64_t quantity = body["quantity"];
  pqxx::work w(c);
  auto key = w.exec_prepared("key", tx->sigs[0].account);
  if (key.empty() || tx->sigs[0].account != from) return "unknown signer";
  auto pub = crypto::base64_decode(key[0][0].as<std::string>());
  if (!pub || !crypto::ed25519_verify(*pub, tx->signed_bytes, tx->sigs[0].sig_raw)) return "bad signature";
  auto held = w.exec_prepared("lock_lot", lot, from);
  if (held.empty()) return "unknown lot " + lot;
  const std::string serial = held[0][0].as<std::string>();
  const auto first = held[0][1].as<std::int64_t>(), last = held[0][2].as<std::int64_t>();
  if (held[0][3].as<std::string>() != "free" || quantity < 1 || quantity > last - first + 1) return "insufficient free units";
  if (quantity == last - first + 1) {
    w.exec_prepared("move_lot", lot, to);
  } else {
    w.exec_prepared("shrink_lot", lot, lot_id(serial, first + quantity, last), first + quantity);
    w.exec_prepared("new_lot", lot_id(serial, first, first + quantity - 1), serial, to, first, first + quantity - 1);
  }
  auto head = w.exec_prepared("lock_head");
  const auto seq = head[0][0].as<std::int64_t>() + 1;
  const std::string prev = head[0][1].as<std::string>();
  const std::string hash = crypto::to_hex(crypto::sha256(prev + text));
  w.exec_prepared("append", seq, tx->id, text, prev, hash);
  w.exec_prepared("move_head", seq, hash);
  w.commit();
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argc, argv, 1);
  const std::string conn = args.text("conn", "");
  const std::size_t accounts = args.u64("accounts", 10'000);
  const std::size_t transfers = args.u64("transfers", 200'000);
  const std::size_t connections = args.u64("connections", 64);
  if (conn.empty()) die("peer_postgres needs --conn CONNINFO");
  if (accounts < 2 || accounts > bench_accounts_max || connections < 1 || connections > connections_max) die("bad --accounts or --connections");

  try {
    // Setup (not timed): schema, accounts, one issuance lot each, the chain head.
    std::vector<crypto::PrivateKey> keys;
    keys.reserve(accounts);
    for (std::size_t i = 0; i < accounts; ++i) keys.push_back(bench_account_key(i));
    {
      pqxx::connection c(conn);
      pqxx::work w(c);
      w.exec(schema_sql);
      c.prepare("account", "INSERT INTO accounts (id, role, name, public_key) VALUES ($1, 'holder', $1, $2)");
      c.prepare("lot", "INSERT INTO lots (id, serial, holder, first_unit, last_unit) VALUES ($1, $2, $3, 1, $4)");
      for (std::size_t i = 0; i < accounts; ++i) {
        const std::string name = bench_account_name(i);
        w.exec_prepared("account", name, keys[i].public_base64());
        w.exec_prepared("lot", lot_id("PRT-" + name, 1, bench_lot_units), "PRT-" + name, name, bench_lot_units);
      }
      w.exec("INSERT INTO chain_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'))");
      w.commit();
      pqxx::nontransaction n(c);
      n.exec("VACUUM ANALYZE");
    }
    // The same plan as `append`: seed 42, one unit from the sender's remaining issuance lot.
    std::mt19937_64 random(42);
    std::uniform_int_distribution<std::size_t> pick(0, accounts - 1);
    std::vector<std::size_t> next_unit(accounts, 1);
    struct Planned { std::size_t from, to, unit; };
    std::vector<Planned> plan;
    plan.reserve(transfers);
    for (std::size_t i = 0; i < transfers; ++i) {
      std::size_t from = pick(random), to = pick(random);
      if (to == from) to = (to + 1) % accounts;
      plan.push_back({from, to, next_unit[from]++});
    }
    auto texts = build_parallel(transfers, [&](std::size_t i) {
      const Planned& p = plan[i];
      std::string lot = lot_id("PRT-" + bench_account_name(p.from), static_cast<std::int64_t>(p.unit), bench_lot_units);
      json::Json body{{"from", bench_account_name(p.from)}, {"to", bench_account_name(p.to)}, {"lot", lot}, {"quantity", 1}};
      return json::canonical(ledger::sign_transaction(ledger::make_transaction(ledger_id, "t" + std::to_string(i), "transfer", body),
                                                      keys[p.from], bench_account_name(p.from) + "#k1"));
    });
    // Sender s on connection s % connections: a sender's transfers stay in order.
    std::vector<std::vector<std::size_t>> queues(connections);
    for (std::size_t i = 0; i < transfers; ++i) queues[plan[i].from % connections].push_back(i);
    std::vector<std::unique_ptr<pqxx::connection>> links;
    for (std::size_t c = 0; c < connections; ++c) {
      links.push_back(std::make_unique<pqxx::connection>(conn));
      prepare_statements(*links.back());
    }

    std::vector<std::vector<double>> latencies_ms(connections);
    std::vector<std::string> failures(connections);
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (std::size_t c = 0; c < connections; ++c)
      workers.emplace_back([&, c] {
        try {
          for (std::size_t i : queues[c]) {
            auto sent = std::chrono::steady_clock::now();
            std::string refused = transfer(*links[c], texts[i]);
            latencies_ms[c].push_back(seconds_since(sent) * 1e3);
            if (!refused.empty()) {
              failures[c] = "transfer " + std::to_string(i) + " refused: " + refused;
              return;
            }
          }
        } catch (const std::exception& e) {
          failures[c] = e.what();
        }
      });
    for (auto& w : workers) w.join();
    const double seconds = seconds_since(start);
    for (const auto& f : failures)
      if (!f.empty()) die(f);
    std::vector<double> all;
    for (auto& l : latencies_ms) all.insert(all.end(), l.begin(), l.end());
    pqxx::connection c(conn);
    pqxx::nontransaction n(c);
    auto rows = n.exec("SELECT count(*), pg_total_relation_size('journal') + pg_total_relation_size('lots') FROM journal");
    auto sync = n.exec("SHOW synchronous_commit");
    report("peer_postgres", {{"tx_per_s", static_cast<double>(transfers) / seconds},
                             {"transfers", transfers},
                             {"connections", connections},
                             {"seconds", seconds},
                             {"p50_ms", quantile(all, 0.5)},
                             {"p99_ms", quantile(all, 0.99)},
                             {"journal_rows", rows[0][0].as<std::int64_t>()},
                             {"table_bytes", rows[0][1].as<std::int64_t>()},
                             {"synchronous_commit", sync[0][0].as<std::string>()}});
  } catch (const std::exception& e) {
    die(std::string("postgres: ") + e.what());
  }
  return 0;
}
