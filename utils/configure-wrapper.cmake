# Writes a compiler wrapper with the plugin's identity in it (run at build
# time, after allocsel.so is built):
#   cmake -DIN= -DOUT= -DPLUGIN= -DALLOCSEL_CLANGXX= -DALLOCSEL_CLANG= -P
file(SHA256 "${PLUGIN}" ALLOCSEL_PLUGIN_SHA256)
# The real compilers' paths go into the script as shell words, quoted here
# ('...', each ' as '\''), so that the script reads them back exactly
# whatever they hold (spaces, '$', quotes).
foreach(var ALLOCSEL_CLANGXX ALLOCSEL_CLANG)
  string(REPLACE "'" "'\\''" quoted "${${var}}")
  set(${var}_SH "'${quoted}'")
endforeach()
configure_file("${IN}" "${OUT}" @ONLY
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                   WORLD_READ WORLD_EXECUTE)
