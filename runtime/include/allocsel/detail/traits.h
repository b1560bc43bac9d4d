// allocsel/detail/traits.h - which optional Alloc members a type has.
//
// Not part of allocsel's interface: include <allocsel/alloc.h>.
#ifndef ALLOCSEL_DETAIL_TRAITS_H
#define ALLOCSEL_DETAIL_TRAITS_H

#include <cstddef>
#include <type_traits>
#include <utility>

namespace allocsel {
class Layout;
namespace detail {

template <class A, class = void> struct has_alloc_zeroed : std::false_type {};
template <class A>
struct has_alloc_zeroed<
    A, std::void_t<decltype(std::declval<const A &>().alloc_zeroed(std::declval<Layout>()))>>
    : std::true_type {};

template <class A, class = void> struct has_dealloc_unsized : std::false_type {};
template <class A>
struct has_dealloc_unsized<A, std::void_t<decltype(std::declval<const A &>().dealloc_unsized(
                                  std::declval<void *>(), std::declval<std::size_t>()))>>
    : std::true_type {};

template <class A, class = void> struct has_realloc : std::false_type {};
template <class A>
struct has_realloc<A, std::void_t<decltype(std::declval<const A &>().realloc(
                          std::declval<void *>(), std::declval<Layout>(),
                          std::declval<std::size_t>()))>> : std::true_type {};

} // namespace detail
} // namespace allocsel

#endif // ALLOCSEL_DETAIL_TRAITS_H
