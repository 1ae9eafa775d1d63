#!/usr/bin/env bash
# Packs the citytwin executable with the shared libraries it loads (SimGrid, HDF5, yaml-cpp, Boost, the ns-3
# and MPI libraries...) into one folder, for a borrowed machine that lacks the build's Debian packages (a
# many-core machine for bench/thread_scaling.py). The C library's own (libc, libm, libmvec, the loader) stay
# out: the machine's are used, and must be at least Debian 12's (glibc 2.36). The executable's debug
# information is left out (88 MB -> 4 MB). Run it there as DIR/citytwin. With --tar, DIR is also packed
# into DIR.tar.xz (~20 MB against ~70 MB: what travels to a borrowed machine may be limited).
#
#   bench/bundle.sh DIR [--build BUILD] [--tar]
#   e.g. bench/bundle.sh .bundle --tar; there: tar -xJf .bundle.tar.xz && bench/thread_scaling.py --citytwin .bundle/citytwin
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,11p' "$0" >&2; exit 2; }
dir=$1
shift
build=build
tar=0
while (($#)); do
  case "$1" in
    --build) build="$2"; shift ;;
    --tar) tar=1 ;;
    *) echo "bundle.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
exe="$build/bin/citytwin"
[ -x "$exe" ] || { echo "bundle.sh: no $exe (build first: ./setup.sh)" >&2; exit 2; }
rm -rf "$dir"
mkdir -p "$dir/lib"
objcopy --strip-debug "$exe" "$dir/citytwin.bin"
# Every library the loader resolves for it, but the C library's.
ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' |
  grep -v -E '/(libc|libm|libmvec|libpthread|libdl|librt|ld-linux-x86-64)\.so' |
  while read -r lib; do cp -L "$lib" "$dir/lib/"; done
cat > "$dir/citytwin" <<'EOF'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/citytwin.bin" "$@"
EOF
chmod +x "$dir/citytwin"
"$dir/citytwin" --version > /dev/null || { echo "bundle.sh: the bundle does not start here" >&2; exit 1; }
echo "bundle.sh: $dir: $(du -sh "$dir" | cut -f1), $(ls "$dir/lib" | wc -l) libraries"
if ((tar)); then
  tar -C "$(dirname "$dir")" -cJf "$dir.tar.xz" "$(basename "$dir")"
  echo "bundle.sh: $dir.tar.xz: $(du -sh "$dir.tar.xz" | cut -f1)"
fi
