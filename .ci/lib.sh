# Shared by the checks of .ci/ (e2e.sh, prometheus-check.sh, consumer-check.sh,
# kotlin-consumer-check.sh), each of which starts with
#
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Sourcing it sets FAILURES to 0 and an EXIT trap that ends every process registered with
# end_at_exit, however the check ends. It sets no shell options: the checks do.

# show_help_if_asked ARGUMENT...: with -h or --help first, prints the check's header comment
# (its usage, the comment lines after the #! line) and exits
show_help_if_asked() {
	case "${1:-}" in
		-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	esac
}

# --- Reporting: one line per check, PASS or FAIL first ---

FAILURES=0
pass() { echo "PASS  $*"; }
info() { echo "INFO  $*"; }
# fail MESSAGE: a failed check; the script goes on and ends with ((FAILURES == 0))
fail() {
	echo "FAIL  $*"
	FAILURES=$((FAILURES + 1))
}
# die MESSAGE: a failure after which nothing else can be checked: exit code 1
die() {
	echo "FAIL  $*"
	exit 1
}

# --- Preconditions ---

# require_repository_root PATH...: dies unless the current directory is the repository root,
# the one with pom.xml and an executable mvnw, and holds every PATH the check reads
require_repository_root() {
	local path
	for path in pom.xml mvnw "$@"; do
		[[ -e "$path" ]] || die "run $0 from the repository root (no $path here: $(pwd))"
	done
	[[ -x mvnw ]] || die "run $0 from the repository root (mvnw here is not executable: $(pwd))"
}

# module_jar MODULE: the application jar that `./mvnw verify` built in MODULE/target (not the
# .original that Boot's repackaging leaves beside it); nothing when there is none
module_jar() {
	ls "$1"/target/eventloop-"$1"-*.jar 2>/dev/null | grep -v '\.original$' | head -n 1
}

# apt_install LOG APT_GET_INSTALL_ARGUMENT...: apt-get update, then apt-get install -y with
# the arguments, each bounded to 10 minutes, their output into LOG; fails if either does
apt_install() {
	local log=$1
	shift
	DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq >"$log" 2>&1 \
		&& DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "$@" >>"$log" 2>&1
}

# chromium_command: the path of Chromium's command, nothing when it is not installed
chromium_command() {
	command -v chromium || command -v chromium-browser || true
}

# --- Ports and processes ---

