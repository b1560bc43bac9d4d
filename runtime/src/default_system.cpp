// The default an executable gets with --default=system (allocsel-config,
// the wrappers' ALLOCSEL_DEFAULT, allocsel_enable's DEFAULT): System.
#include "routes.h"

ALLOCSEL_DEFINE_ROUTES(allocsel::System,
                       "default||allocsel::System|the default chosen at link time "
                       "(--default=system): no [[global_allocator]] in the program")
