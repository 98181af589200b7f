/**
 * Policy evaluation throughput: irsa's `evaluate` (each case's policies compiled once, outside
 * the timing) against @cloud-copilot/iam-simulate's `runUnsafeSimulation` (resource policies
 * pre-wrapped once, as it needs) and its validated `runSimulation`, side by side on one shared
 * corpus: generated identity-policy cases (with permissions boundaries) and generated IRSA
 * trust-policy cases. Every timed evaluation's decision is checked against ours; the bench
 * throws on any difference.
 *
 * runSimulation silently drops EKS issuer condition keys (see the differential test), so it
 * gets the trust cases with the issuers renamed to ones it knows; the policies are otherwise
 * the same. Generated cases on which iam-simulate is known to differ (listed in
 * test/differential/iam-simulate.test.ts) are left out of the corpus, and counted.
 *
 * Bounded (about 35 s): a fixed corpus; per corpus a warm-up, then rounds of a fixed length per
 * engine, alternating engines.
 */
import { performance } from 'node:perf_hooks'
import fc from 'fast-check'
import { evaluate } from '../src/policy/index.js'
import type { CompiledPolicy, Decision, EvalRequest, PolicySet } from '../src/policy/index.js'
import { identityCaseArb, trustCaseArb } from '../test/property/arbitraries.js'
import type { GeneratedCase } from '../test/property/arbitraries.js'
import { compileCase } from '../test/property/compile-case.js'
import {
  toSimulation,
  unsafeDecision,
  validatedDecision,
  withKnownIssuers,
} from '../test/differential/iam-simulate-adapter.js'

const SEED = 0x5eed
const IDENTITY_CASES = 400
const TRUST_CASES = 150
const ROUNDS = 16
const ROUND_MS = 150
const WARMUP: readonly (readonly [Engine, number])[] = [
  ['irsa', 2500],
  ['unsafe', 500],
  ['validated', 500],
]

interface Prepared {
  readonly request: EvalRequest
  readonly compiled: PolicySet<CompiledPolicy>
  readonly unsafeSim: ReturnType<typeof toSimulation>
  readonly validatedSim: ReturnType<typeof toSimulation>
  readonly decision: Decision
}

type Engine = 'irsa' | 'unsafe' | 'validated'

async function prepare(
  cases: readonly GeneratedCase[],
  trust: boolean,
): Promise<{
  kept: Prepared[]
  excluded: number
}> {
  const kept: Prepared[] = []
  let excluded = 0
  for (const c of cases) {
    const compiled = compileCase(c)
    const decision = evaluate(c.request, compiled).decision
    const unsafeSim = toSimulation(c, true)
    const validatedSim = toSimulation(trust ? withKnownIssuers(c) : c, false)
    const agree =
      unsafeDecision(unsafeSim) === decision && (await validatedDecision(validatedSim)) === decision
    if (agree) kept.push({ request: c.request, compiled, unsafeSim, validatedSim, decision })
    else excluded++
  }
  return { kept, excluded }
}

interface Timing {
  readonly count: number
  readonly elapsed: number
}

function mismatch(engine: Engine, d: Decision, p: Prepared): Error {
  return new Error(`${engine} decided ${d}, irsa ${p.decision}: ${JSON.stringify(p.request)}`)
}

/** A synchronous engine over the corpus, cyclically, for `ms`; every decision checked. */
function measureSync(
  engine: Engine,
  decide: (p: Prepared) => Decision,
  corpus: readonly Prepared[],
  ms: number,
): Timing {
  let count = 0
  let i = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    for (let k = 0; k < 64; k++) {
      const p = corpus[i]!
      const d = decide(p)
      if (d !== p.decision) throw mismatch(engine, d, p)
      i = i + 1 === corpus.length ? 0 : i + 1
    }
    count += 64
    now = performance.now()
  }
  return { count, elapsed: now - start }
}

/** runSimulation (asynchronous) over the corpus, cyclically, for `ms`; decisions checked. */
async function measureValidated(corpus: readonly Prepared[], ms: number): Promise<Timing> {
  let count = 0
  let i = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    const p = corpus[i]!
    const d = await validatedDecision(p.validatedSim)
    if (d !== p.decision) throw mismatch('validated', d, p)
    i = i + 1 === corpus.length ? 0 : i + 1
    count++
    now = performance.now()
  }
  return { count, elapsed: now - start }
}

