#!/bin/sh
# kms-rotate.sh: Ticket Protection Key rotation without downtime (P-10,
# issue 6 item 5). tkmsd serves two tkms-bench runs over PSK-TLS while the
# test rotates its key twice (`tkmsd keyring add --current` + SIGHUP) and
# once offers it a broken key ring file:
#  - resolve bench: tickets sealed under key 1 before the load, resolved
#    over and over; chain bench: each connection requests a ticket and then
#    resolves it, so tickets sealed under keys 2 and 3 are resolved while the
#    rotations happen. Both runs: zero failed exchanges, and the audit log
#    shows load on both sides of every reload;
#  - tickets saved with tkms-ue before the rotations resolve after them;
#    new tickets carry the new key id in their THDR (tkms-mikey decode);
#  - the key that stops being current gets not_after = now + 2 x
#    max_lifetime + clock_skew; `retire ID` refuses while it may still open
#    valid tickets and explains why; `retire ID --force` + SIGHUP removes it
#    and its tickets are then refused (403, MIKEY Error 0), the others not;
#  - a key ring that is not valid JSON on SIGHUP is refused with a log line
#    naming the file, the running keys stay in force (no failed exchange);
#    a valid new key ring with a configuration that is not valid is refused
#    as a whole (configuration and key ring are one reload).
# No timing assertions: the load runs until the test stops it (SIGTERM).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-rotate
. "$TK_SRCDIR/tests/system/call-common.sh"
BENCH="$TK_BUILDDIR/src/tools/tkms-bench"
[ -x "$BENCH" ] || tk_fail "$BENCH not built"
KR="$TK_TMP/keyring.json"
MAXLIFE=3600
SKEW=300
REACH=$((2 * MAXLIFE + SKEW))

tk_start_bsf
P_PSK=$(tk_free_port); P_HTTP=$(tk_free_port)
cat >"$TK_TMP/kms.json" <<EOF
{ "fqdn": "kms.home1.net",
  "listeners": {
    "psk":   { "listen": "127.0.0.1:$P_PSK" },
    "https": { "enabled": false },
    "http":  { "enabled": true, "listen": "127.0.0.1:$P_HTTP" } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "policy": { "default_lifetime": 600, "max_lifetime": $MAXLIFE, "clock_skew": $SKEW },
  "keyring": "$KR", "audit": { "path": "$TK_TMP/audit.log" } }
EOF
kr() { "$TKMSD" --config "$TK_TMP/kms.json" keyring "$@"; }
kr create >"$TK_TMP/out" 2>&1 || tk_fail "keyring create: $(cat "$TK_TMP/out")"
tk_start kms "$TKMSD" --config "$TK_TMP/kms.json"
tk_wait_http "http://127.0.0.1:$P_HTTP/healthz" 10 kms
PSK="psk://127.0.0.1:$P_PSK"
KMSOPT="--kms-fqdn kms.home1.net"

# hup_reloaded KEYS CURRENT: SIGHUP; the reload to a key ring of KEYS keys,
# current id CURRENT, is logged (bounded wait)
hup_reloaded() {
	kill -HUP "$(tk__pid kms)"
	tk_wait_log kms "SIGHUP: .* reloaded: ticket engine with key ring $KR ($1 keys, current id $2)" \
		"reload to $1 keys, current id $2 not logged"
}
# ticket NAME: alice asks for a ticket for bob; its TRANSFER_INIT in $TK_TMP/NAME.ti
ticket() {
	run "ticket $1" ue alice request --call "$TK_TMP/$1.call" --impu sip:alice@home1.net \
		--to sip:bob@home1.net --kms "$PSK" $KMSOPT
	run "transfer-init $1" ue alice transfer-init --call "$TK_TMP/$1.call" --out "$TK_TMP/$1.ti"
}
# resolve NAME: bob resolves ticket NAME (fresh RESOLVE_INIT every time)
resolve() {
	ue bob resolve --call "$TK_TMP/$1.bob.call" --in "$TK_TMP/$1.ti" --impu sip:bob@home1.net \
		--kms "$PSK" $KMSOPT --json >"$TK_TMP/out" 2>&1
}
keyid() { mfield "$TK_TMP/$1.ti" key_id; }

boot alice 01
boot bob 02
ticket t1
tk_expect_eq "$(keyid t1)" 1 "ticket before any rotation: THDR key id 1"

# The load: carol, dave, eve (the bench bootstraps them itself).
cat >"$TK_TMP/subs.json" <<EOF
{ "subscribers": [
  { "impi": "carol@home1.net", "k": "${K1}03", "opc": "$OPC" },
  { "impi": "dave@home1.net", "k": "${K1}04", "opc": "$OPC" },
  { "impi": "eve@home1.net", "k": "${K1}05", "opc": "$OPC" } ] }
EOF
for mix in resolve chain; do
	tk_start "bench-$mix" "$BENCH" --kms "127.0.0.1:$P_PSK" --bsf "$BSF_UB_URL" \
		--subscribers "$TK_TMP/subs.json" --users 3 --threads 1 --connections 3 \
		--mix $mix --seconds 120 --sample 1
done
# audit_lines: how many lines the audit log has now
audit_lines() { wc -l <"$TK_TMP/audit.log"; }
# load_since N MIX KEYID: audit lines after line N show bench resolves of
# tickets sealed under KEYID (carol/dave/eve), waiting (bounded) for them.
# The resolve bench's tickets name one responder, the chain bench's two.
load_since() {
	case $2 in
	resolve) _resp='"responders":"[^" ]*"' ;;
	*) _resp='"responders":"[^" ]* [^" ]*"' ;;
	esac
	_i=0
	until tail -n +"$(($1 + 1))" "$TK_TMP/audit.log" |
		grep '"operation":"resolve","result":"ok"' | grep -v '"impi":"bob@' |
		grep "$_resp" | grep -q "\"key_id\":$3,"; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || tk_fail "no $2 load (resolves under key $3) after audit line $1"
		tk_alive "bench-$2" || tk_fail "bench-$2 ended early: $(tail -n 5 "$TK_TMP/bench-$2.log")"
		sleep 0.1
	done
}
touch "$TK_TMP/audit.log"
load_since 0 resolve 1
load_since 0 chain 1
tk_ok "load running: key-1 tickets resolved by both benches"

