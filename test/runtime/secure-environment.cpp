// A setuid, setgid or file-capability program (the kernel passes AT_SECURE:
// its effective user or group is not the caller's, or it gains
// capabilities) ignores ALLOCSEL_DEFAULT and the private jemalloc's
// ALLOCSEL_JEMALLOC_CONF: the environment is the caller's, who must not
// choose the allocator of a program more privileged than they are, nor its
// configuration. The runtime reads both with secure_getenv. The same
// executable, run normally, honours them. (opt.narenas is 4 per CPU by
// default, never 3; ALLOCSEL_JEMALLOC_CONF=narenas:3 makes it 3.)
//
// The program prints AT_SECURE as the kernel gave it, so that a run that was
// not secure after all (a nosuid mount, a test not run as root) fails the
// check instead of passing for the wrong reason; it prints ALLOCSEL_DEFAULT
// as it finds it in its environment, to show that the variable reached it
// (the dynamic loader strips only its own variables in secure mode); and it
// tells which allocator served a `new` by jemalloc's own count of the bytes
// this thread allocated, as well as by global_allocator_info().
//
// Making the setuid/setgid copies needs root (chown to another user), a file
// system mounted without nosuid (which ignores setuid bits and file
// capabilities) and the user nobody: lit's feature setuid (lit.cfg.py); the
// file capability needs setcap and setpriv too. CI runs the suite as root.
// REQUIRES: setuid
//
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t
// RUN: %t | FileCheck %s --check-prefixes=PLAIN,UNSET,JEMALLOC
// RUN: env ALLOCSEL_DEFAULT=system %t | FileCheck %s --check-prefixes=PLAIN,SET,SYSTEM
// RUN: env ALLOCSEL_JEMALLOC_CONF=narenas:3 %t | FileCheck %s --check-prefixes=PLAIN,UNSET,JEMALLOC,CONF-TAKEN
//
// setuid to nobody, run by root.
// RUN: rm -f %t.setuid %t.setgid
// RUN: cp %t %t.setuid && chown nobody %t.setuid && chmod 4755 %t.setuid
// RUN: env ALLOCSEL_DEFAULT=system %t.setuid | FileCheck %s --check-prefixes=SECURE,SET,JEMALLOC
// RUN: %t.setuid | FileCheck %s --check-prefixes=SECURE,UNSET,JEMALLOC
// RUN: env ALLOCSEL_JEMALLOC_CONF=narenas:3 %t.setuid | FileCheck %s --check-prefixes=SECURE,UNSET,JEMALLOC,CONF-IGNORED
// setgid to nobody's group: the effective user stays root, the group is not
// the caller's.
// RUN: cp %t %t.setgid && chgrp "$(id -g nobody)" %t.setgid && chmod 2755 %t.setgid
// RUN: env ALLOCSEL_DEFAULT=system %t.setgid | FileCheck %s --check-prefixes=SECURE,SET,JEMALLOC
// RUN: env ALLOCSEL_JEMALLOC_CONF=narenas:3 %t.setgid | FileCheck %s --check-prefixes=SECURE,UNSET,JEMALLOC,CONF-IGNORED
// A file capability (setcap), run by nobody: the program gains a capability
// its caller does not have.
// RUN: %if file-capabilities %{ rm -f %t.setcap && cp %t %t.setcap && setcap cap_net_bind_service+ep %t.setcap %}
// RUN: %if file-capabilities %{ env ALLOCSEL_DEFAULT=system setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups %t.setcap | FileCheck %s --check-prefixes=SECURE,SET,JEMALLOC %}
// RUN: %if file-capabilities %{ env ALLOCSEL_JEMALLOC_CONF=narenas:3 setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups %t.setcap | FileCheck %s --check-prefixes=SECURE,UNSET,JEMALLOC,CONF-IGNORED %}
//
// PLAIN: AT_SECURE=0
// SECURE: AT_SECURE=1
// UNSET-NEXT: ALLOCSEL_DEFAULT unset
// SET-NEXT: ALLOCSEL_DEFAULT=system
// JEMALLOC-NEXT: allocator: allocsel::Jemalloc
// JEMALLOC-NEXT: jemalloc served new: yes
// SYSTEM-NEXT: allocator: allocsel::System
// SYSTEM-NEXT: jemalloc served new: no
// CONF-TAKEN-NEXT: ALLOCSEL_JEMALLOC_CONF=narenas:3
// CONF-TAKEN-NEXT: opt.narenas: 3{{$}}
// CONF-IGNORED-NEXT: ALLOCSEL_JEMALLOC_CONF=narenas:3
// CONF-IGNORED-NEXT: opt.narenas: {{([0-24-9]|[0-9][0-9]+)$}}

#include <allocsel/alloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sys/auxv.h>

namespace {

std::uint64_t thread_allocated() {
  // Refresh jemalloc's counters, then read this thread's total.
  std::uint64_t epoch = 1, v = 0;
  std::size_t len = sizeof epoch;
  allocsel::Jemalloc::mallctl("epoch", &epoch, &len, &epoch, len);
  len = sizeof v;
  if (allocsel::Jemalloc::mallctl("thread.allocated", &v, &len, nullptr, 0) != 0)
    return 0;
  return v;
}

} // namespace

int main() {
  std::printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
  // getenv, not secure_getenv: what the caller put in the environment.
  if (const char *env = std::getenv("ALLOCSEL_DEFAULT"))
    std::printf("ALLOCSEL_DEFAULT=%s\n", env);
  else
    std::printf("ALLOCSEL_DEFAULT unset\n");
  auto info = allocsel::global_allocator_info();
  std::printf("allocator: %.*s\n", int(info.type.size()), info.type.data());

  std::uint64_t before = thread_allocated();
  char *volatile block = new char[4096];
  block[0] = 1;
  std::uint64_t grew = thread_allocated() - before;
  delete[] block;
  std::printf("jemalloc served new: %s\n", grew >= 4096 ? "yes" : "no");

  // The private jemalloc's configuration: what reached the program, and
  // what jemalloc took from it.
  if (const char *conf = std::getenv("ALLOCSEL_JEMALLOC_CONF"))
    std::printf("ALLOCSEL_JEMALLOC_CONF=%s\n", conf);
  unsigned narenas = 0;
  std::size_t len = sizeof narenas;
  if (allocsel::Jemalloc::mallctl("opt.narenas", &narenas, &len, nullptr, 0) == 0)
    std::printf("opt.narenas: %u\n", narenas);
}
