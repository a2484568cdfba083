#!/bin/sh
# kms-scaleout.sh: two tkmsd instances sharing one key ring file and one BSF
# behind HAProxy in TCP mode (PSK-TLS passes through untouched; issue 6
# item 6; docs/operations.md "Scale-out"):
#  - a ticket issued by one instance resolves at the other, addressed
#    directly (the audit logs of both show the same ticket fingerprint), and
#    through HAProxy;
#  - a load run through HAProxy (tkms-bench --mix chain, a new connection per
#    exchange, so requests and resolves land on both instances) reaches both;
#  - during such a run, and a keep-alive run next to it, instance A is
#    killed (SIGKILL): each bench reports the exchanges that were in flight
#    as transport failures (connect, tls, io, timeout) and no wrong answer at
#    all; both go on at B; HAProxy marks A down (its retry / redispatch
#    counters are printed); every ticket
#    issued before the kill, by A or through HAProxy, resolves at B; runs
#    after the kill (new connections and keep-alive) have no failure;
#  - rotating the shared key ring in two phases (add + SIGHUP both, then
#    make-current + SIGHUP both): a ticket sealed under the new key by the
#    instance that reloaded first resolves at the other; in one phase only
#    (add --current, one instance reloaded) the other refuses it (403) until
#    it reloads too;
#  - replay protection is per instance (the documented choice): the same
#    REQUEST_INIT twice at A is refused (400, MIKEY Error 1); at A and then
#    at B it is accepted by B, which audits the second issue; its answer is
#    useless without the requester's Ks_NAF (tkms-mikey cannot open it).
# No timing assertions; bounded waits only.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-scaleout
. "$TK_SRCDIR/tests/system/call-common.sh"
BENCH="$TK_BUILDDIR/src/tools/tkms-bench"
KC="$TK_BUILDDIR/tests/system/kms-client"
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
for p in "$BENCH" "$KC"; do [ -x "$p" ] || tk_fail "$p not built"; done
[ -x "$HAPROXY" ] || tk_fail "$HAPROXY missing (Debian package haproxy, contrib/debian-packages.txt)"
KR="$TK_TMP/keyring.json"

