export { listen, originOf } from './listen.js'
export type { Listening, ListenOptions } from './listen.js'
export {
  readBody,
  BodyTooLargeError,
  BodyAbortedError,
  isBodyAborted,
  DEFAULT_LINGER_MS,
} from './body.js'
