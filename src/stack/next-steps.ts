import { PROFILE_NAME } from './defaults.js'
import type { StackFiles } from './stack-files.js'

/** What the start banner shows. */
interface Banner {
  readonly dataDir: string
  readonly awsEndpoint: string
  /** The AWS endpoint over HTTPS (certificate from the local CA). */
  readonly awsHttpsEndpoint?: string
  readonly oidcOrigin: string
  readonly webhookOrigin: string
  readonly webhookCluster: string
  /** `https://HOST:PORT` of the Kubernetes API and the kubeconfig that reaches it. */
  readonly kubeOrigin?: string
  readonly kubeconfig?: string
  readonly accountId: string
  readonly region: string
  readonly firstStart: boolean
  readonly clusters: readonly { readonly name: string; readonly issuer: string }[]
  readonly caFile: string
  readonly files: StackFiles
  /** How the user runs irsa: `npx irsa` from a checkout (under npx), else `irsa`. */
  readonly irsaCommand?: string
}

/**
 * The text `irsa up` prints once it serves: endpoints and ports, clusters and issuers,
 * files, and the next commands to run (the IRSA walkthrough against the local stack).
 */
export function startBanner(b: Banner): string {
  // The walkthrough's cluster: the webhook's (`local`), whatever order the store lists them in.
  const first = b.clusters.find((c) => c.name === b.webhookCluster) ?? b.clusters[0]
  const irsa = b.irsaCommand ?? 'irsa'
  const lines = [
    `irsa up ${b.firstStart ? 'created' : 'reopened'} ${b.dataDir}`,
    `  aws endpoint  ${b.awsEndpoint}  (IAM, STS, EKS, S3; account ${b.accountId}, region ${b.region})`,
    ...(b.awsHttpsEndpoint !== undefined
      ? [`  aws https     ${b.awsHttpsEndpoint}  (the same endpoint over HTTPS, CA ${b.caFile})`]
      : []),
    `  oidc issuers  ${b.oidcOrigin}  (HTTPS, CA ${b.caFile})`,
    `  webhook       ${b.webhookOrigin}/mutate  (HTTPS; pods of cluster ${b.webhookCluster})`,
    ...(b.kubeOrigin !== undefined && b.kubeconfig !== undefined
      ? [`  kubernetes    ${b.kubeOrigin}/clusters/NAME  (kubeconfig ${b.kubeconfig})`]
      : []),
    ...b.clusters.map((c) => `  cluster       ${c.name}  issuer ${c.issuer}`),
    `  env file      ${b.files.env}`,
    `  aws profile   ${PROFILE_NAME} in ${b.files.awsConfig} and ${b.files.awsCredentials}`,
    '',
    'Next:',
    `  source ${b.files.env}          # or: export AWS_CONFIG_FILE=${b.files.awsConfig} AWS_SHARED_CREDENTIALS_FILE=${b.files.awsCredentials} AWS_PROFILE=${PROFILE_NAME}`,
    ...(first === undefined
      ? [`  ${irsa} cluster create NAME`]
      : [
          `  aws eks describe-cluster --name ${first.name} --query cluster.identity.oidc.issuer`,
          `  ${irsa} oidc thumbprint ${first.issuer} --ca ${b.caFile}`,
          `  ${irsa} create token app -n default --cluster ${first.name} > token`,
        ]),
    'Stop with Ctrl-C or SIGTERM.',
  ]
  return lines.join('\n') + '\n'
}
