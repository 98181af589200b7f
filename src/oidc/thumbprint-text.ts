import type { HostThumbprint, ThumbprintReport } from './thumbprint.js'

const WIDTH = 12

function hostLines(label: string, rule: string, h: HostThumbprint): string[] {
  const lines = [`${label.padEnd(WIDTH)}${h.host}  ${h.thumbprint}  (${rule})`]
  if (!h.trusted)
    lines.push(
      `${''.padEnd(WIDTH)}not trusted by the system CAs or --ca: ${h.trustError ?? 'unknown'}`,
    )
  return lines
}

/**
 * The report as text: the issuer host's thumbprint (eksctl's rule), the jwks_uri and
 * its host's thumbprint (AWS's rule), trust notes, and whether the rules agree.
 */
export function formatThumbprintReport(r: ThumbprintReport): string {
  const lines = [`${'issuer'.padEnd(WIDTH)}${r.issuer}`]
  lines.push(
    ...hostLines(
      'issuer host',
      "eksctl's rule: last certificate the issuer host sends",
      r.issuerHost,
    ),
  )
  if (r.jwksUri !== undefined) lines.push(`${'jwks_uri'.padEnd(WIDTH)}${r.jwksUri}`)
  if (r.jwksHost !== undefined) {
    lines.push(
      ...hostLines('jwks host', "AWS's rule: last certificate the JWKS host sends", r.jwksHost),
    )
    lines.push(
      r.differ
        ? `the rules differ: give IAM ${r.jwksHost.thumbprint} (the JWKS host); ` +
            `eksctl would register ${r.issuerHost.thumbprint}`
        : `both rules give ${r.issuerHost.thumbprint}`,
    )
  }
  if (r.jwksError !== undefined) lines.push(`${'jwks host'.padEnd(WIDTH)}unknown: ${r.jwksError}`)
  return lines.join('\n') + '\n'
}
