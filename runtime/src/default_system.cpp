// The default for libraries: a library is a guest in another program's process.
#include "routes.h"

ALLOCSEL_DEFINE_ROUTES(allocsel::System,
                       "default||allocsel::System|the default for libraries: "
                       "no [[global_allocator]] in the library")
