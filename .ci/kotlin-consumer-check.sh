#!/usr/bin/env bash
# Usage: .ci/kotlin-consumer-check.sh (from the repository root, after .ci/consumer-check.sh)
#
# Kotlin consumer check: builds and starts, outside the reactor, a Kotlin application made of the
# quick start of docs/kotlin.md taken verbatim (the Maven dependencies, application.yml and the
# Kotlin classes, each the fenced block after a "<!-- kotlin-check: ... -->" line), calls its
# suspend endpoints over HTTP and stops it with SIGTERM. It reuses the throw-away local repository
# that .ci/consumer-check.sh installed the starter into (and installs it there if it is missing).
case "${1:-}" in
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
set -uo pipefail

STARTUP_TIMEOUT=${CONSUMER_STARTUP_TIMEOUT:-60} # seconds to wait for the application to answer
SHUTDOWN_TIMEOUT=30
ROOT=$(pwd)
WORK_DIR=${CONSUMER_WORK_DIR:-$ROOT/target/consumer-check}
APP_DIR="$WORK_DIR/kotlin-app"
LOCAL_REPO="$WORK_DIR/repository"
DOC=docs/kotlin.md
STARTED=$(date +%s)
APP_PID=""

fail() {
	echo "FAIL  $*"
	exit 1
}
pass() { echo "PASS  $*"; }

cleanup() {
	if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
		kill -KILL "$APP_PID" 2>/dev/null
		wait "$APP_PID" 2>/dev/null
	fi
}
trap cleanup EXIT

[[ -f "$DOC" && -x mvnw ]] || fail "run .ci/kotlin-consumer-check.sh from the repository root"

# snippet MARKER: the fenced block that follows the line "<!-- kotlin-check: MARKER -->"
snippet() {
	awk -v marker="<!-- kotlin-check: $1 -->" '
		$0 == marker { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }
	' "$DOC"
}

rm -rf "$APP_DIR"
mkdir -p "$APP_DIR" "$LOCAL_REPO"
MAVEN_REPOS=(-Dmaven.repo.local="$LOCAL_REPO" -Dmaven.repo.local.tail="$HOME/.m2/repository")

version=$(sed -n 's:^\t<version>\(.*\)</version>$:\1:p' pom.xml | head -1)
if [[ ! -f "$LOCAL_REPO/dev/eventloop/eventloop-kotlin/$version/eventloop-kotlin-$version.jar" ]]; then
	echo "== kotlin consumer check: install the starter into $LOCAL_REPO"
	if ! ./mvnw -B -q install -pl starter -am -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
		-Dspring-javaformat.skip=true "${MAVEN_REPOS[@]}" >"$WORK_DIR/kotlin-install.log" 2>&1; then
		tail -n 40 "$WORK_DIR/kotlin-install.log"
		fail "installing the starter failed (log: $WORK_DIR/kotlin-install.log)"
	fi
fi

dependency=$(snippet dependency)
[[ "$dependency" == *"<artifactId>eventloop-spring-boot-starter</artifactId>"* ]] \
	|| fail "$DOC has no Maven dependency block after '<!-- kotlin-check: dependency -->'"
files=$(grep -o '^<!-- kotlin-check: [^ ]*/[^ ]* -->$' "$DOC" | sed 's/^<!-- kotlin-check: \(.*\) -->$/\1/')
[[ -n "$files" ]] || fail "$DOC marks no files for the Kotlin consumer check"
for file in $files; do
	mkdir -p "$APP_DIR/$(dirname "$file")"
	snippet "$file" >"$APP_DIR/$file"
	[[ -s "$APP_DIR/$file" ]] || fail "$DOC has no code block after '<!-- kotlin-check: $file -->'"
done
pass "$DOC snippets: the Maven dependencies and $(wc -w <<<"$files") files ($(tr '\n' ' ' <<<"$files"))"

# a Kotlin application the way start.spring.io sets one up: Boot's BOM, spring-boot-starter-webmvc,
# kotlin-maven-plugin with the spring compiler plugin and -java-parameters, and a main function
boot_version=$(sed -n 's:.*<spring-boot.version>\(.*\)</spring-boot.version>.*:\1:p' pom.xml)
kotlin_version=$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' pom.xml)
plugin_version() { sed -n "s:.*<$1-plugin.version>\(.*\)</$1-plugin.version>.*:\1:p" pom.xml; }
cat >"$APP_DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
	xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
	<modelVersion>4.0.0</modelVersion>
	<groupId>com.example</groupId>
	<artifactId>kotlin-bank</artifactId>
	<version>1.0</version>
	<properties>
		<project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
	</properties>
	<dependencyManagement>
		<dependencies>
			<dependency>
				<groupId>org.springframework.boot</groupId>
				<artifactId>spring-boot-dependencies</artifactId>
				<version>$boot_version</version>
				<type>pom</type>
				<scope>import</scope>
			</dependency>
		</dependencies>
	</dependencyManagement>
	<dependencies>
		<dependency>
			<groupId>org.springframework.boot</groupId>
			<artifactId>spring-boot-starter-webmvc</artifactId>
		</dependency>
		<dependency>
			<groupId>org.jetbrains.kotlin</groupId>
			<artifactId>kotlin-stdlib</artifactId>
		</dependency>
