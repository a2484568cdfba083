#!/bin/sh
# tkms-mikey.sh: the MIKEY decoder tool on the samples of contrib/samples
# (one mode-1 flow written with src/mikey): every sample in binary, base64
# and hex (plus the RFC 4567 SDP/RTSP forms), key fields of the JSON,
# MAC / KEMAC / ticket checks with the demo keys (mikey.md 5.6, P-10), keys
# never printed without --show-keys, and every exit status (0, 1, 2, 64).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init tkms-mikey
T="$TK_BUILDDIR/src/tools/tkms-mikey"
S="$TK_SRCDIR/contrib/samples"
W="$TK_TMP"

# Demo keys of contrib/samples/README.
PSK_A=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
PSK_B=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
TPK=404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f
MPKI=cbadd00f90696e721d9c1dfdd8693fa1
MPKR_F=4557ff27c86e68f481a630ddea335f6e
TGK=8c21ff72edd718d94e139513dc1b63fc

command -v python3 >/dev/null || tk_fail "python3 is needed to read the JSON"

# run OUT ARGS...: runs the tool, stdout to $W/OUT.json, stderr to
# $W/OUT.err, exit status in $rc.
run()
{
	_o=$1; shift
	set +e
	"$T" "$@" >"$W/$_o.json" 2>"$W/$_o.err"
	rc=$?
	set -e
}

# q OUT EXPR: evaluates a Python expression over the JSON d; P(name) is the
# first payload of that name, TP(x) the first of TP Data / Ticket Data list x.
q()
{
	python3 - "$W/$1.json" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def P(name, lst=None):
    for p in (d["payloads"] if lst is None else lst):
        if p["payload"] == name:
            return p
    return None
print(eval(sys.argv[2]))
EOF
}

expect_q() { tk_expect_eq "$(q "$1" "$2")" "$3" "$4"; }
expect_rc() { tk_expect_eq "$rc" "$1" "$2"; }

tobin() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read()))' "$1"; }
tob64() { python3 -c 'import sys, base64; print(base64.b64encode(bytes.fromhex(open(sys.argv[1]).read())).decode())' "$1"; }

set -e

