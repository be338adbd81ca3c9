#!/usr/bin/env bash
# End-to-end check of infra/compose.yaml on a real Docker engine: builds the images, starts
# the stack, sends traffic through both apis, kills and crashes workers, stops them with a
# call in flight, kills Redis, restarts the whole stack, and checks that requests are
# answered and the data (org, key, usage, jobs) survives. The stack runs with one addition
# (a generated override file): a config file with `mock-drain`, a mock model that takes 8 s.
# Slow (a minute and a half; about three with a first build), so not part of ./scripts/test.
#
#   scripts/infra/smoke-compose.sh [--skip-build] [--keep-volumes]
#
#   --skip-build     use the images as they are (scripts/infra/build-images.sh makes them)
#   --keep-volumes   leave the Redis and Postgres volumes after `down` (removed otherwise)
#   SWITCHYARD_SMOKE_PROJECT   compose project name (switchyard-smoke), so a stack of your
#                              own under another name is left alone
#   SWITCHYARD_API_1_PORT / SWITCHYARD_API_2_PORT   host ports of the apis (18081, 18082)
#
# Needs docker, docker-compose (v1) or `docker compose` (v2), curl and jq.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build=1
keep_volumes=0
for argument in "$@"; do
  case "$argument" in
    --skip-build) build=0 ;;
    --keep-volumes) keep_volumes=1 ;;
    -h | --help)
      sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "smoke-compose: unknown argument $argument (see --help)" >&2
      exit 2
      ;;
  esac
done

project="${SWITCHYARD_SMOKE_PROJECT:-switchyard-smoke}"
export SWITCHYARD_API_1_PORT="${SWITCHYARD_API_1_PORT:-18081}"
export SWITCHYARD_API_2_PORT="${SWITCHYARD_API_2_PORT:-18082}"
# Fresh secrets per run; none is printed.
export SWITCHYARD_ADMIN_KEY="smoke-admin-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export POSTGRES_PASSWORD="smoke-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
apis=("$SWITCHYARD_API_1_PORT" "$SWITCHYARD_API_2_PORT")
today="$(date -u +%F)"

work="$(mktemp -d)"
summary=()
started_at=$(date +%s%N)

# --- output -----------------------------------------------------------------------------
milliseconds() { echo $((($(date +%s%N) - $1) / 1000000)); }
seconds() { awk -v ms="$(milliseconds "$1")" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok  %s\n' "$*"; }
note() { printf '        %s\n' "$*"; }
record() { summary+=("$*"); }
fail() {
  printf '    FAIL  %s\n' "$*" >&2
  exit 1
}

# --- compose ----------------------------------------------------------------------------
# The stack as infra/compose.yaml has it, plus a config file (SWITCHYARD_CONFIG) adding
# `mock-drain`, a mock model that takes 8 s, so a stop can be caught with a call in flight.
cat >"$work/config.yaml" <<'YAML'
models:
  mock-drain:
    provider: mock
    pricing: { input: "1.00", output: "2.00" }
    options: { latencyMs: 8000 }
YAML
chmod 0644 "$work/config.yaml"
{
  echo "services:"
  for service in migrate api-1 api-2 worker-mock worker-providers ledger webhooks; do
    echo "  $service:"
    echo "    environment: { SWITCHYARD_CONFIG: /etc/switchyard/config.yaml }"
    echo "    volumes: [\"$work/config.yaml:/etc/switchyard/config.yaml:ro\"]"
  done
} >"$work/compose.smoke.yaml"
if docker compose version >/dev/null 2>&1; then compose_command=(docker compose); else compose_command=(docker-compose); fi
compose() { "${compose_command[@]}" -p "$project" -f "$root/infra/compose.yaml" -f "$work/compose.smoke.yaml" "$@"; }
container_of() { compose ps -a -q "$1"; }
inspect() { docker inspect --format "$2" "$1"; }

finish() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    echo >&2
    echo "smoke-compose: failed; the stack as it was:" >&2
    compose ps >&2 || true
    compose logs --no-color --tail 30 >&2 || true
  fi
  step "docker-compose down$([ "$keep_volumes" = 1 ] && echo ' (volumes kept)' || echo ' -v')"
  local down_started
  down_started=$(date +%s%N)
  if [ "$keep_volumes" = 1 ]; then compose down --remove-orphans >/dev/null 2>&1 || true; else compose down -v --remove-orphans >/dev/null 2>&1 || true; fi
  summary+=("docker-compose down: $(seconds "$down_started") (every process drained on SIGTERM, none waited for stop_grace_period)")
  rm -rf "$work"
  if [ "$status" -eq 0 ]; then
    echo
    echo "== smoke-compose summary ($(seconds "$started_at") in all)"
    printf '   %s\n' "${summary[@]}"
    echo "PASS"
  else
    echo "FAIL (exit $status)" >&2
  fi
}
trap finish EXIT

