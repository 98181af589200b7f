/** One step of a plan: what will be created, changed, or left alone. */
export interface Step {
  readonly kind: 'create' | 'change' | 'keep' | 'delete'
  readonly what: string
  readonly apply?: () => Promise<void>
}

/** The plan's lines, `create  role app`, one per step. */
export function formatPlan(steps: readonly Step[]): string {
  return steps.map((s) => `  ${s.kind.padEnd(7)} ${s.what}\n`).join('')
}

/**
 * Prints the plan; with `approve` applies its steps in order. Without it nothing changes
 * and the last line says how to apply.
 */
export async function runPlan(
  steps: readonly Step[],
  approve: boolean,
  out: (text: string) => void,
): Promise<void> {
  const changes = steps.filter((s) => s.kind !== 'keep').length
  if (!approve) {
    out(`plan:\n${formatPlan(steps)}`)
    out(
      changes === 0
        ? 'nothing to change\n'
        : `(plan only: ${changes} change${changes === 1 ? '' : 's'}; run again with --approve to apply)\n`,
    )
    return
  }
  const done = { create: 'created', change: 'changed', keep: 'kept', delete: 'deleted' }
  for (const s of steps) {
    if (s.apply !== undefined) await s.apply()
    out(`  ${done[s.kind].padEnd(7)} ${s.what}\n`)
  }
  out(changes === 0 ? 'nothing to change\n' : 'done\n')
}
