/**
 * A formatter of the `Date` response header (`Thu, 03 Dec 2026 15:04:05 GMT`). The text
 * changes once a second, so it is formatted once a second, not once a response.
 */
export function httpDateFormatter(): (ms: number) => string {
  let second = Number.NaN
  let text = ''
  return (ms) => {
    const s = Math.floor(ms / 1000)
    if (s !== second) {
      second = s
      text = new Date(s * 1000).toUTCString()
    }
    return text
  }
}
