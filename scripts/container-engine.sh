#!/usr/bin/env bash
# A Docker-API container engine for the Docker tests, from Debian's packages only (no registry):
# podman serving the Docker API on a unix socket, runc as the runtime, and the test image built
# locally from busybox-static. Idempotent; fast when everything is already in place.
#
#   scripts/container-engine.sh start   install if missing, configure, start, build the image;
#                                       prints `export DOCKER_HOST=...` (eval it)
#   scripts/container-engine.sh env     prints `export DOCKER_HOST=...` for a running engine
#   scripts/container-engine.sh stop    stops the engine this script started (leaves packages)
#
# Why these settings: crun refuses the hybrid cgroup layout of these kernels, so the runtime is
# runc with the cgroupfs manager; podman's default ulimits cannot be applied here, so
# `default_ulimits = []`; docker.io is blocked (registries.conf), so no test reaches for the
# network. All state lives in $MESOS_APPLY_ENGINE_DIR (default /tmp/mesos-apply-engine):
# containers.conf, registries.conf, the socket, the service's pid and log.
set -euo pipefail

DIR="${MESOS_APPLY_ENGINE_DIR:-/tmp/mesos-apply-engine}"
SOCKET="$DIR/docker.sock"
CONF="$DIR/containers.conf"
PIDFILE="$DIR/service.pid"
LOG="$DIR/service.log"
# The images the Docker tests run (test/support/docker-engine.ts names them too): busybox with
# a shell by default, and the same files serving /www over HTTP on port 80 by default.
IMAGE="mesos-apply-test/busybox:1"
HTTPD_IMAGE="mesos-apply-test/httpd:1"

say() { echo "container-engine: $*" >&2; }

install_packages() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || missing+=(busybox-static)
  command -v docker >/dev/null || missing+=(docker.io)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "missing ${missing[*]} and cannot install them here (needs root and apt-get)"
    return 1
  fi
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
}

write_config() {
  mkdir -p "$DIR"
  cat >"$CONF.tmp" <<'EOF'
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  # Every image the tests use is built here; a pull of anything else (the docker CLI sends
  # `nginx:1.27` as docker.io/library/nginx) fails at once instead of reaching for the network.
  cat >"$DIR/registries.conf" <<'EOF'
unqualified-search-registries = []

[[registry]]
location = "docker.io"
blocked = true
EOF
  mv "$CONF.tmp" "$CONF"
}

answers() { DOCKER_HOST="unix://$SOCKET" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_service() {
  if answers; then return 0; fi
  rm -f "$SOCKET"
  CONTAINERS_CONF="$CONF" CONTAINERS_REGISTRIES_CONF="$DIR/registries.conf" setsid podman system service --time=0 "unix://$SOCKET" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    answers && return 0
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
    sleep 0.1
  done
  say "the engine did not answer on $SOCKET; its log:"
  tail -n 20 "$LOG" >&2 || true
  return 1
}

build_image() {
  if CONTAINERS_CONF="$CONF" podman image exists "$IMAGE" && CONTAINERS_CONF="$CONF" podman image exists "$HTTPD_IMAGE"; then
    return 0
  fi
  local root
  root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  echo 'hello from busybox httpd' >"$root/www/index.html"
  tar -C "$root" -cf "$root.tar" .
  CONTAINERS_CONF="$CONF" podman import --quiet \
    --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' "$root.tar" "$IMAGE" >/dev/null
  CONTAINERS_CONF="$CONF" podman import --quiet --change 'ENV PATH=/bin' \
    --change 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]' "$root.tar" "$HTTPD_IMAGE" >/dev/null
  rm -rf "$root" "$root.tar"
  say "built $IMAGE and $HTTPD_IMAGE from Debian's busybox-static"
}

stop_service() {
  [ -f "$PIDFILE" ] || return 0
  local pid
  pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PIDFILE" "$SOCKET"
}

case "${1:-}" in
  start)
    install_packages
    write_config
    start_service
    build_image
    echo "export DOCKER_HOST=unix://$SOCKET"
    ;;
  env)
    answers || { say "no engine answers on $SOCKET (run: $0 start)"; exit 1; }
    echo "export DOCKER_HOST=unix://$SOCKET"
    ;;
  stop) stop_service ;;
  *)
    echo "usage: $0 start|env|stop" >&2
    exit 2
    ;;
esac
