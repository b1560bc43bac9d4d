# sanitize.sh -O<n>: builds Inputs/churn.cpp under each sanitizer with each
# allocator, runs it clean (exit status 0 and no sanitizer report anywhere in
# its output), then again with a planted bug (sanitizers.test checks the
# output). Run in a directory holding churn.cpp and msan.cpp.
set -u
O=$1
. "$(dirname "$0")/san-lib.sh"
# churn.cpp is compiled once per sanitizer and source (the default and
# --default=system differ only in their link flags) and linked once per
# allocator: the same compile and link flags as a one-step build.
rm -f churn$O-*.o
cflags_for() { # allocator -> compile flags
  case $1 in
    jemalloc) echo "-DSELECT_JEMALLOC" ;;
    user) echo "-DSELECT_USER" ;;
  esac
}
ldflags_for() { # allocator -> link flags
  case $1 in
    system) echo "$(allocsel-config --ldflags --default=system) $(allocsel-config --libs --default=system)" ;;
    *) echo "$(allocsel-config --ldflags) $(allocsel-config --libs)" ;;
  esac
}
object() { # sanitizer allocator -> the object's name (compiled on first use)
  local o=churn$O-$1-$([ $2 = system ] && echo default || echo $2).o
  [ -f $o ] || $CXX $O -g -fsanitize=$1 -fno-sanitize-recover=all $(cflags_for $2) -c churn.cpp -o $o || return 1
  echo $o
}
build() { # sanitizer allocator output
  local o
  o=$(object $1 $2) && $CXX $O -g -fsanitize=$1 $o $(ldflags_for $2) -o $3
}
for san in address thread undefined leak; do
  for alloc in default system jemalloc user; do
    build $san $alloc churn-$san-$alloc || { echo "$san $alloc: build failed"; continue; }
    clean "$san $alloc" ./churn-$san-$alloc
  done
done
# ASan's runtime as a shared library loses to the executable's operators:
# the default sees the runtime and uses its malloc, with exact sizes.
rtdir=$($CXX -print-resource-dir)/lib/linux
$CXX $O -g -fsanitize=address -shared-libasan -Wl,-rpath,$rtdir $(object address default) $(ldflags_for default) \
  -o churn-shared-asan
clean shared-libasan ./churn-shared-asan
for p in overflow use-after-free; do
  plant "shared-libasan $p" 'AddressSanitizer: heap-[a-z-]+' ./churn-shared-asan $p
done
# allocsel-link explain tells which operators won; allocsel-link check
# warns when a selection serves nothing.
for b in churn-address-default churn-address-user churn-thread-user; do
  echo "explain $b: $(allocsel-link explain $b | sed -n 's/^ *\(allocator\|note\): //p' | paste -sd '|')"
  echo "check $b: exit $(allocsel-link check $b 2>check.err; echo $?) $(sed -n 's/.*\(warning\|error\): .*\[\(allocsel-[a-z-]*\)\]$/\1 \2/p' check.err)"
done
planted() { # sanitizer allocator plant pattern: the churn binary, then the bug
  if [ -x churn-$1-$2 ]; then
    plant "$1 $2 $3" "$4" ./churn-$1-$2 $3
  else
    echo "planted $1 $2 $3: not built"
  fi
}
for alloc in default system user; do
  planted address $alloc overflow 'AddressSanitizer: heap-buffer-overflow'
  planted address $alloc use-after-free 'AddressSanitizer: heap-use-after-free'
  planted address $alloc leak 'LeakSanitizer: detected memory leaks'
done
# A selection of Jemalloc yields to TSan and LSan like the default; under
# ASan it keeps routing, and ASan cannot see inside jemalloc's blocks (see
# docs/design.md, "Sanitizers"): no planted heap bug there.
for alloc in default system jemalloc user; do
  planted thread $alloc race 'ThreadSanitizer: data race'
done
for alloc in default system jemalloc user; do
  planted leak $alloc leak 'LeakSanitizer: detected memory leaks'
done
for alloc in default system jemalloc user; do
  planted undefined $alloc ub 'runtime error: signed integer overflow'
done
# MemorySanitizer: a program that uses new/delete but no library code
# (Inputs/msan.cpp) links, runs clean, and its uninitialized read is found.
$CXX $O -g -fsanitize=memory msan.cpp $(ldflags_for default) -o msan
plant "memory default uninitialized" 'MemorySanitizer: use-of-uninitialized-value' ./msan uninitialized
clean "memory default" ./msan
