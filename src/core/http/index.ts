export { listen } from './listen.js'
export type { Listening } from './listen.js'
export { readBody, BodyTooLargeError, BodyAbortedError, isBodyAborted } from './body.js'
