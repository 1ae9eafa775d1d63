# citytwin_warnings(<target>): the project's warning set, errors when CITYTWIN_WERROR is ON.
function(citytwin_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  if(CITYTWIN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
