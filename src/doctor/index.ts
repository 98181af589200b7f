export { runChecks, CHECKS, CHECK_NAMES } from './run.js'
export type { Check } from './run.js'
export { gatherFacts } from './gather.js'
export type { GatherOptions } from './gather.js'
export { formatDoctorJson, formatDoctorText, describeStart } from './format.js'
export { replayTrust, correctTrust, conditionSlip, principalSlip } from './trust.js'
export type { TrustFailure, TrustReplayResult, TrustQuery } from './trust.js'
export { derive, parseRoleArn } from './derive.js'
export type { Derived } from './derive.js'
export type {
  CheckResult,
  CheckStatus,
  DoctorFacts,
  DoctorReport,
  DoctorStart,
  Fetched,
  Lookup,
  ProviderFact,
  RecordedDecision,
  RoleFact,
  TlsFact,
  CertFact,
  LiveFact,
} from './facts.js'