# ---- rotation 1: key 2 --------------------------------------------------------
kr add --current >"$TK_TMP/out" 2>&1 || tk_fail "add --current: $(cat "$TK_TMP/out")"
grep -q '^2	.*	current$' "$TK_TMP/out" && grep -q '^key 1 is no longer current' "$TK_TMP/out" ||
	tk_fail "add --current output: $(cat "$TK_TMP/out")"
NA=$(sed -n 's/^1	created [^	]*	not_after \(.*\)$/\1/p' "$TK_TMP/out")
na=$(date -u -d "$NA" +%s 2>/dev/null) || tk_fail "key 1 not_after '$NA'"
now=$(date -u +%s)
[ $((na - now)) -le "$REACH" ] && [ $((na - now)) -gt $((REACH - 120)) ] ||
	tk_fail "key 1 not_after $NA is not now + 2 x $MAXLIFE + $SKEW s"
tk_ok "add --current: key 1 stops being current, not_after = now + 2 x max_lifetime + clock_skew ($NA)"
hup_reloaded 2 2
A1=$(audit_lines)
ticket t2
tk_expect_eq "$(keyid t2)" 2 "ticket after rotation 1: THDR key id 2"
load_since "$A1" resolve 1
load_since "$A1" chain 2
tk_ok "after rotation 1: key-1 tickets still resolve under load, new chain tickets under key 2 resolve"

# ---- a broken key ring on SIGHUP -------------------------------------------------
cp -p "$KR" "$TK_TMP/keyring.good"
head -c 40 "$TK_TMP/keyring.good" >"$KR"
kill -HUP "$(tk__pid kms)"
tk_wait_log kms "SIGHUP: .*$KR.*keeping the running configuration and key ring" "refusal not logged"
tk_ok "SIGHUP with a truncated key ring: refused, logged: $(grep -o 'SIGHUP: .*keeping' "$TK_TMP/kms.log" | head -n 1 | cut -c1-110)..."
A2=$(audit_lines)
ticket t2b
tk_expect_eq "$(keyid t2b)" 2 "after the refused reload tickets are still sealed with key 2"
load_since "$A2" resolve 1
load_since "$A2" chain 2
tk_ok "after the refused reload the load goes on"
cp -p "$TK_TMP/keyring.good" "$KR"

# ---- rotation 2: key 3, first with a broken configuration ----------------------
# Configuration and key ring are applied together or not at all: the new key
# ring is valid, the configuration not, so key 2 stays current.
kr add --current >"$TK_TMP/out" 2>&1 || tk_fail "add --current: $(cat "$TK_TMP/out")"
cp "$TK_TMP/kms.json" "$TK_TMP/kms.good"
sed 's/"max_lifetime": [0-9]*/"max_lifetime": "forever"/' "$TK_TMP/kms.good" >"$TK_TMP/kms.json"
kill -HUP "$(tk__pid kms)"
tk_wait_log kms "SIGHUP: configuration not valid, keeping the running one: .*max_lifetime" \
	"bad configuration not logged"
ticket t2c
tk_expect_eq "$(keyid t2c)" 2 "SIGHUP with a bad configuration and a new key ring: refused as a whole, key 2 still seals"
cp "$TK_TMP/kms.good" "$TK_TMP/kms.json"
hup_reloaded 3 3
A3=$(audit_lines)
ticket t3
tk_expect_eq "$(keyid t3)" 3 "ticket after rotation 2: THDR key id 3"
load_since "$A3" resolve 1
load_since "$A3" chain 3
tk_ok "after rotation 2: key-1 tickets still resolve under load, chain tickets under key 3 resolve"

