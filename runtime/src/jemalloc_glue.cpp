// What the private jemalloc's C++ operator new (jemalloc_cpp.pic.o, renamed
// allocsel_je_cpp__Znwm; see runtime/CMakeLists.txt) needs from allocsel.
//
// jemalloc 5.3 reads the new_handler on its out-of-memory path with
// `h = std::set_new_handler(nullptr); std::set_new_handler(h);` under its own
// mutex. Between the two calls every other thread of the process would see
// no handler. Its calls to std::set_new_handler are renamed to this function,
// which returns the handler and changes nothing (jemalloc never sets a
// handler of its own).
#include <new>

extern "C" std::new_handler allocsel_je_set_new_handler(std::new_handler) noexcept {
  return std::get_new_handler();
}

// libstdc++'s std::__throw_bad_alloc and std::__throw_system_error, which
// jemalloc_cpp.pic.o was compiled against, are not in libc++: its calls are
// renamed to these, which work with either library. The second is reached
// only if locking an uncontended default mutex fails.
extern "C" [[noreturn]] void allocsel_je_throw_bad_alloc() { throw std::bad_alloc(); }
extern "C" [[noreturn]] void allocsel_je_throw_system_error(int) { __builtin_trap(); }
