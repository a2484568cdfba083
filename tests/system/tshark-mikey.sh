#!/bin/sh
# tshark-mikey.sh: an independent dissector (tshark, Wireshark 4.0 on
# Debian 12) reads MIKEY-TICKET messages built and MACed by libmikey
# (mikey.md 6.6): HDR, T, IDR, RAND, KEMAC, V, ERR, SP, General Ext., SAKKE
# and SIGN framing must be parsed with no "Malformed" mark.  Skips (77) only
# when tshark or text2pcap is absent.
set -u
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed"; exit 77; }
command -v text2pcap >/dev/null 2>&1 || { echo "text2pcap not installed"; exit 77; }

B=${TK_BUILDDIR:-.}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
HOME=$T; export HOME   # tshark keeps its profile out of the real home

"$B/tests/system/mikey-tshark-gen" > "$T/m.txt" || { echo "generator failed"; exit 1; }
text2pcap -q -u 2269,2269 "$T/m.txt" "$T/m.pcap" || exit 1

tshark -r "$T/m.pcap" -V > "$T/full.txt" 2>/dev/null || { echo "tshark failed"; exit 1; }
if grep -qi malformed "$T/full.txt"; then
	echo "tshark marks a packet malformed:"; grep -i -B3 malformed "$T/full.txt"; exit 1
fi

tshark -r "$T/m.pcap" -T fields -E separator=';' -e frame.number -e mikey.type \
	-e mikey.next_payload -e mikey.v.auth_alg -e mikey.kemac.encr_alg \
	-e mikey.kemac.mac_alg -e mikey.id.role -e mikey.rand.len -e mikey.err.no \
	-e mikey.sp.param_len -e mikey.t.ts_type -e mikey.sakke.len -e mikey.sign.len \
	> "$T/fields.txt" 2>/dev/null || exit 1

fail=0
check() { # frame expected-line
	got=$(sed -n "$1p" "$T/fields.txt")
	if [ "$got" != "$2" ]; then
		echo "frame $1: got      '$got'"; echo "frame $1: expected '$2'"; fail=1
	fi
}
# frame;type;next payloads;V alg;KEMAC encr;KEMAC mac;IDR roles;RAND len;ERR;SP len;TS type;SAKKE len;SIGN len
check 1 '1;18;5,14,1,14,9,0;1;1;0;3,2;;;;0;;'     # RESOLVE_RESP, HMAC-SHA-1, AES-CM-128
check 2 '2;6;5,12,12,10,21,9,0;1;;;;;10,15;9;0;;'  # Error with SP and General Ext.
check 3 '3;26;5,11,14,14,26,4;;;;1,2;16;;;0;48;40' # SAKKE I_MESSAGE
# tshark 4.0 does not know RANDR (15): it shows its Next Payload (14) and
# stops there without an error.
check 4 '4;11;5,15,14;;;;;;;;0;;'
[ $fail = 0 ] && echo "tshark parsed all MIKEY messages"
exit $fail
