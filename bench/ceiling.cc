// ceiling: the machine's physical limits, measured in the same run as the
// benches they bound.
//   ed25519_verify_per_s  OpenSSL Ed25519 verifications per second, one
//                         thread per core, the key parsed once per thread
//   sha256_bytes_per_s    one core, 1 MiB buffers
//   fdatasync_ms          p50 of one 512-byte write + fdatasync in --dir
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>

#include "base/check.h"
#include "bench/bench_util.h"
#include "bench/benches.h"
#include "ledger/crypto.h"

namespace ecoledger::bench {
namespace {

inline constexpr std::size_t message_bytes = 320;  // about a signed transfer
inline constexpr std::size_t sha_buffer_bytes = 1 << 20;
inline constexpr std::size_t fdatasync_samples_max = 10000;

double ed25519_per_s(unsigned threads, double seconds) {
  auto key = crypto::PrivateKey::generate();
  ECOLEDGER_CHECK(key.has_value());
  const std::string message(message_bytes, 'm');
  const std::string sig = key->sign(message);
  const std::string pub = key->public_raw();
  std::atomic<bool> stop{false};
  std::vector<std::uint64_t> counts(threads, 0);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(pub.data()), pub.size());
      ECOLEDGER_CHECK(pkey != nullptr);
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                   reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
        ECOLEDGER_CHECK(ok);
        ++n;
      }
      EVP_MD_CTX_free(ctx);
      EVP_PKEY_free(pkey);
      counts[t] = n;
    });
  }
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  double elapsed = seconds_since(start);
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  return static_cast<double>(total) / elapsed;
}

double sha256_bytes_per_s(double seconds) {
  std::string buffer(sha_buffer_bytes, 'x');
  std::uint64_t bytes = 0;
  std::uint8_t sink = 0;
  auto start = std::chrono::steady_clock::now();
  while (seconds_since(start) < seconds) {
    auto h = crypto::sha256(buffer);
    sink ^= h[0];
    buffer[0] = static_cast<char>(sink);
    bytes += buffer.size();
  }
  return static_cast<double>(bytes) / seconds_since(start);
}

double fdatasync_ms(const std::string& dir, std::size_t samples) {
  std::string path = dir + "/fdatasync-probe";
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) die("cannot create " + path);
  std::string block(512, 's');
  std::vector<double> latencies;
  for (std::size_t i = 0; i < samples && i < fdatasync_samples_max; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i * block.size())) != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0)
      die("write or fdatasync failed in " + dir);
    latencies.push_back(seconds_since(start) * 1e3);
  }
  ::close(fd);
  ::unlink(path.c_str());
  return quantile(latencies, 0.5);
}

}  // namespace

int run_ceiling(const Args& args) {
  const std::string dir = args.text("dir", ".");
  const double seconds = static_cast<double>(args.u64("ms", 2000)) / 1e3;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double verify_all = ed25519_per_s(cores, seconds);
  double verify_one = ed25519_per_s(1, seconds / 2);
  report("ceiling", {{"cores", cores},
                     {"ed25519_verify_per_s", verify_all},
                     {"ed25519_verify_per_s_one_core", verify_one},
                     {"sha256_bytes_per_s", sha256_bytes_per_s(seconds / 2)},
                     {"fdatasync_ms", fdatasync_ms(dir, args.u64("syncs", 200))}});
  return 0;
}

}  // namespace ecoledger::bench
