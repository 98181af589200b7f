import type { FieldError } from './status.js'

/**
 * Name rules as kube-apiserver applies them (k8s.io/apimachinery
 * pkg/util/validation/validation.go): Namespaces are RFC 1123 labels, the other served
 * kinds RFC 1123 subdomains; messages word for word.
 */

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const SUBDOMAIN_FMT = `${LABEL_FMT}(\\.${LABEL_FMT})*`
const LABEL = new RegExp(`^${LABEL_FMT}$`)
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FMT}$`)
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

function regexError(msg: string, fmt: string, examples: readonly string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${fmt}')`
}

/** The messages of `IsDNS1123Label` (empty when valid). */
export function dns1123Label(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push('must be no more than 63 characters')
  if (!LABEL.test(value))
    errs.push(
      SUBDOMAIN.test(value)
        ? 'must not contain dots'
        : regexError(LABEL_MSG, LABEL_FMT, ['my-name', '123-abc']),
    )
  return errs
}

/** The messages of `IsDNS1123Subdomain` (empty when valid). */
export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push('must be no more than 253 characters')
  if (!SUBDOMAIN.test(value)) errs.push(regexError(SUBDOMAIN_MSG, SUBDOMAIN_FMT, ['example.com']))
  return errs
}

/** Field errors of `metadata.name` (and `metadata.namespace`) for an object of `kind`. */
export function metadataErrors(kind: string, name: string, namespace?: string): FieldError[] {
  const errors: FieldError[] = []
  if (name === '')
    errors.push({
      type: 'FieldValueRequired',
      field: 'metadata.name',
      detail: 'name or generateName is required',
    })
  else {
    const check = kind === 'Namespace' ? dns1123Label : dns1123Subdomain
    for (const detail of check(name))
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail })
  }
  if (namespace !== undefined)
    for (const detail of dns1123Label(namespace))
      errors.push({
        type: 'FieldValueInvalid',
        field: 'metadata.namespace',
        value: namespace,
        detail,
      })
  return errors
}
