# tests/system/lib.sh: the system-test harness (contracts.md B). Sourced by
# every tests/system/*.sh; POSIX sh so it works under dash and bash alike.
#
#   . "$TK_SRCDIR/tests/system/lib.sh"
#   tk_init NAME             work dir $TK_TMP; on exit every daemon started
#                            here is stopped; on failure the tail of each log
#                            is printed and $TK_TMP is kept
#   tk_free_port             prints a free TCP port on 127.0.0.1
#   tk_start NAME CMD...     runs CMD in the background, output to
#                            $TK_TMP/NAME.log
#   tk_stop NAME             SIGTERM, wait at most 5 s, then SIGKILL; the exit
#                            status is left in TK_LAST_RC
#   tk_wait_http URL [SECS] [NAME]  until curl sees any HTTP status (default
#                            10 s); fails early when daemon NAME has died
#   tk_wait_log NAME PATTERN MSG  until $TK_TMP/NAME.log has a line matching
#                            grep PATTERN (at most 30 s); else tk_fail MSG with
#                            the log's tail; fails early when daemon NAME has died
#   tk_hup NAME PATTERN      SIGHUP to daemon NAME, then wait as tk_wait_log until
#                            its log has one more line matching PATTERN
#   tk_start_bsf [ARGS...]   writes $TK_TMP/bsf.json (free ports), starts
#                            bsf-stub with it and ARGS, waits for both
#                            listeners; sets BSF_UB_URL BSF_ZN_URL BSF_TOKEN
#                            BSF_FQDN BSF_STATE_DIR. Knobs (environment, optional):
#                            TK_BSF_LIFETIME (s, default 3600),
#                            TK_BSF_NAF_FQDNS (JSON array body, default
#                            "kms.home1.net","naf.home1.net"),
#                            TK_BSF_STATE_DIR (default $TK_TMP/bsf-state)
#   tk_start_kms [MEMBERS] [HTTPS-MEMBERS]  writes $TK_TMP/kms.json and starts
#                            tkmsd (daemon name kms) against tk_start_bsf's BSF:
#                            PSK-TLS, HTTPS (cert_out $TK_TMP/kms-cert.pem) and,
#                            unless TK_KMS_HTTP=0, plain HTTP on free ports, key
#                            ring $TK_TMP/keyring.json; MEMBERS (JSON object
#                            members, comma-separated) go into the config
#                            object, HTTPS-MEMBERS into the https listener.
#                            Sets P_PSK P_HTTPS [P_HTTP] PSK HTTPS [HTTP] KMSOPT
#   tk_ue NAME ARGS...       tkms-ue with NAME's state file $TK_TMP/NAME.state
#   tk_bootstrap NAME INDEX  tkms-ue bootstrap of NAME@home1.net as bsf-stub's
#                            lab subscriber INDEX (01..07)
#   tk_run DESC CMD...       CMD must succeed; its output is in $TK_TMP/out
#   tk_http OUT CURL-ARGS... runs curl (bounded), body to file OUT, prints the
#                            status code (000 when no HTTP answer)
#   tk_expect_status CODE MSG CURL-ARGS...   one request, asserts its status;
#                            the body is in $TK_BODY
#   tk_ok MSG | tk_fail MSG | tk_expect_eq ACTUAL EXPECTED MSG
#   tk_done                  prints "N passed, 0 failed" and exits 0
# Any tk_fail prints the reason and exits 1 at once.

TK_PASSED=0
TK_FAILED=0
TK_DAEMONS=""
TK_LAST_RC=""

: "${TK_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TK_BUILDDIR:=$TK_SRCDIR}"
export TK_SRCDIR TK_BUILDDIR

tk_log() { printf '%s: %s\n' "${TK_NAME:-test}" "$*" >&2; }

tk_init()
{
	TK_NAME=${1:-test}
	TK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tk-$TK_NAME.XXXXXX") || {
		echo "tk_init: mktemp failed" >&2; exit 1; }
	TK_BODY="$TK_TMP/last.body"
	export TK_TMP
	trap tk__cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