const irsaDecide = (p: Prepared): Decision => evaluate(p.request, p.compiled).decision
const unsafeDecide = (p: Prepared): Decision => unsafeDecision(p.unsafeSim)

async function measure(engine: Engine, corpus: readonly Prepared[], ms: number): Promise<Timing> {
  switch (engine) {
    case 'irsa':
      return measureSync(engine, irsaDecide, corpus, ms)
    case 'unsafe':
      return measureSync(engine, unsafeDecide, corpus, ms)
    case 'validated':
      return measureValidated(corpus, ms)
  }
}

/** Evaluations per second of each engine, measured in alternating rounds. */
async function sideBySide(corpus: readonly Prepared[]): Promise<Record<Engine, number>> {
  const engines: Engine[] = ['irsa', 'unsafe', 'validated']
  const totals: Record<Engine, { count: number; elapsed: number }> = {
    irsa: { count: 0, elapsed: 0 },
    unsafe: { count: 0, elapsed: 0 },
    validated: { count: 0, elapsed: 0 },
  }
  // Warm every engine up on this corpus first: the JIT needs a few seconds to settle on a
  // mixed corpus, and iam-simulate fills its service-data caches.
  for (const [e, ms] of WARMUP) await measure(e, corpus, ms)
  for (let r = 0; r < ROUNDS; r++) {
    for (const e of engines) {
      const m = await measure(e, corpus, ROUND_MS)
      totals[e].count += m.count
      totals[e].elapsed += m.elapsed
    }
  }
  const rate = (e: Engine): number => (totals[e].count * 1000) / totals[e].elapsed
  return { irsa: rate('irsa'), unsafe: rate('unsafe'), validated: rate('validated') }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`

/** Runs the benchmark and returns the printed table. */
export async function run(): Promise<string> {
  const identityCases = fc
    .sample(identityCaseArb('iam-simulate'), { seed: SEED, numRuns: 4 * IDENTITY_CASES })
    // runUnsafeSimulation ignores session policies: leave them to the differential test.
    .filter((c) => c.session === undefined)
    .slice(0, IDENTITY_CASES)
  const trustCases = fc.sample(trustCaseArb(), { seed: SEED, numRuns: TRUST_CASES })
  const identity = await prepare(identityCases, false)
  const trust = await prepare(trustCases, true)
  const rows: [string, Prepared[]][] = [
    ['identity policies', identity.kept],
    ['IRSA trust policies', trust.kept],
    ['all', [...identity.kept, ...trust.kept]],
  ]
  const header = [
    'corpus',
    'cases',
    'irsa evaluate/s',
    'runUnsafeSimulation/s',
    'ratio',
    'runSimulation/s',
    'ratio',
  ]
  const lines: string[][] = [header]
  let worstUnsafe = Infinity
  let worstValidated = Infinity
  for (const [name, corpus] of rows) {
    const r = await sideBySide(corpus)
    worstUnsafe = Math.min(worstUnsafe, r.irsa / r.unsafe)
    worstValidated = Math.min(worstValidated, r.irsa / r.validated)
    lines.push([
      name,
      String(corpus.length),
      fmt(r.irsa),
      fmt(r.unsafe),
      ratio(r.irsa, r.unsafe),
      fmt(r.validated),
      ratio(r.irsa, r.validated),
    ])
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)))
  const table = lines.map((l) =>
    l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
  )
  const excluded = identity.excluded + trust.excluded
  return [
    `Policy evaluation, evaluations per second (node ${process.version}), ${ROUNDS} alternating rounds of ${ROUND_MS} ms per engine, after a warm-up on each corpus`,
    '',
    ...table,
    '',
    `Targets: >= 10x runUnsafeSimulation (worst row ${worstUnsafe.toFixed(1)}x: ${worstUnsafe >= 10 ? 'met' : 'NOT MET'}), ` +
      `>= 100x runSimulation (worst row ${worstValidated.toFixed(1)}x: ${worstValidated >= 100 ? 'met' : 'NOT MET'}).`,
    'Decisions: identical on every timed evaluation (the bench throws otherwise).',
    `Corpus: seed ${SEED}; ${excluded} generated cases left out because iam-simulate is known to decide them differently (test/differential/iam-simulate.test.ts).`,
    'runSimulation gets the trust cases with the EKS issuers renamed to issuers it knows (it drops EKS issuer keys).',
  ].join('\n')
}
