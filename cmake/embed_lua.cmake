# cmake -DLUA_FILE=... -DRELATIVE=... -DNAME=... -DHEADER=... -P embed_lua.cmake
# Writes HEADER with the script in LUA_FILE as the raw string constant
# telederm::lua::NAME (see EmbedLua.cmake).
file(READ ${LUA_FILE} source)
string(FIND "${source}" ")lua\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${LUA_FILE} contains )lua\" and cannot be embedded as a raw string")
endif()
set(text "// Made at build time from ${RELATIVE} (cmake/EmbedLua.cmake); edit that file.\n#pragma once\nnamespace telederm::lua {\ninline constexpr char ${NAME}[] = R\"lua(${source})lua\";\n}  // namespace telederm::lua\n")
# Unchanged text keeps the header's time, so nothing rebuilds needlessly.
if(EXISTS ${HEADER})
  file(READ ${HEADER} old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE ${HEADER} "${text}")
