#!/usr/bin/env bash
# Usage: scripts/benchmarks.sh [--quick] [--skip-build] [JMH options...]
#
# Build benchmarks/target/benchmarks.jar and run the JMH suite, writing JMH JSON, the JMH
# log and a Markdown summary to benchmarks/results/. Uses $JAVA_HOME/bin/java when
# JAVA_HOME is set, otherwise java on the PATH.
usage() {
	cat <<'USAGE'
Usage: scripts/benchmarks.sh [--quick] [--skip-build] [JMH options...]

  (no options)    the whole suite with the settings of BenchmarkBase (about 15 minutes on 2 cores)
  --quick         smoke run: every benchmark, one very short iteration; numbers mean nothing
  --skip-build    reuse benchmarks/target/benchmarks.jar if it exists
  JMH options     passed to JMH, e.g. a regexp selecting benchmarks ('RoundTripBenchmark')
                  or -p implementation=eventloop,netty
  -h, --help      print this help

Writes benchmarks/results/<full|quick>-<UTC time>.{json,log,md}.
Compare several runs with: scripts/benchmark-report.py A.json B.json ...
USAGE
}

set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=full
skip_build=0
jmh_args=()
for arg in "$@"; do
	case "$arg" in
		--quick) mode=quick ;;
		--skip-build) skip_build=1 ;;
		-h|--help) usage; exit 0 ;;
		*) jmh_args+=("$arg") ;;
	esac
done

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ "$skip_build" == 0 || ! -f benchmarks/target/benchmarks.jar ]]; then
	echo "Building benchmarks/target/benchmarks.jar"
	./mvnw -B -q -pl benchmarks -am -DskipTests -Dspring-javaformat.skip=true -Dbenchmarks.shade.skip=false package
fi

if [[ "$mode" == quick ]]; then
	# one short fork per benchmark: checks that everything runs, numbers are not meaningful
	timing=(-f 1 -wi 1 -w 200ms -i 1 -r 500ms)
else
	timing=() # the settings of BenchmarkBase: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p benchmarks/results
json="benchmarks/results/${mode}-${stamp}.json"
log="benchmarks/results/${mode}-${stamp}.log"

{
	echo "# date: $(date -u +%FT%TZ)"
	echo "# host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
	echo "# load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# java: $("$java" -version 2>&1 | head -n 2 | tr '\n' ' ')"
} | tee "$log"

"$java" -jar benchmarks/target/benchmarks.jar \
	-prof gc -prof dev.eventloop.benchmarks.CpuProfiler \
	-rf json -rff "$json" \
	${timing[@]+"${timing[@]}"} ${jmh_args[@]+"${jmh_args[@]}"} 2>&1 | tee -a "$log"

echo "# load after run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"

if command -v python3 >/dev/null 2>&1; then
	python3 scripts/benchmark-report.py "$json" > "${json%.json}.md"
	cat "${json%.json}.md"
	echo "Summary: ${json%.json}.md"
fi
echo "JMH JSON: $json"