# ---- every sample in the three encodings ----
for s in request-init:11 request-init-256:11 request-resp:13 transfer-init:14 \
	 resolve-init:16 resolve-resp:18 transfer-resp:15 error:6; do
	name=${s%%:*}; dt=${s##*:}
	tobin "$S/$name.hex" >"$W/$name.bin"
	tob64 "$S/$name.hex" >"$W/$name.b64"
	for enc in hex bin b64; do
		f="$S/$name.hex"; [ $enc = hex ] || f="$W/$name.$enc"
		run out "decode" "$f"
		expect_rc 0 "$name.$enc decodes"
		expect_q out 'd["HDR"]["data_type"]["value"]' "$dt" "$name.$enc data type"
		expect_q out 'd["length"]' "$(wc -c <"$W/$name.bin" | tr -d ' ')" "$name.$enc length"
		expect_q out 'd["verification"]["mac"]' "not checked" "$name.$enc: no key, no check"
	done
	# the explicit format agrees with the detection
	run out2 --format hex --compact decode "$S/$name.hex"
	expect_rc 0 "$name --format hex"
	tk_expect_eq "$(q out2 'd["HDR"]' )" "$(q out 'd["HDR"]')" "$name: --format hex = detected"
done

# ---- key fields ----
run ri decode "$S/request-init.hex"
expect_q ri 'd["HDR"]["data_type"]["name"]' REQUEST_INIT_PSK "data type name"
expect_q ri 'd["HDR"]["V"]' True "HDR V flag"
expect_q ri 'd["HDR"]["PRF_func"]["name"]' MIKEY-1 "PRF name"
expect_q ri 'd["HDR"]["CSB_ID"]' 979074205 "CSB ID (0x3a5b7c9d)"
expect_q ri 'd["HDR"]["CS_ID_map_type"]["name"]' "Empty map" "map type"
expect_q ri '[p["payload"] for p in d["payloads"]]' \
	"['T', 'RANDR', 'IDR', 'IDR', 'TP', 'IDR', 'V']" "payload order"
expect_q ri 'P("T")["time"]' 2026-11-27T12:00:00Z "T as ISO 8601 UTC"
expect_q ri 'P("RANDR")["RAND_role"]["name"]' RANDRi "RANDR role"
expect_q ri '[p["ID_data"] for p in d["payloads"] if p["payload"] == "IDR" and p["ID_role"]["name"] == "IDRpsk"][0]' \
	"nxx6Lls9TG+KDh0sO0pZaA==@bsf.home1.net" "IDRpsk carries the B-TID as text"
expect_q ri 'P("TP")["flags"]["set"]' DEFGHIJNO "TP flags as letters"
expect_q ri 'P("TP")["flags"]["K"]' False "TP flag K as boolean"
expect_q ri 'P("TP")["Ticket_type"]["name"]' "MIKEY base ticket" "ticket type name"
expect_q ri 'P("TR", P("TP")["TP_data"]["payloads"])["TS_role"]["name"]' TRe "TP Data TRe"
expect_q ri 'P("TR", P("TP")["TP_data"]["payloads"])["time"]' 2026-11-28T12:00:00Z "TRe time (NTP-UTC-32)"
expect_q ri 'P("KEMAC", P("TP")["TP_data"]["payloads"])["Key_data"][0]["Type"]["name"]' \
	TGK+SALT "desired key type in TP Data"
expect_q ri 'P("V")["Auth_alg"]["name"]' HMAC-SHA-1-160 "V MAC alg"

run ri2 decode "$S/request-init-256.hex"
expect_q ri2 'd["HDR"]["PRF_func"]["name"]' PRF-HMAC-SHA-256 "256-bit set: PRF"
expect_q ri2 'P("V")["Auth_alg"]["name"]' HMAC-SHA-256-256 "256-bit set: MAC"

run ti decode "$S/transfer-init.hex"
expect_q ti 'd["HDR"]["CS_ID_map_type"]["name"]' GENERIC-ID "TRANSFER_INIT map type"
expect_q ti 'd["HDR"]["CS_ID_map_info"][0]["Session_data"]["SSRC"]' 1579089962 "CS map SSRC"
expect_q ti 'P("SP")["parameters"][0]["type"]["name"]' "Encryption algorithm" "SP parameter name"
expect_q ti 'P("SP")["parameters"][0]["value_name"]' AES-CM "SP value name"
expect_q ti 'P("TICKET")["Ticket_data"]["payloads"][0]["key_id"]' 1 "THDR key id (P-10)"
expect_q ti 'P("TICKET")["Initiator_data"]["Vr"]["Auth_alg"]["name"]' HMAC-SHA-1-160 "Initiator Data Vr"

run er decode "$S/error.hex"
expect_q er 'P("ERR")["Error_no"]["name"]' "Invalid TPpar" "ERR name"

# ---- RFC 4567 forms and stdin ----
printf 'v=0\r\na=key-mgmt:mikey %s\r\n' "$(cat "$W/request-init.b64")" >"$W/sdp.txt"
run sdp decode "$W/sdp.txt"
expect_rc 0 "SDP a=key-mgmt:mikey line"
expect_q sdp 'd["HDR"]["data_type"]["value"]' 11 "SDP form decodes the message"
printf 'KeyMgmt: prot=mikey; uri="rtsp://a.example/s"; data="%s"\r\n' \
	"$(cat "$W/transfer-init.b64")" >"$W/rtsp.txt"
run rtsp decode "$W/rtsp.txt"
expect_q rtsp 'd["HDR"]["data_type"]["value"]' 14 "RTSP KeyMgmt header"
set +e; "$T" decode - <"$W/error.bin" >"$W/stdin.json"; rc=$?; set -e
expect_rc 0 "stdin ('-')"
expect_q stdin 'd["HDR"]["data_type"]["value"]' 6 "stdin message"

# ---- verification ----
run v decode --psk "$PSK_A" "$S/request-init.hex"
expect_rc 0 "--psk: REQUEST_INIT verifies"
expect_q v 'd["verification"]["mac"]' ok "mac ok"
run v decode --psk "$PSK_B" "$S/request-init.hex"
expect_rc 1 "wrong --psk: exit 1"
expect_q v 'd["verification"]["mac"]' FAILED "mac FAILED"
run v decode --psk "$PSK_A" "$S/request-init-256.hex"
expect_rc 0 "--psk: 256-bit REQUEST_INIT verifies"
run v decode --psk "$PSK_B" "$S/resolve-init.hex"
expect_rc 0 "--psk: RESOLVE_INIT verifies"
run v decode --psk "$PSK_A" "$S/request-resp.hex"
expect_rc 1 "REQUEST_RESP without --init: exit 1"
expect_q v 'd["verification"]["mac"]' "not checked" "without --init: not checked"

run rs decode --psk "$PSK_A" --init "$S/request-init.hex" --tpk "$TPK" "$S/request-resp.hex"
expect_rc 0 "REQUEST_RESP: MAC, KEMAC and ticket"
expect_q rs 'd["verification"]' "{'ticket': 'ok', 'mac': 'ok', 'kemac': 'ok'}" "all three ok"
expect_q rs '[k["role"] if "role" in k else k["Type"]["name"] for k in P("KEMAC")["Key_data"]]' \
	"['MPKi', 'MPKr', 'TGK+SALT']" "KEMAC key list"
expect_q rs 'P("KEMAC")["Key_data"][2]["key_fingerprint"]' \
	"$(python3 -c 'import hashlib,sys; print(hashlib.sha256(bytes.fromhex(sys.argv[1])).hexdigest()[:8])' $TGK)" \
	"TGK fingerprint = first 8 hex of SHA-256"
expect_q rs 'P("KEMAC")["Key_data"][2]["SPI"]' 00002001 "TGK SPI"
expect_q rs 'P("KEMAC", P("TICKET")["Ticket_data"]["payloads"])["Key_data"][0]["role"]' MPK "ticket KEMAC opened"
expect_q rs 'P("TICKET")["Ticket_data"]["derived"]["MPKi_fingerprint"]' \
	"$(q rs 'P("KEMAC")["Key_data"][0]["key_fingerprint"]')" "ticket MPKi = REQUEST_RESP MPKi"
for k in "$TGK" "$MPKI"; do
	if grep -qi "$k" "$W/rs.json"; then tk_fail "key $k printed without --show-keys"; fi
	tk_ok "no key bytes without --show-keys ($k)"
done
run rsk decode --psk "$PSK_A" --init "$S/request-init.hex" --tpk "$TPK" --show-keys "$S/request-resp.hex"
expect_rc 0 "--show-keys"
expect_q rsk 'P("KEMAC")["Key_data"][2]["Key_data"]' "$TGK" "--show-keys prints the TGK"
expect_q rsk 'P("KEMAC")["Key_data"][0]["Key_data"]' "$MPKI" "--show-keys prints MPKi"
run v decode --psk "$PSK_A" --init "$S/request-init.hex" --tpk "$PSK_B" "$S/request-resp.hex"
expect_rc 1 "wrong --tpk: exit 1"
expect_q v 'd["verification"]["ticket"]' FAILED "ticket FAILED"
run v decode --tpk "$TPK" --tpk-id 2 "$S/request-resp.hex"
expect_rc 1 "unknown --tpk-id: exit 1"
expect_q v 'd["verification"]["ticket_error"]' "unknown ticket protection key" "unknown key id named"

run v decode --tpk "$TPK" "$S/transfer-init.hex"
expect_rc 0 "TRANSFER_INIT with --tpk: V by the ticket's MPKi, Vr, Vi"
expect_q v 'd["verification"]' "{'ticket': 'ok', 'Vr': 'ok', 'mac': 'ok', 'Vi': 'ok'}" "ticket, Vr, mac, Vi ok"
run v decode --mpki "$MPKI" "$S/transfer-init.hex"
expect_rc 0 "TRANSFER_INIT with --mpki"
run v decode --mpki "$MPKR_F" "$S/transfer-init.hex"
expect_rc 1 "TRANSFER_INIT with a wrong --mpki"
run v decode --mpki "$MPKR_F" --init "$S/transfer-init.hex" "$S/transfer-resp.hex"
expect_rc 0 "TRANSFER_RESP with MPKr' and --init"
run v decode --mpki "$MPKR_F" --init "$S/request-init.hex" "$S/transfer-resp.hex"
expect_rc 1 "TRANSFER_RESP with the wrong --init"
run rr decode --psk "$PSK_B" --init "$S/resolve-init.hex" "$S/resolve-resp.hex"
expect_rc 0 "RESOLVE_RESP: MAC and KEMAC"
expect_q rr '[k.get("role") for k in P("KEMAC")["Key_data"]]' "['MPKi', \"MPKr'\", None]" "RESOLVE_RESP key roles"
if grep -qi "$MPKR_F" "$W/rr.json"; then tk_fail "MPKr' printed without --show-keys"; fi
tk_ok "RESOLVE_RESP: no key bytes without --show-keys"
run v decode --psk "$PSK_A" --init "$S/request-init.hex" "$S/error.hex"
expect_rc 0 "Error MACed with the failed message's key set"
run v decode --psk "$PSK_B" --init "$S/request-init.hex" "$S/error.hex"
expect_rc 1 "Error with a wrong key"
run v decode --psk "$PSK_A" "$S/transfer-init.hex"
expect_rc 0 "--psk does not apply to TRANSFER_INIT"
expect_q v 'd["verification"]["mac"]' "not checked" "inapplicable key: not checked"

# ---- malformed input: exit 2, one line on stderr ----
head -c 150 "$W/request-init.bin" >"$W/trunc.bin"
run bad decode "$W/trunc.bin"
expect_rc 2 "truncated message: exit 2"
tk_expect_eq "$(wc -l <"$W/bad.err" | tr -d ' ')" 1 "one line on stderr"
grep -Eq "^tkms-mikey: $W/trunc.bin: message truncated at offset [0-9]+\$" "$W/bad.err" ||
	tk_fail "truncation reason: $(cat "$W/bad.err")"
tk_ok "reason names file, error and offset: $(cat "$W/bad.err")"
tk_expect_eq "$(wc -c <"$W/bad.json" | tr -d ' ')" 0 "nothing on stdout"
{ cat "$W/request-init.bin"; printf 'x'; } >"$W/trail.bin"
run bad decode "$W/trail.bin"
expect_rc 2 "trailing byte: exit 2"
run bad --format b64 decode "$W/request-init.bin"
expect_rc 2 "binary read as --format b64: exit 2"
printf '0102zz\n' >"$W/badhex.txt"
run bad --format hex decode "$W/badhex.txt"
expect_rc 2 "bad hex: exit 2"
python3 -c 'import sys; sys.stdout.buffer.write(b"\x01" * 70000)' >"$W/big.bin"
run bad decode "$W/big.bin"
expect_rc 2 "input above 64 KiB: exit 2"
run bad decode "$W/does-not-exist"
expect_rc 2 "missing file: exit 2"

# ---- usage: exit 64 ----
run u; expect_rc 64 "no command"
run u frobnicate; expect_rc 64 "unknown command"
run u decode --bogus "$S/error.hex"; expect_rc 64 "unknown option"
run u decode --format xml "$S/error.hex"; expect_rc 64 "bad --format"
run u decode --psk 12z "$S/error.hex"; expect_rc 64 "bad --psk hex"
run u decode --ids x=1 "$S/error.hex"; expect_rc 64 "bad --ids"
run u decode a b; expect_rc 64 "two files"
run h --help; expect_rc 0 "--help"
grep -q -- '--show-keys' "$W/h.json" || tk_fail "--help lacks --show-keys"
tk_ok "--help lists the options"

# ---- the demo's main job ----
set +e; sh "$TK_SRCDIR/contrib/demo.sh" "$TK_BUILDDIR" >"$W/demo.out" 2>&1; rc=$?; set -e
expect_rc 0 "contrib/demo.sh runs"
grep -q REQUEST_INIT_PSK "$W/demo.out" || tk_fail "demo output"
tk_ok "demo prints the decoded REQUEST_INIT"

tk_done
