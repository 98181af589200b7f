import type { Command, OptionSpec } from './command.js'

function flagLabel(name: string, spec: OptionSpec): string {
  const short = spec.short !== undefined ? `-${spec.short}, ` : '    '
  const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''
  return `${short}--${name}${value}`
}

/** The `--help` text of one command. */
export function commandHelp(cmd: Command): string {
  const lines = [`Usage: ${cmd.usage}`, '', cmd.summary]
  if (cmd.description !== undefined) lines.push('', cmd.description)
  const entries = Object.entries(cmd.options)
  lines.push('', 'Options:')
  const labels = entries.map(([n, s]) => flagLabel(n, s))
  const width = Math.max(20, ...labels.map((l) => l.length)) + 2
  entries.forEach(([, spec], i) => {
    const label = labels[i] ?? ''
    const repeat = spec.multiple === true ? ' (repeatable)' : ''
    const def =
      spec.default !== undefined && spec.default !== false
        ? ` (default: ${String(spec.default)})`
        : ''
    lines.push(`  ${label.padEnd(width)}${spec.description}${repeat}${def}`)
  })
  lines.push(`  ${'-h, --help'.padEnd(width)}Show this help`)
  return lines.join('\n') + '\n'
}

/** The help of a command group (`irsa`, `irsa oidc`): its subcommands with summaries. */
export function groupHelp(
  prefix: readonly string[],
  commands: readonly Pick<Command, 'path' | 'summary'>[],
): string {
  const under = commands.filter((c) => prefix.every((w, i) => c.path[i] === w))
  const name = ['irsa', ...prefix].join(' ')
  const rows = under.map((c) => [c.path.join(' '), c.summary] as const)
  const width = Math.max(...rows.map(([p]) => p.length)) + 2
  const lines = [
    `Usage: ${name} COMMAND [flags]`,
    '',
    prefix.length === 0
      ? 'irsa: IAM Roles for Service Accounts, end to end.'
      : `Commands under ${name}:`,
    '',
    'Commands:',
    ...rows.map(([p, s]) => `  ${p.padEnd(width)}${s}`),
    '',
    `Run '${prefix.length === 0 ? 'irsa' : name} COMMAND --help' for a command's flags.`,
    'Exit codes: 0 success, 1 a negative answer (denied, findings), 2 an error.',
  ]
  return lines.join('\n') + '\n'
}
