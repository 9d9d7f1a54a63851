#!/usr/bin/env bash
# Usage: [E2E_JAVA_OPTS=...] [E2E_WORK_DIR=...] .ci/e2e.sh
#
# End-to-end check of the sample application, run from the repository root after
# `./mvnw verify` has built everything: starts the sample jar on a free port, calls its
# endpoints over HTTP, checks the Prometheus output and the live page in headless
# Chromium, then stops the application with SIGTERM and checks that it exits cleanly.
# E2E_JAVA_OPTS adds JVM options, e.g. E2E_JAVA_OPTS=-Dspring.aot.enabled=true for the jar
# built with the sample's 'aot' profile.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
show_help_if_asked "$@"
set -uo pipefail

STARTUP_TIMEOUT=${E2E_STARTUP_TIMEOUT:-120}   # seconds to wait for health UP
SHUTDOWN_TIMEOUT=${E2E_SHUTDOWN_TIMEOUT:-30}  # spring.lifecycle.timeout-per-shutdown-phase default
WORK_DIR=${E2E_WORK_DIR:-sample-app/target/e2e}
read -r -a JAVA_OPTS <<<"${E2E_JAVA_OPTS:-}"
CHROMIUM_FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars)

STARTED=$(date +%s)

require_repository_root sample-app
JAR=$(module_jar sample-app)
[[ -n "$JAR" ]] || die "no sample-app/target/eventloop-sample-app-*.jar: build it first with ./mvnw verify"
mkdir -p "$WORK_DIR"
LOG="$WORK_DIR/app.log"

PORT=$(pick_free_port) || die "found no free port"
BASE="http://127.0.0.1:$PORT"

echo "== e2e: $JAR on port $PORT ($(java -version 2>&1 | head -n 1))${JAVA_OPTS[*]:+ with ${JAVA_OPTS[*]}}"
java "${JAVA_OPTS[@]}" -jar "$JAR" --server.port="$PORT" </dev/null >"$LOG" 2>&1 &
APP_PID=$!
end_at_exit "$APP_PID"

# status BODY_FILE METHOD PATH [JSON]: prints the HTTP status, body into BODY_FILE
call() {
	local out=$1 method=$2 path=$3 data=${4-}
	if [[ -n "$data" ]]; then
		curl -sS -m 20 -o "$out" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
			--data "$data" "$BASE$path" 2>/dev/null
	else
		curl -sS -m 20 -o "$out" -w '%{http_code}' -X "$method" "$BASE$path" 2>/dev/null
	fi
}

# expect NAME EXPECTED_STATUS METHOD PATH JSON TEXT...: the call answers the status and its body contains every TEXT
expect() {
	local name=$1 expected=$2 method=$3 path=$4 data=$5
	shift 5
	local body="$WORK_DIR/body.json" status missing=""
	status=$(call "$body" "$method" "$path" "$data")
	for text in "$@"; do
		grep -qF -- "$text" "$body" 2>/dev/null || missing="$missing [$text]"
	done
	if [[ "$status" == "$expected" && -z "$missing" ]]; then
		pass "$name: $method $path -> $status"
	else
		fail "$name: $method $path -> $status (expected $expected)${missing:+, body lacks$missing}: $(head -c 400 "$body" 2>/dev/null)"
	fi
}

# 1. health UP, bounded
if wait_for_http --status 200 --contains '"status":"UP"' --attempt-time 20 \
	"$BASE/actuator/health" "$STARTUP_TIMEOUT" "$APP_PID" >/dev/null; then
	pass "health: /actuator/health is UP after $(($(date +%s) - STARTED)) s"
else
	fail "health: /actuator/health not UP within $STARTUP_TIMEOUT s; last lines of $LOG:"
	tail -n 40 "$LOG"
	exit 1
fi
if [[ " ${JAVA_OPTS[*]} " == *" -Dspring.aot.enabled=true "* ]]; then
	grep -q 'Starting AOT-processed' "$LOG" && pass "AOT: the application started from its AOT-generated code" \
		|| fail "AOT: spring.aot.enabled=true, but the log does not say 'Starting AOT-processed'"
fi

# 2. the API: happy path, bad input, the deadlock guard
expect "deposit" 200 POST /api/accounts/e2e-alice/deposits '{"amount": 100.50}' '"balance":100.50' '"loop":"ledger-'
expect "withdrawal" 200 POST /api/accounts/e2e-alice/withdrawals '{"amount": 20}' '"balance":80.50'
expect "account" 200 GET /api/accounts/e2e-alice '' '"postings":2'
expect "transfer" 200 POST /api/transfers '{"from": "e2e-alice", "to": "e2e-bob", "amount": 30}' \
	'"from":{"id":"e2e-alice","balance":50.50' '"to":{"id":"e2e-bob","balance":30.00'
