{{- define "preview.fullname" -}}
{{- .Release.Name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{- define "preview.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "preview.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "preview.dbSecret" -}}
{{ include "preview.fullname" . }}-db
{{- end -}}

{{- /* "true" when the app sleeps: scaleToZero on and the cluster serves the KEDA HTTP add-on's API. */ -}}
{{- define "preview.sleeps" -}}
{{- if and .Values.scaleToZero.enabled (.Capabilities.APIVersions.Has "http.keda.sh/v1alpha1/HTTPScaledObject") -}}
true
{{- end -}}
{{- end -}}

{{- /* Spot pool placement for a pod spec (spot.enabled): nodeSelector and tolerations. */ -}}
{{- define "preview.spot" -}}
{{- if .Values.spot.enabled }}
{{- with .Values.spot.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.spot.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}
