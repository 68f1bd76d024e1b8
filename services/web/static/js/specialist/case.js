// One case for the dermatologist: every image at full resolution, the
// pre-screening's reasons, the clinic's form, the consult thread; and, while
// they hold the claim, extend/release, a question to the clinic, a second
// opinion and the report.
import { call } from '../api.js';
import { historyView, reportView, submissionView, threadView, triageView } from '../case_view.js';
import { errorLine, field, h, replace } from '../dom.js';
import { imageViewer } from '../image_viewer.js';
import { statusLabel, tierClass, urgencyLabel, when } from '../labels.js';
import { claimNext, forgetClaim, heldClaim, keepClaim, queueEntry } from './claim.js';
import { reportForm } from './report_form.js';

// Runs `action` from a button, showing its error in `where`.
function guarded(where, action) {
  return async (event) => {
    const button = event?.currentTarget;
    if (button) button.disabled = true;
    replace(where);
    try {
      await action();
    } catch (error) {
      replace(where, errorLine(error));
    } finally {
      if (button) button.disabled = false;
    }
  };
}

function imagesFromTriage(triage) {
  return (triage?.explanation ?? []).filter((i) => String(i.source).startsWith('image:'))
    .map((i) => i.source.slice('image:'.length))
    .filter((sha, index, all) => all.indexOf(sha) === index)
    .map((sha256) => ({sha256, modality: 'MODALITY_UNSPECIFIED'}));
}

function threadSection(caseId, held, reload) {
  const box = h('div', {id: 'thread'}, h('p', {class: 'muted'}, 'Loading the thread…'));
  call('ReferralService', 'ListMessages', {caseId}).then((response) => {
    const messages = response.messages ?? [];
    replace(box, threadView(messages, 'ROLE_SPECIALIST'));
    const last = messages.filter((m) => m.authorRole !== 'ROLE_SPECIALIST').at(-1);
    if (last && !last.read) call('ReferralService', 'MarkRead', {caseId, messageId: last.messageId}).catch(() => {});
  }).catch((error) => replace(box, errorLine(error)));
  const problem = h('div');
  const question = h('textarea', {id: 'question-text', rows: 3, maxlength: 4000,
    placeholder: 'What do you need from the clinic? (another photo, the lesion\'s size, …)'});
  const ask = h('button', {type: 'button', id: 'ask-clinic', class: 'primary'}, 'Ask the clinic (the case waits for the answer)');
  ask.addEventListener('click', guarded(problem, async () => {
    if (!question.value.trim()) throw new Error('Write the question first.');
    await call('ReferralService', 'RequestInfo',
      {caseId, fencingToken: held.claim.fencingToken, text: question.value.trim()});
    forgetClaim(caseId);
    reload();
  }));
  return h('section', {class: 'card'}, h('h3', {}, 'Consult thread'), box,
    held ? [field('Question to the clinic', question), problem, ask] : null);
}

function claimSection(caseId, held, entry, reload) {
  const problem = h('div');
  if (!held) {
    const claim = h('button', {type: 'button', class: 'primary', id: 'claim-case'}, 'Claim');
    claim.addEventListener('click', guarded(problem, async () => {
      const response = await claimNext(entry?.pool ?? '');
      if (response.case.caseId !== caseId) {
        sessionStorage.setItem('telederm.claimNotice',
          `Case ${caseId} was not the first due in its pool; you were given ${response.case.caseId}, which is.`);
        location.hash = `#/case/${encodeURIComponent(response.case.caseId)}`;
      } else {
        reload();
      }
    }));
    return h('section', {class: 'card claim-box'},
      h('p', {}, 'You do not hold this case. Claim it to see the form and report; a claim takes the first-due case of ',
        entry ? `pool ${entry.pool}` : 'your pools', '.'), problem, claim);
  }
  const lease = h('span', {id: 'lease'}, when(held.claim.leaseExpiresAt));
  const extend = h('button', {type: 'button', id: 'extend-claim'}, 'Extend');
  extend.addEventListener('click', guarded(problem, async () => {
    const response = await call('ReferralService', 'ExtendClaim', {caseId, fencingToken: held.claim.fencingToken});
    held.claim = response.claim;
    keepClaim(held);
    lease.textContent = when(held.claim.leaseExpiresAt);
  }));
  const release = h('button', {type: 'button', id: 'release-claim'}, 'Release to the queue');
  release.addEventListener('click', guarded(problem, async () => {
    await call('ReferralService', 'Release', {caseId, fencingToken: held.claim.fencingToken});
    forgetClaim(caseId);
    location.hash = '#/queue';
  }));
  const target = h('input', {id: 'second-opinion-target', placeholder: 'pool (e.g. oncology) or colleague\'s id'});
  const isColleague = h('input', {type: 'checkbox', id: 'second-opinion-colleague'});
  const note = h('textarea', {id: 'second-opinion-note', rows: 2, maxlength: 2000});
  const ask = h('button', {type: 'button', id: 'ask-second-opinion'}, 'Ask for a second opinion');
  ask.addEventListener('click', guarded(problem, async () => {
    const who = target.value.trim();
    await call('ReferralService', 'RequestSecondOpinion', {caseId, fencingToken: held.claim.fencingToken,
      ...(isColleague.checked ? {specialistId: who} : {pool: who}), note: note.value.trim()});
    forgetClaim(caseId);
    location.hash = '#/queue';
  }));
  return h('section', {class: 'card claim-box'},
    h('p', {}, `Yours (pool ${held.claim.pool}, token ${held.claim.fencingToken}) until `, lease, '.'),
    h('div', {class: 'actions'}, extend, release), problem,
    h('details', {}, h('summary', {}, 'Second opinion'),
      field('Ask', target), h('label', {class: 'check'}, isColleague, ' a named colleague (not a pool)'),
      field('Note', note), ask));
}