tk_start_bsf
"$TKMSD" keyring create --keyring "$KR" >"$TK_TMP/out" 2>&1 || tk_fail "keyring create: $(cat "$TK_TMP/out")"
# kms_config NAME: a tkmsd on free ports (PSK-TLS for UEs, plain HTTP for the
# balancer's health check), the shared key ring, its own audit log
kms_config() {
	eval "P_PSK_$1=\$(tk_free_port); P_HTTP_$1=\$(tk_free_port)"
	eval "_psk=\$P_PSK_$1; _http=\$P_HTTP_$1"
	cat >"$TK_TMP/kms$1.json" <<EOF
{ "fqdn": "kms.home1.net",
  "listeners": {
    "psk":   { "listen": "127.0.0.1:$_psk" },
    "https": { "enabled": false },
    "http":  { "enabled": true, "listen": "127.0.0.1:$_http" } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "keyring": "$KR", "audit": { "path": "$TK_TMP/audit$1.log" } }
EOF
	tk_start "kms$1" "$TKMSD" --config "$TK_TMP/kms$1.json"
}
kms_config A
kms_config B
tk_wait_http "http://127.0.0.1:$P_HTTP_A/healthz" 10 kmsA
tk_wait_http "http://127.0.0.1:$P_HTTP_B/healthz" 10 kmsB
A="psk://127.0.0.1:$P_PSK_A"
B="psk://127.0.0.1:$P_PSK_B"

# HAProxy: the layout of contrib/haproxy-tkms.cfg on free loopback ports.
P_LB=$(tk_free_port); P_STATS=$(tk_free_port)
cat >"$TK_TMP/haproxy.cfg" <<EOF
global
    maxconn 2000
defaults
    mode tcp
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    retries 3
    option redispatch 1
frontend kms_psk
    bind 127.0.0.1:$P_LB
    default_backend kms
backend kms
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect status 200
    server a 127.0.0.1:$P_PSK_A check port $P_HTTP_A inter 200 fall 2 rise 2
    server b 127.0.0.1:$P_PSK_B check port $P_HTTP_B inter 200 fall 2 rise 2
listen stats
    mode http
    bind 127.0.0.1:$P_STATS
    stats enable
    stats uri /stats
EOF
"$HAPROXY" -c -q -f "$TK_TMP/haproxy.cfg" >"$TK_TMP/out" 2>&1 || tk_fail "haproxy -c: $(cat "$TK_TMP/out")"
"$HAPROXY" -c -q -f "$TK_SRCDIR/contrib/haproxy-tkms.cfg" >"$TK_TMP/out" 2>&1 ||
	tk_fail "haproxy -c contrib/haproxy-tkms.cfg: $(cat "$TK_TMP/out")"
tk_ok "haproxy -c accepts contrib/haproxy-tkms.cfg and the generated configuration"
tk_start haproxy "$HAPROXY" -f "$TK_TMP/haproxy.cfg" -db
tk_wait_http "http://127.0.0.1:$P_STATS/stats" 10 haproxy
LB="psk://127.0.0.1:$P_LB"
# lb_status SERVER: UP / DOWN / ... as HAProxy's stats CSV says
lb_status() { curl -s --max-time 5 "http://127.0.0.1:$P_STATS/stats;csv" | awk -F, -v s="$1" '$1 == "kms" && $2 == s { print $18 }'; }
# lb_wait SERVER STATUS: bounded wait
lb_wait() {
	_i=0
	until lb_status "$1" | grep -q "^$2"; do
		_i=$((_i + 1)); [ $_i -lt 200 ] || tk_fail "HAProxy: server $1 not $2 ($(lb_status "$1"))"
		sleep 0.1
	done
}
lb_wait a UP
lb_wait b UP
tk_ok "HAProxy (TCP mode) up with both instances healthy (/healthz checks)"

boot alice 01
boot bob 02
# ticket NAME KMS: alice asks for a ticket for bob; TRANSFER_INIT in $TK_TMP/NAME.ti
ticket() {
	run "ticket $1" ue alice request --call "$TK_TMP/$1.call" --impu sip:alice@home1.net \
		--to sip:bob@home1.net --kms "$2" --kms-fqdn kms.home1.net
	run "transfer-init $1" ue alice transfer-init --call "$TK_TMP/$1.call" --out "$TK_TMP/$1.ti"
}
# resolve NAME KMS: bob resolves ticket NAME
resolve() {
	ue bob resolve --call "$TK_TMP/$1.$$.call" --in "$TK_TMP/$1.ti" --impu sip:bob@home1.net \
		--kms "$2" --kms-fqdn kms.home1.net --json >"$TK_TMP/out" 2>&1
	_rc=$?
	rm -f "$TK_TMP/$1.$$.call"
	return $_rc
}
# fp AUDIT OPERATION: ticket fingerprint of the last ok line of that operation
fp() { grep "\"operation\":\"$2\",\"result\":\"ok\"" "$1" | tail -n 1 | sed -n 's/.*"ticket_fingerprint":"\([0-9a-f]*\)".*/\1/p'; }

# ---- one key ring, two instances ---------------------------------------------------
ticket tA "$A"
resolve tA "$B" || tk_fail "ticket of A resolved at B: $(cat "$TK_TMP/out")"
F1=$(fp "$TK_TMP/auditA.log" request); F2=$(fp "$TK_TMP/auditB.log" resolve)
[ -n "$F1" ] && [ "$F1" = "$F2" ] || tk_fail "fingerprints: issued at A '$F1', resolved at B '$F2'"
tk_ok "ticket issued by A resolves at B (fingerprint $F1 in both audit logs)"
ticket tB "$B"
resolve tB "$A" || tk_fail "ticket of B resolved at A: $(cat "$TK_TMP/out")"
tk_expect_eq "$(fp "$TK_TMP/auditA.log" resolve)" "$(fp "$TK_TMP/auditB.log" request)" \
	"ticket issued by B resolves at A (same fingerprint)"
ticket tL "$LB"
resolve tL "$LB" || tk_fail "ticket via HAProxy resolved via HAProxy: $(cat "$TK_TMP/out")"
tk_ok "through HAProxy: ticket issued and resolved (PSK-TLS passed through)"

# ---- replay across instances (per-instance replay caches) ---------------------------
"$KC" --state "$TK_TMP/alice.state" --kms "http://127.0.0.1:1" --save-req "$TK_TMP/r1.mikey" \
	request --impu sip:alice@home1.net --to sip:bob@home1.net >/dev/null 2>&1
"$KC" --state "$TK_TMP/alice.state" --kms "http://127.0.0.1:1" --save-req "$TK_TMP/r2.mikey" \
	request --impu sip:alice@home1.net --to sip:bob@home1.net >/dev/null 2>&1
[ -s "$TK_TMP/r1.mikey" ] && [ -s "$TK_TMP/r2.mikey" ] || tk_fail "kms-client built no REQUEST_INIT"
post() { "$KC" --state "$TK_TMP/alice.state" --kms "$2" --body "$3" post --in "$1" 2>&1 | sed -n 's/^status=\([0-9]*\).*/\1/p'; }
tk_expect_eq "$(post "$TK_TMP/r1.mikey" "$A" "$TK_TMP/r1.a1")" 200 "REQUEST_INIT at A: 200"
tk_expect_eq "$(post "$TK_TMP/r1.mikey" "$A" "$TK_TMP/r1.a2")" 400 "the same REQUEST_INIT again at A: 400"
tk_expect_eq "$(mfield "$TK_TMP/r1.a2" Error_no)" "Invalid TS" "... with MIKEY Error 1 (Invalid TS / replay, P-9)"
tk_expect_eq "$(post "$TK_TMP/r2.mikey" "$A" "$TK_TMP/r2.a")" 200 "another REQUEST_INIT at A: 200"
nB=$(grep -c '"operation":"request","result":"ok"' "$TK_TMP/auditB.log")
tk_expect_eq "$(post "$TK_TMP/r2.mikey" "$B" "$TK_TMP/r2.b")" 200 \
	"the same REQUEST_INIT replayed at B: 200 (per-instance replay cache, documented)"
tk_expect_eq "$(grep -c '"operation":"request","result":"ok"' "$TK_TMP/auditB.log")" $((nB + 1)) \
	"B audits the second issue"
tail -n 1 "$TK_TMP/auditB.log" | grep -q "\"impi\":\"alice@home1.net\"" || tk_fail "B's audit line: $(tail -n 1 "$TK_TMP/auditB.log")"
"$MIKEY" decode --init "$TK_TMP/r2.mikey" "$TK_TMP/r2.b" >"$TK_TMP/dec.plain" 2>&1
KS=$(ue alice naf-key --naf kms.home1.net --ua 0100000006) || tk_fail "naf-key"
"$MIKEY" decode --psk "$KS" --init "$TK_TMP/r2.mikey" "$TK_TMP/r2.b" >"$TK_TMP/dec.psk" 2>&1 ||
	tk_fail "decode with alice's Ks_NAF: $(tail -n 3 "$TK_TMP/dec.psk")"
grep -q '"MPK\|"TGK' "$TK_TMP/dec.psk" || tk_fail "with Ks_NAF the KEMAC opens: $(grep -i kemac "$TK_TMP/dec.psk" | head -n 3)"
grep -q '"MPK\|"TGK' "$TK_TMP/dec.plain" && tk_fail "without Ks_NAF the KEMAC opened"
tk_ok "B's answer to the replay: its KEMAC opens only with the requester's Ks_NAF"

# ---- rotating a shared key ring: two phases --------------------------------------------
# hup NAME: SIGHUP instance NAME and wait (bounded) for its next reload
hup() { tk_hup "kms$1" 'SIGHUP: .* reloaded: ticket engine'; }
"$TKMSD" keyring add --keyring "$KR" >"$TK_TMP/out" 2>&1 || tk_fail "add: $(cat "$TK_TMP/out")"
hup A; hup B
"$TKMSD" keyring make-current 2 --keyring "$KR" >"$TK_TMP/out" 2>&1 || tk_fail "make-current: $(cat "$TK_TMP/out")"
hup A
ticket r2 "$A"
tk_expect_eq "$(mfield "$TK_TMP/r2.ti" key_id)" 2 "phase 2 reached A: A seals with key 2"
resolve r2 "$B" || tk_fail "key-2 ticket at B (key 2 known, not yet current there): $(cat "$TK_TMP/out")"
tk_ok "two-phase rotation: B, which learnt key 2 in phase 1, resolves A's key-2 ticket before its own phase 2"
hup B
ticket r2b "$B"
tk_expect_eq "$(mfield "$TK_TMP/r2b.ti" key_id)" 2 "phase 2 reached B: B seals with key 2"
# The hazard the two phases avoid: add --current and reload A only.
"$TKMSD" keyring add --current --keyring "$KR" >"$TK_TMP/out" 2>&1 || tk_fail "add --current: $(cat "$TK_TMP/out")"
hup A
ticket r3 "$A"
tk_expect_eq "$(mfield "$TK_TMP/r3.ti" key_id)" 3 "one-phase rotation reached A: key 3"
resolve r3 "$B" && tk_fail "B resolved a ticket under a key it has not loaded"
tk_expect_eq "$(jget "$TK_TMP/out" http_status)/$(jget "$TK_TMP/out" mikey_error)" 403/0 \
	"one phase only: B refuses A's key-3 ticket until it reloads (403, Error 0)"
hup B
resolve r3 "$B" || tk_fail "key-3 ticket at B after its reload: $(cat "$TK_TMP/out")"
tk_ok "after B's reload the key-3 ticket resolves there (nothing lost, but refused meanwhile)"

# ---- load through HAProxy, then A is killed -------------------------------------------
cat >"$TK_TMP/subs.json" <<EOF
{ "subscribers": [
  { "impi": "carol@home1.net", "k": "${K1}03", "opc": "$OPC" },
  { "impi": "dave@home1.net", "k": "${K1}04", "opc": "$OPC" },
  { "impi": "eve@home1.net", "k": "${K1}05", "opc": "$OPC" } ] }
EOF
BARGS="--bsf $BSF_UB_URL --subscribers $TK_TMP/subs.json --users 3 --threads 1"
# load_at LOG N: bounded wait until audit log LOG has more than N lines
load_at() {
	_i=0
	until [ "$(wc -l <"$1")" -gt "$2" ]; do
		_i=$((_i + 1)); [ $_i -lt 300 ] || tk_fail "no load reached $1"
		for _b in bench benchka; do
			tk_alive $_b || tk_fail "$_b ended early: $(tail -n 5 "$TK_TMP/$_b.log")"
		done
		sleep 0.1
	done
}
# ka_progress: exchanges so far of the keep-alive bench (its last sample line)
ka_progress() {
	_v=$(sed -n 's/^sample: .* exchanges=\([0-9]*\) .*/\1/p' "$TK_TMP/benchka.log" | tail -n 1)
	echo "${_v:-0}"
}
# tickets issued before the kill: by A directly, and through HAProxy
ticket k1 "$A"
ticket k2 "$LB"
ticket k3 "$LB"
nA=$(wc -l <"$TK_TMP/auditA.log"); nB=$(wc -l <"$TK_TMP/auditB.log")
# Two runs through HAProxy: a new connection per exchange (spread by the
# balancer exchange by exchange) and keep-alive (4 connections, pinned to an
# instance each until it dies); both stopped with SIGTERM below.
tk_start bench "$BENCH" --kms "127.0.0.1:$P_LB" $BARGS --connections 4 --new-connection \
	--mix chain --seconds 120 --timeout 5000
tk_start benchka "$BENCH" --kms "127.0.0.1:$P_LB" $BARGS --connections 4 \
	--mix chain --seconds 120 --timeout 5000 --sample 1
load_at "$TK_TMP/auditA.log" "$((nA + 20))"
load_at "$TK_TMP/auditB.log" "$((nB + 20))"
tk_ok "load through HAProxy (new connections and keep-alive) reaches both instances"
kill -KILL "$(tk__pid kmsA)"
wait "$(tk__pid kmsA)" 2>/dev/null
rm -f "$TK_TMP/kmsA.pid"
lb_wait a DOWN
nB=$(wc -l <"$TK_TMP/auditB.log")
load_at "$TK_TMP/auditB.log" "$((nB + 200))"
# the keep-alive run goes on too (its connections to A reopened to B)
k0=$(ka_progress); _i=0
until [ "$(ka_progress)" -gt "$((k0 + 100))" ]; do
	_i=$((_i + 1)); [ $_i -lt 300 ] || tk_fail "keep-alive run stalled after the kill at $k0"
	tk_alive benchka || tk_fail "benchka ended early: $(tail -n 5 "$TK_TMP/benchka.log")"
	sleep 0.1
done
STATS=$(curl -s --max-time 5 "http://127.0.0.1:$P_STATS/stats;csv" | awk -F, '$1 == "kms" && $2 == "BACKEND" { print "wretr " $16 ", wredis " $17 }')
f() { printf '%s\n' "$R" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
for b in bench benchka; do
	tk_stop $b
	R=$(sed -n 's/^result: //p' "$TK_TMP/$b.log")
	[ -n "$R" ] || tk_fail "$b: no result: $(tail -n 5 "$TK_TMP/$b.log")"
	tk_expect_eq "$(f answer_failed)" 0 "$b run across the kill: no wrong answer ($(f exchanges) exchanges)"
	[ "$(f failed)" -eq "$(f transport_failed)" ] || tk_fail "$b: failed $(f failed) != transport $(f transport_failed)"
	tk_ok "$b run across the kill: $(f transport_failed) transport failures (in flight at A when it died), reported apart"
done
tk_ok "HAProxy backend counters after the kill: $STATS"

for t in tA tB tL r2 r2b r3 k1 k2 k3; do
	resolve $t "$B" || tk_fail "ticket $t issued before the kill, at B: $(cat "$TK_TMP/out")"
	resolve $t "$LB" || tk_fail "ticket $t issued before the kill, via HAProxy: $(cat "$TK_TMP/out")"
done
tk_ok "every ticket issued before the kill (by A, by B, through HAProxy) resolves at the survivor, directly and through HAProxy"

# runs after the kill: no failure at all
for mode in new-connection keep-alive; do
	extra=""; [ $mode = new-connection ] && extra=--new-connection
	timeout 120 "$BENCH" --kms "127.0.0.1:$P_LB" $BARGS --connections 4 $extra --mix chain \
		--count 400 >"$TK_TMP/after-$mode.out" 2>&1
	rc=$?
	R=$(sed -n 's/^result: //p' "$TK_TMP/after-$mode.out")
	[ -n "$R" ] || tk_fail "bench after the kill: $(tail -n 5 "$TK_TMP/after-$mode.out")"
	tk_expect_eq "$rc/$(f exchanges)/$(f failed)" "0/400/0" "run after the kill ($mode, chain): exit/exchanges/failed"
done
ticket k4 "$LB"
resolve k4 "$LB" || tk_fail "new ticket after the kill: $(cat "$TK_TMP/out")"
tk_ok "tkms-ue through HAProxy after the kill: issue and resolve"

tk_stop haproxy
tk_stop kmsB
tk_expect_eq "$TK_LAST_RC" 0 "tkmsd B clean exit"
tk_done