# --- HTTP -------------------------------------------------------------------------------
# call BEARER METHOD PORT PATH [JSON [HEADER]]: sets status and body.
status=""
body=""
call() {
  local bearer="$1" method="$2" port="$3" path="$4" data="${5:-}" header="${6:-}"
  local arguments=(-sS --max-time 150 -X "$method" -o "$work/body" -w '%{http_code}' -H "authorization: Bearer $bearer")
  if [ -n "$data" ]; then arguments+=(-H 'content-type: application/json' --data "$data"); fi
  if [ -n "$header" ]; then arguments+=(-H "$header"); fi
  status="$(curl "${arguments[@]}" "http://127.0.0.1:$port$path" 2>"$work/curl-error")" || status="000"
  body="$(cat "$work/body" 2>/dev/null || true)"
  rm -f "$work/body"
}
expect() {
  local wanted="$1" what="$2"
  [ "$status" = "$wanted" ] || fail "$what: HTTP $status, wanted $wanted: $(head -c 300 <<<"$body") $(cat "$work/curl-error" 2>/dev/null)"
}

chat_body='{"model":"mock-fast","messages":[{"role":"user","content":"hello from the smoke test"}]}'
requests_sent=0
# chat PORT: one sync chat completion through that api, checked.
chat() {
  call "$org_key" POST "$1" /v1/chat/completions "$chat_body"
  expect 200 "chat completion on :$1"
  [ "$(jq -r '.choices[0].message.content' <<<"$body")" = "This is a mock response to: hello from the smoke test" ] ||
    fail "unexpected chat answer on :$1: $body"
  requests_sent=$((requests_sent + 1))
}

