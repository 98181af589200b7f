import type { Command } from '../command.js'
import { oidcCommands } from './oidc.js'
import { keysCommands } from './keys.js'
import { createTokenCommands } from './create-token.js'
import { policyCommands } from './policy.js'
import { webhookCommands } from './webhook.js'
import { upCommands } from './up.js'
import { clusterCommands } from './cluster.js'
import { logsCommands } from './logs.js'
import { applyCommands } from './apply.js'
import { getCommands } from './get.js'
import { execCommands } from './exec.js'
import { iamServiceAccountCommands } from './iamserviceaccount.js'
import { lintCommands } from './lint.js'
import { doctorCommands } from './doctor.js'

/** Every command of the irsa CLI. Each module exports its commands; add them here. */
export const commands: readonly Command[] = [
  ...oidcCommands,
  ...keysCommands,
  ...createTokenCommands,
  ...policyCommands,
  ...webhookCommands,
  ...upCommands,
  ...clusterCommands,
  ...logsCommands,
  ...applyCommands,
  ...getCommands,
  ...execCommands,
  ...iamServiceAccountCommands,
  ...lintCommands,
  ...doctorCommands,
]
