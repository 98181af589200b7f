import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mergeValues, renderChart } from '../../helpers/helm-subset.js'

/** Renders one template (plus helpers) in a throwaway chart. */
function renderOne(
  template: string,
  values: Record<string, unknown> = {},
  helpers = '',
  helmignore?: string,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-helm-subset-'))
  try {
    mkdirSync(join(dir, 'templates'))
    writeFileSync(
      join(dir, 'Chart.yaml'),
      'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: 4.5.6\n',
    )
    writeFileSync(join(dir, 'values.yaml'), 'a: 1\n')
    writeFileSync(join(dir, 'templates', 'out.txt'), template)
    if (helpers !== '') writeFileSync(join(dir, 'templates', '_helpers.tpl'), helpers)
    if (helmignore !== undefined) writeFileSync(join(dir, '.helmignore'), helmignore)
    const r = renderChart(dir, { name: 'rel', namespace: 'ns' }, values)
    const out = r.files.get('out.txt')
    assert.ok(out !== undefined)
    return out
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('values, release and chart fields, and literals print as Go templates print them', () => {
  assert.equal(
    renderOne(
      '{{ .Values.a }} {{ .Values.s }} {{ .Release.Name }}/{{ .Release.Namespace }} {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }} {{ "lit" }} {{ true }}',
      { s: 'x' },
    ),
    '1 x rel/ns demo-1.2.3-4.5.6 lit true',
  )
})

test('{{- and -}} trim the whitespace beside them, newlines included', () => {
  assert.equal(renderOne('a  \n  {{- "b" -}}  \n  c'), 'abc')
  assert.equal(renderOne('a\n{{ "b" }}\nc'), 'a\nb\nc')
  assert.equal(renderOne('a\n{{- /* a comment */}}\nc'), 'a\nc')
})

test('if / else if / else follow Go truthiness (empty string, 0, empty list and map are false)', () => {
  const t = '{{ if .Values.x }}yes{{ else if .Values.y }}second{{ else }}no{{ end }}'
  assert.equal(renderOne(t, { x: 'v', y: '' }), 'yes')
  assert.equal(renderOne(t, { x: '', y: 1 }), 'second')
  for (const falsy of ['', 0, false, [], {}, null])
    assert.equal(renderOne(t, { x: falsy, y: falsy }), 'no')
})

test('range rebinds dot to each element and keeps $ as the root', () => {
  assert.equal(
    renderOne('{{ range .Values.l }}[{{ . }}:{{ $.Values.a }}]{{ end }}', { l: ['p', 'q'] }),
    '[p:1][q:1]',
  )
  assert.equal(renderOne('{{ range .Values.l }}x{{ end }}', { l: [] }), '')
})

test('include, default, quote, toYaml, nindent, indent, trunc, trimSuffix and required', () => {
  const helpers = '{{- define "n" -}}{{ .Release.Name }}-n{{- end }}'
  assert.equal(renderOne('{{ include "n" . }}', {}, helpers), 'rel-n')
  assert.equal(
    renderOne('{{ default "d" .Values.e }}|{{ .Values.f | default "d" }}', { e: '', f: 'f' }),
    'd|f',
  )
  assert.equal(renderOne('{{ .Values.s | quote }}', { s: 'a "b"' }), '"a \\"b\\""')
  assert.equal(
    renderOne('k:{{ toYaml .Values.m | nindent 2 }}', { m: { b: [1, 2] } }),
    'k:\n  b:\n    - 1\n    - 2',
  )
  assert.equal(renderOne('{{ "x\\ny" | indent 3 }}'), '   x\n   y')
  assert.equal(
    renderOne('{{ "abcdef-" | trunc 6 | trimSuffix "-" }}|{{ "abcde-" | trimSuffix "-" }}'),
    'abcdef|abcde',
  )
  assert.equal(renderOne('{{ required "need s" .Values.s }}', { s: 'ok' }), 'ok')
  assert.throws(() => renderOne('{{ required "need s" .Values.s }}', { s: '' }), /need s/)
})

test('anything outside the subset fails loudly instead of rendering something else', () => {
  for (const t of [
    '{{ with .Values.a }}x{{ end }}',
    '{{ template "n" . }}',
    '{{ $x := 1 }}',
    '{{ upper "a" }}',
    '{{ printf "%s" "a" }}',
    '{{ (default "a" "b") }}',
    '{{ .Values.missing }}',
    '{{ .Values.a.b }}',
    '{{ if .Values.a }}x',
    '{{ end }}',
    '{{ .Values.m }}',
    '{{ include "nope" . }}',
    '{{ range .Values.a }}x{{ end }}',
  ])
    assert.throws(() => renderOne(t, { m: { k: 1 } }), Error, t)
})

test('.helmignore: exact paths leave templates out; globs are outside the subset', () => {
  assert.equal(renderOne('kept', {}, '', '# comment\ntemplates/_helpers.tpl\n'), 'kept')
  assert.throws(() => renderOne('kept', {}, '', '*.swp\n'), /outside the subset/)
})

test('values merge like Helm: maps key by key, lists and scalars replaced', () => {
  assert.deepEqual(mergeValues({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, e: true }), {
    a: { b: 1, c: [3] },
    d: 'x',
    e: true,
  })
})
