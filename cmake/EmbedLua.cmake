# telederm_embed_lua(<target> <file.lua>...): each Redis Lua script lives in a
# .lua file beside the code that runs it, and is compiled into <target> as
#   #include "<folder>/<name>.lua.h"   // from the project root
#   telederm::lua::k<Name>             // const char[], <name> in CamelCase
# The header is made at build time from the file (cmake/embed_lua.cmake), so
# editing the .lua rebuilds what uses it. Every embedded script is also
# listed for tests/lua (EmbeddedLuaTest loads each one into a real Redis).
function(telederm_embed_lua target)
  foreach(lua IN LISTS ARGN)
    file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/${lua})
    set(header ${PROJECT_BINARY_DIR}/embedded/${relative}.h)
    get_filename_component(stem ${lua} NAME_WE)
    string(REPLACE "_" ";" words ${stem})
    set(name "k")
    foreach(word IN LISTS words)
      string(SUBSTRING ${word} 0 1 first)
      string(SUBSTRING ${word} 1 -1 rest)
      string(TOUPPER ${first} first)
      string(APPEND name ${first} ${rest})
    endforeach()
    add_custom_command(
      OUTPUT ${header}
      COMMAND ${CMAKE_COMMAND} -DLUA_FILE=${CMAKE_CURRENT_SOURCE_DIR}/${lua} -DRELATIVE=${relative}
              -DNAME=${name} -DHEADER=${header} -P ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${lua} ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
      COMMENT "Embedding ${relative}")
    target_sources(${target} PRIVATE ${header})
    set_property(GLOBAL APPEND PROPERTY TELEDERM_EMBEDDED_LUA "${relative}=${name}")
  endforeach()
  set_property(GLOBAL APPEND PROPERTY TELEDERM_EMBEDDED_LUA_TARGETS ${target})
  target_include_directories(${target} PRIVATE ${PROJECT_BINARY_DIR}/embedded)
endfunction()
