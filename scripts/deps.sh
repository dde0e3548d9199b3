#!/bin/sh
# Installs the Debian packages elfin needs when they are missing.
#   deps.sh build   what `make` needs
#   deps.sh test    what `make test` and `make bench` need as well
#   deps.sh fuzz    what `make fuzz` needs as well (clang and its libFuzzer runtime)
set -e
pkgs="gcc make python3 qemu-system-x86"
[ "$1" = test ] && pkgs="$pkgs musl-tools coreutils hyperfine binutils"
# the programs of the application suites in tests/apps
[ "$1" = test ] && pkgs="$pkgs sqlite3 lua5.4 busybox-static"
# the servers of tests/apps/servers.py, their clients, and the load generators of make bench
[ "$1" = test ] && pkgs="$pkgs redis-server redis-tools nginx-light memcached curl wrk"
# gnulib's test suite (tests/gnulib): gnulib-tool and the autotools it runs
[ "$1" = test ] && pkgs="$pkgs gnulib autoconf automake m4"
# the loader's fuzz target (tests/fuzz)
[ "$1" = fuzz ] && pkgs="$pkgs clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