$dependency
	</dependencies>
	<build>
		<sourceDirectory>src/main/kotlin</sourceDirectory>
		<plugins>
			<plugin>
				<groupId>org.jetbrains.kotlin</groupId>
				<artifactId>kotlin-maven-plugin</artifactId>
				<version>$kotlin_version</version>
				<configuration>
					<jvmTarget>17</jvmTarget>
					<javaParameters>true</javaParameters>
					<compilerPlugins>
						<plugin>spring</plugin>
					</compilerPlugins>
				</configuration>
				<dependencies>
					<dependency>
						<groupId>org.jetbrains.kotlin</groupId>
						<artifactId>kotlin-maven-allopen</artifactId>
						<version>$kotlin_version</version>
					</dependency>
				</dependencies>
				<executions>
					<execution>
						<id>compile</id>
						<goals>
							<goal>compile</goal>
						</goals>
					</execution>
				</executions>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-resources-plugin</artifactId>
				<version>$(plugin_version resources)</version>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-compiler-plugin</artifactId>
				<version>$(plugin_version compiler)</version>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-jar-plugin</artifactId>
				<version>$(plugin_version jar)</version>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-surefire-plugin</artifactId>
				<version>$(sed -n 's:.*<surefire.version>\(.*\)</surefire.version>.*:\1:p' pom.xml)</version>
			</plugin>
			<plugin>
				<groupId>org.springframework.boot</groupId>
				<artifactId>spring-boot-maven-plugin</artifactId>
				<version>$boot_version</version>
				<configuration>
					<mainClass>com.example.bank.BankApplicationKt</mainClass>
				</configuration>
				<executions>
					<execution>
						<goals>
							<goal>repackage</goal>
						</goals>
					</execution>
				</executions>
			</plugin>
		</plugins>
	</build>
</project>
EOF
first_class=$(grep -m1 '\.kt$' <<<"$files")
[[ -n "$first_class" ]] || fail "no Kotlin class among $DOC's kotlin-check files"
main_package=$(sed -n 's/^package \(.*\)$/\1/p' "$APP_DIR/$first_class")
[[ "$main_package" == "com.example.bank" ]] || fail "the Kotlin snippets are in package '$main_package', not com.example.bank"
cat >"$APP_DIR/src/main/kotlin/com/example/bank/BankApplication.kt" <<EOF
package $main_package

import org.springframework.boot.autoconfigure.SpringBootApplication
import org.springframework.boot.runApplication

@SpringBootApplication
class BankApplication

fun main(args: Array<String>) {
	runApplication<BankApplication>(*args)
}
EOF
cp -r mvnw .mvn "$APP_DIR/"

echo "== kotlin consumer check: build the application in $APP_DIR"
if ! (cd "$APP_DIR" && ./mvnw -B -q package -DskipTests "${MAVEN_REPOS[@]}") >"$WORK_DIR/kotlin-build.log" 2>&1; then
	tail -n 40 "$WORK_DIR/kotlin-build.log"
	fail "the snippets of $DOC do not build (log: $WORK_DIR/kotlin-build.log)"
fi
libraries=$(unzip -l "$APP_DIR/target/kotlin-bank-1.0.jar" | grep -o 'BOOT-INF/lib/eventloop-[^ ]*\.jar' | sed 's:.*/::' | sort | tr '\n' ' ')
[[ "$libraries" == *"eventloop-kotlin-"* ]] || fail "the application jar should pack eventloop-kotlin: [$libraries]"
pass "build: the application packs $libraries"

PORT=""
for _ in $(seq 1 50); do
	candidate=$((20000 + RANDOM % 12000)) # below the kernel's ephemeral ports (32768 and up): no outgoing connection takes it before the bind
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
		PORT=$candidate
		break
	fi
done
[[ -n "$PORT" ]] || fail "found no free port"
BASE="http://127.0.0.1:$PORT"
LOG="$WORK_DIR/kotlin-app.log"
java -jar "$APP_DIR/target/kotlin-bank-1.0.jar" --server.port="$PORT" </dev/null >"$LOG" 2>&1 &
APP_PID=$!

report=""
deadline=$((SECONDS + STARTUP_TIMEOUT))
while ((SECONDS < deadline)) && kill -0 "$APP_PID" 2>/dev/null; do
	report=$(curl -sS -m 10 "$BASE/report" 2>/dev/null) && [[ -n "$report" ]] && break
	report=""
	sleep 0.5
done
if [[ "$report" != "settled on settlement" ]]; then
	tail -n 40 "$LOG"
	fail "GET /report: expected 'settled on settlement' within $STARTUP_TIMEOUT s, got '$report'"
fi
pass "GET /report (suspend, withContext on the loop) -> $report"

deposit=$(curl -sS -m 10 -X POST "$BASE/accounts/alice/deposits?amount=5" 2>/dev/null)
deposit_again=$(curl -sS -m 10 -X POST "$BASE/accounts/alice/deposits?amount=7" 2>/dev/null)
if [[ "$deposit" == "alice has 5" && "$deposit_again" == "alice has 12" ]]; then
	pass "POST /accounts/alice/deposits twice (suspend @OnEventLoop) -> '$deposit', then '$deposit_again'"
else
	tail -n 40 "$LOG"
	fail "POST /accounts/alice/deposits twice: expected 'alice has 5' then 'alice has 12', got '$deposit' and '$deposit_again'"
fi

kill -TERM "$APP_PID"
stop_started=$SECONDS
while kill -0 "$APP_PID" 2>/dev/null && ((SECONDS - stop_started < SHUTDOWN_TIMEOUT)); do
	sleep 0.2
done
kill -0 "$APP_PID" 2>/dev/null && fail "shutdown: still running $SHUTDOWN_TIMEOUT s after SIGTERM"
wait "$APP_PID"
exit_code=$?
APP_PID=""
if [[ "$exit_code" != 0 && "$exit_code" != 143 ]] || grep -q 'Exception in thread\|APPLICATION FAILED' "$LOG"; then
	tail -n 20 "$LOG"
	fail "shutdown: exit code $exit_code"
fi
pass "shutdown: SIGTERM -> exit code $exit_code"
echo "== kotlin consumer check passed in $(($(date +%s) - STARTED)) s"
