import { blocklistCheck } from './blocklist.js';
import { duplicateCheck } from './duplicate.js';
import { formTokenCheck } from './form-token.js';
import { honeypotCheck } from './honeypot.js';
import { linksCheck } from './links.js';
import type { Candidate, CheckEnv, Finding, SpamCheck } from './types.js';

export { blocklistCheck } from './blocklist.js';
export { bodyHash, duplicateCheck } from './duplicate.js';
export { FORM_TOKEN_MAX_AGE_MS, formTokenCheck, issueFormToken, verifyFormToken } from './form-token.js';
export { HONEYPOT_FIELD, honeypotCheck } from './honeypot.js';
export { LearningFilter, learningFilterCheck, MIN_TRAINING, spamTokens } from './learning-filter.js';
export { linksCheck } from './links.js';
export { enforceRateLimit } from './rate-limit.js';
export type { Candidate, CheckEnv, Finding, SpamCheck } from './types.js';

/** The checks every comment goes through, cheapest first. */
export const defaultChecks: SpamCheck[] = [honeypotCheck, formTokenCheck, linksCheck, blocklistCheck, duplicateCheck];

/** Runs every check (none stops the others: a moderator sees all the reasons). */
export async function runSpamChecks(checks: SpamCheck[], candidate: Candidate, env: CheckEnv): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const check of checks) {
    const finding = await check(candidate, env);
    if (finding) findings.push(finding);
  }
  return findings;
}
