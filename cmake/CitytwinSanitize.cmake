# CITYTWIN_SANITIZE=ON: every target built with AddressSanitizer and UndefinedBehaviorSanitizer, in a build
# directory of its own (setup.sh --sanitize uses build-asan). Any report fails the program: ASan aborts at
# its first error, and -fno-sanitize-recover makes UBSan do the same. Neither the Python module (Debian's
# python3 is not instrumented: loading an ASan library into it needs LD_PRELOAD tricks) nor the benchmarks
# are built.
option(CITYTWIN_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer (use a separate build directory)" OFF)
if(CITYTWIN_SANITIZE)
  set(CITYTWIN_BUILD_PYTHON OFF)
  set(CITYTWIN_BUILD_BENCH OFF)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
