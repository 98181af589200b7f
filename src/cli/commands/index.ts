import type { Command } from '../command.js'

/** Every command of the irsa CLI. Each module exports its commands; add them here. */
export const commands: readonly Command[] = []
