/** The environment variables the webhook injects. */
export const ENV = {
  roleArn: 'AWS_ROLE_ARN',
  webIdentityTokenFile: 'AWS_WEB_IDENTITY_TOKEN_FILE',
  roleSessionName: 'AWS_ROLE_SESSION_NAME',
  containerCredentialsFullUri: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  containerAuthorizationTokenFile: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  defaultRegion: 'AWS_DEFAULT_REGION',
  region: 'AWS_REGION',
  stsRegionalEndpoints: 'AWS_STS_REGIONAL_ENDPOINTS',
} as const
