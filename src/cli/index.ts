export { main, processIo, VERSION } from './main.js'
export { Args, EXIT } from './command.js'
export type { Command, Io, OptionSpec } from './command.js'
export { commandHelp, groupHelp } from './help.js'
