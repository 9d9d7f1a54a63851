#!/usr/bin/env bash
# Usage: scripts/soak.sh [duration]
#
# Soak: run the reliability load for a while and print the figures. Exits with status 1 if
# a task was lost, ran twice, ran out of order or on the wrong loop.
usage() {
	cat <<'USAGE'
Usage: scripts/soak.sh [duration]

  duration        how long to apply load: 90s, 10m (default), 1h or ISO-8601 (PT10M)
  -h, --help      print this help

Environment:
  SOAK_JAVA_OPTS  JVM options (default: -Xms512m -Xmx512m)
  JAVA_HOME       JDK to run on (default: java on the PATH)

Exits with status 1 if a task was lost, ran twice, ran out of order or on the wrong loop.
USAGE
}

set -euo pipefail
case "${1:-}" in
	-h|--help) usage; exit 0 ;;
esac
cd "$(dirname "$0")/.."
duration="${1:-10m}"
./mvnw -B -q -pl core -am test-compile -Dspring-javaformat.skip=true
./mvnw -B -q -pl core dependency:build-classpath -Dmdep.includeScope=test \
	-Dmdep.outputFile=target/soak.classpath
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
exec "$java" ${SOAK_JAVA_OPTS:--Xms512m -Xmx512m} \
	-cp "core/target/test-classes:core/target/classes:$(cat core/target/soak.classpath)" \
	dev.eventloop.reliability.SoakRunner "$duration"
