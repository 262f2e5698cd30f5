#!/usr/bin/env bash
# Makes the base images Fleetman's Dockerfiles start from, on a machine that cannot pull images (no registry
# access) but has Debian's package mirror, debootstrap and the .NET runtime installed:
#
#   local/debian:bookworm        debootstrap --variant=minbase bookworm, imported
#   <the runtime-deps image>     Debian + what a self-contained .NET app needs beyond minbase's C and C++ libraries
#                                (OpenSSL, CA certificates; no ICU or time zones: InvariantGlobalization), user app
#                                (1654), no .NET (the trimmed services' base)
#   <the .NET runtime image>     the runtime-deps stand-in + this machine's ASP.NET Core runtime
#   <the nginx runtime image>    Debian + Debian's nginx and wget, user 101
#   <the course .NET image>      the .NET stand-in + wget, root by default like the official image (course images)
#   <the ActiveMQ image>         Debian + Debian's ActiveMQ Classic laid out like the official image
#                                (/opt/apache-activemq/{bin,lib,conf,data}), user 10001, no web console (course queue
#                                image, docker-compose)
#
# Each stand-in is tagged with the exact name the Dockerfiles ask for (their RUNTIME_IMAGE argument), so
# `scripts/build-images.sh --prebuilt` then builds without pulling anything. They behave like the official images for
# Fleetman's purposes (same paths, user, port, entry points) but are NOT them: never push them, and build real
# releases where the official images can be pulled, nor the course images built on them. The SDK and node images are
# not made: the prebuilt stages do not need them.
#
#   scripts/local-base-images.sh                  (needs a running Docker daemon; root for debootstrap)
#   scripts/local-base-images.sh --missing-only   does nothing when every stand-in exists already (the test command
#                                                 and the image tests call it so; this script is the one list)
#
# One run at a time per repository: a second run waits for the first (a lock in .fleetman/docker/). The test command
# starts it in the background and does not wait; the image tests run it again, which waits for that run and then
# finds nothing missing, so only they wait for the stand-ins and the other tests start at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .fleetman/docker
exec 9>.fleetman/docker/base-images.lock
if ! flock --nonblock 9; then
  echo "Waiting for another run of this script (lock .fleetman/docker/base-images.lock) ..."
  flock 9
fi

DOCKER="${DOCKER:-docker}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

runtime_image_of() { sed -n "s/^ARG ${2:-RUNTIME_IMAGE}=//p" "$1" | head -n1; }
dotnet_image="$(runtime_image_of services/Dockerfile)"
deps_image="$(runtime_image_of services/Dockerfile RUNTIME_DEPS_IMAGE)"
nginx_image="$(runtime_image_of webapp/Dockerfile)"
# The load generator runs on the plain .NET runtime image; the ASP.NET Core stand-in holds that runtime too.
runtime_image="$(runtime_image_of tools/Fleetman.LoadGenerator/Dockerfile)"
course_image="$(sed -n 's/^ARG COURSE_IMAGE=//p' deploy/course-images/base/Dockerfile | head -n1)"
activemq_image="$(sed -n 's/^ARG ACTIVEMQ_IMAGE=//p' deploy/course-images/queue/Dockerfile | head -n1)"

if [ "${1:-}" = --missing-only ]; then
  missing=()
  for image in "$deps_image" "$dotnet_image" "$runtime_image" "$nginx_image" "$course_image" "$activemq_image"; do
    "$DOCKER" image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "Every base image is here already: nothing to make."
    exit 0
  fi
  echo "Missing base images: ${missing[*]}"
fi

if ! "$DOCKER" image inspect local/debian:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }
  echo "==> debootstrap bookworm (minbase) -> local/debian:bookworm"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/rootfs" -c . | "$DOCKER" import - local/debian:bookworm
  rm -rf "$work/rootfs"
fi

echo "==> Debian + OpenSSL, CA certificates, user 1654 -> $deps_image"
mkdir -p "$work/deps"
cat >"$work/deps/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --shell /usr/sbin/nologin app
ENV ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true APP_UID=1654
USER 1654
EOF
"$DOCKER" build -q -t "$deps_image" "$work/deps"