tk__cleanup()
{
	_tk_rc=$?
	trap - EXIT
	for _tk_n in $TK_DAEMONS; do
		tk__stop_quiet "$_tk_n"
	done
	if [ "$_tk_rc" -ne 0 ] || [ "$TK_FAILED" -ne 0 ]; then
		for _tk_f in "$TK_TMP"/*.log; do
			[ -f "$_tk_f" ] || continue
			echo "----- tail of $_tk_f -----" >&2
			tail -n 40 "$_tk_f" >&2
		done
		echo "$TK_NAME: FAILED; work dir kept: $TK_TMP" >&2
	else
		rm -rf "$TK_TMP"
	fi
	exit "$_tk_rc"
}

tk_ok()
{
	TK_PASSED=$((TK_PASSED + 1))
	echo "ok $TK_PASSED - $*"
}

tk_fail()
{
	TK_FAILED=$((TK_FAILED + 1))
	echo "not ok - $*" >&2
	exit 1
}

tk_expect_eq()
{
	if [ "$1" = "$2" ]; then
		tk_ok "$3"
	else
		tk_fail "$3: got '$1', expected '$2'"
	fi
}

tk_done()
{
	echo "$TK_NAME: $TK_PASSED passed, $TK_FAILED failed"
	exit 0
}

# A port in 20000..31999 (below Linux's ephemeral range, so client sockets do
# not grab it meanwhile) that we can bind now. Ports handed out are noted in a
# file because callers run this in a command substitution (a subshell).
tk_free_port()
{
	_tk_i=0
	while [ $_tk_i -lt 200 ]; do
		_tk_i=$((_tk_i + 1))
		_tk_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		_tk_p=$((20000 + _tk_r % 12000))
		grep -qx "$_tk_p" "$TK_TMP/ports.given" 2>/dev/null && continue
		if command -v ss >/dev/null 2>&1; then
			[ -z "$(ss -Htan "( sport = :$_tk_p )" 2>/dev/null)" ] || continue
		elif command -v python3 >/dev/null 2>&1; then
			python3 -c 'import socket,sys
s=socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$_tk_p" 2>/dev/null || continue
		fi
		echo "$_tk_p" >>"$TK_TMP/ports.given"
		echo "$_tk_p"
		return 0
	done
	tk_fail "tk_free_port: no free port found"
}

tk_start()
{
	_tk_n=$1; shift
	"$@" >"$TK_TMP/$_tk_n.log" 2>&1 &
	echo $! >"$TK_TMP/$_tk_n.pid"
	TK_DAEMONS="$TK_DAEMONS $_tk_n"
}

tk__pid() { cat "$TK_TMP/$1.pid" 2>/dev/null; }

tk_alive()
{
	_tk_p=$(tk__pid "$1")
	[ -n "$_tk_p" ] && kill -0 "$_tk_p" 2>/dev/null
}

tk__stop_quiet()
{
	_tk_p=$(tk__pid "$1")
	[ -n "$_tk_p" ] || return 0
	TK_LAST_RC=""
	if kill -0 "$_tk_p" 2>/dev/null; then
		kill -TERM "$_tk_p" 2>/dev/null
		_tk_i=0
		while kill -0 "$_tk_p" 2>/dev/null && [ $_tk_i -lt 50 ]; do
			sleep 0.1
			_tk_i=$((_tk_i + 1))
			# a zombie still answers kill -0; reaping it ends the loop
			if [ "$(ps -o stat= -p "$_tk_p" 2>/dev/null | cut -c1)" = Z ]; then
				break
			fi
		done
		if kill -0 "$_tk_p" 2>/dev/null && [ "$(ps -o stat= -p "$_tk_p" 2>/dev/null | cut -c1)" != Z ]; then
			echo "tk_stop: $1 ignored SIGTERM for 5 s, killing" >&2
			kill -KILL "$_tk_p" 2>/dev/null
		fi
	fi
	wait "$_tk_p" 2>/dev/null
	TK_LAST_RC=$?
	rm -f "$TK_TMP/$1.pid"
	_tk_nl=""
	for _tk_d in $TK_DAEMONS; do [ "$_tk_d" = "$1" ] || _tk_nl="$_tk_nl $_tk_d"; done
	TK_DAEMONS=$_tk_nl
}

tk_stop() { tk__stop_quiet "$1"; }

tk_wait_http()
{
	_tk_url=$1; _tk_secs=${2:-10}; _tk_who=${3:-}
	_tk_end=$(( $(date +%s) + _tk_secs ))
	while :; do
		_tk_code=$(curl -sk -o /dev/null -w '%{http_code}' --connect-timeout 1 --max-time 2 "$_tk_url" 2>/dev/null)
		case "$_tk_code" in 000|"") ;; *) return 0 ;; esac
		if [ -n "$_tk_who" ] && ! tk_alive "$_tk_who"; then
			tk_fail "tk_wait_http: $_tk_who exited before answering $_tk_url"
		fi
		[ "$(date +%s)" -lt "$_tk_end" ] || tk_fail "tk_wait_http: no HTTP answer from $_tk_url within ${_tk_secs}s"
		sleep 0.1
	done
}

tk_wait_log()
{
	_tk_i=0
	until grep -q "$2" "$TK_TMP/$1.log" 2>/dev/null; do
		_tk_i=$((_tk_i + 1))
		[ $_tk_i -lt 300 ] && tk_alive "$1" || tk_fail "$3: $(tail -n 3 "$TK_TMP/$1.log")"
		sleep 0.1
	done
}

tk_hup()
{
	_tk_n0=$(grep -c "$2" "$TK_TMP/$1.log")
	kill -HUP "$(tk__pid "$1")"
	_tk_i=0
	until [ "$(grep -c "$2" "$TK_TMP/$1.log")" -gt "$_tk_n0" ]; do
		_tk_i=$((_tk_i + 1))
		[ $_tk_i -lt 300 ] && tk_alive "$1" ||
			tk_fail "SIGHUP to $1: no new line '$2': $(tail -n 3 "$TK_TMP/$1.log")"
		sleep 0.1
	done
}

tk_http()
{
	_tk_out=$1; shift
	curl -sk --connect-timeout 3 --max-time 20 -o "$_tk_out" -w '%{http_code}' "$@" 2>/dev/null
	return 0
}

tk_expect_status()
{
	_tk_want=$1; _tk_msg=$2; shift 2
	_tk_got=$(tk_http "$TK_BODY" "$@")
	if [ "$_tk_got" = "$_tk_want" ]; then
		tk_ok "$_tk_msg (HTTP $_tk_got)"
	else
		tk_fail "$_tk_msg: HTTP status $_tk_got, expected $_tk_want; body: $(head -c 400 "$TK_BODY" 2>/dev/null)"
	fi
}

tk_start_bsf()
{
	_tk_bin="$TK_BUILDDIR/bsf-stub/bsf-stub"
	[ -x "$_tk_bin" ] || tk_fail "tk_start_bsf: $_tk_bin not built"
	_tk_ub=$(tk_free_port); _tk_zn=$(tk_free_port)
	[ -n "$_tk_ub" ] && [ -n "$_tk_zn" ] || tk_fail "tk_start_bsf: no free ports"
	BSF_FQDN=bsf.home1.net
	BSF_TOKEN=lab-token-kms
	BSF_STATE_DIR=${TK_BSF_STATE_DIR:-$TK_TMP/bsf-state}
	cat >"$TK_TMP/bsf.json" <<EOF
{
  "fqdn": "$BSF_FQDN",
  "ub": { "listen": "127.0.0.1:$_tk_ub" },
  "zn": { "listen": "127.0.0.1:$_tk_zn",
          "nafs": [ { "name": "kms", "token": "$BSF_TOKEN",
                      "fqdns": [ ${TK_BSF_NAF_FQDNS:-\"kms.home1.net\", \"naf.home1.net\"} ],
                      "gsids": [ "0" ] } ] },
  "lifetime": ${TK_BSF_LIFETIME:-3600},
  "state_dir": "$BSF_STATE_DIR"
}
EOF
	tk_start bsf "$_tk_bin" --config "$TK_TMP/bsf.json" "$@"
	BSF_UB_URL="http://127.0.0.1:$_tk_ub"
	BSF_ZN_URL="http://127.0.0.1:$_tk_zn"
	export BSF_UB_URL BSF_ZN_URL BSF_TOKEN BSF_FQDN BSF_STATE_DIR
	tk_wait_http "$BSF_UB_URL/healthz" 10 bsf
	tk_wait_http "$BSF_ZN_URL/healthz" 10 bsf
}

# K and OPc of bsf-stub's lab subscribers: K = TK_LAB_K1 followed by the
# two-digit subscriber index.
TK_LAB_K1=465b5ce8b199b49faa5f0a2ee238a6
TK_LAB_OPC=cd63cb71954a9f4e48a5994e37a02baf

tk_start_kms()
{
	_tk_bin="$TK_BUILDDIR/src/tkmsd/tkmsd"
	[ -x "$_tk_bin" ] || tk_fail "tk_start_kms: $_tk_bin not built"
	P_PSK=$(tk_free_port); P_HTTPS=$(tk_free_port)
	_tk_http='"enabled": false'
	if [ "${TK_KMS_HTTP:-1}" != 0 ]; then
		P_HTTP=$(tk_free_port)
		_tk_http="\"enabled\": true, \"listen\": \"127.0.0.1:$P_HTTP\""
		HTTP="http://127.0.0.1:$P_HTTP"
	fi
	cat >"$TK_TMP/kms.json" <<EOF
{ ${1:+$1,}
  "listeners": {
    "psk":   { "listen": "127.0.0.1:$P_PSK" },
    "https": { "listen": "127.0.0.1:$P_HTTPS", "cert_out": "$TK_TMP/kms-cert.pem"${2:+,
               $2} },
    "http":  { $_tk_http } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "keyring": "$TK_TMP/keyring.json" }
EOF
	tk_start kms "$_tk_bin" --config "$TK_TMP/kms.json"
	tk_wait_http "https://127.0.0.1:$P_HTTPS/healthz" 10 kms
	PSK="psk://127.0.0.1:$P_PSK"
	HTTPS="https://127.0.0.1:$P_HTTPS"
	KMSOPT="--kms-fqdn kms.home1.net --cacert $TK_TMP/kms-cert.pem"
}

tk_ue() { _tk_n=$1; shift; "$TK_BUILDDIR/src/ue/tkms-ue" --state "$TK_TMP/$_tk_n.state" "$@"; }

tk_bootstrap()
{
	tk_ue "$1" bootstrap --bsf "$BSF_UB_URL" --impi "$1@home1.net" --k "$TK_LAB_K1$2" \
		--opc "$TK_LAB_OPC" >"$TK_TMP/$1.boot" 2>&1 ||
		tk_fail "$1 bootstrap: $(cat "$TK_TMP/$1.boot")"
}

tk_run() { _tk_d=$1; shift; "$@" >"$TK_TMP/out" 2>&1 || tk_fail "$_tk_d (exit $?): $(cat "$TK_TMP/out")"; }
