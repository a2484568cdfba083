#!/bin/sh
# tkmsd-config.sh: tkmsd --check-config on the shipped example and on broken
# configurations, each of which must be refused (exit 1) with the precise
# "FILE: key.path: problem" line; the daemon itself refuses to start on one.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init tkmsd-config
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
[ -x "$TKMSD" ] || tk_fail "$TKMSD not built"

out=$("$TKMSD" --check-config) || tk_fail "defaults refused: $out"
tk_expect_eq "$out" "(defaults): configuration OK" "embedded defaults are valid"
EX="$TK_SRCDIR/contrib/tkmsd.example.json"
out=$("$TKMSD" --check-config --config "$EX") || tk_fail "example refused: $out"
tk_expect_eq "$out" "$EX: configuration OK" "contrib/tkmsd.example.json is valid"
"$TKMSD" --print-config >"$TK_TMP/d.json" && "$TKMSD" --print-config --config "$EX" >"$TK_TMP/e.json" ||
	tk_fail "--print-config"
cmp -s "$TK_TMP/d.json" "$TK_TMP/e.json" || tk_fail "the example differs from the embedded defaults"
tk_ok "the example documents exactly the embedded defaults"
grep -q 'lab-token-kms' "$TK_TMP/d.json" && tk_fail "--print-config shows the BSF token"
tk_ok "--print-config masks the BSF token"

n=0
# expect JSON MESSAGE: the configuration must be refused with exactly MESSAGE
# (after "FILE: ") on one of the lines of stderr.
expect() {
	n=$((n + 1))
	f="$TK_TMP/bad$n.json"
	printf '%s\n' "$1" >"$f"
	if "$TKMSD" --check-config --config "$f" >"$TK_TMP/out" 2>"$TK_TMP/err"; then
		tk_fail "accepted: $1"
	else
		rc=$?
	fi
	[ "$rc" -eq 1 ] || tk_fail "exit status $rc for: $1"
	grep -qxF "$f: $2" "$TK_TMP/err" || tk_fail "for $1 expected '$f: $2', got: $(cat "$TK_TMP/err")"
	tk_ok "refused: $2"
}

expect '{ "listeners": { "psk": { "listne": "127.0.0.1:1" } } }' 'listeners.psk.listne: unknown key'
expect '{ "fqnd": "kms.home1.net" }' 'fqnd: unknown key'
expect '{ "listeners": { "psk": { "listen": "127.0.0.1:99999" } } }' \
	'listeners.psk.listen: "127.0.0.1:99999": port must be a number 0..65535'
expect '{ "listeners": { "https": { "listen": "::1:8444" } } }' \
	'listeners.https.listen: "::1:8444": want HOST:PORT (IPv6 as [addr]:PORT)'
expect '{ "listeners": { "http": { "listen": "kms:80" } } }' \
	'listeners.http.listen: "kms:80": "kms" is not a numeric IPv4 address'
expect '{ "listeners": { "psk": true } }' 'listeners.psk: must be an object, not a boolean'
expect '{ "listeners": { "psk": { "enabled": "yes" } } }' 'listeners.psk.enabled: must be true or false, not a string'
expect '{ "limits": { "threads": "4" } }' 'limits.threads: must be an integer 1..256, not a string'
expect '{ "limits": { "max_body": 10 } }' 'limits.max_body: 10 is out of range 1024..16777216'
expect '{ "listeners": { "https": { "cert": "/etc/hostname" } } }' \
	'listeners.https.key: cert and key go together (leave both null for an ephemeral lab certificate)'
expect '{ "listeners": { "https": { "cert": "/nonexistent/c.pem", "key": "/nonexistent/k.pem" } } }' \
	'listeners.https.cert: cannot read "/nonexistent/c.pem": No such file or directory'
expect '{ "listeners": { "psk": { "priority": "NORMAL:+NO-SUCH-THING" } } }' \
	'listeners.psk.priority: not a valid GnuTLS priority string (error near "+NO-SUCH-THING")'
expect '{ "listeners": { "psk": { "enabled": false }, "https": { "enabled": false } } }' \
	'listeners: no listener is enabled'
expect '{ "listeners": { "http": { "enabled": true, "listen": "127.0.0.1:8443" } } }' \
	'listeners.http.listen: same address as another listener'
