#!/usr/bin/env bash
# Soak: run the reliability load for a while and print the figures.
#   scripts/soak.sh [duration]      duration: 90s, 10m (default), 1h or ISO-8601 (PT10M)
#   SOAK_JAVA_OPTS="-Xmx1g"         JVM options (default: -Xms512m -Xmx512m)
#   JAVA_HOME=/path/to/jdk          JDK to run on (default: java on the PATH)
# Exits with status 1 if a task was lost, ran twice, ran out of order or on the wrong loop.
set -euo pipefail
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
