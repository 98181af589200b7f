/** The request target split as SigV4 and routing need it: raw path and raw query. */
export function splitTarget(url: string | undefined): { path: string; query: string } {
  const target = url ?? '/'
  const q = target.indexOf('?')
  const hash = target.indexOf('#')
  const end = hash === -1 ? target.length : hash
  if (q === -1 || q > end) return { path: target.slice(0, end) || '/', query: '' }
  return { path: target.slice(0, q) || '/', query: target.slice(q + 1, end) }
}
