#!/usr/bin/env bash
# Usage: [PROM_CHECK_WORK_DIR=...] [PROM_CHECK_HOLD=seconds] .ci/prometheus-check.sh
#
# The Grafana dashboard (ops/grafana) and the alert rules (ops/prometheus) against a real
# Prometheus, run from the repository root after `./mvnw verify` has built the sample jars:
# starts the sample application (with its load generator, and one short stall of ledger-1)
# and the Kafka sample (its own broker, steady order traffic) on free loopback ports,
# Prometheus on 127.0.0.1 scraping both every second with the alert rules loaded, then runs
# every panel query and every alert operand through /api/v1/query (ops/tools/promql.py
# check): each must return series with the labels the panel or alert shows. Also checks
# that the stall reached Prometheus as eventloop_stalled = 1, and, with Chromium installed,
# draws the dashboard from the collected data into $PROM_CHECK_WORK_DIR/dashboard.png.
# PROM_CHECK_HOLD waits that many more seconds before drawing (a longer picture).
# Installs Prometheus with apt-get when promtool or prometheus is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
show_help_if_asked "$@"
set -uo pipefail

STARTUP_TIMEOUT=${PROM_CHECK_STARTUP_TIMEOUT:-120}  # seconds for both applications to be UP
WORK_DIR=${PROM_CHECK_WORK_DIR:-target/prometheus-check}
HOLD=${PROM_CHECK_HOLD:-0}
STARTED=$SECONDS
EXIT_GRACE=10 # at the exit, Prometheus and the applications get SIGTERM, and SIGKILL 10 s later

require_repository_root ops
SAMPLE_JAR=$(module_jar sample-app)
KAFKA_JAR=$(module_jar kafka-sample)
[[ -n "$SAMPLE_JAR" && -n "$KAFKA_JAR" ]] || die "no sample-app or kafka-sample jar under */target: build them first" \
	"with ./mvnw verify (or ./mvnw -B -pl sample-app,kafka-sample -am package -DskipTests)"
rm -rf "$WORK_DIR"
mkdir -p "$WORK_DIR"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
	info "prometheus or promtool not found: installing Debian's prometheus with apt-get"
	apt_install "$WORK_DIR/apt.log" --no-install-recommends prometheus
	command -v prometheus >/dev/null && command -v promtool >/dev/null \
		|| die "could not install prometheus (see $WORK_DIR/apt.log)"
fi
info "$(prometheus --version 2>&1 | head -n 1)"

# the rule file on its own: syntax, and its unit tests
if promtool check rules ops/prometheus/eventloop-alerts.yml >"$WORK_DIR/promtool.log" 2>&1; then
	pass "promtool check rules: $(grep -o '[0-9]* rules found' "$WORK_DIR/promtool.log")"
else
	fail "promtool check rules:"; cat "$WORK_DIR/promtool.log"
fi
if promtool test rules ops/prometheus/eventloop-alerts.test.yml >"$WORK_DIR/promtool-test.log" 2>&1; then
	pass "promtool test rules: every alert pending before its 'for', firing after, resolved"
else
	fail "promtool test rules:"; cat "$WORK_DIR/promtool-test.log"
fi

# three different free loopback ports (see pick_free_port in lib.sh)
PORTS=()
for _ in 1 2 3; do
	port=$(pick_free_port "${PORTS[@]}") || die "found no free ports"
	PORTS+=("$port")
done
SAMPLE="127.0.0.1:${PORTS[0]}"
KAFKA="127.0.0.1:${PORTS[1]}"
PROM="http://127.0.0.1:${PORTS[2]}"

echo "== prometheus-check: $SAMPLE_JAR on ${PORTS[0]}, $KAFKA_JAR on ${PORTS[1]}, Prometheus on ${PORTS[2]}"
java -jar "$SAMPLE_JAR" --server.address=127.0.0.1 --server.port="${PORTS[0]}" </dev/null >"$WORK_DIR/sample-app.log" 2>&1 &
SAMPLE_PID=$!
end_at_exit "$SAMPLE_PID"
java -jar "$KAFKA_JAR" --server.address=127.0.0.1 --server.port="${PORTS[1]}" --sample.orders=1000 \
	--sample.steady.rate=2000 --sample.steady.order-work=150us </dev/null >"$WORK_DIR/kafka-sample.log" 2>&1 &
KAFKA_PID=$!
end_at_exit "$KAFKA_PID"

