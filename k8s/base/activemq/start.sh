#!/bin/sh
# Starts the ActiveMQ Classic broker of the official image (apache/activemq-classic) with Fleetman's
# configuration, on a read-only root filesystem, as any non-root user. Used instead of the image's entrypoint,
# which edits files under /opt/apache-activemq/conf in place (impossible on a read-only root filesystem) and
# starts with example users.
#
#   Kubernetes:      command: ["/bin/sh", "/etc/fleetman/activemq/start.sh"] (k8s/base/activemq.yaml)
#   docker-compose:  entrypoint: ["/bin/sh", "/etc/fleetman/activemq/start.sh"], this folder mounted read-only
#
# Needs, from the environment:
#   ACTIVEMQ_BROKER_USERNAME, ACTIVEMQ_BROKER_PASSWORD   the broker's one connection user (activemq.xml)
#   ACTIVEMQ_WEB_USER, ACTIVEMQ_WEB_PASSWORD             the web console's user (role admin)
# and writable folders:
#   ACTIVEMQ_DATA        KahaDB and broker state (default /opt/apache-activemq/data: mount a volume there)
#   ACTIVEMQ_WORK_CONF   the working copy of the configuration (default /tmp/activemq-conf)
#   /tmp                 the JVM's and the console's temporary files (compiled JSPs)
# Optional: ACTIVEMQ_JAVA_OPTS, JVM options (default: heap at half the container's memory limit);
#   ACTIVEMQ_JMX_OPTS, JVM options added after them (the monitoring component's JMX for the exporter beside the broker).
#
# What it does, on every start: copies the image's configuration folder (readable files only) to
# ACTIVEMQ_WORK_CONF, lays activemq.xml and log4j2.properties from this folder over it, replaces the example
# users and passwords of the distribution with the ones from the environment (files of mode 600, in the working
# copy only), and replaces itself with the JVM (exec), so the broker is PID 1 and SIGTERM stops it cleanly.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
home=${ACTIVEMQ_HOME:-/opt/apache-activemq}
data=${ACTIVEMQ_DATA:-$home/data}
conf=${ACTIVEMQ_WORK_CONF:-/tmp/activemq-conf}

fail() {
  echo "activemq start: $*" >&2
  exit 1
}

for name in ACTIVEMQ_BROKER_USERNAME ACTIVEMQ_BROKER_PASSWORD ACTIVEMQ_WEB_USER ACTIVEMQ_WEB_PASSWORD; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set (there are no default credentials)"
done
# The credentials go into Java properties files ("user: password, role", "key=value"): keep the values inside
# what that format reads back unchanged.
for name in ACTIVEMQ_BROKER_USERNAME ACTIVEMQ_WEB_USER; do
  eval "value=\$$name"
  case $value in
    *[!A-Za-z0-9._-]*) fail "$name may only hold letters, digits and . _ -" ;;
  esac
done
for name in ACTIVEMQ_BROKER_PASSWORD ACTIVEMQ_WEB_PASSWORD; do
  eval "value=\$$name"
  case $value in
    *[!A-Za-z0-9._~+/=@%^*-]*) fail "$name may only hold letters, digits and . _ ~ + / = @ % ^ * -" ;;
  esac
done
[ -r "$home/bin/activemq.jar" ] || fail "$home/bin/activemq.jar not found (ACTIVEMQ_HOME)"
mkdir -p "$data" 2>/dev/null || true
[ -w "$data" ] || fail "the data folder $data is not writable (mount a volume there, owned or group-writable by $(id -u))"

umask 077
rm -rf "$conf"
mkdir -p "$conf"
# Readable files only: some of the image's files (jmx.password, ...) are readable by root alone, and are not
# needed (no remote JMX).
for file in "$home"/conf/*; do
  if [ -r "$file" ]; then
    cp -R "$file" "$conf/" 2>/dev/null || echo "activemq start: could not copy all of $file (unreadable parts)" >&2
  fi
done
cp "$here/activemq.xml" "$here/log4j2.properties" "$conf/"
[ -r "$conf/jetty.xml" ] || fail "the image has no readable conf/jetty.xml (the web console's configuration)"
# Example users and passwords of the distribution: none of them may work here.
rm -f "$conf/credentials-enc.properties" "$conf/jmx.password" "$conf/jmx.access"
# The web console connects to the broker (in the same JVM) with these to browse and send messages; its
# configuration requires the file.
printf 'activemq.%s=%s\n' username "$ACTIVEMQ_BROKER_USERNAME" password "$ACTIVEMQ_BROKER_PASSWORD" \
  >"$conf/credentials.properties"

# The console's one user, for both ways ActiveMQ releases configure the console's login: a Jetty realm file
# (5.x, role "admin") and JAAS property files (role group "admins").
printf '%s: %s, admin\n' "$ACTIVEMQ_WEB_USER" "$ACTIVEMQ_WEB_PASSWORD" >"$conf/jetty-realm.properties"
printf '%s=%s\n' "$ACTIVEMQ_WEB_USER" "$ACTIVEMQ_WEB_PASSWORD" >"$conf/users.properties"
printf 'admins=%s\nusers=%s\n' "$ACTIVEMQ_WEB_USER" "$ACTIVEMQ_WEB_USER" >"$conf/groups.properties"
cat >"$conf/login.config" <<'EOF'
activemq {
    org.apache.activemq.jaas.PropertiesLoginModule required
        org.apache.activemq.jaas.properties.user="users.properties"
        org.apache.activemq.jaas.properties.group="groups.properties";
};
EOF

java=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java=$JAVA_HOME/bin/java
fi
java_opts="${ACTIVEMQ_JAVA_OPTS:-"-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"} ${ACTIVEMQ_JMX_OPTS:-}"

echo "activemq start: configuration $conf, data $data, console user $ACTIVEMQ_WEB_USER"
# java-modules.args (beside this file): the module options ActiveMQ's own launcher passes on Java 9 and later.
# jetty.host/jetty.port: the console listens on every interface (the image's jetty.xml says 127.0.0.1).
# java_opts is split into words on purpose.
# shellcheck disable=SC2086
exec "$java" $java_opts \
  -Djava.awt.headless=true -Djava.io.tmpdir=/tmp -Duser.home=/tmp \
  "@$here/java-modules.args" \
  -Djava.security.auth.login.config="$conf/login.config" \
  -Dlog4j2.configurationFile="$conf/log4j2.properties" \
  -Djetty.host=0.0.0.0 -Djetty.port=8161 \
  -Dactivemq.home="$home" -Dactivemq.base="$home" -Dactivemq.conf="$conf" -Dactivemq.data="$data" \
  -Dactivemq.classpath="$conf" \
  -jar "$home/bin/activemq.jar" start "xbean:file:$conf/activemq.xml"
