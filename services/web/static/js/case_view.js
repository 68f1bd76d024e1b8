// Parts of a case both sides show: the clinic's form, the pre-screening's
// explanation, the consult thread, the report, the history. Every user-written
// string goes in as text (dom.h).
import { h } from './dom.js';
import { icd10Table } from './icd10.js';
import {
  EVOLUTION, RISK_FACTORS, SYMPTOMS, bodySiteLabel, caseTypeLabel, managementLabel, modalityLabel, percent,
  roleLabel, sexLabel, statusLabel, tierClass, urgencyLabel, when,
} from './labels.js';

function row(label, ...value) {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

function ticked(object, items) {
  const names = items.filter(([key]) => object?.[key]).map(([, label]) => label);
  return names.length ? names.join(', ') : 'none';
}

const ROMAN = ['not recorded', 'I', 'II', 'III', 'IV', 'V', 'VI'];

// The history and 7-point items the clinic entered (a CaseSubmission).
export function submissionView(submission = {}) {
  const patient = submission.patient ?? {};
  const lesion = submission.lesion ?? {};
  return h('section', {class: 'card submission'},
    h('h3', {}, 'Clinic\'s form'),
    h('dl', {class: 'facts'},
      row('Case type', caseTypeLabel(submission.type),
        submission.acneSeverityGrade ? ` (grade ${submission.acneSeverityGrade})` : ''),
      row('Patient', patient.reference || '—', ` · ${patient.ageYears ?? '?'} years · ${sexLabel(patient.sex)}`),
      row('Fitzpatrick type', ROMAN[patient.fitzpatrickType ?? 0] ?? String(patient.fitzpatrickType)),
      row('Risk factors', ticked(patient.riskFactors, RISK_FACTORS)),
      row('Body site', bodySiteLabel(lesion.bodySite)),
      row('Largest diameter', lesion.largestDiameterMm ? `${lesion.largestDiameterMm} mm` : 'not measured'),
      row('Present for', lesion.durationDays ? `${lesion.durationDays} days` : 'unknown'),
      row('Evolution', ticked(lesion.evolution, EVOLUTION)),
      row('Symptoms', ticked(lesion.symptoms, SYMPTOMS)),
      row('Consent', submission.consentToTeleconsultation ? 'teleconsultation consented' : 'NOT recorded')),
    h('h4', {}, 'Clinical question'),
    h('p', {class: 'clinical-question user-text'}, submission.clinicalQuestion || '(none)'));
}

// Where an explanation item comes from, in words; image sources link to the viewer.
function sourceOf(source, images) {
  if (source === 'clinical') return 'Form';
  if (source === 'system') return 'System';
  if (String(source).startsWith('image:')) {
    const sha = source.slice('image:'.length);
    const index = images.findIndex((image) => image.sha256 === sha);
    const label = index >= 0 ? `Image ${index + 1} (${modalityLabel(images[index].modality)})` : `Image ${sha.slice(0, 10)}`;
    return h('a', {href: `#image-${sha}`, class: 'image-link', 'data-sha256': sha,
      onclick: (event) => {
        event.preventDefault();
        document.getElementById(`image-${sha}`)?.scrollIntoView({behavior: 'smooth'});
      }}, label);
  }
  return String(source);
}

// The pre-screening's result: risk, tier, and which rule on which image said what.
export function triageView(triage, images = []) {
  if (!triage) return h('section', {class: 'card triage'}, h('h3', {}, 'Pre-screening'), h('p', {}, 'No result yet.'));
  const diagnoses = triage.suspectedDiagnoses ?? [];
  return h('section', {class: 'card triage'},
    h('h3', {}, 'Pre-screening'),
    h('p', {class: 'triage-summary'},
      h('span', {class: tierClass(triage.tier)}, urgencyLabel(triage.tier)), ' risk ', h('strong', {}, percent(triage.riskScore)),
      triage.screened ? ` · ${triage.analyzerName || 'analyzer'} ${triage.analyzerVersion || ''} · ${when(triage.screenedAt)}`
        : h('span', {class: 'not-screened'}, ` · NOT SCREENED: ${triage.notScreenedReason || 'no reason given'}`)),
    diagnoses.length ? h('p', {}, 'Suspected: ',
      diagnoses.map((d, i) => [i ? ', ' : '', `${d.name} (${percent(d.score)})`])) : null,
    h('table', {class: 'explanation'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Source'), h('th', {}, 'Finding'), h('th', {class: 'num'}, 'Points'))),
      h('tbody', {}, (triage.explanation ?? []).map((item) => h('tr', {},
        h('td', {}, sourceOf(item.source, images)),
        h('td', {class: 'user-text'}, item.text),
        h('td', {class: 'num'}, item.weight ? String(Math.round(item.weight * 100) / 100) : ''))))),
    h('p', {class: 'muted'}, 'Pre-screening orders the queue; it is never the diagnosis.'));
}

// The consult thread, oldest first. `mine` is the role name whose messages are "ours".
export function threadView(messages = [], mine = 'ROLE_CLINIC') {
  if (!messages.length) return h('p', {class: 'muted'}, 'No messages yet.');
  return h('ol', {class: 'thread'}, messages.map((m) => h('li', {
    class: `message ${m.authorRole === mine ? 'ours' : 'theirs'}${m.infoRequest ? ' info-request' : ''}`,
    'data-message-id': m.messageId,
  },
  h('div', {class: 'message-meta'},
    `${roleLabel(m.authorRole)} ${m.authorId || ''} · ${when(m.sentAt)}`,
    m.infoRequest ? h('span', {class: 'mark'}, 'question to the clinic') : null,
    m.infoAnswer ? h('span', {class: 'mark'}, 'answer') : null,
    m.authorRole === mine && m.read ? h('span', {class: 'mark read'}, `read ${when(m.readAt)}`) : null),
  h('p', {class: 'message-text user-text'}, m.text || ''),
  (m.attachments ?? []).length ? h('p', {class: 'muted'}, `${m.attachments.length} image(s) attached`) : null)));
}

// A specialist's report as the clinic reads it.
export function reportView(report) {
  const title = h('span', {class: 'icd10-title'});
  icd10Table().then((codes) => { title.textContent = codes.get(report.icd10Code) ?? ''; }).catch(() => {});
  const interval = report.managementInterval
    ? (report.management === 'MANAGEMENT_FOLLOW_UP_PHOTO' ? ` in ${report.managementInterval} weeks`
      : ` within ${report.managementInterval} days`) : '';
  return h('section', {class: 'card report'},
    h('h3', {}, 'Specialist\'s report'),
    h('dl', {class: 'facts'},
      row('Diagnosis', h('span', {class: 'diagnosis user-text'}, report.diagnosisText || '')),
      row('ICD-10', h('code', {class: 'icd10-code'}, report.icd10Code || ''), ' ', title),
      row('Management', h('strong', {class: 'management'}, managementLabel(report.management) + interval)),
      report.followUp ? row('Follow-up', h('span', {class: 'user-text'}, report.followUp)) : null,
      report.freeText ? row('Notes', h('span', {class: 'user-text'}, report.freeText)) : null,
      row('Signed', `${report.specialistId || ''} · ${when(report.reportedAt)}`),
      report.biopsy?.histologyText ? row('Histology',
        h('span', {class: 'user-text'}, report.biopsy.histologyText), ` (${report.biopsy.icd10Code || ''})`) : null));
}

// Status changes, oldest first.
export function historyView(history = []) {
  return h('details', {class: 'card history'},
    h('summary', {}, `History (${history.length} steps)`),
    h('ol', {}, history.map((change) => h('li', {},
      `${when(change.at)} ${statusLabel(change.from)} → ${statusLabel(change.to)} by ${change.actor || '?'}`,
      change.note ? h('span', {class: 'user-text'}, ` — ${change.note}`) : null))));
}
