// The default for executables: no [[global_allocator]] anywhere in the program.
#include "routes.h"

ALLOCSEL_DEFINE_ROUTES(allocsel::Jemalloc,
                       "default||allocsel::Jemalloc|the default for executables: "
                       "no [[global_allocator]] in the program")
