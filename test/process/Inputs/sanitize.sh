# sanitize.sh -O<n>: builds Inputs/churn.cpp under each sanitizer with each
# allocator, runs it, then runs it again with a planted bug (sanitizers.test
# checks the output).
set -u
O=$1
flags_for() { # allocator -> compile and link flags
  case $1 in
    default) echo "$(allocsel-config --ldflags) $(allocsel-config --libs)" ;;
    system) echo "$(allocsel-config --ldflags --default=system) $(allocsel-config --libs --default=system)" ;;
    jemalloc) echo "-DSELECT_JEMALLOC $(allocsel-config --ldflags) $(allocsel-config --libs)" ;;
    user) echo "-DSELECT_USER $(allocsel-config --ldflags) $(allocsel-config --libs)" ;;
  esac
}
build() { # sanitizer allocator output
  $CXX $O -g -fsanitize=$1 -fno-sanitize-recover=all churn.cpp $(flags_for $2) -o $3
}
for san in address thread undefined leak; do
  for alloc in default system jemalloc user; do
    build $san $alloc churn-$san-$alloc || { echo "$san $alloc: link failed"; continue; }
    out=$(./churn-$san-$alloc 2>&1)
    echo "$san $alloc: $(echo "$out" | tr '\n' ' ' | sed 's/ *$//')"
  done
done
# ASan's runtime as a shared library loses to the executable's operators:
# the default sees the runtime and uses its malloc, with exact sizes.
rtdir=$($CXX -print-resource-dir)/lib/linux
$CXX $O -g -fsanitize=address -shared-libasan -Wl,-rpath,$rtdir churn.cpp $(flags_for default) -o churn-shared-asan
echo "shared-libasan: $(./churn-shared-asan 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
for p in overflow use-after-free; do
  ./churn-shared-asan $p > /dev/null 2> report.txt && echo "planted shared-libasan $p: not reported" ||
    echo "planted shared-libasan $p: $(grep -oE 'AddressSanitizer: heap-[a-z-]+' report.txt | head -1)"
done
# allocsel-link explain tells which operators won.
for b in churn-address-default churn-address-user churn-thread-user; do
  echo "explain $b: $(allocsel-link explain $b | sed -n 's/^ *note: //p')"
done
plant() { # sanitizer allocator plant pattern: the churn binary, then the bug
  [ -x churn-$1-$2 ] || { echo "planted $1 $2 $3: not built"; return; }
  ./churn-$1-$2 $3 > /dev/null 2> report.txt && echo "planted $1 $2 $3: not reported" && return
  echo "planted $1 $2 $3: $(grep -oE "$4" report.txt | head -1)"
}
for alloc in default system user; do
  plant address $alloc overflow 'AddressSanitizer: heap-buffer-overflow'
  plant address $alloc use-after-free 'AddressSanitizer: heap-use-after-free'
  plant address $alloc leak 'LeakSanitizer: detected memory leaks'
done
# A selection of Jemalloc yields to TSan and LSan like the default; under
# ASan it keeps routing, and ASan cannot see inside jemalloc's blocks (see
# docs/design.md, "Sanitizers"): no planted heap bug there.
for alloc in default jemalloc user; do
  plant thread $alloc race 'ThreadSanitizer: data race'
done
for alloc in default jemalloc user; do
  plant leak $alloc leak 'LeakSanitizer: detected memory leaks'
done
for alloc in default user; do
  plant undefined $alloc ub 'runtime error: signed integer overflow'
done
# MemorySanitizer needs every line of code instrumented, the C++ library's
# too: Debian ships no MSan-built libstdc++ or libc++, so a program that uses
# std::string reports false positives from them (docs/design.md). A program
# that uses new/delete but no library code links, runs clean, and its
# uninitialized read is found.
cat > msan.cpp <<'MSAN'
#include <cstdio>
int main(int argc, char **) {
  int *p = new int[8];
  for (int i = 0; i < 8; ++i)
    if (i != 5 || argc > 1)
      p[i] = i;
  int r = p[argc + 4]; // p[5]: never written
  delete[] p;
  if (r == 5)
    std::puts("five");
  return 0;
}
MSAN
$CXX $O -fsanitize=memory msan.cpp $(flags_for default) -o msan
./msan > /dev/null 2> report.txt && echo "planted memory default uninitialized: not reported" ||
  echo "planted memory default uninitialized: $(grep -oE 'MemorySanitizer: use-of-uninitialized-value' report.txt | head -1)"
./msan x > /dev/null 2> report.txt
echo "memory default clean: exit $?"
