// MemorySanitizer needs every line of code instrumented, the C++ library's
// too: Debian ships no MSan-built libstdc++ or libc++, so a program that uses
// std::string reports false positives from them (docs/design.md). This one
// uses new/delete and no library code. `msan uninitialized` reads an element
// it never wrote.
#include <cstdio>
#include <cstring>
int main(int argc, char **argv) {
  bool plant = argc > 1 && std::strcmp(argv[1], "uninitialized") == 0;
  int *p = new int[8];
  for (int i = 0; i < 8; ++i)
    if (i != 5 || !plant)
      p[i] = i;
  volatile int five = 5;
  int r = p[five];
  delete[] p;
  std::puts(r == 5 ? "msan: five" : "msan: not five");
  return 0;
}