wait_until() { # TIMEOUT_SECONDS DESCRIPTION COMMAND...
  local timeout="$1" what="$2"
  shift 2
  local deadline=$(($(date +%s) + timeout))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$what: not within ${timeout} s"
    sleep 0.5
  done
}
ready() { curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$1/ready" 2>/dev/null; }
both_ready() { ready "${apis[0]}" && ready "${apis[1]}"; }
long_running=(redis postgres api-1 api-2 worker-mock worker-providers ledger webhooks)
all_healthy() {
  local service
  for service in "${long_running[@]}"; do
    [ "$(inspect "$(container_of "$service")" '{{if .State.Health}}{{.State.Health.Status}}{{end}}')" = healthy ] || return 1
  done
}
mock_workers() { # live mock worker connections, as the api reports them
  curl -fsS --max-time 5 "http://127.0.0.1:${apis[0]}/metrics" | awk '/^switchyard_workers\{provider="mock"\}/ { print $2 }'
}
usage_total=0
fetch_usage() { # PORT: today's usage of the org into body and usage_total
  call "$org_key" GET "$1" "/v1/usage?from_date=$today&to_date=$today"
  expect 200 "GET /v1/usage on :$1"
  usage_total="$(jq -r '.total_requests' <<<"$body")"
}
usage_reaches() { fetch_usage "$1" && [ "$usage_total" -ge "$2" ]; }
restart_count() { inspect "$(container_of "$1")" '{{.RestartCount}}'; }

# --- the run ----------------------------------------------------------------------------
step "prerequisites"
for tool in docker curl jq; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
docker info >/dev/null 2>&1 || fail "no Docker engine (start dockerd)"
ok "$(docker version --format 'engine {{.Server.Version}}'), $("${compose_command[@]}" version --short 2>/dev/null || "${compose_command[@]}" version | head -1) (${compose_command[*]})"

if [ "$build" = 1 ]; then
  step "build images (scripts/infra/build-images.sh)"
  t=$(date +%s%N)
  "$root/scripts/infra/build-images.sh" 2>&1 | sed 's/^/        /'
  record "images built in $(seconds "$t")"
fi
sizes=""
for image in switchyard-base:bookworm switchyard-redis:local switchyard-postgres:local "${SWITCHYARD_IMAGE:-switchyard:local}"; do
  docker image inspect "$image" >/dev/null 2>&1 || fail "image $image is missing: run scripts/infra/build-images.sh"
  sizes+="$image $(inspect "$image" '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'), "
done
record "image sizes: ${sizes%, }"

step "start the stack (project $project, apis on :${apis[0]} and :${apis[1]})"
compose down -v --remove-orphans >/dev/null 2>&1 || true
t=$(date +%s%N)
compose up -d 2>&1 | sed 's/^/        /'
wait_until 180 "both apis ready" both_ready
ok "both apis answer /ready after $(seconds "$t")"
record "up -d to both /ready: $(seconds "$t")"
wait_until 120 "every service healthy" all_healthy
ok "every long-running service healthy after $(seconds "$t") (healthchecks: api /ready, the others /health on METRICS_PORT)"
[ "$(inspect "$(container_of migrate)" '{{.State.ExitCode}}')" = 0 ] || fail "migrate did not exit 0"
ok "migrate ran once and exited 0"
redis_container="$(container_of redis)"
[ "$(docker exec "$redis_container" redis-cli config get appendonly | tail -1)" = yes ] || fail "Redis AOF is off"
[ "$(docker exec "$redis_container" redis-cli config get maxmemory-policy | tail -1)" = noeviction ] || fail "Redis eviction policy is not noeviction"
ok "Redis: appendonly yes, maxmemory-policy noeviction"

step "an org and a key (admin API on api-1, key from api-2, listed by the CLI in a container)"
call "$SWITCHYARD_ADMIN_KEY" POST "${apis[0]}" /v1/admin/orgs '{"name":"smoke-compose"}'
expect 201 "POST /v1/admin/orgs"
org_id="$(jq -r .id <<<"$body")"
call "$SWITCHYARD_ADMIN_KEY" POST "${apis[1]}" "/v1/admin/orgs/$org_id/keys" '{"name":"smoke"}'
expect 201 "POST /v1/admin/orgs/$org_id/keys"
org_key="$(jq -r .key <<<"$body")"
key_id="$(jq -r .id <<<"$body")"
ok "org $org_id, key $key_id ($(jq -r .key_prefix <<<"$body")...)"
compose run --rm --no-deps -T migrate keys list --org "$org_id" >"$work/keys-list" 2>&1 || fail "keys list in a container: $(cat "$work/keys-list")"
grep -q "$key_id" "$work/keys-list" || fail "keys list does not show $key_id: $(cat "$work/keys-list")"
ok "docker-compose run migrate keys list --org ... shows $key_id"

step "chat completions through both apis (mock-fast)"
for _ in 1 2 3 4 5; do
  chat "${apis[0]}"
  chat "${apis[1]}"
done
ok "10 answered, 5 on each api"

step "an async job: queued on api-1, read from api-2"
call "$org_key" POST "${apis[0]}" /v1/jobs "{\"endpoint\":\"/v1/chat/completions\",\"body\":$chat_body,\"metadata\":{\"from\":\"smoke\"}}"
expect 202 "POST /v1/jobs"
job_id="$(jq -r .id <<<"$body")"
requests_sent=$((requests_sent + 1))
job_completed() {
  call "$org_key" GET "${apis[1]}" "/v1/jobs/$job_id"
  [ "$status" = 200 ] && [ "$(jq -r .status <<<"$body")" = completed ]
}
wait_until 60 "job $job_id completed" job_completed
ok "job $job_id completed (cost_usd $(jq -r .cost_usd <<<"$body"))"

step "usage reached Postgres"
t=$(date +%s%N)
wait_until 60 "GET /v1/usage counts $requests_sent requests" usage_reaches "${apis[1]}" "$requests_sent"
sleep 2
fetch_usage "${apis[1]}"
[ "$usage_total" = "$requests_sent" ] || fail "usage counts $usage_total requests, $requests_sent were sent"
ok "GET /v1/usage: total_requests $requests_sent, total_cost $(jq -r .total_cost <<<"$body") (ledger caught up in $(seconds "$t"))"
usage_rows="$(docker exec "$(container_of postgres)" psql -U switchyard -d switchyard -tAc "select count(*) from usage_events where org_id = '$org_id'")"
ok "usage_events rows for the org in Postgres: $usage_rows"

step "docker kill worker-mock: a manual stop, so \`docker-compose start\` brings it back"
[ "$(mock_workers)" = 2 ] || fail "the api does not see 2 mock workers: $(mock_workers)"
worker="$(container_of worker-mock)"
t=$(date +%s%N)
docker kill "$worker" >/dev/null
one_mock_worker() { [ "$(mock_workers)" = 1 ]; }
wait_until 30 "the api sees the killed worker gone" one_mock_worker
chat "${apis[0]}"
ok "killed (exit $(inspect "$worker" '{{.State.ExitCode}}')); a request right after is answered by worker-providers, which also consumes the mock queue"
note "Docker applies no restart policy after \`docker kill\` (it counts as a manual stop, even under restart: always)"
compose start worker-mock 2>&1 | sed 's/^/        /'
back() { [ "$(inspect "$worker" '{{.State.Running}}')" = true ] && [ "$(mock_workers)" = 2 ]; }
wait_until 60 "worker-mock back" back
ok "worker-mock running again and connected $(seconds "$t") after the kill"

# SIGKILL to the worker's node process inside the container, as a crash or the kernel's OOM
# killer would: the container exits on its own (137), so its restart policy applies.
crash() {
  docker exec "$1" bash -c 'for process in /proc/[0-9]*; do
    [ "$(tr "\0" "\n" <"$process/cmdline" 2>/dev/null | head -1)" = node ] && kill -KILL "${process#/proc/}"
  done; true'
}
step "crash worker-mock (SIGKILL to its node process): the restart policy replaces it"
restarts_before="$(restart_count worker-mock)"
providers_restarts_before="$(restart_count worker-providers)"
started_before="$(inspect "$worker" '{{.State.StartedAt}}')"
t=$(date +%s%N)
crash "$worker"
chat "${apis[1]}"
ok "a request sent right after the crash is answered"
replaced() { [ "$(restart_count worker-mock)" -gt "$restarts_before" ] && [ "$(inspect "$worker" '{{.State.Running}}')" = true ] && [ "$(mock_workers)" = 2 ]; }
wait_until 60 "worker-mock restarted" replaced
ok "restarted by Docker (RestartCount $restarts_before -> $(restart_count worker-mock), started $started_before -> $(inspect "$worker" '{{.State.StartedAt}}'))"
ok "the api sees 2 mock workers again $(seconds "$t") after the crash"
record "crashed worker replaced by its restart policy in $(seconds "$t")"

step "crash every worker at once: a request waits in Redis until a restarted worker takes it"
t=$(date +%s%N)
crash "$(container_of worker-mock)"
crash "$(container_of worker-providers)"
chat "${apis[0]}"
ok "answered after $(seconds "$t"), sent while no worker was alive"
record "request sent with every worker crashed answered in $(seconds "$t")"
wait_until 60 "both workers back" all_healthy

step "no crash loop"
for service in "${long_running[@]}"; do
  count="$(restart_count "$service")"
  case "$service" in
    worker-mock) [ "$count" = $((restarts_before + 2)) ] || fail "worker-mock restarted $count times, crashed twice (count was $restarts_before)" ;;
    worker-providers) [ "$count" = $((providers_restarts_before + 1)) ] || fail "worker-providers restarted $count times, crashed once" ;;
    *) [ "$count" = 0 ] || fail "$service restarted $count times" ;;
  esac