expect '{ "fqdn": "kms..home1.net" }' 'fqdn: "kms..home1.net" is not a DNS name (letters, digits, '"'"'-'"'"', dots)'
expect '{ "bsf": { "url": "ftp://bsf" } }' 'bsf.url: "ftp://bsf" must start with http:// or https://'
expect '{ "bsf": { "timeout_ms": 0 } }' 'bsf.timeout_ms: 0 is out of range 1..600000'
expect '{ "policy": { "default_lifetime": 90000, "max_lifetime": 3600 } }' \
	'policy.default_lifetime: 90000 exceeds policy.max_lifetime (3600)'
expect '{ "policy": { "allowed_sets": ["128", "512"] } }' \
	'policy.allowed_sets[1]: must be "128" or "256", each at most once (P-8)'
expect '{ "policy": { "flags_choosable": ["F", "K"] } }' \
	'policy.flags_choosable[1]: must be one of the flag letters D E F G H I J L M N O (K is computed, P-23)'
expect '{ "policy": { "flags_default": ["E"] } }' \
	'policy.flags_default: must contain "D" (the ticket goes to the KMS)'
expect '{ "groups": { "sip:team@home1.net": ["sip:carol@home1.net", "carol"] } }' \
	'groups.sip:team@home1.net[1]: must be a member URI such as "sip:carol@home1.net"'
expect '{ "groups": { "team": ["sip:carol@home1.net"] } }' \
	'groups.team: group name must be a URI such as "sip:team@home1.net"'
expect '{ "network_functions": [ { "name": "li-1", "impi": "li@home1.net", "cert_subject": "CN=li" } ] }' \
	'network_functions[0]: give exactly one of "impi" and "cert_subject"'
expect '{ "network_functions": [ { "name": "li-1", "impi": "a@b" }, { "name": "li-1", "impi": "c@d" } ] }' \
	'network_functions[1].name: name "li-1" used twice'
expect '{ "network_functions": [ { "impi": "a@b", "colour": 1 } ] }' 'network_functions[0].colour: unknown key'
expect '{ "log": { "level": "loud" } }' 'log.level: "loud" is not one of error, warning, notice, info, debug'
expect '{ "audit": { "path": "" } }' 'audit.path: must not be empty'
expect '{ "pid_file": 7 }' 'pid_file: must be a string or null, not an integer'

# Several problems are all reported, one per line.
printf '%s\n' '{ "log": { "level": "loud" }, "limits": { "threads": 0 } }' >"$TK_TMP/multi.json"
"$TKMSD" --check-config --config "$TK_TMP/multi.json" 2>"$TK_TMP/err" && tk_fail "multi accepted"
tk_expect_eq "$(wc -l <"$TK_TMP/err" | tr -d ' ')" 2 "two problems, two lines"

# Syntax errors carry line and column.
printf '{\n  "fqdn": ,\n}\n' >"$TK_TMP/syntax.json"
"$TKMSD" --check-config --config "$TK_TMP/syntax.json" 2>"$TK_TMP/err" && tk_fail "bad JSON accepted"
grep -q "^$TK_TMP/syntax.json:2:[0-9]*: invalid JSON: " "$TK_TMP/err" || tk_fail "syntax error: $(cat "$TK_TMP/err")"
tk_ok "invalid JSON: file:line:column"
printf '{ "fqdn": "a.b", "fqdn": "c.d" }\n' >"$TK_TMP/dup.json"
"$TKMSD" --check-config --config "$TK_TMP/dup.json" 2>"$TK_TMP/err" && tk_fail "duplicate key accepted"
grep -q 'duplicate object key' "$TK_TMP/err" || tk_fail "duplicate: $(cat "$TK_TMP/err")"
tk_ok "duplicate keys refused"
"$TKMSD" --check-config --config "$TK_TMP/none.json" 2>"$TK_TMP/err" && tk_fail "missing file accepted"
grep -q "none.json" "$TK_TMP/err" || tk_fail "missing file: $(cat "$TK_TMP/err")"
tk_ok "missing file named"

# The daemon does not start on a broken file.
"$TKMSD" --config "$TK_TMP/bad1.json" >"$TK_TMP/out" 2>"$TK_TMP/err" && tk_fail "daemon started"
grep -qxF "$TK_TMP/bad1.json: listeners.psk.listne: unknown key" "$TK_TMP/err" ||
	tk_fail "daemon message: $(cat "$TK_TMP/err")"
tk_ok "tkmsd refuses to start on a broken configuration"
"$TKMSD" --no-such-option >/dev/null 2>&1
tk_expect_eq "$?" 2 "unknown option: exit status 2"
tk_done
