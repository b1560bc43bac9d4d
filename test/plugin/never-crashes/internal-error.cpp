// A failure inside allocsel's analysis (here a real invalid memory access,
// planted by the test-only option) is one allocsel-internal error naming the
// function being analysed: exit status 1, no compiler crash report, no
// object. Both with the driver's in-process cc1 (where clang's own crash
// recovery is on) and with a separate cc1 process (where it is not).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cxx -fplugin-arg-allocsel-test-crash-in=ns::helper -c %s -o %t/a.o > %t/in-process.txt 2>&1; echo "exit $?" >> %t/in-process.txt
// RUN: FileCheck %s --input-file=%t/in-process.txt --implicit-check-not='PLEASE submit' --implicit-check-not='Stack dump'
// RUN: not ls %t/a.o
// RUN: %cxx -fno-integrated-cc1 -fplugin-arg-allocsel-test-crash-in=ns::helper -c %s -o %t/b.o > %t/cc1.txt 2>&1; echo "exit $?" >> %t/cc1.txt
// RUN: FileCheck %s --input-file=%t/cc1.txt --implicit-check-not='PLEASE submit' --implicit-check-not='Stack dump'
// RUN: not ls %t/b.o
// Without the planted failure the same unit compiles.
// RUN: %cxx -c %s -o %t/c.o

namespace ns {
int helper(int x) { return x + 1; }
} // namespace ns
int exported(int x) { return ns::helper(x); }

// CHECK: internal-error.cpp:[[@LINE-4]]:5: error: allocsel's needs_allocator analysis failed while analysing 'ns::helper'; this is a bug in allocsel, not in your code: please report it {{.*}} [allocsel-internal]
// CHECK: 1 error generated.
// CHECK: exit 1
