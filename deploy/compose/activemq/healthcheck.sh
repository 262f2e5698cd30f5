#!/bin/bash
# docker-compose healthcheck of the broker: healthy when a STOMP 1.2 CONNECT with the services' own credentials
# (ACTIVEMQ_BROKER_USERNAME/PASSWORD, in the container's environment) is answered CONNECTED, i.e. the broker
# accepts exactly the connections the services will make. Plain bash (/dev/tcp): the image needs no client.
set -u
port="${1:-61613}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'CONNECT\naccept-version:1.2\nhost:localhost\nlogin:%s\npasscode:%s\nheart-beat:0,0\n\n\0' \
  "$ACTIVEMQ_BROKER_USERNAME" "$ACTIVEMQ_BROKER_PASSWORD" >&3
# The first line of the answer is the frame's command: CONNECTED, or ERROR (bad credentials, broker stopping).
IFS= read -r -t 4 command <&3 || command=""
if [ "$command" = CONNECTED ]; then
  printf 'DISCONNECT\n\n\0' >&3
  exec 3>&-
  exit 0
fi
echo "STOMP CONNECT on port $port answered '${command:-nothing}'"
exit 1
