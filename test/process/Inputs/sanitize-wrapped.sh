# sanitize-wrapped.sh: the sanitizers through allocsel-clang++ and through
# CMake's allocsel_enable: the same flags reach the link, the same rule holds.
# Each program runs clean (exit 0, no report anywhere in its output) and with
# a planted bug that is reported. CLANGXX is the compiler under test. Run in a
# directory holding churn.cpp and msan.cpp.
set -u
. "$(dirname "$0")/san-lib.sh"
wrap() { ALLOCSEL_CLANGXX=$CLANGXX allocsel-clang++ -std=c++20 "$@"; }

# The wrapper, at -O0, -O1 and -O2.
wrap -O0 -g -fsanitize=address churn.cpp -o w-asan
clean "wrapper asan -O0" ./w-asan
plant "wrapper asan -O0 overflow" 'AddressSanitizer: heap-buffer-overflow' ./w-asan overflow
plant "wrapper asan -O0 leak" 'LeakSanitizer: detected memory leaks' ./w-asan leak
wrap -O1 -fsanitize=address -DSELECT_USER churn.cpp -o w-asan-user
clean "wrapper asan user -O1" ./w-asan-user
plant "wrapper asan user -O1 use-after-free" 'AddressSanitizer: heap-use-after-free' ./w-asan-user use-after-free
wrap -O1 -fsanitize=thread churn.cpp -o w-tsan
clean "wrapper tsan -O1" ./w-tsan
plant "wrapper tsan -O1 race" 'ThreadSanitizer: data race' ./w-tsan race
wrap -O2 -fsanitize=undefined -fno-sanitize-recover=all churn.cpp -o w-ubsan
clean "wrapper ubsan -O2" ./w-ubsan
plant "wrapper ubsan -O2 ub" 'runtime error: signed integer overflow' ./w-ubsan ub
wrap -O2 -fsanitize=memory msan.cpp -o w-msan
clean "wrapper msan -O2" ./w-msan
plant "wrapper msan -O2 uninitialized" 'MemorySanitizer: use-of-uninitialized-value' ./w-msan uninitialized

# CMake (Release: -O3).
mkdir -p cm && cp churn.cpp msan.cpp cm/
{
  printf '%s\n' 'cmake_minimum_required(VERSION 3.20)' 'project(san CXX)' 'set(CMAKE_CXX_STANDARD 20)' \
    'find_package(AllocSel CONFIG REQUIRED)'
  for t in asan:address:churn tsan:thread:churn lsan:leak:churn ubsan:undefined:churn msan:memory:msan; do
    IFS=: read -r name san src <<< "$t"
    printf '%s\n' "add_executable($name $src.cpp)" \
      "target_compile_options($name PRIVATE -fsanitize=$san -fno-sanitize-recover=all)" \
      "target_link_options($name PRIVATE -fsanitize=$san)" "allocsel_enable($name)"
  done
} > cm/CMakeLists.txt
cmake -S cm -B cm/build -G Ninja -DCMAKE_CXX_COMPILER=$CLANGXX -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$(allocsel-config --prefix)" > cmake.txt 2>&1 || { cat cmake.txt; exit 1; }
cmake --build cm/build > build.txt 2>&1 || { cat build.txt; exit 1; }
clean "cmake asan" cm/build/asan
plant "cmake asan use-after-free" 'AddressSanitizer: heap-use-after-free' cm/build/asan use-after-free
clean "cmake tsan" cm/build/tsan
plant "cmake tsan race" 'ThreadSanitizer: data race' cm/build/tsan race
clean "cmake lsan" cm/build/lsan
plant "cmake lsan leak" 'LeakSanitizer: detected memory leaks' cm/build/lsan leak
clean "cmake ubsan" cm/build/ubsan
plant "cmake ubsan ub" 'runtime error: signed integer overflow' cm/build/ubsan ub
clean "cmake msan" cm/build/msan
plant "cmake msan uninitialized" 'MemorySanitizer: use-of-uninitialized-value' cm/build/msan uninitialized
