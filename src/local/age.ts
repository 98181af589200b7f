/**
 * kubectl's AGE column (`HumanDuration` of k8s.io/apimachinery): `45s`, `3m20s`, `12m`,
 * `5h3m`, `20h`, `3d4h`, `30d`, `2y15d`, `9y`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${String(seconds)}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${String(minutes)}m` : `${String(minutes)}m${String(s)}s`
  }
  if (minutes < 180) return `${String(minutes)}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${String(hours)}h` : `${String(hours)}h${String(m)}m`
  }
  if (hours < 48) return `${String(hours)}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    const d = Math.floor(hours / 24)
    return h === 0 ? `${String(d)}d` : `${String(d)}d${String(h)}h`
  }
  if (hours < 24 * 365 * 2) return `${String(Math.floor(hours / 24))}d`
  if (hours < 24 * 365 * 8) {
    const y = Math.floor(hours / 24 / 365)
    const d = Math.floor(hours / 24) % 365
    return d === 0 ? `${String(y)}y` : `${String(y)}y${String(d)}d`
  }
  return `${String(Math.floor(hours / 24 / 365))}y`
}