# pick_free_port [TAKEN_PORT...]: prints a port that nothing on 127.0.0.1 answers on and that
# is none of TAKEN_PORT (the ones already picked for the same run); fails after 50 tries.
# It picks from 20000-31999, below the kernel's ephemeral range (32768 and up by default), from
# which every outgoing connection (curl, a Kafka client, the embedded broker) takes its local
# port: a port from there could be taken between this test and the application's bind.
pick_free_port() {
	local try candidate
	for try in $(seq 1 50); do
		candidate=$((20000 + RANDOM % 12000))
		if [[ " $* " != *" $candidate "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

# The processes that the EXIT trap ends (end_at_exit adds to it, stop_app takes off)
PIDS_TO_END=()
# Seconds the EXIT trap leaves them between SIGTERM and SIGKILL; 0: SIGKILL at once
EXIT_GRACE=0

# end_at_exit PID: PID, a background process of the check (`command & end_at_exit $!`), is
# ended when the check exits, unless stop_app has stopped it before
end_at_exit() {
	PIDS_TO_END+=("$1")
}

# the EXIT trap: with EXIT_GRACE, SIGTERM to every process and up to EXIT_GRACE seconds for
# each to exit; then SIGKILL to the ones left, and reaps them
end_processes() {
	local pid deadline
	# a subshell (a background job signalled before it has started its program) inherits
	# this trap: the processes are the main script's to end, not its
	[[ "$BASHPID" == "$$" ]] || return 0
	if ((EXIT_GRACE > 0)); then
		for pid in "${PIDS_TO_END[@]}"; do
			kill -TERM "$pid" 2>/dev/null
		done
	fi
	for pid in "${PIDS_TO_END[@]}"; do
		deadline=$((SECONDS + EXIT_GRACE))
		while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
			sleep 0.2
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
}
trap end_processes EXIT

# wait_for_http [--status CODE] [--contains TEXT] [--attempt-time SECONDS] URL TIMEOUT PID
#
# Asks URL with curl every half second until it answers with a non-empty body, with the HTTP
# status CODE and a body that contains TEXT when they are given (any status otherwise); then
# prints that body and returns 0. Returns 1, printing nothing, once TIMEOUT seconds have passed
# or the process PID (the one that is to answer) has exited. One attempt takes at most SECONDS
# (10 unless given), so the wait ends at most that long after TIMEOUT.
wait_for_http() {
	local status="" contains="" attempt_time=10
	while [[ "$1" == --* ]]; do
		case "$1" in
			--status) status=$2 ;;
			--contains) contains=$2 ;;
			--attempt-time) attempt_time=$2 ;;
			*) echo "wait_for_http: unknown option $1" >&2; return 2 ;;
		esac
		shift 2
	done
	local url=$1 deadline=$((SECONDS + $2)) pid=$3 answer body
	while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
		# the body, then the status on a line of its own
		if answer=$(curl -sS -m "$attempt_time" -w '\n%{http_code}' "$url" 2>/dev/null); then
			body=$(printf '%s' "${answer%$'\n'*}") # without trailing newlines, as $(curl ...) gives it
			if [[ -n "$body" && ( -z "$status" || "${answer##*$'\n'}" == "$status" ) && "$body" == *"$contains"* ]]; then
				printf '%s\n' "$body"
				return 0
			fi
		fi
		sleep 0.5
	done
	return 1
}

# stop_app PID TIMEOUT LOG: stops the application PID with SIGTERM and checks that it exits
# cleanly: within TIMEOUT seconds, with exit code 0 or 143 (128 + SIGTERM, the JVM's exit code
# once its shutdown hooks have run) and with no uncaught exception, failed shutdown or failed
# start in LOG. Sets SHUTDOWN to a line that says what happened (for pass or fail); returns 1
# if the exit was not clean, after printing the last lines of LOG if the application has exited.
stop_app() {
	local pid=$1 timeout=$2 log=$3 started=$SECONDS exit_code took remaining=() kept
	kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null && ((SECONDS - started < timeout)); do
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		SHUTDOWN="still running $timeout s after SIGTERM"
		return 1
	fi
	wait "$pid"
	exit_code=$?
	took=$((SECONDS - started))
	# reaped: the EXIT trap must leave its number alone, another process may have it by then
	for kept in "${PIDS_TO_END[@]}"; do
		[[ "$kept" == "$pid" ]] || remaining+=("$kept")
	done
	PIDS_TO_END=("${remaining[@]}")
	SHUTDOWN="SIGTERM -> exit code $exit_code after $took s (within the $timeout s shutdown budget)"
	if [[ "$exit_code" != 0 && "$exit_code" != 143 ]]; then
		SHUTDOWN="SIGTERM -> exit code $exit_code after $took s, expected 0 or 143; last lines of $log above"
	elif grep -q 'Exception in thread\|ERROR.*shut\|APPLICATION FAILED' "$log"; then
		SHUTDOWN="SIGTERM -> exit code $exit_code after $took s, but $log reports: $(grep -m 1 'Exception in thread\|ERROR.*shut\|APPLICATION FAILED' "$log")"
	else
		return 0
	fi
	tail -n 20 "$log"
	return 1
}

# --- The consumer checks: an application made of a document's snippets, built outside the reactor ---

# doc_snippet DOC TAG MARKER: the fenced code block of DOC after the line "<!-- TAG: MARKER -->"
doc_snippet() {
	awk -v marker="<!-- $2: $3 -->" '
		$0 == marker { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }
	' "$1"
}

