{{/*
Shared pieces of the fleetman chart. Workload and Service names are fixed (no release prefix): the services reach
each other by these names, the same as in the kustomize manifests, so one namespace holds one release.
*/}}

{{- define "fleetman.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object and pod template of a workload. Context: dict root, name.
`app: <name>` (the value of app.kubernetes.io/name) lets the course's `kubectl get pods -l app=api-gateway` work on
this chart too. It is here and not in fleetman.selectorLabels on purpose: a Deployment's or StatefulSet's selector
and a StatefulSet's volumeClaimTemplates cannot change on an existing object, so adding a label there would make
`helm upgrade` of a running release fail; labels of objects and pod templates may change (the pods roll once).
*/}}
{{- define "fleetman.labels" -}}
{{ include "fleetman.selectorLabels" . }}
app: {{ .name }}
app.kubernetes.io/part-of: fleetman
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ include "fleetman.chart" .root }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The labels Services, PDBs, spread constraints and NetworkPolicies select pods by. Context: dict root, name. */}}
{{- define "fleetman.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* Image reference. Context: dict root, image (repository, tag, optional registry). Project images default their
tag to image.tag, then appVersion; third-party images carry their own pinned tag. */}}
{{- define "fleetman.image" -}}
{{- $registry := .image.registry | default "" -}}
{{- $tag := .image.tag | toString -}}
{{- if not (hasKey .image "registry") -}}
{{- /* A project image. A tag given with --set may arrive as a number (a commit id of digits only). */ -}}
{{- $registry = .root.Values.image.registry -}}
{{- $tag = .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion | toString -}}
{{- end -}}
{{- if not $tag }}{{ fail (printf "%s: no image tag" .image.repository) }}{{ end -}}
{{- if eq $tag "latest" }}{{ fail "image tags are pinned: `latest` is not allowed" }}{{ end -}}
{{- if $registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $registry) .image.repository $tag }}
{{- else -}}
{{ printf "%s:%s" .image.repository $tag }}
{{- end -}}
{{- end }}

{{/* Pull policy of an image. Context: dict root, image. */}}
{{- define "fleetman.pullPolicy" -}}
{{ .image.pullPolicy | default .root.Values.image.pullPolicy }}
{{- end }}

