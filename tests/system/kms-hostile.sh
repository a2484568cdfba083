#!/bin/sh
# kms-hostile.sh: 200+ malformed or hostile requests against tkmsd (run under
# valgrind when it is installed): every truncation length of a real
# REQUEST_INIT_PSK, single-octet flips all over it, random bodies, wrong
# content types and methods, bodies above 64 KiB, unknown paths, and a few
# slowloris connections (headers dribbled one octet at a time, bounded to a
# few seconds) while a real UE is served. Each request gets a 4xx (never
# 200 for a spoiled message, never 5xx); afterwards the daemon still issues
# tickets, exits cleanly, and valgrind reports no error and no definite leak.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-hostile
UE="$TK_BUILDDIR/src/ue/tkms-ue"
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
KC="$TK_BUILDDIR/tests/system/kms-client"
for p in "$UE" "$TKMSD" "$KC"; do [ -x "$p" ] || tk_fail "$p not built"; done
K1=465b5ce8b199b49faa5f0a2ee238a6
OPC=cd63cb71954a9f4e48a5994e37a02baf
tk_start_bsf

P_HTTP=$(tk_free_port)
cat >"$TK_TMP/kms.json" <<EOF
{ "listeners": { "psk": { "enabled": false }, "https": { "enabled": false },
    "http":  { "enabled": true, "listen": "127.0.0.1:$P_HTTP" } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "keyring": "$TK_TMP/keyring.json", "audit": { "path": "$TK_TMP/audit.log" },
  "replay_cache_size": 10000,
  "limits": { "threads": 2, "connections": 64, "connection_timeout": 3 },
  "log": { "level": "warning" } }
EOF
VG=""
if command -v valgrind >/dev/null 2>&1 && [ -z "${TK_NO_VALGRIND:-}" ]; then
	VG="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --log-file=$TK_TMP/vg.log"
fi
tk_start kms $VG "$TKMSD" --config "$TK_TMP/kms.json"
HTTP="http://127.0.0.1:$P_HTTP"
tk_wait_http "$HTTP/healthz" 60 kms
[ -n "$VG" ] && tk_ok "tkmsd runs under valgrind"

"$UE" --state "$TK_TMP/alice.state" bootstrap --bsf "$BSF_UB_URL" --impi alice@home1.net \
	--k "${K1}01" --opc "$OPC" >"$TK_TMP/out" 2>&1 || tk_fail "bootstrap: $(cat "$TK_TMP/out")"
good() { # a valid request, answered 200
	"$KC" --state "$TK_TMP/alice.state" --kms "$HTTP" request --impu sip:alice@home1.net \
		--to sip:bob@home1.net >"$TK_TMP/kc.out" 2>&1
	grep -q '^status=200' "$TK_TMP/kc.out"
}
good || tk_fail "a valid request before the storm: $(cat "$TK_TMP/kc.out")"
# The spoiled messages start from a real request that the KMS has not seen.
"$KC" --state "$TK_TMP/alice.state" --kms "http://127.0.0.1:1" --save-req "$TK_TMP/base" \
	request --impu sip:alice@home1.net --to sip:bob@home1.net >/dev/null 2>&1
LEN=$(stat -c %s "$TK_TMP/base" 2>/dev/null)
[ "${LEN:-0}" -gt 100 ] || tk_fail "no base request"

# One curl process, one request per config block; the expected statuses
# (a space-separated set per line) go to exp.
D="$TK_TMP/h"; mkdir -p "$D"
n=0
: >"$TK_TMP/curl.cfg"; : >"$TK_TMP/exp"
add() { # EXPECTED FILE [CURL-CONFIG-LINES...]
	_x=$1; _f=$2; shift 2
	[ $n -gt 0 ] && echo next >>"$TK_TMP/curl.cfg"
	{
		echo "url = \"${TK_URL:-$HTTP/mikey}\""
		[ -n "$_f" ] && echo "data-binary = \"@$_f\""
		for _l in "$@"; do echo "$_l"; done
		echo 'output = "/dev/null"'
		echo 'write-out = "%{http_code}\n"'
	} >>"$TK_TMP/curl.cfg"
	echo "$_x" >>"$TK_TMP/exp"
	n=$((n + 1))
}
MT='header = "Content-Type: application/mikey"'
# every 2nd truncation length (0 .. LEN-1): 400
i=0
while [ $i -lt "$LEN" ]; do
	head -c $i "$TK_TMP/base" >"$D/t$i"
	add "400" "$D/t$i" "$MT"
	i=$((i + 2))
done
# 60 single-octet flips: refused somewhere between parse and MAC
i=0
while [ $i -lt 60 ]; do
	off=$(( (i * 7919) % LEN ))
	cp "$TK_TMP/base" "$D/f$i"
	b=$(od -An -tu1 -j "$off" -N1 "$D/f$i" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$D/f$i" bs=1 seek="$off" count=1 conv=notrunc 2>/dev/null
	add "400 401 403" "$D/f$i" "$MT"
	i=$((i + 1))
done
# 30 random bodies of 1..3000 octets
i=0
while [ $i -lt 30 ]; do
	head -c $(( (i * 997) % 3000 + 1 )) /dev/urandom >"$D/r$i"
	add "400" "$D/r$i" "$MT"
	i=$((i + 1))
done
# wrong content types, methods, paths, oversize bodies
for ct in text/plain application/json application/mikeyx application/octet-stream "" \
	'application/mi key' multipart/form-data application/x-www-form-urlencoded image/png 'a/b'; do
	add "415" "$TK_TMP/base" "header = \"Content-Type: $ct\""
done
for m in GET PUT DELETE PATCH OPTIONS; do add "405" "" "request = \"$m\""; done
head -c 65537 /dev/urandom >"$D/big1"; head -c 200000 /dev/zero >"$D/big2"
for f in big1 big2 big1 big2 big1; do add "413" "$D/$f" "$MT"; done
for p in /mikey/ /MIKEY /mikey/x /mikeys /mikey.php /admin /keyring /%00 /healthz/x /.well-known; do
	TK_URL="$HTTP$p" add "404 400" "$TK_TMP/base" "$MT"
done
tk_expect_eq "$([ $n -ge 200 ] && echo yes)" yes "at least 200 hostile requests prepared ($n)"

# slowloris: 5 connections dribbling headers, 4 s at most each
perl -MIO::Socket::INET -e '
	my @s = map { IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) } 1..5;
	my $h = "POST /mikey HTTP/1.1\r\nHost: kms\r\nContent-Type: application/mikey\r\nContent-Length: 100\r\n";
	my $end = time + 4;
	for (my $i = 0; $i < length($h) && time < $end; $i++) {
		for my $s (@s) { next unless $s; $s->send(substr($h, $i, 1)) or undef $s; }
		select(undef, undef, undef, 0.1);
	}' "$P_HTTP" 2>/dev/null &
slow=$!

curl -s --connect-timeout 5 --max-time 120 -K "$TK_TMP/curl.cfg" >"$TK_TMP/got" 2>/dev/null
good || tk_fail "a valid request while slowloris connections hang: $(cat "$TK_TMP/kc.out")"
tk_ok "a valid request is served while slow clients hold connections"
wait $slow

# compare, line by line
bad=0; i=0
while read -r want && read -r got <&3; do
	i=$((i + 1))
	case " $want " in *" $got "*) ;; *) bad=$((bad + 1)); echo "request $i: got $got, want $want" >&2 ;; esac
done <"$TK_TMP/exp" 3<"$TK_TMP/got"
tk_expect_eq "$(wc -l <"$TK_TMP/got" | tr -d ' ')" "$n" "an answer for every hostile request"
tk_expect_eq "$bad" 0 "every hostile request refused with the expected 4xx"
grep -q '^5' "$TK_TMP/got" && tk_fail "a 5xx answer"
tk_ok "no 5xx"
tk_alive kms || tk_fail "tkmsd died"
good || tk_fail "a valid request after the storm: $(cat "$TK_TMP/kc.out")"
tk_ok "tkmsd still issues tickets after the storm"
tk_stop kms
tk_expect_eq "$TK_LAST_RC" 0 "clean exit (valgrind: no error, no definite leak)"
if [ -n "$VG" ]; then
	grep -q 'ERROR SUMMARY: 0 errors' "$TK_TMP/vg.log" || tk_fail "valgrind: $(tail -n 20 "$TK_TMP/vg.log")"
	tk_ok "valgrind ERROR SUMMARY: 0 errors"
fi
tk_done