# write_doc_files DOC TAG DIR: writes every file that DOC marks with "<!-- TAG: path/name -->"
# (a marker with a slash) into DIR as the code block after the marker, and lists them in
# DOC_FILES, one a line; dies if DOC marks none or a marker has no code block after it
write_doc_files() {
	local doc=$1 tag=$2 dir=$3 file
	DOC_FILES=$(grep -o "^<!-- $tag: [^ ]*/[^ ]* -->\$" "$doc" | sed "s/^<!-- $tag: \\(.*\\) -->\$/\\1/")
	[[ -n "$DOC_FILES" ]] || die "$doc marks no files with '<!-- $tag: path/name -->'"
	for file in $DOC_FILES; do
		mkdir -p "$dir/$(dirname "$file")"
		doc_snippet "$doc" "$tag" "$file" >"$dir/$file"
		[[ -s "$dir/$file" ]] || die "$doc has no code block after '<!-- $tag: $file -->'"
	done
}

# pom_property NAME: the value of <NAME> in the project's pom.xml, e.g. spring-boot.version
pom_property() {
	sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml
}

# install_starter LOG MAVEN_ARGUMENT...: installs the starter and the modules it needs (no
# tests, javadoc or sources), with the arguments that name the local repository; on failure
# shows the end of LOG and dies
install_starter() {
	local log=$1
	shift
	if ! ./mvnw -B -q install -pl starter -am -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
		-Dspring-javaformat.skip=true "$@" >"$log" 2>&1; then
		tail -n 40 "$log"
		die "installing the starter failed (log: $log)"
	fi
}

# check_bank_app JAR LOG STARTUP_TIMEOUT SHUTDOWN_TIMEOUT [REPORT_NOTE [DEPOSITS_NOTE]]
#
# Starts the quick start's bank application (the README's in Java, docs/kotlin.md's in Kotlin)
# from JAR on a free port, its output into LOG, and checks that it answers as the quick start
# says: GET /report "settled on settlement" within STARTUP_TIMEOUT seconds, two deposits for
# alice "alice has 5", then "alice has 12"; then that SIGTERM stops it cleanly within
# SHUTDOWN_TIMEOUT seconds (stop_app). The notes name in the PASS lines what answers /report and
# the deposits. Dies at the first failure.
check_bank_app() {
	local jar=$1 log=$2 startup_timeout=$3 shutdown_timeout=$4 report_note=${5:+ $5} deposits_note=${6:+ $6}
	local port base pid report deposit deposit_again
	port=$(pick_free_port) || die "found no free port"
	base="http://127.0.0.1:$port"
	java -jar "$jar" --server.port="$port" </dev/null >"$log" 2>&1 &
	pid=$!
	end_at_exit "$pid"

	report=$(wait_for_http "$base/report" "$startup_timeout" "$pid")
	if [[ "$report" != "settled on settlement" ]]; then
		tail -n 40 "$log"
		die "GET /report: expected 'settled on settlement' within $startup_timeout s, got '$report'"
	fi
	pass "GET /report$report_note -> $report"

	deposit=$(curl -sS -m 10 -X POST "$base/accounts/alice/deposits?amount=5" 2>/dev/null)
	deposit_again=$(curl -sS -m 10 -X POST "$base/accounts/alice/deposits?amount=7" 2>/dev/null)
	if [[ "$deposit" != "alice has 5" || "$deposit_again" != "alice has 12" ]]; then
		tail -n 40 "$log"
		die "POST /accounts/alice/deposits twice: expected 'alice has 5' then 'alice has 12', got '$deposit' and '$deposit_again'"
	fi
	pass "POST /accounts/alice/deposits twice$deposits_note -> '$deposit', then '$deposit_again'"

	stop_app "$pid" "$shutdown_timeout" "$log" || die "shutdown: $SHUTDOWN"
	pass "shutdown: $SHUTDOWN"
}