# both applications UP, bounded: within STARTUP_TIMEOUT of the check's start
for app in "sample-app $SAMPLE $SAMPLE_PID" "kafka-sample $KAFKA $KAFKA_PID"; do
	read -r name address pid <<<"$app"
	if wait_for_http --status 200 --contains '"status":"UP"' --attempt-time 5 \
		"http://$address/actuator/health" "$((STARTUP_TIMEOUT - (SECONDS - STARTED)))" "$pid" >/dev/null; then
		pass "$name: UP after $((SECONDS - STARTED)) s"
	else
		fail "$name: not UP within $STARTUP_TIMEOUT s; last lines of $WORK_DIR/$name.log:"
		tail -n 30 "$WORK_DIR/$name.log"
		exit 1
	fi
done

# Prometheus once both are up, so that nothing else has taken its port meanwhile
sed -e "s#@SAMPLE_TARGET@#$SAMPLE#" -e "s#@KAFKA_TARGET@#$KAFKA#" -e "s#@RULES@#$PWD/ops/prometheus/eventloop-alerts.yml#" \
	ops/prometheus/prometheus-ci.yml >"$WORK_DIR/prometheus.yml"
prometheus --config.file="$WORK_DIR/prometheus.yml" --storage.tsdb.path="$WORK_DIR/data" \
	--web.listen-address="127.0.0.1:${PORTS[2]}" --log.level=warn </dev/null >"$WORK_DIR/prometheus.log" 2>&1 &
end_at_exit $!

# traffic: the sample's load generator, and one stall of ledger-1 (eventloop_stalled = 1)
curl -sf -m 10 -X POST "http://$SAMPLE/api/demo/load?seconds=600" >/dev/null || fail "sample-app: could not start the load generator"

# Prometheus scrapes both, bounded
query() { # query PROMQL: the JSON answer of /api/v1/query
	curl -sS -m 10 -G "$PROM/api/v1/query" --data-urlencode "query=$1" 2>/dev/null
}
scraping=""
for _ in $(seq 1 60); do
	if [[ $(query 'count(up == 1)') == *'"value":['*',"2"]'* ]]; then
		scraping=yes
		break
	fi
	sleep 0.5
done
[[ -n "$scraping" ]] && pass "prometheus: scraping both applications (up == 1)" \
	|| { fail "prometheus: not scraping both applications: $(query up | head -c 400)"; tail -n 20 "$WORK_DIR/prometheus.log"; exit 1; }

# the stall once Prometheus scrapes, so that its scrapes see it
curl -sf -m 10 -X POST "http://$SAMPLE/api/demo/stall?loop=ledger-1&millis=2500" >/dev/null || fail "sample-app: could not stall ledger-1"
stalled=""
for _ in $(seq 1 40); do
	if [[ $(query 'max_over_time(eventloop_stalled{loop="ledger-1"}[5m])') == *',"1"]'* ]]; then
		stalled=yes
		break
	fi
	sleep 0.5
done
[[ -n "$stalled" ]] && pass "prometheus: the stall of ledger-1 was scraped as eventloop_stalled{loop=\"ledger-1\"} = 1" \
	|| fail "prometheus: eventloop_stalled{loop=\"ledger-1\"} never 1 while ledger-1 was stalled"

if ((HOLD > 0)); then
	info "collecting for $HOLD s more (PROM_CHECK_HOLD)"
	sleep "$HOLD"
fi

python3 ops/tools/promql.py check --prometheus "$PROM" --wait 40 | tee "$WORK_DIR/check.log"
((PIPESTATUS[0] == 0)) || FAILURES=$((FAILURES + 1))

# the dashboard drawn from the collected data
CHROMIUM=$(chromium_command)
minutes=$(awk -v s=$((SECONDS - STARTED)) 'BEGIN { printf "%.1f", s / 60 }')
if python3 ops/tools/promql.py render --prometheus "$PROM" --minutes "$minutes" --out "$WORK_DIR/dashboard.html"; then
	if [[ -n "$CHROMIUM" ]]; then
		profile=$(mktemp -d)
		timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
			--user-data-dir="$profile" --window-size=1400,1210 --screenshot="$WORK_DIR/dashboard.png" \
			"file://$PWD/$WORK_DIR/dashboard.html" >"$WORK_DIR/chromium.log" 2>&1
		rm -rf "$profile"
		if [[ -s "$WORK_DIR/dashboard.png" ]]; then
			pass "dashboard drawn from Prometheus: $WORK_DIR/dashboard.png ($(stat -c %s "$WORK_DIR/dashboard.png") bytes)"
		else
			fail "dashboard: Chromium did not write $WORK_DIR/dashboard.png (see $WORK_DIR/chromium.log)"
		fi
	else
		echo "SKIP  dashboard picture: Chromium not installed ($WORK_DIR/dashboard.html is drawn)"
	fi
else
	fail "dashboard: a panel has no data over the last $minutes min"
fi

echo "== prometheus-check: $FAILURES failure(s) in $((SECONDS - STARTED)) s; logs in $WORK_DIR"
((FAILURES == 0))
