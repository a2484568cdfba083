#!/bin/sh
# contrib/demo.sh BUILDDIR: the tkms demo (README "The demo"). Starts
# bsf-stub and tkmsd on loopback with their embedded defaults (plus a small
# KMS config that adds a group), then plays four scenarios with tkms-ue and
# prints a transcript: who sent what to whom, HTTP status, MIKEY message type,
# key fingerprints (never key bytes) and OK / UNEXPECTED per step.
#   1. Alice calls Bob (key forking), SRTP both ways;
#   2. Alice calls the group sip:team@home1.net, Carol answers;
#   3. Alice leaves a voice message for Dave (deferred delivery);
#   4. Eve tries to resolve Alice's ticket for Bob: 403, MIKEY Error 0.
# Exit status 0 only when every step behaved as expected. Daemons are stopped
# at the end (trap). Environment (all optional):
#   TKMS_DEMO_UB_PORT, TKMS_DEMO_ZN_PORT      bsf-stub Ub / Zn (8080 / 8081)
#   TKMS_DEMO_PSK_PORT, TKMS_DEMO_HTTPS_PORT  tkmsd PSK-TLS / HTTPS (8443 / 8444)
#   TKMS_DEMO_ALGS        128 or 256: MIKEY algorithm set of the calls (128)
#   TKMS_DEMO_DIR         work directory (default: a fresh temp dir)
#   TKMS_DEMO_KEEP=1      keep the work directory (logs, messages, mailbox)
set -u
B=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
UE="$B/src/ue/tkms-ue"
TKMSD="$B/src/tkmsd/tkmsd"
BSF="$B/bsf-stub/bsf-stub"
MIKEY="$B/src/tools/tkms-mikey"
PROOF="$B/src/tools/tkms-srtp-proof"
for p in "$UE" "$TKMSD" "$BSF" "$MIKEY" "$PROOF"; do
	[ -x "$p" ] || { echo "demo: $p is not built (make in $B)" >&2; exit 2; }
done
UB_PORT=${TKMS_DEMO_UB_PORT:-8080}
ZN_PORT=${TKMS_DEMO_ZN_PORT:-8081}
PSK_PORT=${TKMS_DEMO_PSK_PORT:-8443}
HTTPS_PORT=${TKMS_DEMO_HTTPS_PORT:-8444}
ALGS=${TKMS_DEMO_ALGS:-128}
case "$ALGS" in 128|256) ;; *) echo "demo: TKMS_DEMO_ALGS must be 128 or 256" >&2; exit 2 ;; esac

if [ -n "${TKMS_DEMO_DIR:-}" ]; then
	W=$TKMS_DEMO_DIR; mkdir -p "$W" || exit 2
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/tkms-demo.XXXXXX") || exit 2
fi
chmod 700 "$W"
PIDS=""
FAILS=0
STEPS=0

