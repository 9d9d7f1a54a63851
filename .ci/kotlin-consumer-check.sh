#!/usr/bin/env bash
# Usage: .ci/kotlin-consumer-check.sh (from the repository root, after .ci/consumer-check.sh)
#
# Kotlin consumer check: builds and starts, outside the reactor, a Kotlin application made of the
# quick start of docs/kotlin.md taken verbatim (the Maven dependencies, application.yml and the
# Kotlin classes, each the fenced block after a "<!-- kotlin-check: ... -->" line), calls its
# suspend endpoints over HTTP and stops it with SIGTERM. It reuses the throw-away local repository
# that .ci/consumer-check.sh installed the starter into (and installs it there if it is missing).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
show_help_if_asked "$@"
set -uo pipefail

STARTUP_TIMEOUT=${CONSUMER_STARTUP_TIMEOUT:-60} # seconds to wait for the application to answer
SHUTDOWN_TIMEOUT=30
ROOT=$(pwd)
WORK_DIR=${CONSUMER_WORK_DIR:-$ROOT/target/consumer-check}
APP_DIR="$WORK_DIR/kotlin-app"
LOCAL_REPO="$WORK_DIR/repository"
DOC=docs/kotlin.md
STARTED=$(date +%s)

require_repository_root "$DOC"

rm -rf "$APP_DIR"
mkdir -p "$APP_DIR" "$LOCAL_REPO"
MAVEN_REPOS=(-Dmaven.repo.local="$LOCAL_REPO" -Dmaven.repo.local.tail="$HOME/.m2/repository")

version=$(sed -n 's:^\t<version>\(.*\)</version>$:\1:p' pom.xml | head -1)
if [[ ! -f "$LOCAL_REPO/dev/eventloop/eventloop-kotlin/$version/eventloop-kotlin-$version.jar" ]]; then
	echo "== kotlin consumer check: install the starter into $LOCAL_REPO"
	install_starter "$WORK_DIR/kotlin-install.log" "${MAVEN_REPOS[@]}"
fi

dependency=$(doc_snippet "$DOC" kotlin-check dependency)
[[ "$dependency" == *"<artifactId>eventloop-spring-boot-starter</artifactId>"* ]] \
	|| die "$DOC has no Maven dependency block after '<!-- kotlin-check: dependency -->'"
write_doc_files "$DOC" kotlin-check "$APP_DIR"
files=$DOC_FILES
pass "$DOC snippets: the Maven dependencies and $(wc -w <<<"$files") files ($(tr '\n' ' ' <<<"$files"))"

# a Kotlin application the way start.spring.io sets one up: Boot's BOM, spring-boot-starter-webmvc,
# kotlin-maven-plugin with the spring compiler plugin and -java-parameters, and a main function
boot_version=$(pom_property spring-boot.version)
kotlin_version=$(pom_property kotlin.version)
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
				<version>$(pom_property resources-plugin.version)</version>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-compiler-plugin</artifactId>
				<version>$(pom_property compiler-plugin.version)</version>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-jar-plugin</artifactId>
				<version>$(pom_property jar-plugin.version)</version>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-surefire-plugin</artifactId>
				<version>$(pom_property surefire.version)</version>
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
[[ -n "$first_class" ]] || die "no Kotlin class among $DOC's kotlin-check files"
main_package=$(sed -n 's/^package \(.*\)$/\1/p' "$APP_DIR/$first_class")
[[ "$main_package" == "com.example.bank" ]] || die "the Kotlin snippets are in package '$main_package', not com.example.bank"
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
	die "the snippets of $DOC do not build (log: $WORK_DIR/kotlin-build.log)"
fi
libraries=$(unzip -l "$APP_DIR/target/kotlin-bank-1.0.jar" | grep -o 'BOOT-INF/lib/eventloop-[^ ]*\.jar' | sed 's:.*/::' | sort | tr '\n' ' ')
[[ "$libraries" == *"eventloop-kotlin-"* ]] || die "the application jar should pack eventloop-kotlin: [$libraries]"
pass "build: the application packs $libraries"

# the application as a user starts it, answering as docs/kotlin.md says
check_bank_app "$APP_DIR/target/kotlin-bank-1.0.jar" "$WORK_DIR/kotlin-app.log" "$STARTUP_TIMEOUT" "$SHUTDOWN_TIMEOUT" \
	"(suspend, withContext on the loop)" "(suspend @OnEventLoop)"
echo "== kotlin consumer check passed in $(($(date +%s) - STARTED)) s"
