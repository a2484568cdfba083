#!/bin/sh
# tkms-bench.sh: tkms-bench against a real tkmsd and bsf-stub, briefly, in
# each mode (PSK-TLS 1.2 and 1.3 keep-alive, a new connection per exchange,
# plain HTTP; request, resolve and both; --count): every exchange verified,
# no failure, a non-zero rate, server CPU and RSS read from /proc.  No timing
# assertions (figures: docs/benchmarks.md).  Then the failures it must see:
# keys for another NAF fail the PSK-TLS handshake, and on plain HTTP the
# KMS refuses the MIKEY MAC (403); both make tkms-bench exit 1.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init tkms-bench
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
BENCH="$TK_BUILDDIR/src/tools/tkms-bench"
[ -x "$TKMSD" ] || tk_fail "$TKMSD not built"
[ -x "$BENCH" ] || tk_fail "$BENCH not built"
# bsf-stub with the five demo subscribers (same keys as its embedded set,
# which tkms-bench knows) and three more, for --subscribers / --users 8.
subs() {
	printf '{ "subscribers": [\n'
	i=1
	for n in alice bob carol dave eve frank grace heidi; do
		[ $i -gt 1 ] && printf ',\n'
		printf '{ "impi": "%s@home1.net", "k": "465b5ce8b199b49faa5f0a2ee238a6%02x",' $n $i
		printf ' "opc": "cd63cb71954a9f4e48a5994e37a02baf", "amf": "8000", "sqn": "000000000020",'
		printf ' "guss": { "uiccType": "GBA", "lifeTime": 3600, "uss": [ { "id": "1", "type": 0,'
		printf ' "gsid": "0", "nafGroup": null, "uids": [ "sip:%s@home1.net" ], "flags": [] } ] } }' $n
		i=$((i + 1))
	done
	printf '\n] }\n'
}
subs >"$TK_TMP/subs.json"
tk_start_bsf --subscribers "$TK_TMP/subs.json"