cleanup()
{
	rc=$?
	trap - EXIT INT TERM
	for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
	for pid in $PIDS; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ "${TKMS_DEMO_KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
		echo "demo: work directory kept: $W"
	else
		rm -rf "$W"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- transcript helpers -----------------------------------------------------------
ok() { STEPS=$((STEPS + 1)); printf '      OK          %s\n' "$*"; }
bad() { STEPS=$((STEPS + 1)); FAILS=$((FAILS + 1)); printf '      UNEXPECTED  %s\n' "$*"; }
say() { printf '%s\n' "$*"; }
# detail FILE: the first lines of a failed command's output, indented
detail() { sed -n '1,6s/^/                  | /p' "$1"; }
# jget FILE KEY: a scalar member of tkms-ue's --json output (one per line)
jget()
{
	sed -n -e "s/^ *\"$2\": \"\(.*\)\",\{0,1\}\$/\1/p" \
		-e "s/^ *\"$2\": \([^\",]*\),\{0,1\}\$/\1/p" "$1" | head -n 1
}
# ticketfp AUDITLOG OPERATION: ticket fingerprint of the KMS's last audit line
ticketfp()
{
	grep "\"operation\":\"$2\"" "$1" 2>/dev/null | tail -n 1 |
		sed -n 's/.*"ticket_fingerprint":"\([0-9a-f]*\)".*/\1/p'
}
# mtype FILE|-: the MIKEY data type name as tkms-mikey decodes it
mtype()
{
	"$MIKEY" decode --compact "$1" 2>/dev/null |
		grep -o '"data_type":{"value":[0-9]*,"name":"[^"]*"' | head -n 1 |
		sed 's/.*"name":"\([^"]*\)"/\1/'
}
# kmsmsg CALLFILE KEY: type of a message kept in a call state (hex)
kmsmsg() { sed -n "s/^ *\"$2\": *\"\([0-9a-f]*\)\".*/\1/p" "$1" | head -n 1 | mtype -; }
# fp HEX: SHA-256 fingerprint (first 16 hex digits) of key bytes
fp() { printf '%s' "$1" | perl -ne 'print pack("H*", $_)' | sha256sum | cut -c1-16; }
# keyfps KEYSFILE: "CS n (sender): key fp" for every crypto session
keyfps()
{
	perl -0777 -ne 'while (/"cs_id": (\d+).*?"master_key": "([0-9a-f]+)".*?"sender": "(\w+)"/sg) { print "$1 $3 $2\n" }' "$1" |
	while read -r cs who key; do
		printf 'CS %s (%s sends) key %s' "$cs" "$who" "$(fp "$key")"
		printf '; '
	done | sed 's/; $//'
}

# ---- the daemons ----------------------------------------------------------------------
# A port is free when nothing accepts a connection there (curl exit 7).
port_free() { curl -s -o /dev/null --connect-timeout 1 --max-time 2 "http://127.0.0.1:$1/"; [ $? -eq 7 ]; }
for p in "$UB_PORT" "$ZN_PORT" "$PSK_PORT" "$HTTPS_PORT"; do
	port_free "$p" || {
		echo "demo: port 127.0.0.1:$p is in use. Stop what listens there, or choose other ports with" >&2
		echo "      TKMS_DEMO_UB_PORT, TKMS_DEMO_ZN_PORT, TKMS_DEMO_PSK_PORT, TKMS_DEMO_HTTPS_PORT." >&2
		exit 1
	}
done

start() # NAME CMD...: background, output to $W/NAME.log
{
	n=$1; shift
	"$@" >"$W/$n.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$n=$!"
}
wait_up() # NAME URL: until any HTTP status, at most 10 s
{
	i=0
	while :; do
		c=$(curl -sk -o /dev/null -w '%{http_code}' --connect-timeout 1 --max-time 2 "$2" 2>/dev/null)
		case "$c" in 000|"") ;; *) return 0 ;; esac
		eval "pid=\$PID_$1"
		if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 100 ]; then
			echo "demo: $1 did not come up at $2; its log:" >&2
			tail -n 20 "$W/$1.log" >&2
			exit 1
		fi
		sleep 0.1; i=$((i + 1))
	done
}

say "tkms demo: work directory $W"
say ""
say "== Starting the BSF and the KMS on loopback"
# bsf-stub: embedded demo defaults (subscribers alice..eve@home1.net).
start bsf "$BSF" --ub-listen "127.0.0.1:$UB_PORT" --zn-listen "127.0.0.1:$ZN_PORT" \
	--state-dir "$W/bsf-state"
# tkmsd: embedded defaults plus what the demo needs. The embedded defaults
# define no group, so this config adds sip:team@home1.net (Carol, Dave).
cat >"$W/kms.json" <<EOF
{ "_about": "tkms demo: tkmsd's embedded defaults plus a group, demo ports and files",
  "listeners": { "psk":   { "listen": "127.0.0.1:$PSK_PORT" },
                 "https": { "listen": "127.0.0.1:$HTTPS_PORT", "cert_out": "$W/kms-cert.pem" } },
  "bsf": { "url": "http://127.0.0.1:$ZN_PORT" },
  "groups": { "sip:team@home1.net": ["sip:carol@home1.net", "sip:dave@home1.net"] },
  "keyring": "$W/kms-keyring.json",
  "audit": { "path": "$W/kms-audit.log" } }