expect "statement (offloaded slow I/O)" 200 GET /api/accounts/e2e-alice/statement '' '"ioThread":"' '"completedOn":"ledger-'
expect "bad input: negative amount" 400 POST /api/accounts/e2e-alice/deposits '{"amount": -5}' \
	'"field":"amount"' "'amount' must be positive"
expect "bad input: account id" 400 POST '/api/accounts/bad%20id/deposits' '{"amount": 5}' '"field":"accountId"'
expect "unknown account" 404 GET /api/accounts/e2e-nobody ''
expect "insufficient funds" 422 POST /api/accounts/e2e-bob/withdrawals '{"amount": 1000}' 'less than the 1000.00'
expect "deadlock guard" 409 POST /api/demo/deadlock-guard '' 'Cannot call LoopFuture.join() on event loop' \
	'"title":"Refused to block an event loop"'
expect "eventloops endpoint" 200 GET /actuator/eventloops '' '"name":"ledger-0"' '"name":"ledger-3"' '"name":"settlement"'
expect "health group" 200 GET /actuator/health/eventLoops '' '"ledger-0"' '"settlement"'
settled=""
for _ in $(seq 1 20); do
	if [[ $(call "$WORK_DIR/settlement.json" GET /api/settlement) == 200 ]] \
		&& grep -q '"settledOn":"settlement"' "$WORK_DIR/settlement.json" \
		&& grep -q '"total":80.50' "$WORK_DIR/settlement.json"; then
		settled=yes
		break
	fi
	sleep 0.5
done
[[ -n "$settled" ]] && pass "settlement: the settlement loop totals 80.50 over the ledger loops" \
	|| fail "settlement: no report with total 80.50 from the settlement loop: $(head -c 300 "$WORK_DIR/settlement.json")"

# 3. Prometheus
code=$(call "$WORK_DIR/prometheus.txt" GET /actuator/prometheus)
series=$(grep -c '^eventloop_' "$WORK_DIR/prometheus.txt" 2>/dev/null)
if [[ "$code" == 200 ]] && ((series > 0)) && grep -q '^eventloop_queue_size[a-z_]*{.*loop="ledger-0"' "$WORK_DIR/prometheus.txt" \
	&& grep -q '^eventloop_tasks_completed[a-z_]*{.*loop="settlement"' "$WORK_DIR/prometheus.txt"; then
	pass "prometheus: $series eventloop_ series, e.g. $(grep -m1 '^eventloop_queue_size' "$WORK_DIR/prometheus.txt")"
else
	fail "prometheus: status $code, $series eventloop_ series"
fi

# 4. the live page in headless Chromium
CHROMIUM=$(chromium_command)
if [[ -z "$CHROMIUM" ]]; then
	info "chromium not found: installing it with apt-get"
	apt_install "$WORK_DIR/apt.log" chromium && CHROMIUM=$(chromium_command)
fi

