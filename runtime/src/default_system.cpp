// The default an executable gets with --default=system (allocsel-config,
// the wrappers' ALLOCSEL_DEFAULT, allocsel_enable's DEFAULT): System.
#include "routes.h"

namespace {
constexpr allocsel::System route_target{};
const char *route_type() noexcept { return "allocsel::System"; }
const char *route_reason() noexcept {
  return "the default chosen at link time (--default=system): no [[global_allocator]] in the "
         "program";
}
} // namespace

#include "define_routes.inc"

asm(ALLOCSEL_THUNKS_ASM);
ALLOCSEL_DEFINE_OPERATORS
