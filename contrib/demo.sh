#!/bin/sh
# contrib/demo.sh BUILDDIR: the main job. Until the daemons land it decodes a
# sample MIKEY message with tkms-mikey.
set -eu
b=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
echo "tkms demo: decoding a sample REQUEST_INIT with tkms-mikey"
"$b/src/tools/tkms-mikey" decode "$top/contrib/samples/request-init.hex"