EOF
start kms "$TKMSD" --config "$W/kms.json"
wait_up bsf "http://127.0.0.1:$UB_PORT/healthz"
wait_up bsf "http://127.0.0.1:$ZN_PORT/healthz"
wait_up kms "https://127.0.0.1:$HTTPS_PORT/healthz"
say "   bsf-stub   Ub http://127.0.0.1:$UB_PORT  Zn http://127.0.0.1:$ZN_PORT  (embedded subscribers)"
say "   tkmsd      kms.home1.net  PSK-TLS 127.0.0.1:$PSK_PORT  HTTPS 127.0.0.1:$HTTPS_PORT"
say "              group sip:team@home1.net = carol, dave (added by $W/kms.json)"
say "   MIKEY algorithm set: $ALGS-bit"

KMS="psk://127.0.0.1:$PSK_PORT"
KMS_HTTPS="https://127.0.0.1:$HTTPS_PORT"
KOPT="--kms-fqdn kms.home1.net --cacert $W/kms-cert.pem"
ue() { n=$1; shift; "$UE" --state "$W/$n.state" "$@"; }
# run OUT CMD...: run, output to OUT; the exit status is in RC
run() { o=$1; shift; "$@" >"$o" 2>&1; RC=$?; }

# ---- GBA bootstrapping ------------------------------------------------------------------
# K and OPc of each subscriber as bsf-stub documents them (--print-config).
"$BSF" --print-config >"$W/bsf-config.json" 2>/dev/null
subkey() # IMPI FIELD
{
	awk -v impi="$1" -v f="$2" '
		index($0, "\"impi\": \"" impi "\"") { on = 1 }
		on && index($0, "\"" f "\":") { gsub(/[",]/, "", $2); print $2; exit }' "$W/bsf-config.json"
}
say ""
say "== GBA bootstrapping (Ub: HTTP Digest AKA with the BSF)"
for who in alice bob carol dave eve; do
	k=$(subkey "$who@home1.net" k); opc=$(subkey "$who@home1.net" opc)
	run "$W/$who.boot" ue "$who" bootstrap --bsf "http://127.0.0.1:$UB_PORT" \
		--impi "$who@home1.net" --k "$k" --opc "$opc"
	btid=$(sed -n 's/^.*B-TID[: ]*\([^ ]*@[^ ]*\).*$/\1/p' "$W/$who.boot" | head -n 1)
	say "   $(printf %-17s "$who -> BSF") GET / (Digest AKA, Milenage)"
	if [ $RC -eq 0 ]; then
		ok "$who@home1.net bootstrapped${btid:+, B-TID $btid}"
	else
		bad "$who bootstrap failed (exit $RC)"; detail "$W/$who.boot"
	fi
done
[ $FAILS -eq 0 ] || { say ""; say "demo: bootstrapping failed; the calls cannot run"; exit 1; }

# proof I R: SRTP (libsrtp2) both ways between two srtp-keys outputs
proof()
{
	run "$W/proof.out" "$PROOF" --initiator "$1" --responder "$2" --packets 50
	if [ $RC -eq 0 ]; then
		ok "SRTP: $(grep -c 'protected and unprotected OK' "$W/proof.out") crypto sessions, 50 RTP + 1 RTCP packets each, protected by one side and unprotected by the other (libsrtp2)"
	else
		bad "SRTP proof failed"; detail "$W/proof.out"
	fi
}

# ---- 1. Alice calls Bob ---------------------------------------------------------------------
scenario_call()
{
	C="$W/call1"; mkdir -p "$C"
	say ""
	say "== 1. Alice calls Bob"
	say "   alice -> KMS      REQUEST_INIT (PSK-TLS $KMS): ticket for sip:bob@home1.net"
	run "$C/req.json" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
		--to sip:bob@home1.net --algs "$ALGS" --kms "$KMS" $KOPT --json
	if [ $RC -ne 0 ]; then bad "request refused (exit $RC)"; detail "$C/req.json"; return 1; fi
	ok "HTTP $(jget "$C/req.json" http_status) $(kmsmsg "$C/alice.call" kms_request) -> $(kmsmsg "$C/alice.call" request_resp); ticket $(ticketfp "$W/kms-audit.log" request), flags $(jget "$C/req.json" flags), forking $(jget "$C/req.json" forking), valid to $(jget "$C/req.json" valid_to)"

	run "$C/ti.json" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey" \
		--sdp "$C/ti.sdp" --json
	say "   alice -> bob      $(mtype "$C/ti.mikey") in the SDP offer (a=key-mgmt:mikey, $(jget "$C/ti.json" length) octets)"
	if [ $RC -eq 0 ] && [ "$(mtype "$C/ti.mikey")" = TRANSFER_INIT ]; then
		ok "ticket + RANDRi + CS map, MACed with MPKi"
	else
		bad "transfer-init (exit $RC)"; detail "$C/ti.json"; return 1
	fi

	say "   bob -> KMS        RESOLVE_INIT (HTTPS + GBA Digest $KMS_HTTPS) with Alice's ticket"
	run "$C/res.json" ue bob resolve --call "$C/bob.call" --in "$C/ti.sdp" \
		--impu sip:bob@home1.net --kms "$KMS_HTTPS" $KOPT --json
	if [ $RC -eq 0 ] && [ "$(jget "$C/res.json" idrr)" = sip:bob@home1.net ]; then
		ok "HTTP $(jget "$C/res.json" http_status) $(kmsmsg "$C/bob.call" kms_request) -> RESOLVE_RESP; ticket $(ticketfp "$W/kms-audit.log" resolve) resolved, keys bound to $(jget "$C/res.json" idrr); TRANSFER_INIT verified"
	else
		bad "resolve (exit $RC)"; detail "$C/res.json"; return 1
	fi

	run "$C/tr.json" ue bob transfer-resp --call "$C/bob.call" --out "$C/tr.mikey" --json
	say "   bob -> alice      $(mtype "$C/tr.mikey") in the SDP answer ($(jget "$C/tr.json" length) octets)"
	if [ $RC -eq 0 ]; then ok "RANDRr, IDRr, RANDRkms, MACed with the forked MPKr'"
	else bad "transfer-resp (exit $RC)"; detail "$C/tr.json"; return 1; fi

	run "$C/acc.json" ue alice accept --call "$C/alice.call" --in "$C/tr.mikey" --json
	say "   alice             verifies TRANSFER_RESP, derives TGK' and MPKr' herself"
	if [ $RC -eq 0 ]; then ok "TRANSFER_RESP verified (forking $(jget "$C/acc.json" forking))"
	else bad "accept (exit $RC)"; detail "$C/acc.json"; return 1; fi

	run "$C/ak.out" ue alice srtp-keys --call "$C/alice.call" --out "$C/alice.keys"
	run "$C/bk.out" ue bob srtp-keys --call "$C/bob.call" --out "$C/bob.keys"
	say "   alice SRTP keys   $(keyfps "$C/alice.keys")"
	say "   bob SRTP keys     $(keyfps "$C/bob.keys")"
	if [ "$(keyfps "$C/alice.keys")" = "$(keyfps "$C/bob.keys")" ]; then
		ok "both sides hold the same SRTP master keys"
	else
		bad "the SRTP keys differ"
	fi
	proof "$C/alice.keys" "$C/bob.keys"
}

# ---- 2. Alice calls a group; Carol answers ---------------------------------------------------
scenario_group()
{
	C="$W/call2"; mkdir -p "$C"
	say ""
	say "== 2. Alice calls the group sip:team@home1.net; Carol answers"
	say "   alice -> KMS      REQUEST_INIT (PSK-TLS): ticket for sip:team@home1.net"
	run "$C/req.json" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
		--to sip:team@home1.net --algs "$ALGS" --kms "$KMS" $KOPT --json
	if [ $RC -ne 0 ]; then bad "request refused (exit $RC)"; detail "$C/req.json"; return 1; fi
	ok "HTTP $(jget "$C/req.json" http_status) REQUEST_RESP; ticket $(ticketfp "$W/kms-audit.log" request), forking $(jget "$C/req.json" forking)"
	run "$C/ti.json" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey" --json
	say "   alice -> team     $(mtype "$C/ti.mikey") forked to every member's phone"
	if [ $RC -eq 0 ]; then ok "one TRANSFER_INIT for the group"
	else bad "transfer-init (exit $RC)"; detail "$C/ti.json"; return 1; fi

	for who in carol dave; do
		say "   $(printf %-17s "$who -> KMS") RESOLVE_INIT (PSK-TLS) as sip:$who@home1.net, member of the group"
		run "$C/$who.json" ue "$who" resolve --call "$C/$who.call" --in "$C/ti.mikey" \
			--impu "sip:$who@home1.net" --kms "$KMS" $KOPT --json
		if [ $RC -eq 0 ] && [ "$(jget "$C/$who.json" idrr)" = "sip:$who@home1.net" ]; then
			ok "HTTP $(jget "$C/$who.json" http_status) RESOLVE_RESP; keys forked to $(jget "$C/$who.json" idrr)"
		else
			bad "$who resolve (exit $RC)"; detail "$C/$who.json"; return 1
		fi
		run "$C/$who.k" ue "$who" srtp-keys --call "$C/$who.call" --out "$C/$who.keys"
	done
	say "   carol SRTP keys   $(keyfps "$C/carol.keys")"
	say "   dave SRTP keys    $(keyfps "$C/dave.keys")"
	if [ "$(keyfps "$C/carol.keys")" != "$(keyfps "$C/dave.keys")" ]; then
		ok "key forking: Carol's and Dave's keys differ"
	else
		bad "Carol and Dave got the same keys despite forking"
	fi

	run "$C/tr.json" ue carol transfer-resp --call "$C/carol.call" --out "$C/tr.mikey" --json
	say "   carol -> alice    $(mtype "$C/tr.mikey") (Carol picks up)"
	if [ $RC -eq 0 ]; then ok "answer names sip:carol@home1.net"
	else bad "transfer-resp (exit $RC)"; detail "$C/tr.json"; return 1; fi
	run "$C/acc.json" ue alice accept --call "$C/alice.call" --in "$C/tr.mikey" --json
	if [ $RC -eq 0 ]; then ok "alice verified Carol's TRANSFER_RESP"
	else bad "accept (exit $RC)"; detail "$C/acc.json"; return 1; fi
	run "$C/ak.out" ue alice srtp-keys --call "$C/alice.call" --out "$C/alice.keys"
	say "   alice SRTP keys   $(keyfps "$C/alice.keys")"
	if [ "$(keyfps "$C/alice.keys")" = "$(keyfps "$C/carol.keys")" ]; then
		ok "Alice and Carol hold the same SRTP master keys"
	else
		bad "Alice's and Carol's SRTP keys differ"
	fi
	proof "$C/alice.keys" "$C/carol.keys"
}

# ---- 3. Alice leaves a message for Dave ------------------------------------------------------
scenario_message()
{
	C="$W/call3"; MB="$W/mailbox/dave"; mkdir -p "$C" "$MB"
	say ""
	say "== 3. Alice leaves a voice message for Dave (deferred delivery)"
	say "   alice -> KMS      REQUEST_INIT --deferred (HTTPS + Digest $KMS_HTTPS): ticket for sip:dave@home1.net"
	say "                     valid 7 days, no answer (F = 0), no responder RAND (G = 0), no forking (I = 0)"
	run "$C/req.json" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
		--to sip:dave@home1.net --deferred --algs "$ALGS" --kms "$KMS_HTTPS" $KOPT --json
	if [ $RC -ne 0 ]; then bad "request refused (exit $RC)"; detail "$C/req.json"; return 1; fi
	ok "HTTP $(jget "$C/req.json" http_status) REQUEST_RESP; ticket $(ticketfp "$W/kms-audit.log" request), flags $(jget "$C/req.json" flags) (no answer needed), valid to $(jget "$C/req.json" valid_to)"
	run "$C/ti.json" ue alice transfer-init --call "$C/alice.call" --out "$MB/message.mikey" --json
	if [ $RC -ne 0 ]; then bad "transfer-init (exit $RC)"; detail "$C/ti.json"; return 1; fi
	run "$C/ak.out" ue alice srtp-keys --call "$C/alice.call" --out "$C/alice.keys"
	if [ $RC -ne 0 ]; then bad "alice has no SRTP keys without an answer (exit $RC)"; detail "$C/ak.out"; return 1; fi
	say "   alice SRTP keys   $(keyfps "$C/alice.keys")"
	run "$C/rec.out" ue alice srtp-record --call "$C/alice.call" --out "$MB/message.srtp" \
		--packets 5 --text "Hi Dave, it's Alice. Call me back about Friday."
	say "   alice -> mailbox  $(mtype "$MB/message.mikey") + SRTP media in $MB"
	if [ $RC -eq 0 ]; then ok "$(cat "$C/rec.out")"
	else bad "recording failed (exit $RC)"; detail "$C/rec.out"; return 1; fi
	say "   alice             hangs up: her call state and keys are deleted"
	rm -f "$C/alice.call" "$C/alice.keys"

	say "   (later) dave -> KMS  RESOLVE_INIT (PSK-TLS) with the stored ticket"
	run "$C/res.json" ue dave resolve --call "$C/dave.call" --in "$MB/message.mikey" \
		--impu sip:dave@home1.net --kms "$KMS" $KOPT --json
	if [ $RC -eq 0 ]; then ok "HTTP $(jget "$C/res.json" http_status) RESOLVE_RESP; ticket $(ticketfp "$W/kms-audit.log" resolve) resolved; TRANSFER_INIT from $(jget "$C/res.json" peer) verified"
	else bad "dave resolve (exit $RC)"; detail "$C/res.json"; return 1; fi
	run "$C/dk.out" ue dave srtp-keys --call "$C/dave.call" --out "$C/dave.keys"
	say "   dave SRTP keys    $(keyfps "$C/dave.keys")"
	say "   dave plays the message:"
	run "$C/play.out" ue dave srtp-play --call "$C/dave.call" --in "$MB/message.srtp"
	sed 's/^/      /' "$C/play.out"
	if [ $RC -eq 0 ] && grep -q 'Call me back about Friday' "$C/play.out"; then
		ok "Dave decrypted Alice's stored media"
	else
		bad "Dave could not decrypt the message (exit $RC)"
	fi
}

# ---- 4. Eve tries to resolve Alice's ticket for Bob -------------------------------------------
scenario_eve()
{
	C="$W/call4"; mkdir -p "$C"
	say ""
	say "== 4. Eve captured Alice's TRANSFER_INIT for Bob and asks the KMS to resolve it"
	[ -f "$W/call1/ti.mikey" ] || { bad "no TRANSFER_INIT from scenario 1"; return 1; }
	for id in sip:eve@home1.net sip:bob@home1.net; do
		say "   eve -> KMS        RESOLVE_INIT (PSK-TLS) claiming $id"
		run "$C/eve.json" ue eve resolve --call "$C/eve.call" --in "$W/call1/ti.mikey" \
			--impu "$id" --kms "$KMS" $KOPT --json
		st=$(jget "$C/eve.json" http_status); me=$(jget "$C/eve.json" mikey_error)
		if [ $RC -eq 3 ] && [ "$st" = 403 ] && [ "$me" = 0 ]; then
			ok "refused: HTTP 403, MIKEY Error 0 (Auth failure); Eve gets no key"
		else
			bad "expected 403 / MIKEY Error 0, got exit $RC, HTTP ${st:-none}, MIKEY Error ${me:-none}"
			detail "$C/eve.json"
		fi
	done
	[ ! -f "$C/eve.call" ] || bad "a call state was written for Eve"
}

say ""
scenario_call
scenario_group
scenario_message
scenario_eve

say ""
audit() { grep -c "$1" "$W/kms-audit.log" 2>/dev/null; }
say "== KMS audit (P-15, one JSON line per ticket operation, never a key):"
say "   $(audit '"operation":"request","result":"ok"') tickets issued, $(audit '"operation":"resolve","result":"ok"') resolved, $(audit '"result":"forbidden"') refused (forbidden)"
say ""
if [ $FAILS -eq 0 ]; then
	say "demo: all $STEPS steps OK"
	exit 0
fi
say "demo: $FAILS of $STEPS steps UNEXPECTED"
exit 1
