#!/usr/bin/env node
// Runs every compiled test file under build/test with node's test runner.
// Node 20's `node --test` does not expand globs, so the files are listed here.
// --test-timeout is a hang guard, and on Node 20 it bounds each whole file (a test's own
// `timeout` does not extend it): 5 minutes, so a file of many real-CLI runs on a loaded
// 2-core machine is not cut off while a hung one still is.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) collect(p, out)
    else if (name.endsWith('.test.js')) out.push(p)
  }
  return out
}

const filter = process.argv.slice(2)
const files = collect('build/test', []).filter(
  (f) => filter.length === 0 || filter.some((s) => f.includes(s)),
)
if (files.length === 0) {
  console.error('run-tests: no test files found under build/test')
  process.exit(1)
}
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit' },
)
process.exit(r.status ?? 1)