P_PSK=$(tk_free_port); P_HTTP=$(tk_free_port)
cat >"$TK_TMP/kms.json" <<EOF
{ "listeners": {
    "psk":   { "listen": "127.0.0.1:$P_PSK" },
    "https": { "enabled": false },
    "http":  { "enabled": true, "listen": "127.0.0.1:$P_HTTP" } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "keyring": "$TK_TMP/keyring.json",
  "audit": { "path": "$TK_TMP/audit.log" },
  "pid_file": "$TK_TMP/tkmsd.pid",
  "replay_cache_size": 3000000, "policy": { "clock_skew": 60 },
  "log": { "level": "warning" } }
EOF
# The replay cache holds every message for up to 2 x clock_skew (P-9); the
# default 1e6 entries with +-300 s would refuse (503) after a few runs at full
# speed, so the test sizes it for the whole test.
tk_start kms "$TKMSD" --config "$TK_TMP/kms.json"
tk_wait_http "http://127.0.0.1:$P_HTTP/healthz" 10 kms
i=0
while [ ! -s "$TK_TMP/tkmsd.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TK_TMP/tkmsd.pid" ] || tk_fail "tkmsd wrote no pid file"

# bench NAME ARGS...: one short run; output in $TK_TMP/NAME.out, exit status in RC
bench() {
	_n=$1; shift
	timeout 120 "$BENCH" --bsf "$BSF_UB_URL" --users 2 --threads 2 --connections 4 "$@" \
		>"$TK_TMP/$_n.out" 2>&1
	RC=$?
	RESULT=$(sed -n 's/^result: //p' "$TK_TMP/$_n.out")
}
field() { printf '%s\n' "$RESULT" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# bench_ok NAME MSG ARGS...: exit 0, failed=0, exchanges > 0 (and = COUNT if set)
bench_ok() {
	_n=$1; _m=$2; shift 2
	bench "$_n" "$@"
	[ "$RC" -eq 0 ] || tk_fail "$_m: exit $RC: $(tail -n 12 "$TK_TMP/$_n.out")"
	[ -n "$RESULT" ] || tk_fail "$_m: no result line: $(tail -n 5 "$TK_TMP/$_n.out")"
	tk_expect_eq "$(field failed)" 0 "$_m: no failed exchange"
	[ "$(field exchanges)" -gt 0 ] || tk_fail "$_m: no exchange"
	[ "$(field rate)" -gt 0 ] || tk_fail "$_m: rate 0"
	tk_ok "$_m: $(field exchanges) exchanges, $(field rate)/s"
}

bench_ok keepalive "PSK-TLS 1.2 keep-alive, REQUEST_INIT" \
	--kms "127.0.0.1:$P_PSK" --seconds 2 --pid-file "$TK_TMP/tkmsd.pid"
grep -q '^tkms-bench: TLS 1.2 suite psk (00a8, Ua 01000100a8), keep-alive' "$TK_TMP/keepalive.out" ||
	tk_fail "suite line: $(head -n 3 "$TK_TMP/keepalive.out")"
tk_expect_eq "$(sed -n 's/^connections opened: //p' "$TK_TMP/keepalive.out")" 4 \
	"keep-alive: 4 connections for all exchanges"
cpu=$(field server_cpu_us)
case $cpu in ''|-*) tk_fail "server CPU per exchange not measured: $RESULT" ;; esac
[ "$(field rss_start_kb)" -gt 0 ] && [ "$(field rss_end_kb)" -gt 0 ] ||
	tk_fail "server VmRSS not read: $RESULT"
tk_ok "server CPU ($cpu us/exchange) and VmRSS read from /proc"
grep -q '^latency (us, [0-9]* answers): p50 [0-9]*  p99 [0-9]*  p99.9 [0-9]*  max [0-9]*' \
	"$TK_TMP/keepalive.out" || tk_fail "no latency line: $(cat "$TK_TMP/keepalive.out")"
tk_ok "latency percentiles printed"
n=$(grep -c '"operation":"request","result":"ok"' "$TK_TMP/audit.log" || true)
[ "$n" -gt 0 ] || tk_fail "tkmsd audited no issued ticket: $(head -c 300 "$TK_TMP/audit.log")"
tk_ok "tkmsd audited $n issued tickets"

bench_ok resolve "PSK-TLS 1.2 keep-alive, RESOLVE_INIT" \
	--kms "127.0.0.1:$P_PSK" --seconds 2 --mix resolve --server-pid "$(cat "$TK_TMP/tkmsd.pid")"
bench_ok tls13 "PSK-TLS 1.3, prefixed identity, both, 256-bit set" \
	--kms "127.0.0.1:$P_PSK" --seconds 2 --mix both --algs 256 --tls tls13 --identity prefixed
bench_ok newconn "PSK-TLS new connection per exchange" \
	--kms "127.0.0.1:$P_PSK" --seconds 2 --new-connection
[ "$(sed -n 's/^connections opened: //p' "$TK_TMP/newconn.out")" -eq "$(field exchanges)" ] ||
	tk_fail "new-connection: connections != exchanges: $(cat "$TK_TMP/newconn.out")"
tk_ok "new-connection: one connection per exchange"
bench_ok ecdhe "PSK-TLS 1.2 ECDHE-PSK new connection, resolve" \
	--kms "127.0.0.1:$P_PSK" --seconds 2 --new-connection --tls ecdhe-psk --mix resolve
grep -q 'suite ecdhe-psk (ccac, Ua 010001ccac)' "$TK_TMP/ecdhe.out" || tk_fail "ecdhe suite line"
bench_ok plain "plain HTTP keep-alive, both" \
	--kms "127.0.0.1:$P_HTTP" --plain --seconds 2 --mix both
bench_ok chain "PSK-TLS keep-alive, chain (each ticket resolved right after issue)" \
	--kms "127.0.0.1:$P_PSK" --seconds 2 --mix chain
bench_ok users8 "8 subscribers from --subscribers, both" \
	--kms "127.0.0.1:$P_PSK" --seconds 2 --mix both --subscribers "$TK_TMP/subs.json" --users 8 \
	--connections 8 -v
[ "$(grep -c 'bootstrapped, B-TID' "$TK_TMP/users8.out")" -eq 8 ] ||
	tk_fail "8 subscribers not bootstrapped: $(head -n 12 "$TK_TMP/users8.out")"
grep -q 'heidi@home1.net bootstrapped' "$TK_TMP/users8.out" || tk_fail "heidi not bootstrapped"
tk_ok "--subscribers --users 8: eight B-TIDs"
bench_ok count "--count 300" --kms "127.0.0.1:$P_PSK" --count 300 --connections 3
tk_expect_eq "$(field exchanges)" 300 "--count 300 sends exactly 300"

# Failures must be seen and make the exit status 1.
bench wrongnaf --kms "127.0.0.1:$P_PSK" --seconds 1 --fqdn naf.home1.net
tk_expect_eq "$RC" 1 "keys for another NAF: exit 1"
grep -q '^failures tls: [1-9]' "$TK_TMP/wrongnaf.out" || tk_fail "no tls failures: $(cat "$TK_TMP/wrongnaf.out")"
tk_ok "keys for another NAF: PSK-TLS handshake failures counted"
bench wrongmac --kms "127.0.0.1:$P_HTTP" --plain --seconds 1 --fqdn naf.home1.net
tk_expect_eq "$RC" 1 "MIKEY key for another NAF on plain HTTP: exit 1"
grep -q '^failures http-status: [1-9][0-9]* (first: HTTP 403 to REQUEST_INIT: MIKEY Error 0)' \
	"$TK_TMP/wrongmac.out" || tk_fail "no 403 failures: $(cat "$TK_TMP/wrongmac.out")"
tk_ok "MIKEY key for another NAF: 403 with Error 0 counted"
bench noserver --kms "127.0.0.1:$(tk_free_port)" --plain --count 5
tk_expect_eq "$RC" 1 "no KMS listening: exit 1"
grep -q '^failures connect: 5 ' "$TK_TMP/noserver.out" || tk_fail "connect failures: $(cat "$TK_TMP/noserver.out")"
tk_ok "no KMS listening: connect failures counted"
bench badmix --kms "127.0.0.1:$P_PSK" --mix sideways
tk_expect_eq "$RC" 2 "unknown --mix: usage error, exit 2"
grep -q -- '--mix request|resolve|both' "$TK_TMP/badmix.out" || tk_fail "no usage message"
tk_done