# The host's .NET: the runtime folders of the newest ASP.NET Core 10 installed.
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
aspnet_version="$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" && $2 ~ /^10\./ { v = $2 } END { print v }')"
[ -n "$aspnet_version" ] || { echo "no ASP.NET Core 10 runtime on this machine" >&2; exit 1; }
netcore_version="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" && $2 ~ /^10\./ { v = $2 } END { print v }')"
echo "==> ASP.NET Core $aspnet_version from $dotnet_root -> $dotnet_image"
mkdir -p "$work/aspnet/dotnet/shared"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$work/aspnet/dotnet/"
mkdir -p "$work/aspnet/dotnet/shared/Microsoft.NETCore.App" "$work/aspnet/dotnet/shared/Microsoft.AspNetCore.App"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$netcore_version" "$work/aspnet/dotnet/shared/Microsoft.NETCore.App/"
cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App/$aspnet_version" "$work/aspnet/dotnet/shared/Microsoft.AspNetCore.App/"
cat >"$work/aspnet/Dockerfile" <<EOF
FROM $deps_image
USER root
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
USER 1654
EOF
"$DOCKER" build -q -t "$dotnet_image" -t "$runtime_image" "$work/aspnet"

echo "==> Debian nginx -> $nginx_image"
mkdir -p "$work/nginx"
cat >"$work/nginx/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends nginx wget \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
 && mkdir -p /usr/share/nginx/html
EXPOSE 8080
STOPSIGNAL SIGQUIT
USER 101
CMD ["nginx", "-g", "daemon off;"]
EOF
"$DOCKER" build -q -t "$nginx_image" "$work/nginx"

echo "==> .NET stand-in + wget -> $course_image"
mkdir -p "$work/course"
cat >"$work/course/Dockerfile" <<EOF
FROM $dotnet_image
USER root
RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
EOF
"$DOCKER" build -q -t "$course_image" "$work/course"

echo "==> Debian ActiveMQ Classic -> $activemq_image"
mkdir -p "$work/activemq"
# No web console: Debian's package has none, and jetty.xml (which the broker's configuration imports) defines nothing.
cat >"$work/activemq/jetty.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Stand-in: Debian's ActiveMQ has no web console, so nothing listens on 8161. -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd"/>
EOF
# The extra jars are the ones scripts/infra.sh adds for the same package (STOMP's JSON/XML transformations).
cat >"$work/activemq/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends activemq default-jre-headless libxstream-java \
      libjettison-java wget \
 && rm -rf /var/lib/apt/lists/*
# The package's own user (activemq) has a system UID; the broker runs as 10001, as in production.
RUN groupadd --gid 10001 broker && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin broker \
 && mkdir -p /opt/apache-activemq/conf /opt/apache-activemq/data \
 && ln -s /usr/share/activemq/bin /opt/apache-activemq/bin && ln -s /usr/share/activemq/lib /opt/apache-activemq/lib \
 && cp /etc/activemq/instances-available/main/* /opt/apache-activemq/conf/ \
 && ln -s /usr/share/java/xstream.jar /usr/share/java/jettison.jar /usr/share/activemq/lib/optional/ \
 && chown 10001:10001 /opt/apache-activemq/data
COPY jetty.xml /opt/apache-activemq/conf/
ENV ACTIVEMQ_HOME=/opt/apache-activemq JAVA_HOME=/usr/lib/jvm/default-java
WORKDIR /opt/apache-activemq
EXPOSE 61613 61616
CMD ["/usr/bin/activemq", "console"]
EOF
"$DOCKER" build -q -t "$activemq_image" "$work/activemq"

echo "Local stand-ins (not the official images; never push them):"
"$DOCKER" image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' \
  | grep -E "local/debian|$(printf '%s|%s|%s|%s|%s' "${deps_image%%:*}" "${dotnet_image%%:*}" "${runtime_image%%:*}" "${nginx_image%%:*}" "${activemq_image%%:*}")"
