#!/bin/sh
# contrib/run.sh: one entry point for a fresh Debian 12 machine (as root).
#   contrib/run.sh demo   install packages, build, run the demo
#   contrib/run.sh test   install packages, build, run the whole test suite
# Idempotent: packages already present are not reinstalled, the build is
# incremental in ./build.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-demo}

need=""
for p in $(grep -v '^#' contrib/debian-packages.txt); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
	echo "run.sh: installing Debian packages:$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || "$top/configure" -q
make -j"$(nproc)" >/dev/null

case "$what" in
demo) exec "$top/contrib/demo.sh" "$top/build" ;;
test) make -j"$(nproc)" check ;;
*) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