done
providers_log="$(compose logs --no-color worker-providers 2>&1 | grep -o '"providers":\[[^]]*\]' | tail -1)"
ok "restarts are only the crashes (worker-mock $(restart_count worker-mock), worker-providers $(restart_count worker-providers), every other service 0)"
ok "worker-providers (--provider all, no provider key set) stays up serving ${providers_log#*:}"

step "stopping the workers drains them: a call in flight finishes (SIGTERM, stop_grace_period)"
mock_active() { # jobs running on mock workers, as the api reads them from Redis
  curl -fsS --max-time 5 "http://127.0.0.1:${apis[0]}/metrics" | awk '/^switchyard_queue_active\{provider="mock"\}/ { print $2 }'
}
call_running() { [ "$(mock_active)" -ge 1 ]; }
curl -sS --max-time 150 -o "$work/drain-body" -w '%{http_code}' -H "authorization: Bearer $org_key" -H 'content-type: application/json' \
  --data '{"model":"mock-drain","messages":[{"role":"user","content":"hello from the smoke test"}]}' \
  "http://127.0.0.1:${apis[0]}/v1/chat/completions" >"$work/drain-status" 2>&1 &
drain_call=$!
wait_until 30 "the mock-drain call running on a worker" call_running
t=$(date +%s%N)
compose stop worker-mock worker-providers 2>&1 | sed 's/^/        /'
stop_took="$(seconds "$t")"
wait "$drain_call" || true
status="$(cat "$work/drain-status")"
body="$(cat "$work/drain-body" 2>/dev/null || true)"
expect 200 "the mock-drain call in flight during the stop"
[ "$(jq -r '.choices[0].message.content' <<<"$body")" = "This is a mock response to: hello from the smoke test" ] || fail "unexpected answer: $body"
requests_sent=$((requests_sent + 1))
ok "the call in flight (8 s) was answered 200; docker-compose stop took $stop_took, waiting for it"
record "docker-compose stop with an 8 s call in flight: answered 200, stop took $stop_took"

