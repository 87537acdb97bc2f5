// ceiling: the machine's physical limits, measured in the same run as the
// benches they bound.
//   ed25519_verify_per_s  OpenSSL Ed25519 verifications per second, one
//                         thread per core, the key parsed once per thread:
//                         the ceiling issue #7 defines
//   ed25519_libsodium_verify_per_s
//                         libsodium's, all cores, through the function
//                         ecoledger answers valid signatures with
//                         (ledger/crypto.cc; it decodes the key each call)
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

struct SignedMessage {
  std::string pub, message, sig;
};

SignedMessage signed_message() {
  auto key = crypto::PrivateKey::generate();
  ECOLEDGER_CHECK(key.has_value());
  SignedMessage m{key->public_raw(), std::string(message_bytes, 'm'), ""};
  m.sig = key->sign(m.message);
  return m;
}

// OpenSSL's verifier with the key parsed once: the floor of OpenSSL's cost.
class OpensslVerifier {
 public:
  explicit OpensslVerifier(const SignedMessage& m)
      : m_(m), pkey_(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(m.pub.data()), m.pub.size())),
        ctx_(EVP_MD_CTX_new()) {
    ECOLEDGER_CHECK(pkey_ != nullptr && ctx_ != nullptr);
  }
  ~OpensslVerifier() {
    EVP_MD_CTX_free(ctx_);
    EVP_PKEY_free(pkey_);
  }
  OpensslVerifier(const OpensslVerifier&) = delete;
  OpensslVerifier& operator=(const OpensslVerifier&) = delete;
  bool operator()() {
    return EVP_DigestVerifyInit(ctx_, nullptr, nullptr, nullptr, pkey_) == 1 &&
           EVP_DigestVerify(ctx_, reinterpret_cast<const unsigned char*>(m_.sig.data()), m_.sig.size(),
                            reinterpret_cast<const unsigned char*>(m_.message.data()), m_.message.size()) == 1;
  }

 private:
  const SignedMessage& m_;
  EVP_PKEY* pkey_;
  EVP_MD_CTX* ctx_;
};

// libsodium's verifier, the one ecoledger answers valid signatures with.
struct LibsodiumVerifier {
  explicit LibsodiumVerifier(const SignedMessage& m) : m(m) {}
  bool operator()() const { return crypto::ed25519_verify_libsodium(m.pub, m.message, m.sig); }
  const SignedMessage& m;
};

// Verifications per second of one signature on `threads` threads, each with
// its own Verifier.
template <typename Verifier>
double verifications_per_s(unsigned threads, double seconds) {
  const SignedMessage m = signed_message();
  std::atomic<bool> stop{false};
  std::vector<std::uint64_t> counts(threads, 0);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Verifier verify(m);
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        ECOLEDGER_CHECK(verify());
        ++n;
      }
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
  double verify_all = verifications_per_s<OpensslVerifier>(cores, seconds);
  double verify_one = verifications_per_s<OpensslVerifier>(1, seconds / 2);
  double libsodium_all = verifications_per_s<LibsodiumVerifier>(cores, seconds);
  // --name: bench/run measures the ceiling beside each bench it is a ratio
  // for, under a name of its own (bench/table.cc).
  report(args.text("name", "ceiling"), {{"cores", cores},
                                        {"ed25519_verify_per_s", verify_all},
                                        {"ed25519_verify_per_s_one_core", verify_one},
                                        {"ed25519_libsodium_verify_per_s", libsodium_all},
                                        {"sha256_bytes_per_s", sha256_bytes_per_s(seconds / 2)},
                                        {"fdatasync_ms", fdatasync_ms(dir, args.u64("syncs", 200))}});
  return 0;
}

}  // namespace ecoledger::bench
