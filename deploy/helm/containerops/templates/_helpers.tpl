{{- define "containerops.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "containerops.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "containerops.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "containerops.image" -}}
{{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}
{{- end -}}

{{- define "containerops.databaseSecret" -}}
{{- .Values.database.existingSecret | default (printf "%s-database" (include "containerops.fullname" .)) -}}
{{- end -}}

{{- define "containerops.keysSecret" -}}
{{- .Values.keys.existingSecret | default (printf "%s-keys" (include "containerops.fullname" .)) -}}
{{- end -}}

{{/* The keys the API and the worker must share (the migration Job needs neither). */}}
{{- define "containerops.keysEnv" -}}
- name: CO_SECRETS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "containerops.keysSecret" . }}
      key: CO_SECRETS_KEY
- name: CO_DOCKYARD_TOKEN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "containerops.keysSecret" . }}
      key: CO_DOCKYARD_TOKEN_KEY
{{- end -}}

{{/* The environment every container of the platform shares. */}}
{{- define "containerops.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "containerops.databaseSecret" . }}
      key: {{ .Values.database.existingSecretKey }}
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
- name: TEMPORAL_UI_URL
  value: {{ .Values.temporal.uiUrl | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: CO_DATA_DIR
  value: /data
{{- range $name, $value := .Values.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "containerops.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
