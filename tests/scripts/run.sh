#!/bin/sh
# Script tests: every shipped script passes `check`, every answers file plays to
# its expected transcript, and every failure fixture fails the way it should.
#
#   tests/scripts/run.sh BIN        (from the repository root; `make test-scripts`)
#
# Cases are files, so adding a case is adding a file:
#   scripts/NAME.lua                  must pass `check` (exit 0)
#   tests/scripts/NAME.answers        `try scripts/NAME.lua --answers` must print
#   tests/scripts/NAME.expected       exactly this (stdout), and exit 0; and
#                                     `check scripts/NAME.lua --answers` must
#                                     pass, exploring from that conversation
#   tests/scripts/NAME.WHAT.answers   more conversations of the same script
#   (and NAME.WHAT.expected)          (WHAT says which branch it takes)
#   tests/scripts/NAME[.WHAT].args    optional: more try options, such as
#                                     --id ID (another draw) or --candidate NAME
#   tests/scripts/bad/NAME.lua        a broken script, with
#   tests/scripts/bad/NAME.case       "cmd: check" or "cmd: try --answers FILE",
#                                     "exit: N", and "grep: TEXT" lines that must
#                                     each appear in the output (stdout + stderr)
# Set UPDATE=1 to rewrite the .expected files from the current output.
set -u
BIN=${1:?usage: tests/scripts/run.sh BIN}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
DIR=tests/scripts
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL $1: $2"
	[ -f "$TMP/out" ] && sed 's/^/    | /' "$TMP/out" | head -40
	failed=$((failed + 1))
}

# 1. Shipped scripts are clean.
for f in scripts/*.lua; do
	name=check-$(basename "$f" .lua)
	"$BIN" check "$f" >"$TMP/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else fail "$name" "check exited $rc"; fi
done

# 2. Answers files play to their expected transcripts, and check finds
# nothing from any point along them.
for a in "$DIR"/*.answers; do
	[ -e "$a" ] || continue
	base=$(basename "$a" .answers)
	name=try-$base
	script=scripts/${base%%.*}.lua
	args=""
	[ -f "$DIR/$base.args" ] && args=$(cat "$DIR/$base.args")
	# shellcheck disable=SC2086 # args holds options, one word each
	"$BIN" try "$script" --answers "$a" $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "${UPDATE:-}" = 1 ] && [ $rc -eq 0 ]; then cp "$TMP/out" "$DIR/$base.expected"; fi
	if [ $rc -ne 0 ]; then
		cat "$TMP/err" >>"$TMP/out"
		fail "$name" "try exited $rc"
	elif [ ! -f "$DIR/$base.expected" ]; then
		fail "$name" "no $DIR/$base.expected (UPDATE=1 writes it)"
	elif ! diff -u "$DIR/$base.expected" "$TMP/out" >"$TMP/diff"; then
		cp "$TMP/diff" "$TMP/out"
		fail "$name" "transcript differs from $base.expected"
	else
		ok "$name"
	fi
	"$BIN" check "$script" --answers "$a" >"$TMP/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then ok "check-$base"; else fail "check-$base" "check --answers exited $rc"; fi
done

# 3. Broken scripts fail the way their .case says.
for c in "$DIR"/bad/*.case; do
	[ -e "$c" ] || continue
	base=$(basename "$c" .case)
	name=bad-$base
	script=$DIR/bad/$base.lua
	cmd=$(sed -n 's/^cmd: *//p' "$c")
	want=$(sed -n 's/^exit: *//p' "$c")
	case $cmd in
	check) "$BIN" check "$script" >"$TMP/out" 2>&1 ;;
	try*) # shellcheck disable=SC2086
		"$BIN" try "$script" ${cmd#try} >"$TMP/out" 2>&1 ;;
	*) echo "FAIL $name: unknown cmd '$cmd' in $c"; failed=$((failed + 1)); continue ;;
	esac
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, expected $want"
		continue
	fi
	missing=""
	while IFS= read -r line; do
		case $line in
		grep:*) pat=${line#grep:}; pat=${pat# }
			grep -qF -- "$pat" "$TMP/out" || missing="$missing [$pat]" ;;
		esac
	done <"$c"
	if [ -n "$missing" ]; then fail "$name" "output lacks$missing"; else ok "$name"; fi
done

rm -f "$TMP/out"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