step "a queued job survives Redis being killed (append-only file)"
call "$org_key" POST "${apis[1]}" /v1/jobs "{\"endpoint\":\"/v1/chat/completions\",\"body\":$chat_body}"
expect 202 "POST /v1/jobs with no worker running"
queued_job="$(jq -r .id <<<"$body")"
requests_sent=$((requests_sent + 1))
ok "job $queued_job queued with every worker stopped"
# SIGKILL: Redis gets no chance to write a snapshot on the way down, so the job can only
# come back from the append-only file.
docker kill "$(container_of redis)" >/dev/null
compose start redis 2>&1 | sed 's/^/        /'
wait_until 60 "both apis ready after the Redis restart" both_ready
ok "Redis killed (SIGKILL) and started again"
compose start worker-mock worker-providers 2>&1 | sed 's/^/        /'
queued_job_completed() {
  call "$org_key" GET "${apis[0]}" "/v1/jobs/$queued_job"
  [ "$status" = 200 ] && [ "$(jq -r .status <<<"$body")" = completed ]
}
wait_until 60 "job $queued_job completed after the Redis restart" queued_job_completed
ok "job $queued_job completed once the workers came back"
record "job queued before Redis was SIGKILLed completed after its restart (AOF)"
wait_until 60 "every service healthy" all_healthy

step "docker-compose restart (every container)"
wait_until 60 "usage counts every request before the restart" usage_reaches "${apis[0]}" "$requests_sent"
usage_before_restart="$usage_total"
cost_before_restart="$(jq -r .total_cost <<<"$body")"
restarts_before_restart=()
for service in "${long_running[@]}"; do restarts_before_restart+=("$(restart_count "$service")"); done
t=$(date +%s%N)
compose restart 2>&1 | sed 's/^/        /'
wait_until 180 "both apis ready after the restart" both_ready
ok "both apis ready $(seconds "$t") after the restart began"
record "docker-compose restart to both /ready: $(seconds "$t")"
wait_until 120 "every service healthy after the restart" all_healthy
index=0
for service in "${long_running[@]}"; do
  [ "$(restart_count "$service")" = "${restarts_before_restart[$index]}" ] || fail "$service crashed after the restart (RestartCount ${restarts_before_restart[$index]} -> $(restart_count "$service"))"
  index=$((index + 1))
done
ok "every service healthy, none crashed on the way up"

step "the data survived the restart"
call "$SWITCHYARD_ADMIN_KEY" GET "${apis[1]}" "/v1/admin/orgs/$org_id"
expect 200 "GET /v1/admin/orgs/$org_id"
ok "org $org_id: $(jq -r .name <<<"$body")"
call "$org_key" GET "${apis[0]}" "/v1/jobs/$job_id"
expect 200 "GET /v1/jobs/$job_id"
[ "$(jq -r .status <<<"$body")" = completed ] || fail "job $job_id is $(jq -r .status <<<"$body") after the restart"
ok "job $job_id still completed"
fetch_usage "${apis[1]}"
[ "$usage_total" = "$usage_before_restart" ] || fail "usage counts $usage_total requests after the restart, $usage_before_restart before"
[ "$(jq -r .total_cost <<<"$body")" = "$cost_before_restart" ] || fail "usage cost $(jq -r .total_cost <<<"$body") after the restart, $cost_before_restart before"
ok "usage unchanged: $usage_total requests, total_cost $cost_before_restart"
chat "${apis[0]}"
chat "${apis[1]}"
ok "the key still works on both apis"
wait_until 60 "usage counts every request" usage_reaches "${apis[0]}" "$requests_sent"
sleep 2
fetch_usage "${apis[0]}"
[ "$usage_total" = "$requests_sent" ] || fail "usage counts $usage_total requests, $requests_sent were sent"
ok "GET /v1/usage: total_requests $requests_sent (every request sent in this run, none lost or doubled)"
record "requests: $requests_sent sent, $requests_sent in /v1/usage; org, key and job intact after docker-compose restart"