# canvases FILE: one line per chart of the loop cards (not the card template), "loop chart points ink changes"
canvases() {
	sed -n '/<main id="loops"/,/<\/main>/p' "$1" | grep -o '<article class="loop[^"]*" data-loop="[^"]*"\|<canvas class="[a-z]*"[^>]*>' | while read -r tag; do
		if [[ "$tag" == '<article'* ]]; then
			loop=${tag##*data-loop=\"}; loop=${loop%\"}
			continue
		fi
		chart=$(sed -n 's/.*class="\([a-z]*\)".*/\1/p' <<<"$tag")
		points=$(sed -n 's/.*data-points="\([0-9]*\)".*/\1/p' <<<"$tag")
		ink=$(sed -n 's/.*data-ink="\([0-9]*\)".*/\1/p' <<<"$tag")
		changes=$(sed -n 's/.*data-changes="\([0-9]*\)".*/\1/p' <<<"$tag")
		echo "$loop $chart ${points:-0} ${ink:-0} ${changes:-0}"
	done
}

# completed FILE: the "completed N" counts of the loop cards, one line
completed() {
	grep -o 'completed [0-9,]*' "$1" | tr -d ',' | awk '{print $2}' | paste -sd' '
}

if [[ -z "$CHROMIUM" ]]; then
	echo "SKIP  browser check: Chromium is not installed and 'apt-get install chromium' failed (see $WORK_DIR/apt.log)"
else
	browse() { # browse OUT_DOM [SCREENSHOT]: load the page with 4 s of virtual time
		local profile
		profile=$(mktemp -d)
		timeout 90 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$profile" --virtual-time-budget=4000 \
			--window-size=1400,1000 --dump-dom "$BASE/?check" >"$1" 2>"$WORK_DIR/chromium.log"
		if [[ -n "${2-}" ]]; then
			timeout 90 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$profile" --virtual-time-budget=6000 \
				--window-size=1400,1000 --screenshot="$2" "$BASE/" >>"$WORK_DIR/chromium.log" 2>&1
		fi
		rm -rf "$profile"
	}
	info "browser: $("$CHROMIUM" --version 2>/dev/null)"
	browse "$WORK_DIR/page-idle.html"
	polls=$(sed -n 's/.*data-polls="\([0-9]*\)".*/\1/p' "$WORK_DIR/page-idle.html" | head -n 1)
	canvases "$WORK_DIR/page-idle.html" >"$WORK_DIR/charts-idle.txt"
	charts=$(wc -l <"$WORK_DIR/charts-idle.txt")
	bad=$(awk '$3 < 3 || $4 == 0 || $5 < 3' "$WORK_DIR/charts-idle.txt")
	if ((${polls:-0} >= 3)) && ((charts == 15)) && [[ -z "$bad" ]]; then
		pass "live page renders: $polls polls, $charts charts (5 loops x queue/lag/utilisation), each painted and redrawn with new samples"
	else
		fail "live page renders: polls=${polls:-none}, charts=$charts (expected 15), charts not painted or not updating: ${bad:-none}"
		head -c 2000 "$WORK_DIR/page-idle.html"
	fi

	expect "load generator" 202 POST '/api/demo/load?seconds=20' '' '"running":true'
	for _ in $(seq 1 40); do
		call "$WORK_DIR/load.json" GET /api/demo/load >/dev/null
		done_ops=$(sed -n 's/.*"completed":\([0-9]*\).*/\1/p' "$WORK_DIR/load.json")
		((${done_ops:-0} > 2000)) && break
		sleep 0.5
	done
	browse "$WORK_DIR/page-load.html" "$WORK_DIR/live-page.png"
	before=$(completed "$WORK_DIR/page-idle.html")
	after=$(completed "$WORK_DIR/page-load.html")
	grew=$(awk -v a="$before" -v b="$after" 'BEGIN { n = split(a, x, " "); split(b, y, " "); g = 0;
		for (i = 1; i <= 4 && i <= n; i++) if (y[i] + 0 > x[i] + 0) g++; print g }')
	if grep -q 'load: running' "$WORK_DIR/page-load.html" && ((grew == 4)); then
		pass "live page follows the load: completed per ledger loop went from [$before] to [$after]"
	else
		fail "live page follows the load: completed [$before] -> [$after], load status: $(grep -o 'load: [a-z]*' "$WORK_DIR/page-load.html" | head -n 1)"
	fi
	if [[ -s "$WORK_DIR/live-page.png" ]] && (($(stat -c %s "$WORK_DIR/live-page.png") > 10000)); then
		pass "screenshot: $WORK_DIR/live-page.png ($(stat -c %s "$WORK_DIR/live-page.png") bytes)"
	else
		fail "screenshot: $WORK_DIR/live-page.png missing or blank"
	fi
	call "$WORK_DIR/load.json" DELETE /api/demo/load >/dev/null
fi

# 5. stall a loop: health goes DOWN, then UP again
expect "stall" 202 POST '/api/demo/stall?loop=ledger-1&millis=2500' '' '"loop":"ledger-1"'
seen=""
for _ in $(seq 1 40); do
	code=$(call "$WORK_DIR/health.json" GET /actuator/health)
	if [[ -z "$seen" && "$code" == 503 ]] && grep -q '"DOWN"' "$WORK_DIR/health.json"; then
		seen=down
	elif [[ "$seen" == down && "$code" == 200 ]]; then
		seen=up
		break
	fi
	sleep 0.25
done
[[ "$seen" == up ]] && pass "health: DOWN (503) while ledger-1 is stalled, UP again after" \
	|| fail "health: expected DOWN then UP around the stall, saw '${seen:-neither}'"

# 6. SIGTERM: clean exit within the shutdown timeout
if stop_app "$APP_PID" "$SHUTDOWN_TIMEOUT" "$LOG"; then
	pass "shutdown: $SHUTDOWN"
else
	fail "shutdown: $SHUTDOWN"
fi

echo "== e2e: $FAILURES failure(s) in $(($(date +%s) - STARTED)) s; log: $LOG"
((FAILURES == 0))
