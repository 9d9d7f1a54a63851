#!/usr/bin/env bash
# Usage: .ci/consumer-check.sh (from the repository root)
#
# Consumer check, run from the repository root: installs the starter into a throw-away local
# repository, then builds and starts, outside the reactor, an application made of the README's
# quick start taken verbatim (the Maven dependency block, application.yml and the Java classes,
# each the fenced block after a "<!-- consumer-check: ... -->" line), calls it over HTTP and
# stops it with SIGTERM. If the README's snippets stop working, this fails.
case "${1:-}" in
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
set -uo pipefail

STARTUP_TIMEOUT=${CONSUMER_STARTUP_TIMEOUT:-60} # seconds to wait for the application to answer
SHUTDOWN_TIMEOUT=30
ROOT=$(pwd)
WORK_DIR=${CONSUMER_WORK_DIR:-$ROOT/target/consumer-check}
APP_DIR="$WORK_DIR/app"
LOCAL_REPO="$WORK_DIR/repository"
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

[[ -f README.md && -x mvnw ]] || fail "run .ci/consumer-check.sh from the repository root"

# snippet MARKER: the fenced block that follows the line "<!-- consumer-check: MARKER -->"
snippet() {
	awk -v marker="<!-- consumer-check: $1 -->" '
		$0 == marker { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }
	' README.md
}

rm -rf "$APP_DIR"
mkdir -p "$APP_DIR" "$LOCAL_REPO"
# the snippets' own repository: the starter installed here, everything else read from ~/.m2
MAVEN_REPOS=(-Dmaven.repo.local="$LOCAL_REPO" -Dmaven.repo.local.tail="$HOME/.m2/repository")

echo "== consumer check: install the starter into $LOCAL_REPO"
if ! ./mvnw -B -q install -pl starter -am -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
	-Dspring-javaformat.skip=true "${MAVEN_REPOS[@]}" >"$WORK_DIR/install.log" 2>&1; then
	tail -n 40 "$WORK_DIR/install.log"
	fail "installing the starter failed (log: $WORK_DIR/install.log)"
fi

dependency=$(snippet dependency)
[[ "$dependency" == *"<artifactId>eventloop-spring-boot-starter</artifactId>"* ]] \
	|| fail "README.md has no Maven dependency block after '<!-- consumer-check: dependency -->'"
files=$(grep -o '^<!-- consumer-check: [^ ]*/[^ ]* -->$' README.md | sed 's/^<!-- consumer-check: \(.*\) -->$/\1/')
[[ -n "$files" ]] || fail "README.md marks no files for the consumer check"
for file in $files; do
	mkdir -p "$APP_DIR/$(dirname "$file")"
	snippet "$file" >"$APP_DIR/$file"
	[[ -s "$APP_DIR/$file" ]] || fail "README.md has no code block after '<!-- consumer-check: $file -->'"
done
pass "README snippets: the Maven dependency and $(wc -w <<<"$files") files ($(tr '\n' ' ' <<<"$files"))"

# an application the way a user starts one: Boot's BOM, spring-boot-starter-webmvc, the README's
# dependency block as it is, and a main class
boot_version=$(sed -n 's:.*<spring-boot.version>\(.*\)</spring-boot.version>.*:\1:p' pom.xml)
plugin_version() { sed -n "s:.*<$1-plugin.version>\(.*\)</$1-plugin.version>.*:\1:p" pom.xml; }
cat >"$APP_DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
	xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
	<modelVersion>4.0.0</modelVersion>
	<groupId>com.example</groupId>
	<artifactId>bank</artifactId>
	<version>1.0</version>
	<properties>
		<maven.compiler.release>17</maven.compiler.release>
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
$dependency
	</dependencies>
	<build>
		<plugins>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-compiler-plugin</artifactId>
				<version>$(plugin_version compiler)</version>
				<configuration>
					<parameters>true</parameters>
				</configuration>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-resources-plugin</artifactId>
				<version>$(plugin_version resources)</version>
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
first_class=$(grep -m1 '\.java$' <<<"$files")
[[ -n "$first_class" ]] || fail "no Java class among the README's consumer-check files"
main_package=$(sed -n 's/^package \(.*\);/\1/p' "$APP_DIR/$first_class")
cat >"$APP_DIR/src/main/java/${main_package//.//}/BankApplication.java" <<EOF
package $main_package;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class BankApplication {

	public static void main(String[] args) {
		SpringApplication.run(BankApplication.class, args);
	}

}
EOF
# the project's Maven wrapper, so that the consumer builds with the same Maven
cp -r mvnw .mvn "$APP_DIR/"

echo "== consumer check: build the application in $APP_DIR"
if ! (cd "$APP_DIR" && ./mvnw -B -q package -DskipTests "${MAVEN_REPOS[@]}") >"$WORK_DIR/build.log" 2>&1; then
	tail -n 40 "$WORK_DIR/build.log"
	fail "the README's snippets do not build (log: $WORK_DIR/build.log)"
fi
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' <<<"$dependency")
starter="$LOCAL_REPO/dev/eventloop/eventloop-spring-boot-starter/$version/eventloop-spring-boot-starter-$version.jar"
[[ -f "$starter" ]] || fail "the README's dependency did not resolve to the starter jar $starter"
# Boot's repackaging leaves out a jar whose manifest says Spring-Boot-Jar-Type: dependencies-starter,
# as it does with its own starters; what the starter brings in is packed
libraries=$(unzip -l "$APP_DIR/target/bank-1.0.jar" | grep -o 'BOOT-INF/lib/eventloop-[^ ]*\.jar' | sed 's:.*/::' | sort | tr '\n' ' ')
[[ "$libraries" == *"eventloop-core-"* && "$libraries" == *"eventloop-spring-boot-autoconfigure-"* \
	&& "$libraries" != *"eventloop-spring-boot-starter-"* ]] \
	|| fail "the application jar should pack core and autoconfigure, and leave out the empty starter: [$libraries]"
pass "build: the README's dependency resolves to $(basename "$starter"); the application packs $libraries"

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
LOG="$WORK_DIR/app.log"
java -jar "$APP_DIR/target/bank-1.0.jar" --server.port="$PORT" </dev/null >"$LOG" 2>&1 &
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
pass "GET /report -> $report"

deposit=$(curl -sS -m 10 -X POST "$BASE/accounts/alice/deposits?amount=5" 2>/dev/null)
deposit_again=$(curl -sS -m 10 -X POST "$BASE/accounts/alice/deposits?amount=7" 2>/dev/null)
if [[ "$deposit" == "alice has 5" && "$deposit_again" == "alice has 12" ]]; then
	pass "POST /accounts/alice/deposits twice -> '$deposit', then '$deposit_again'"
else
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
echo "== consumer check passed in $(($(date +%s) - STARTED)) s"
