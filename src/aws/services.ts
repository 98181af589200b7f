/** The AWS services irsa's endpoint serves. */
export type AwsService = 'iam' | 'sts' | 'eks'

/** Every {@link AwsService}. */
export const AWS_SERVICES: readonly AwsService[] = ['iam', 'sts', 'eks']

/** How a service speaks on the wire. */
interface ServiceProtocol {
  readonly protocol: 'query' | 'rest-json'
  /** The API version (`Version=` for Query services). */
  readonly version: string
  /** The XML namespace of Query responses and errors. */
  readonly namespace: string
}

/** Protocol facts per service, from AWS's models. */
export const SERVICE_PROTOCOLS: Readonly<Record<AwsService, ServiceProtocol>> = {
  iam: {
    protocol: 'query',
    version: '2010-05-08',
    namespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  },
  sts: {
    protocol: 'query',
    version: '2011-06-15',
    namespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  },
  eks: { protocol: 'rest-json', version: '2017-11-01', namespace: '' },
}

/** True for the names of {@link AwsService}s. */
export function isAwsService(s: string): s is AwsService {
  return s === 'iam' || s === 'sts' || s === 'eks'
}