export async function render(main, [caseId], page) {
  const held = heldClaim(caseId);
  const entry = queueEntry(caseId);
  const record = held?.case;
  const notice = sessionStorage.getItem('telederm.claimNotice');
  sessionStorage.removeItem('telederm.claimNotice');
  let triage = record?.triage;
  let triageError = null;
  if (!triage) {
    try {
      triage = await call('TriageService', 'GetTriageResult', {caseId});
    } catch (error) {
      triageError = error;
    }
  }
  if (page.signal.aborted) return;
  const images = record?.submission?.images ?? imagesFromTriage(triage);
  const reload = () => render(main, [caseId], page);
  const done = h('div', {id: 'report-outcome'});
  const status = record?.status ?? 'CASE_STATUS_QUEUED';
  const urgency = record?.urgency ?? entry?.urgency;
  const dueAt = record?.dueAt ?? entry?.dueAt;

  const onSubmit = async (report) => {
    const response = await call('ReferralService', 'SubmitReport',
      {caseId, fencingToken: held.claim.fencingToken, report});
    forgetClaim(caseId);
    replace(done, h('p', {class: 'ok', id: 'report-sent'},
      `Report sent: case ${caseId} is ${statusLabel(response.case?.status)}.`), reportView(response.case.report),
    h('a', {class: 'button', href: '#/queue'}, 'Back to the queue'));
    document.getElementById('report-form')?.remove();
  };
  const onSave = async (draft) => {
    const response = await call('ReferralService', 'SaveDraft', {caseId, fencingToken: held.claim.fencingToken, draft});
    held.case = response.case;
    keepClaim(held);
  };

  replace(main, h('section', {class: 'page case-page', 'data-case-id': caseId},
    h('div', {class: 'page-head'},
      h('a', {href: '#/queue', class: 'back'}, '← Queue'),
      h('h1', {}, 'Case ', h('code', {}, caseId)),
      urgency ? h('span', {class: tierClass(urgency)}, urgencyLabel(urgency)) : null,
      h('span', {class: 'status', id: 'case-status'}, held ? 'Claimed by you' : statusLabel(status)),
      dueAt ? h('span', {class: 'muted'}, `due ${when(dueAt)}`) : null),
    notice ? h('p', {class: 'notice'}, notice) : null,
    h('div', {class: 'case-layout'},
      h('div', {class: 'images-column'},
        images.length ? images.map((image, i) => imageViewer(caseId, image, i + 1))
          : h('p', {class: 'muted'}, 'This case has no images.')),
      h('div', {class: 'details-column'},
        claimSection(caseId, held, entry, reload),
        triageError ? h('section', {class: 'card'}, h('h3', {}, 'Pre-screening'), errorLine(triageError))
          : triageView(triage, images),
        record ? submissionView(record.submission) : null,
        threadSection(caseId, held, reload),
        held ? reportForm(record.draft ?? {}, {onSubmit, onSave}) : null,
        done,
        record ? historyView(record.history) : null))));
}