{{/* ServiceAccount of a workload. Context: dict root, name, svc (the component's values). */}}
{{- define "fleetman.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .name }}
  labels:
    {{- include "fleetman.labels" . | nindent 4 }}
  {{- $own := dict }}
  {{- with .svc }}{{ with .serviceAccount }}{{ $own = .annotations | default dict }}{{ end }}{{ end }}
  {{- $annotations := merge (dict) $own (.root.Values.serviceAccount.annotations | default dict) }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
# No workload calls the Kubernetes API: pods do not mount a token (automountServiceAccountToken: false on the pods).
automountServiceAccountToken: false
{{- end }}

{{/* Pod security context. Context: dict uid, optional gid (default uid), onRootMismatch (only re-own a volume
whose root has the wrong group: quick restarts with large volumes). */}}
{{- define "fleetman.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid | default .uid }}
fsGroup: {{ .gid | default .uid }}
{{- if .onRootMismatch }}
fsGroupChangePolicy: OnRootMismatch
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container security context (the same for every container of the chart). */}}
{{- define "fleetman.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{/* Pod placement: the component's own settings, else the chart-wide ones. Context: dict root, svc. */}}
{{- define "fleetman.placement" -}}
{{- with (.svc.nodeSelector | default .root.Values.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.svc.tolerations | default .root.Values.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.svc.affinity | default .root.Values.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Name of one of the chart's PriorityClasses; tier: critical or default. PriorityClasses are cluster-scoped, so the
name carries the release and its namespace: two releases (in two namespaces) never share or delete each other's.
Context: dict root, tier.
*/}}
{{- define "fleetman.priorityClass" -}}
{{ printf "%s-%s-%s" .root.Release.Name .root.Release.Namespace .tier }}
{{- end }}

{{/*
The workloads whose loss loses data or stops the pipeline: the broker (queued positions), the store (the record) and
Redis (the map's latest positions and the hub's backplane). Their pods get the critical PriorityClass.
*/}}
{{- define "fleetman.criticalWorkloads" -}}
activemq mongodb redis
{{- end }}

{{/* priorityClassName of a pod: the component's own priorityClassName (an existing class), else the chart's class of
its tier when priorityClasses.create; else none (the cluster's default priority). Context: dict root, name, svc. */}}
{{- define "fleetman.priorityClassName" -}}
{{- $own := "" }}
{{- with .svc }}{{ $own = .priorityClassName | default "" }}{{ end }}
{{- if $own }}
priorityClassName: {{ $own }}
{{- else if .root.Values.priorityClasses.create }}
{{- $tier := ternary "critical" "default" (has .name (splitList " " (include "fleetman.criticalWorkloads" .))) }}
priorityClassName: {{ include "fleetman.priorityClass" (dict "root" .root "tier" $tier) }}
{{- end }}
{{- end }}

{{/* Spread over nodes and zones; soft, so a one-node cluster still schedules every replica. Context: dict root,
name. */}}
{{- define "fleetman.topologySpread" -}}
{{- if .root.Values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - maxSkew: 1
    topologyKey: {{ . }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "fleetman.selectorLabels" $ | nindent 8 }}
    matchLabelKeys: [pod-template-hash]
  {{- end }}
{{- end }}
{{- end }}

{{/* Probes of every .NET service and the webapp (docs/deployment-reference.md, "Probes"). */}}
{{- define "fleetman.httpProbes" -}}
startupProbe:
  httpGet: {path: /healthz/live, port: http}
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet: {path: /healthz/live, port: http}
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /healthz/ready, port: http}
  periodSeconds: 5
  timeoutSeconds: 2
  failureThreshold: 2
{{- end }}

{{/*
The management port of the .NET services (Management__Port): they answer /metrics there only, never on http. Container
port `metrics`, scraped by Prometheus, never behind a Service: nothing outside the cluster can read it.
*/}}
{{- define "fleetman.managementPort" -}}
8090
{{- end }}

{{/* Prometheus scrape annotations of a pod; context's metricsPort (default: the .NET services' management port). */}}
{{- define "fleetman.scrapeAnnotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .metricsPort | default (include "fleetman.managementPort" .) | toString | quote }}
prometheus.io/path: /metrics
{{- end }}

{{/* Name of a Secret: the component's existingSecret, else the contract's name. Context: dict existing, name. */}}
{{- define "fleetman.secretName" -}}
{{ .existing | default .name }}
{{- end }}

{{/* Broker host, port and management endpoint (host:port of the web console, for KEDA). */}}
{{- define "fleetman.brokerHost" -}}
{{- if .Values.activemq.enabled -}}
activemq
{{- else -}}
{{ required "activemq.enabled=false: set activemq.external.host (a STOMP broker)" .Values.activemq.external.host }}
{{- end -}}
{{- end }}
{{- define "fleetman.brokerPort" -}}
{{ ternary 61613 .Values.activemq.external.port .Values.activemq.enabled }}
{{- end }}

{{/* Redis host:port. */}}
{{- define "fleetman.redisAddress" -}}
{{- if .Values.redis.enabled -}}
redis:6379
{{- else -}}
{{ printf "%s:%v" (required "redis.enabled=false: set redis.external.host" .Values.redis.external.host) .Values.redis.external.port }}
{{- end -}}
{{- end }}

{{/* MongoDB connection string; $(MONGO_USERNAME)/$(MONGO_PASSWORD) are expanded by Kubernetes from the Secret. */}}
{{- define "fleetman.mongoConnectionString" -}}
{{- $hosts := list -}}
{{- $rs := .Values.mongodb.replicaSetName -}}
{{- if .Values.mongodb.enabled -}}
{{- range $i := until (int .Values.mongodb.replicas) -}}
{{- $hosts = append $hosts (printf "mongodb-%d.mongodb:27017" $i) -}}
{{- end -}}
{{- else -}}
{{- $hosts = .Values.mongodb.external.hosts -}}
{{- if not $hosts }}{{ fail "mongodb.enabled=false: set mongodb.external.hosts (host:port of each member)" }}{{ end -}}
{{- $rs = .Values.mongodb.external.replicaSet -}}
{{- end -}}
mongodb://$(MONGO_USERNAME):$(MONGO_PASSWORD)@{{ join "," $hosts }}/?{{ if $rs }}replicaSet={{ $rs }}&{{ end }}authSource=admin
{{- end }}

{{/* Environment entries that come from Secrets or are built from them, for the services that need them. */}}
{{- define "fleetman.env.broker" -}}
- name: Broker__Username
  valueFrom:
    secretKeyRef: {name: {{ include "fleetman.secretName" (dict "existing" .Values.activemq.auth.existingSecret "name" "activemq-credentials") }}, key: username}
- name: Broker__Password
  valueFrom:
    secretKeyRef: {name: {{ include "fleetman.secretName" (dict "existing" .Values.activemq.auth.existingSecret "name" "activemq-credentials") }}, key: password}
{{- end }}

{{- define "fleetman.env.redis" -}}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ include "fleetman.secretName" (dict "existing" .Values.redis.auth.existingSecret "name" "redis-credentials") }}, key: password}
- name: ConnectionStrings__Redis
  value: {{ printf "%s,password=$(REDIS_PASSWORD),abortConnect=false" (include "fleetman.redisAddress" .) | quote }}
{{- end }}

{{- /* The edge's admin password, for the services whose state-changing routes check the admin credentials too. */}}
{{- define "fleetman.env.admin" -}}
- name: Admin__Password
  valueFrom:
    secretKeyRef: {name: {{ include "fleetman.secretName" (dict "existing" .Values.gateway.admin.existingSecret "name" "gateway-admin") }}, key: password}
{{- end }}

{{- define "fleetman.env.mongo" -}}
- name: MONGO_USERNAME
  valueFrom:
    secretKeyRef: {name: {{ include "fleetman.secretName" (dict "existing" .Values.mongodb.auth.existingSecret "name" "mongodb-credentials") }}, key: username}
- name: MONGO_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ include "fleetman.secretName" (dict "existing" .Values.mongodb.auth.existingSecret "name" "mongodb-credentials") }}, key: password}
- name: Store__MongoConnectionString
  value: {{ include "fleetman.mongoConnectionString" . | quote }}
{{- end }}

{{/*
A project service: ConfigMap (its non-secret settings, read with envFrom), Deployment, Service, ServiceAccount, a
PodDisruptionBudget when it runs several replicas and, when autoscaling is on, a CPU HorizontalPodAutoscaler.
Context: dict
  root, name, svc        the chart, the workload's name, the component's values
  config                 dict of non-secret environment variables (empty: no ConfigMap, no envFrom)
  secretEnv              YAML list of env entries after the ConfigMap's (credentials, and settings built from them)
  hpa                    the component may be autoscaled on CPU (svc.autoscaling)
  keda                   KEDA owns the replica count
  metrics                a .NET service: Management__Port set in its ConfigMap, /metrics on container port `metrics`
                         (the management port) only, scraped there; the Service exposes http alone
  preStop                pause 5 s before stopping (it answers requests routed to it by Services)
  terminationGrace       seconds (default 45: ShutdownTimeoutSeconds 30 plus a margin)
  files                  dict of file name -> content: a ConfigMap mounted into filesDir instead of config
  filesDir, filesName    where the files go, the ConfigMap's name
  tmpSize                size of the /tmp emptyDir (default 64Mi)
*/}}
{{- define "fleetman.httpService" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- if .metrics }}
{{- $_ := set .config "Management__Port" (include "fleetman.managementPort" .) }}
{{- end }}
{{- $autoscaled := and .hpa $svc.autoscaling.enabled -}}
{{- $replicated := or $autoscaled .keda (gt (int $svc.replicas) 1) -}}
{{ include "fleetman.serviceAccount" . }}
{{- if .config }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}
  labels:
    {{- include "fleetman.labels" . | nindent 4 }}
data:
  {{- range $k, $v := .config }}
  {{ $k }}: {{ $v | toString | quote }}
  {{- end }}
{{- end }}
{{- if .files }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .filesName }}
  labels:
    {{- include "fleetman.labels" . | nindent 4 }}
data:
  {{- toYaml .files | nindent 2 }}
{{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels:
    {{- include "fleetman.labels" . | nindent 4 }}
spec:
  {{- if or $autoscaled .keda }}
  # No `replicas`: the autoscaler owns the count, and a value here would reset it on every upgrade.
  {{- else }}
  replicas: {{ $svc.replicas }}
  {{- end }}
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      {{- include "fleetman.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "fleetman.labels" . | nindent 8 }}
      annotations:
        {{- if .metrics }}
        {{- include "fleetman.scrapeAnnotations" . | nindent 8 }}
        {{- end }}
        # Rolls the pods when their settings change (they are read at start only).
        checksum/config: {{ list .config .files | toJson | sha256sum }}
        {{- with $svc.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ .name }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ .terminationGrace | default 45 }}
      securityContext:
        {{- include "fleetman.podSecurityContext" (dict "uid" 1654) | nindent 8 }}
      {{- with (include "fleetman.placement" . | trim) }}{{ . | nindent 6 }}{{ end }}
      {{- with (include "fleetman.priorityClassName" . | trim) }}{{ . | nindent 6 }}{{ end }}
      {{- if $replicated }}
      {{- with (include "fleetman.topologySpread" . | trim) }}{{ . | nindent 6 }}{{ end }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "fleetman.image" (dict "root" $root "image" $svc.image) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            {{- if .metrics }}
            - name: metrics
              containerPort: {{ include "fleetman.managementPort" . }}
              protocol: TCP
            {{- end }}
          {{- if .config }}
          envFrom:
            - configMapRef:
                name: {{ .name }}
          {{- end }}
          {{- $extra := $svc.extraEnv | default list }}
          {{- if or (trim (.secretEnv | default "")) $extra }}
          # Order matters: $(NAME) expands only variables defined above it in this list (or in the ConfigMap).
          env:
            {{- with trim (.secretEnv | default "") }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $extra }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          {{- if .preStop }}
          # Endpoints leave the Services while the pod keeps serving a few seconds, so requests already routed to it
          # by a node or proxy that has not caught up still get an answer.
          lifecycle:
            preStop:
              sleep:
                seconds: 5
          {{- end }}
          {{- include "fleetman.httpProbes" . | nindent 10 }}
          resources:
            {{- toYaml $svc.resources | nindent 12 }}
          securityContext:
            {{- include "fleetman.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            # The only writable place (the root filesystem is read-only): temporary files and sockets.
            - name: tmp
              mountPath: /tmp
            {{- range $file, $_ := .files }}
            - name: config
              mountPath: {{ printf "%s/%s" $.filesDir $file }}
              subPath: {{ $file }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ .tmpSize | default "64Mi" }}
        {{- if .files }}
        - name: config
          configMap:
            name: {{ .filesName }}
        {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "fleetman.labels" . | nindent 4 }}
  {{- with $svc.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $svc.service.type }}
  {{- if and (eq $svc.service.type "LoadBalancer") $svc.service.loadBalancerSourceRanges }}
  loadBalancerSourceRanges:
    {{- toYaml $svc.service.loadBalancerSourceRanges | nindent 4 }}
  {{- end }}
  selector:
    {{- include "fleetman.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: 8080
      targetPort: http
      protocol: TCP
      {{- if and (ne $svc.service.type "ClusterIP") $svc.service.nodePort }}
      nodePort: {{ $svc.service.nodePort }}
      {{- end }}
{{- if and $replicated $svc.pdb.enabled }}
---
{{ include "fleetman.pdb" (merge (dict "minAvailable" $svc.pdb.minAvailable) .) }}
{{- end }}
{{- if $autoscaled }}
---
{{ include "fleetman.hpa" . }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget. Context: dict root, name, and minAvailable or maxUnavailable. */}}
{{- define "fleetman.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  labels:
    {{- include "fleetman.labels" . | nindent 4 }}
spec:
  {{- if .maxUnavailable }}
  maxUnavailable: {{ .maxUnavailable }}
  {{- else }}
  minAvailable: {{ .minAvailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "fleetman.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* CPU HorizontalPodAutoscaler of a Deployment. Context: dict root, name, svc. */}}
{{- define "fleetman.hpa" -}}
{{- $a := .svc.autoscaling -}}
{{- if ge (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "%s: autoscaling.maxReplicas (%v) must be above minReplicas (%v)" .name $a.maxReplicas $a.minReplicas) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  labels:
    {{- include "fleetman.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
  behavior:
    # Up at once (the default); down after two quiet minutes instead of five, so the end of a load test shows.
    scaleDown:
      stabilizationWindowSeconds: {{ $a.scaleDownStabilizationSeconds }}
{{- end }}

{{/* Whether the exporters beside ActiveMQ, MongoDB and Redis are rendered: with either monitoring (the chart's own, or
a cluster's kube-prometheus-stack), unless monitoring.exporters.enabled is false. Context: the root. */}}
{{- define "fleetman.exporters" -}}
{{- $m := .Values.monitoring -}}
{{- if and (or $m.enabled $m.operator.enabled) $m.exporters.enabled }}true{{ end -}}
{{- end }}

{{/* What the monitoring component adds to a workload's pods (files/monitoring/exporters.yaml links to its patches: one
source for both deployments), as YAML of a pod template: annotations, containers (the exporter, and the part's own
container with the environment the exporter needs), volumes; {} when exporters are off. Every Secret the patch
names becomes secret: the exporter's Secret as the chart names it (an existingSecret may rename it). Context: dict
root, name (the workload), secret. */}}
{{- define "fleetman.exporterPatch" -}}
{{- $template := dict }}
{{- if include "fleetman.exporters" .root }}
{{- range $document := regexSplit "\n---\n" (.root.Files.Get "files/monitoring/exporters.yaml") -1 }}
{{- $patch := fromYaml $document }}
{{- if eq (dig "metadata" "name" "" $patch) $.name }}
{{- $template = $patch.spec.template }}
{{- range $container := $template.spec.containers }}
{{- range $variable := $container.env | default list }}
{{- with $variable.valueFrom }}{{ $_ := set .secretKeyRef "name" $.secret }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $template }}
{{- end }}
