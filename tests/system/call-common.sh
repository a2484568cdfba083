# tests/system/call-common.sh: shared steps of the call-*.sh scenarios
# (sourced after lib.sh and tk_init; not a test by itself).
#   call_setup [KMS-JSON-EXTRA]  bsf-stub (tk_start_bsf $CALL_BSF_ARGS; knobs as in lib.sh)
#                            and tkmsd on free ports (PSK-TLS, HTTPS with
#                            cert_out; plain HTTP too when CALL_HTTP=1); EXTRA
#                            is spliced into the KMS config object (e.g.
#                            '"policy": {...},'); sets PSK, HTTPS, [HTTP], KMSOPT
#   boot NAME INDEX          tkms-ue bootstrap of NAME@home1.net (embedded
#                            bsf-stub subscriber INDEX 01..05)
#   ue NAME ARGS...          tkms-ue with NAME's state file
#   run DESC CMD...          must succeed; output in $TK_TMP/out
#   refuse DESC EXIT CMD...  must fail with exit status EXIT
#   jget FILE KEY            scalar member of a --json output
#   call_answer DIR I R KMS  TRANSFER_INIT ($DIR/ti.mikey, from I's call
#                            $DIR/I.call) resolved by R at KMS, TRANSFER_RESP,
#                            I accepts; both srtp-keys to $DIR/I.keys, $DIR/R.keys
#   proof DESC IKEYS RKEYS   tkms-srtp-proof (libsrtp2) both ways must pass
#   mtype FILE / mfield FILE JSON-KEY   tkms-mikey decode views of a message
UE="$TK_BUILDDIR/src/ue/tkms-ue"
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
PROOF="$TK_BUILDDIR/src/tools/tkms-srtp-proof"
MIKEY="$TK_BUILDDIR/src/tools/tkms-mikey"
for _p in "$UE" "$TKMSD" "$PROOF" "$MIKEY"; do [ -x "$_p" ] || tk_fail "$_p not built"; done
K1=$TK_LAB_K1
OPC=$TK_LAB_OPC

call_setup()
{
	tk_start_bsf ${CALL_BSF_ARGS:-}
	if [ -n "${CALL_HTTP:-}" ]; then TK_KMS_HTTP=1; else TK_KMS_HTTP=0; fi
	tk_start_kms "$(cat <<EOF
  "fqdn": "kms.home1.net",
  ${1:-}
  "audit": { "path": "$TK_TMP/audit.log" },
  "log": { "level": "debug" }
EOF
)"
}

ue() { tk_ue "$@"; }
boot() { tk_bootstrap "$@"; }
run() { tk_run "$@"; }

refuse()
{
	_d=$1; _x=$2; shift 2
	"$@" >"$TK_TMP/out" 2>&1 && tk_fail "$_d was accepted: $(cat "$TK_TMP/out")"
	_rc=$?
	[ "$_rc" = "$_x" ] || tk_fail "$_d: exit $_rc, expected $_x: $(cat "$TK_TMP/out")"
	tk_ok "$_d refused (exit $_rc)"
}

jget()
{
	sed -n -e "s/^ *\"$2\": \"\(.*\)\",\{0,1\}\$/\1/p" \
		-e "s/^ *\"$2\": \([^\",]*\),\{0,1\}\$/\1/p" "$1" | head -n 1
}

mtype()
{
	"$MIKEY" decode --compact "$1" 2>/dev/null |
		grep -o '"data_type":{"value":[0-9]*,"name":"[^"]*"' | head -n 1 |
		sed 's/.*"name":"\([^"]*\)"/\1/'
}

# mfield FILE KEY [last]: the first (or last) "KEY": scalar or {"value":..,"name":N}
# of the decoded message, as text (the name where there is one)
mfield()
{
	"$MIKEY" decode --compact "$1" 2>/dev/null | MF_LAST=${3:+1} perl -ne '
		my @v;
		while (/"\Q'"$2"'\E":(?:\{"value":[^}]*?"name":"([^"]*)"\}|"([^"]*)"|(-?\d+|true|false))/g) {
			push @v, defined $1 ? $1 : defined $2 ? $2 : $3 }
		print $v[$ENV{MF_LAST} ? -1 : 0] if @v'
}

call_answer()
{
	_c=$1; _i=$2; _r=$3; _k=$4
	run "$_r resolve" ue "$_r" resolve --call "$_c/$_r.call" --in "$_c/ti.mikey" \
		--impu "sip:$_r@home1.net" --kms "$_k" $KMSOPT --json
	cp "$TK_TMP/out" "$_c/$_r.resolve.json"
	run "$_r transfer-resp" ue "$_r" transfer-resp --call "$_c/$_r.call" --out "$_c/tr.mikey"
	run "$_i accept" ue "$_i" accept --call "$_c/$_i.call" --in "$_c/tr.mikey" --json
	run "$_i srtp-keys" ue "$_i" srtp-keys --call "$_c/$_i.call" --out "$_c/$_i.keys"
	run "$_r srtp-keys" ue "$_r" srtp-keys --call "$_c/$_r.call" --out "$_c/$_r.keys"
}

proof()
{
	"$PROOF" --initiator "$2" --responder "$3" --packets 20 >"$TK_TMP/out" 2>&1 ||
		tk_fail "$1: SRTP proof failed: $(cat "$TK_TMP/out")"
	grep -q 'initiator -> responder' "$TK_TMP/out" && grep -q 'responder -> initiator' "$TK_TMP/out" ||
		tk_fail "$1: SRTP proof not in both directions: $(cat "$TK_TMP/out")"
	tk_ok "$1: SRTP packets protected by each side are unprotected by the other"
}

# master_keys KEYSFILE: the master keys of a srtp-keys file, one line (for comparisons only)
master_keys() { sed -n 's/.*"master_key": "\([0-9a-f]*\)".*/\1/p' "$1" | tr '\n' ' '; }
