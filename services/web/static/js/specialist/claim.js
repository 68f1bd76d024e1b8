// The specialist's claim on a case: ClaimNext of the case's pool, kept in this
// tab (the case record comes only with the claim; specialists have no GetCase).
import { call } from '../api.js';
import { recall, remember } from '../session.js';

// The ClaimNextResponse held for `caseId`, or undefined.
export function heldClaim(caseId) {
  return recall(`claim:${caseId}`);
}

export function keepClaim(response) {
  remember(`claim:${response.case.caseId}`, response);
}

export function forgetClaim(caseId) {
  remember(`claim:${caseId}`, undefined);
}

// Claims the earliest-due case of `pool` (all the caller's pools when empty).
// The service hands out the head of the queue, never a chosen case: the
// result may be another case than the one the specialist looked at.
export async function claimNext(pool = '') {
  const response = await call('ReferralService', 'ClaimNext', pool ? {pool} : {});
  keepClaim(response);
  return response;
}

// Queue entries seen last, by case id: a case page opened from the queue
// knows the case's pool and tier before it is claimed.
export function rememberEntries(entries) {
  const known = recall('queueEntries') ?? {};
  for (const entry of entries) known[entry.caseId] = entry;
  remember('queueEntries', known);
}

export function queueEntry(caseId) {
  return (recall('queueEntries') ?? {})[caseId];
}
