{{/* The name of every object of the release (63 characters at most). */}}
{{- define "irsa-webhook.fullname" -}}
{{ default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the webhook's pods. */}}
{{- define "irsa-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "irsa-webhook.labels" -}}
{{ include "irsa-webhook.selectorLabels" . }}
app.kubernetes.io/part-of: irsa
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{/* The Secret that holds the serving certificate. */}}
{{- define "irsa-webhook.tlsSecretName" -}}
{{- if .Values.certManager.enabled -}}
{{ include "irsa-webhook.fullname" . }}-tls
{{- else -}}
{{ required "tls.secretName is required when certManager.enabled is false" .Values.tls.secretName }}
{{- end }}
{{- end }}
