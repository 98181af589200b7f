import { parseArgs } from 'node:util'
import { once } from 'node:events'
import { describeError, InputError, isIrsaError, systemClock } from '../core/index.js'
import { Args, EXIT, type Command, type Io } from './command.js'
import { commandHelp, groupHelp } from './help.js'
import { COMMAND_TABLE, loadCommand } from './commands/table.js'
import { VERSION } from './version.js'

/** The real process's Io. */
function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stderrIsTerminal: process.stderr.isTTY,
    cwd: process.cwd(),
    clock: systemClock,
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    untilSignal: async () => {
      const ac = new AbortController()
      const r = await Promise.race([
        once(process, 'SIGINT', { signal: ac.signal }).then(() => 'SIGINT'),
        once(process, 'SIGTERM', { signal: ac.signal }).then(() => 'SIGTERM'),
      ])
      ac.abort()
      return r
    },
  }
}

/** A command as the dispatcher sees it: its name and summary, its module loaded on demand. */
interface Listed {
  readonly path: readonly string[]
  readonly summary: string
  readonly load: () => Promise<Command>
}

/** The commands `main` was given, or the CLI's table (each module loaded only when run). */
function listed(commands: readonly Command[] | undefined): readonly Listed[] {
  if (commands !== undefined)
    return commands.map((c) => ({
      path: c.path,
      summary: c.summary,
      load: () => Promise.resolve(c),
    }))
  return COMMAND_TABLE.map((e) => ({
    path: e.path,
    summary: e.summary,
    load: () => loadCommand(e),
  }))
}

function findCommand<C extends { readonly path: readonly string[] }>(
  words: readonly string[],
  commands: readonly C[],
): { cmd: C | undefined; depth: number } {
  let best: C | undefined
  let depth = 0
  for (const c of commands) {
    if (c.path.length > words.length || c.path.length <= depth) continue
    if (c.path.every((w, i) => words[i] === w)) {
      best = c
      depth = c.path.length
    }
  }
  return { cmd: best, depth }
}

function parseCommandArgs(cmd: Command, rest: readonly string[]): Args {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
  > = {}
  for (const [name, spec] of Object.entries(cmd.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.short !== undefined ? { short: spec.short } : {}),
      ...(spec.multiple === true ? { multiple: true } : {}),
    }
  }
  let parsed
  try {
    parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: true })
  } catch (e) {
    throw new InputError(describeError(e).replace(/\. To specify a positional.*$/, ''))
  }
  const values: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(cmd.options)) {
    const v = (parsed.values as Record<string, unknown>)[name]
    values[name] = v ?? spec.default
  }
  const pos = cmd.positionals ?? { min: 0, max: 0 }
  if (parsed.positionals.length < pos.min)
    throw new InputError(`missing argument; usage: ${cmd.usage}`)
  if (parsed.positionals.length > pos.max)
    throw new InputError(
      `unexpected argument '${parsed.positionals[pos.max] ?? ''}'; usage: ${cmd.usage}`,
    )
  return new Args(values, parsed.positionals)
}

/**
 * Runs the irsa CLI. Returns the exit code: 0 success, 1 a negative answer, 2 an error.
 * Errors are one line on stderr, `irsa: <what is wrong>`.
 */
export async function main(
  argv: readonly string[],
  io: Io = processIo(),
  given?: readonly Command[],
): Promise<number> {
  const commands = listed(given)
  const words: string[] = []
  for (const a of argv) {
    if (a.startsWith('-')) break
    words.push(a)
  }
  // Flags after `--` belong to the command irsa runs (`irsa exec -- aws --help`).
  const dashDash = argv.indexOf('--')
  const own = dashDash < 0 ? argv : argv.slice(0, dashDash)
  const wantsHelp = own.includes('--help') || own.includes('-h')
  if (argv[0] === '--version') {
    io.stdout(`irsa ${VERSION}\n`)
    return EXIT.ok
  }
  if (words[0] === 'help') {
    words.shift()
    return main([...words, '--help'], io, given)
  }
  const { cmd: hit, depth } = findCommand(words, commands)
  if (hit === undefined) {
    const known = commands.some((c) => words.every((w, i) => c.path[i] === w))
    if (known && (wantsHelp || words.length > 0)) {
      io.stdout(groupHelp(words, commands))
      return wantsHelp ? EXIT.ok : EXIT.error
    }
    if (words.length === 0) {
      io.stdout(groupHelp([], commands))
      return wantsHelp ? EXIT.ok : EXIT.error
    }
    io.stderr(`irsa: unknown command '${words.join(' ')}'; run 'irsa --help'\n`)
    return EXIT.error
  }
  try {
    const cmd = await hit.load()
    if (wantsHelp) {
      io.stdout(commandHelp(cmd))
      return EXIT.ok
    }
    const args = parseCommandArgs(cmd, argv.slice(depth))
    return await cmd.run(args, io)
  } catch (e) {
    if (isIrsaError(e)) {
      io.stderr(`irsa: ${describeError(e)}\n`)
    } else {
      io.stderr(`irsa: unexpected error: ${describeError(e)}\n`)
      if (io.env['IRSA_DEBUG'] !== undefined && e instanceof Error && e.stack !== undefined)
        io.stderr(e.stack + '\n')
    }
    return EXIT.error
  }
}
