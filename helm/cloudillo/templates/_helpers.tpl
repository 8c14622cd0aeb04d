{{- define "cloudillo.labels" -}}
app.kubernetes.io/part-of: cloudillo
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "cloudillo.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{/* Settings every app reads (see .env.example). */}}
{{- define "cloudillo.infraEnv" -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ .Values.infrastructure.databaseUrlSecret.name }}, key: {{ .Values.infrastructure.databaseUrlSecret.key }} } }
- name: REDIS_URL
  value: {{ .Values.infrastructure.redisUrl | quote }}
- name: NATS_URL
  value: {{ .Values.infrastructure.natsUrl | quote }}
- name: S3_ENDPOINT
  value: {{ .Values.infrastructure.s3.endpoint | quote }}
- name: S3_REGION
  value: {{ .Values.infrastructure.s3.region | quote }}
- name: S3_ACCESS_KEY
  valueFrom: { secretKeyRef: { name: {{ .Values.infrastructure.s3.credentialsSecret }}, key: S3_ACCESS_KEY } }
- name: S3_SECRET_KEY
  valueFrom: { secretKeyRef: { name: {{ .Values.infrastructure.s3.credentialsSecret }}, key: S3_SECRET_KEY } }
- name: TENANT_HEADER_SECRET
  valueFrom: { secretKeyRef: { name: {{ .Values.tenantHeaderSecret.name }}, key: {{ .Values.tenantHeaderSecret.key }} } }
- name: FEDERATION_PEER_MAP
  value: {{ .Values.federationPeerMap | quote }}
- name: NO_COLOR
  value: "1"
{{- end -}}
