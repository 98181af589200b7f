import { InputError } from '../../core/index.js'
import { decisionJson, formatDecisions, openStackStore } from '../../stack/index.js'
import { parseDuration } from '../../token/index.js'
import { EXIT, type Command } from '../command.js'
import { DATA_DIR_OPTION, dataDirOf } from './up.js'

const logs: Command = {
  path: ['logs'],
  summary: 'Show the decision log: why each STS call and authorisation was allowed or denied',
  usage: 'irsa logs [--since 10m] [--request-id ID] [--denied] [--output json] [--data-dir DIR]',
  description:
    'Prints the decisions the local stack recorded (request id, time, principal, action,\n' +
    'resource, decision, error code, and the reasons AWS does not tell the client: which\n' +
    'check failed, which statement matched or why none did). --request-id takes the\n' +
    'x-amzn-RequestId of a response (the AWS CLI prints it with --debug; SDK errors carry\n' +
    'it as $metadata.requestId) and shows that request whenever it happened.\n' +
    'Every refusal is there: failed authentication (a wrong secret key, an unknown key, a\n' +
    'session token that does not open, expired credentials), denials, and requests refused\n' +
    'by validation (a malformed policy document). --denied shows only what was not allowed.',
  options: {
    'data-dir': DATA_DIR_OPTION,
    since: {
      type: 'string',
      valueName: 'D',
      default: '1h',
      description: 'how far back (Go duration: 90s, 10m, 1h)',
    },
    'request-id': { type: 'string', valueName: 'ID', description: 'one request only' },
    denied: {
      type: 'boolean',
      description: 'only decisions that did not allow (denied, rejected, failed to authenticate)',
    },
    output: { type: 'string', valueName: 'FORMAT', default: 'text', description: 'text or json' },
  },
  run: (args, io) => {
    const fmt = args.string('output') ?? 'text'
    if (fmt !== 'text' && fmt !== 'json')
      throw new InputError(`--output must be text or json, got '${fmt}'`)
    const sinceSeconds = parseDuration(args.string('since') ?? '1h', '--since')
    const requestId = args.string('request-id')
    const store = openStackStore(dataDirOf(args, io), io.clock)
    try {
      const all =
        requestId !== undefined
          ? store.decisions.byRequestId(requestId)
          : store.decisions.since(io.clock.now() - sinceSeconds * 1000)
      const records = args.boolean('denied') ? all.filter((d) => d.decision !== 'allowed') : all
      io.stdout(
        fmt === 'json'
          ? JSON.stringify(records.map(decisionJson), null, 2) + '\n'
          : formatDecisions(records),
      )
      return Promise.resolve(
        requestId !== undefined && records.length === 0 ? EXIT.negative : EXIT.ok,
      )
    } finally {
      store.close()
    }
  },
}

/** The `irsa logs` command. */
export const logsCommands: readonly Command[] = [logs]
