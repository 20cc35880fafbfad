# g++ -std=c++17: structured bindings, std::optional, std::filesystem,
# <thread>, templates; built and run.
. "$(dirname "$0")/lib.bash"
need g++
cat >p.cc <<'CC'
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>
namespace fs = std::filesystem;

template <typename T, typename F>
auto Map(const std::vector<T>& v, F f) {
  std::vector<decltype(f(v[0]))> out;
  for (const auto& x : v) out.push_back(f(x));
  return out;
}
template <typename... Ts>
auto Sum(Ts... ts) { return (ts + ...); }

std::optional<int> Parse(const std::string& s) {
  try {
    size_t n;
    int v = std::stoi(s, &n);
    if (n == s.size()) return v;
  } catch (...) {
  }
  return std::nullopt;
}

int main() {
  std::map<std::string, int> m{{"a", 1}, {"b", 2}, {"c", 3}};
  for (const auto& [k, v] : m) std::cout << k << "=" << v << " ";
  std::cout << "\n";
  for (auto s : {"42", "x", "7z", "-3"}) {
    auto p = Parse(s);
    std::cout << s << " -> " << (p ? std::to_string(*p) : "none") << "\n";
  }
  auto sq = Map(std::vector<int>{1, 2, 3, 4}, [](int x) { return x * x * 1.5; });
  std::cout << "map " << sq[3] << " sum " << Sum(1, 2.5, 3L) << "\n";

  // Threads: 4 workers sum disjoint ranges, under a mutex and an atomic.
  std::atomic<long> total{0};
  std::mutex mu;
  std::vector<long> parts;
  std::vector<std::thread> ts;
  for (int w = 0; w < 4; ++w)
    ts.emplace_back([&, w] {
      long s = 0;
      for (long i = w * 250000; i < (w + 1) * 250000; ++i) s += i;
      total += s;
      std::lock_guard<std::mutex> l(mu);
      parts.push_back(s);
    });
  for (auto& t : ts) t.join();
  std::sort(parts.begin(), parts.end());
  std::cout << "threads " << total << " " << std::accumulate(parts.begin(), parts.end(), 0L)
            << " " << parts.size() << "\n";

  // Filesystem: a tree made, walked, renamed, measured, removed.
  fs::path root = fs::current_path() / "fsdir";
  fs::create_directories(root / "a" / "b");
  for (int i = 0; i < 3; ++i) std::ofstream(root / "a" / ("f" + std::to_string(i))) << std::string(i * 10 + 1, 'x');
  fs::create_symlink("a/f1", root / "lnk");
  fs::rename(root / "a" / "f2", root / "a" / "b" / "moved");
  std::vector<std::string> seen;
  uintmax_t bytes = 0;
  for (auto& e : fs::recursive_directory_iterator(root)) {
    seen.push_back(fs::relative(e.path(), root).string() + (e.is_symlink() ? "@" : e.is_directory() ? "/" : ""));
    if (e.is_regular_file() && !e.is_symlink()) bytes += e.file_size();
  }
  std::sort(seen.begin(), seen.end());
  for (auto& s : seen) std::cout << s << " ";
  std::cout << "\nbytes " << bytes << " link " << fs::read_symlink(root / "lnk").string()
            << " canon " << fs::relative(fs::canonical(root / "lnk"), root).string() << "\n";
  std::cout << "removed " << fs::remove_all(root) << " exists " << fs::exists(root) << "\n";
  return 0;
}
CC
g++ -std=c++17 -O1 -Wall -pthread -o p p.cc && ./p
echo "status $?"