# ---- the load ends: every exchange verified ----------------------------------------
for mix in resolve chain; do
	tk_stop "bench-$mix"
	out="$TK_TMP/bench-$mix.log"
	R=$(sed -n 's/^result: //p' "$out")
	[ -n "$R" ] || tk_fail "bench $mix: no result: $(tail -n 5 "$out")"
	f() { printf '%s\n' "$R" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	[ "$(f exchanges)" -gt 0 ] || tk_fail "bench $mix: no exchange"
	tk_expect_eq "$(f failed)" 0 "bench --mix $mix across two rotations and two refused reloads: $(f exchanges) exchanges, failed ones"
	tk_expect_eq "$TK_LAST_RC" 0 "bench --mix $mix exit status"
done
grep -q '"operation":"resolve","result":"ok".*"key_id":2,' "$TK_TMP/audit.log" &&
	grep -q '"operation":"request","result":"ok".*"key_id":3,' "$TK_TMP/audit.log" ||
	tk_fail "audit log lacks key 2 resolves or key 3 issues"

# ---- tickets from before the rotations -------------------------------------------
resolve t1 || tk_fail "resolve of the key-1 ticket after two rotations: $(cat "$TK_TMP/out")"
tk_ok "ticket t1 (key 1, saved before both rotations) resolves"
resolve t2 || tk_fail "resolve of the key-2 ticket: $(cat "$TK_TMP/out")"
tk_ok "ticket t2 (key 2) resolves after rotation 2"

# ---- retiring key 1 -------------------------------------------------------------
kr retire 1 >"$TK_TMP/out" 2>&1; rc=$?
tk_expect_eq "$rc" 1 "retire 1 while its tickets may be valid: refused"
grep -q 'may still open valid tickets until .*2 x max_lifetime + clock_skew = '"$REACH"' s' "$TK_TMP/out" ||
	tk_fail "retire 1 refusal does not explain: $(cat "$TK_TMP/out")"
tk_ok "the refusal explains not_after and 2 x max_lifetime + clock_skew"
kr retire >"$TK_TMP/out" 2>&1 || tk_fail "retire: $(cat "$TK_TMP/out")"
grep -q '0 expired keys removed' "$TK_TMP/out" || tk_fail "plain retire removed a key: $(cat "$TK_TMP/out")"
kr retire 3 --force >"$TK_TMP/out" 2>&1 && tk_fail "the current key was retired"
tk_ok "retire of the current key refused, even with --force"
kr retire 1 --force >"$TK_TMP/out" 2>&1 || tk_fail "retire 1 --force: $(cat "$TK_TMP/out")"
grep -q 'warning: key 1 retired before its not_after' "$TK_TMP/out" || tk_fail "no warning: $(cat "$TK_TMP/out")"
kr list >"$TK_TMP/out" 2>&1
[ "$(cut -f1 "$TK_TMP/out" | tr '\n' ' ')" = "2 3 " ] || tk_fail "list after retire: $(cat "$TK_TMP/out")"
hup_reloaded 2 3
resolve t1 && tk_fail "the retired key's ticket resolved: $(cat "$TK_TMP/out")"
tk_expect_eq "$(jget "$TK_TMP/out" http_status)/$(jget "$TK_TMP/out" mikey_error)" 403/0 \
	"retire 1 --force + SIGHUP: its ticket is refused (HTTP 403, MIKEY Error 0)"
tail -n 1 "$TK_TMP/audit.log" | grep -q '"operation":"resolve","result":"ticket-invalid"' ||
	tk_fail "refused resolve not audited: $(tail -n 1 "$TK_TMP/audit.log")"
resolve t2 || tk_fail "key-2 ticket after retiring key 1: $(cat "$TK_TMP/out")"
resolve t3 || tk_fail "key-3 ticket after retiring key 1: $(cat "$TK_TMP/out")"
tk_ok "tickets under keys 2 and 3 still resolve"

# ---- plain retire once not_after has passed (a copy with old dates) -----------------
perl -0pe 's/("id": *2,[^}]*?"created": *")[^"]*(")/${1}2020-01-01T00:00:00Z$2/s;
	s/("id": *2,[^}]*?"not_after": *")[^"]*(")/${1}2020-01-02T00:00:00Z$2/s' "$KR" >"$TK_TMP/old.json"
chmod 600 "$TK_TMP/old.json"
grep -q '2020-01-02' "$TK_TMP/old.json" || tk_fail "could not age key 2 in the copy: $(cat "$TK_TMP/old.json" | sed 's/"key": *"[^"]*"/"key": "..."/g')"
kr retire --keyring "$TK_TMP/old.json" >"$TK_TMP/out" 2>&1 || tk_fail "retire: $(cat "$TK_TMP/out")"
grep -q '1 expired key removed' "$TK_TMP/out" && [ "$(grep -c '^[0-9]' "$TK_TMP/out")" = 1 ] ||
	tk_fail "retire of an expired key: $(cat "$TK_TMP/out")"
tk_ok "plain retire removes a key whose not_after has passed"

tk_stop kms
tk_expect_eq "$TK_LAST_RC" 0 "tkmsd clean exit"
tk_done
