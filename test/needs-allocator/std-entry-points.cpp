// The standard library entry points an allocator is likely to call, each
// classified as the library behaves (docs/design.md, "The standard library
// model"): what reaches operator new is reported, with its location, and
// what does not (locks, atomics, clocks, call_once, the throw paths of
// at()/value(), a thrown object of the user's, which __cxa_allocate_exception
// makes with malloc) is not. Every function of an allocator unit is
// checked: alloc_* must be reported, clean_* never named.
// RUN: not %cxx -ferror-limit=0 -fsyntax-only %s 2>&1 | FileCheck %s --implicit-check-not=clean_ --check-prefixes=CHECK,CXX20
// RUN: not %cxx -ferror-limit=0 -std=c++17 -fsyntax-only %s 2>&1 | FileCheck %s --implicit-check-not=clean_
// RUN: not %cxx -ferror-limit=0 -stdlib=libc++ -fsyntax-only %s 2>&1 | FileCheck %s --implicit-check-not=clean_ --check-prefixes=CHECK,CXX20
// Strict mode counts what the model does not know, and the std::__throw_*
// helpers: the model knows these do not allocate.
// RUN: %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DSTRICT %s
// RUN: %cxx -stdlib=libc++ -fsyntax-only -fplugin-arg-allocsel-strict -DSTRICT %s

#include <algorithm>
#include <array>
#include <atomic>
#include <bitset>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <locale>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <shared_mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <typeinfo>
#include <variant>
#if __cplusplus > 201703L
#include <barrier>
#include <latch>
#include <semaphore>
#if __has_include(<format>)
#include <format>
#endif
#endif
#include <any>

#pragma allocsel allocator

static void noop() {}
struct Big {
  char bytes[128];
  void operator()() const {}
};
static int data[16];

#ifndef STRICT
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_function_big' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_function_big() {
  std::function<void()> f = Big{};
  f();
}
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_make_shared' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
long alloc_make_shared() { return std::make_shared<int>(1).use_count(); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_thread' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_thread() {
  std::thread t(noop);
  t.join();
}
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_async' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_async() { std::async(std::launch::async, noop).wait(); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_any' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
bool alloc_any() { return std::any(Big{}).has_value(); }
// The temporary buffer of the stable algorithms (get_temporary_buffer).
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_stable_sort' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_stable_sort() { std::stable_sort(data, data + 16); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_inplace_merge' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_inplace_merge() { std::inplace_merge(data, data + 8, data + 16); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_regex' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
bool alloc_regex(const char *s) { return std::regex_match(s, std::regex("a+")); }
// A named locale, and a locale's destructor (it may drop the last
// reference to a locale another thread replaced).
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_named_locale' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_named_locale(const char *name) { std::locale loc(name); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_locale_destructor' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_locale_destructor() { std::locale loc; }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_to_string' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
std::size_t alloc_to_string(unsigned long n) { return std::to_string(n).size(); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_path' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
bool alloc_path(const char *s) { return std::filesystem::path(s).has_filename(); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_ostringstream' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_ostringstream(int n) {
  std::ostringstream out;
  out << n;
}
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_error_message' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
std::size_t alloc_error_message(std::error_code ec) { return ec.message().size(); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_condition_variable_any' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_condition_variable_any() { std::condition_variable_any cv; }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_promise' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_promise() { std::promise<int> p; }
// An exception that carries a message copies it into a string; so do the
// ones that make their message (regex_error, from an error code).
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_runtime_error' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_runtime_error() { std::runtime_error e("out of memory"); }
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_regex_error' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_regex_error() { std::regex_error e(std::regex_constants::error_brack); }
// libstdc++ and libc++ keep a list of what to notify at a thread's exit.
// CHECK-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_notify_at_thread_exit' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_notify_at_thread_exit(std::condition_variable &cv, std::mutex &m) {
  std::unique_lock<std::mutex> lock(m);
  std::notify_all_at_thread_exit(cv, std::move(lock));
}
#if __cplusplus > 201703L
// CXX20-DAG: std-entry-points.cpp:[[@LINE+1]]:{{[0-9]+}}: error: 'alloc_barrier' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
void alloc_barrier() { std::barrier<> b(2); }
#endif
#endif // !STRICT

// What does not allocate through the global allocator.
std::mutex mutex;
std::shared_mutex shared_mutex;
std::once_flag once;
std::atomic<long> counter;
std::condition_variable cv;

#ifndef STRICT
void clean_mutex() { std::lock_guard<std::mutex> lock(mutex); }
void clean_shared_mutex() { std::shared_lock<std::shared_mutex> lock(shared_mutex); }
void clean_call_once() { std::call_once(once, noop); }
void clean_condition_variable(std::unique_lock<std::mutex> &lock) {
  cv.wait_for(lock, std::chrono::milliseconds(1));
  cv.notify_all();
}
// A thrown object is made by __cxa_allocate_exception (malloc), not operator
// new; the throw paths of at() and value() are the library's error reports
// (std::__throw_*), not counted by default.
struct Exhausted {
  std::size_t size;
};
static void throw_own(std::size_t n) {
  if (n > 4096)
    throw Exhausted{n};
}
std::size_t clean_throw_own(std::size_t n) {
  try {
    throw_own(n);
  } catch (const Exhausted &e) {
    return e.size;
  }
  return 0;
}
std::array<int, 4> array;
std::bitset<8> bits;
int clean_throw_paths(std::size_t i, std::string_view s) {
  std::optional<int> o(1);
  std::variant<int, long> v(2);
  return array.at(i) + o.value() + std::get<int>(v) + bits.test(i) + s.at(i) +
         static_cast<int>(s.substr(i).size());
}
// (An exception_ptr's destructor may destroy the last reference to an
// exception object of any type: strict mode counts it.)
bool clean_current_exception() { return std::current_exception() != nullptr; }
std::size_t clean_to_chars(unsigned long n) {
  char buf[32];
  return static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf);
}
#if __cplusplus > 201703L
std::counting_semaphore<4> semaphore(1);
void clean_semaphore_and_latch() {
  semaphore.acquire();
  semaphore.release();
  std::latch latch(1);
  latch.count_down();
}
#endif
#endif // !STRICT

unsigned clean_hardware_concurrency() { return std::thread::hardware_concurrency(); }
void clean_join(std::thread &t) {
  if (t.joinable())
    t.join();
}
void clean_this_thread() {
  std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::microseconds(10));
  (void)std::this_thread::get_id();
}
long clean_clocks() {
  return (std::chrono::steady_clock::now().time_since_epoch() +
          std::chrono::system_clock::now().time_since_epoch()).count();
}
const std::locale &clean_classic_locale() { return std::locale::classic(); }
bool clean_uncaught_exceptions() { return std::uncaught_exceptions() > 0; }
long clean_atomic() { return counter.fetch_add(1, std::memory_order_relaxed); }
void clean_sort() { std::sort(data, data + 16); }
int clean_printf(std::size_t n) {
  char line[64];
  return std::snprintf(line, sizeof line, "%zu", n);
}
std::size_t clean_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
const char *clean_typeid() { return typeid(Big).name(); }
