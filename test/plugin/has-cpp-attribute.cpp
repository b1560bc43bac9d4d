// __has_cpp_attribute sees the attribute only when the plugin is loaded, so
// code can use it portably.
// RUN: %cxx -fsyntax-only -DEXPECT=1 %s
// RUN: %clangxx -std=c++20 -fsyntax-only -DEXPECT=0 %s

#if __has_cpp_attribute(global_allocator) != EXPECT
#error "__has_cpp_attribute(global_allocator) is wrong"
#endif
#if __has_cpp_attribute(allocsel::global_allocator) != EXPECT
#error "__has_cpp_attribute(allocsel::global_allocator) is wrong"
#endif
