#!/usr/bin/env bash
# Usage: .ci/consumer-check.sh (from the repository root)
#
# Consumer check, run from the repository root: installs the starter into a throw-away local
# repository, then builds and starts, outside the reactor, an application made of the README's
# quick start taken verbatim (the Maven dependency block, application.yml and the Java classes,
# each the fenced block after a "<!-- consumer-check: ... -->" line), calls it over HTTP and
# stops it with SIGTERM. If the README's snippets stop working, this fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
show_help_if_asked "$@"
set -uo pipefail

STARTUP_TIMEOUT=${CONSUMER_STARTUP_TIMEOUT:-60} # seconds to wait for the application to answer
SHUTDOWN_TIMEOUT=30
ROOT=$(pwd)
WORK_DIR=${CONSUMER_WORK_DIR:-$ROOT/target/consumer-check}
APP_DIR="$WORK_DIR/app"
LOCAL_REPO="$WORK_DIR/repository"
STARTED=$(date +%s)

require_repository_root README.md

rm -rf "$APP_DIR"
mkdir -p "$APP_DIR" "$LOCAL_REPO"
# the snippets' own repository: the starter installed here, everything else read from ~/.m2
MAVEN_REPOS=(-Dmaven.repo.local="$LOCAL_REPO" -Dmaven.repo.local.tail="$HOME/.m2/repository")

echo "== consumer check: install the starter into $LOCAL_REPO"
install_starter "$WORK_DIR/install.log" "${MAVEN_REPOS[@]}"

dependency=$(doc_snippet README.md consumer-check dependency)
[[ "$dependency" == *"<artifactId>eventloop-spring-boot-starter</artifactId>"* ]] \
	|| die "README.md has no Maven dependency block after '<!-- consumer-check: dependency -->'"
write_doc_files README.md consumer-check "$APP_DIR"
files=$DOC_FILES
pass "README snippets: the Maven dependency and $(wc -w <<<"$files") files ($(tr '\n' ' ' <<<"$files"))"

# an application the way a user starts one: Boot's BOM, spring-boot-starter-webmvc, the README's
# dependency block as it is, and a main class
boot_version=$(pom_property spring-boot.version)
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
				<version>$(pom_property compiler-plugin.version)</version>
				<configuration>
					<parameters>true</parameters>
				</configuration>
			</plugin>
			<plugin>
				<groupId>org.apache.maven.plugins</groupId>
				<artifactId>maven-resources-plugin</artifactId>
				<version>$(pom_property resources-plugin.version)</version>
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
[[ -n "$first_class" ]] || die "no Java class among the README's consumer-check files"
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
	die "the README's snippets do not build (log: $WORK_DIR/build.log)"
fi
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' <<<"$dependency")
starter="$LOCAL_REPO/dev/eventloop/eventloop-spring-boot-starter/$version/eventloop-spring-boot-starter-$version.jar"
[[ -f "$starter" ]] || die "the README's dependency did not resolve to the starter jar $starter"
# Boot's repackaging leaves out a jar whose manifest says Spring-Boot-Jar-Type: dependencies-starter,
# as it does with its own starters; what the starter brings in is packed
libraries=$(unzip -l "$APP_DIR/target/bank-1.0.jar" | grep -o 'BOOT-INF/lib/eventloop-[^ ]*\.jar' | sed 's:.*/::' | sort | tr '\n' ' ')
[[ "$libraries" == *"eventloop-core-"* && "$libraries" == *"eventloop-spring-boot-autoconfigure-"* \
	&& "$libraries" != *"eventloop-spring-boot-starter-"* ]] \
	|| die "the application jar should pack core and autoconfigure, and leave out the empty starter: [$libraries]"
pass "build: the README's dependency resolves to $(basename "$starter"); the application packs $libraries"

# the application as a user starts it, answering as the README says
check_bank_app "$APP_DIR/target/bank-1.0.jar" "$WORK_DIR/app.log" "$STARTUP_TIMEOUT" "$SHUTDOWN_TIMEOUT"
echo "== consumer check passed in $(($(date +%s) - STARTED)) s"
