// The specialist's queue: the cases of their pools, earliest due first
// (ReferralService.ListQueue), kept live by WatchQueue.
import { call, keepStreaming } from '../api.js';
import { thumbnail } from '../image_viewer.js';
import { errorLine, h, replace } from '../dom.js';
import { caseTypeLabel, dueIn, percent, tierClass, urgencyLabel, when } from '../labels.js';
import { claimNext, rememberEntries } from './claim.js';

// The sha256 of the image the pre-screening judged first, for a thumbnail:
// a queue entry carries no images, the triage explanation names them.
async function firstImageOf(caseId) {
  const triage = await call('TriageService', 'GetTriageResult', {caseId});
  const item = (triage.explanation ?? []).find((i) => String(i.source).startsWith('image:'));
  return item ? item.source.slice('image:'.length) : '';
}

function entryRow(entry, onClaim) {
  const thumb = h('span', {class: 'thumb-slot'});
  firstImageOf(entry.caseId).then((sha) => {
    if (sha) thumb.append(thumbnail(entry.caseId, sha, `Case ${entry.caseId}`));
  }).catch(() => {});
  return h('li', {class: `queue-entry${entry.overdue ? ' overdue' : ''}`, 'data-case-id': entry.caseId},
    thumb,
    h('div', {class: 'entry-main'},
      h('div', {class: 'entry-line'},
        h('span', {class: tierClass(entry.urgency)}, urgencyLabel(entry.urgency)),
        h('span', {class: 'risk'}, `risk ${percent(entry.riskScore)}`),
        entry.screened ? null : h('span', {class: 'mark not-screened'}, 'not screened'),
        entry.overdue ? h('span', {class: 'mark overdue-mark'}, 'OVERDUE') : null,
        entry.secondOpinion ? h('span', {class: 'mark'}, 'second opinion') : null),
      h('div', {class: 'entry-line muted'},
        `${caseTypeLabel(entry.caseType)} · ${entry.clinicId} · pool ${entry.pool}`),
      h('div', {class: 'entry-line'},
        h('span', {class: 'due'}, `due ${when(entry.dueAt)} (${dueIn(entry.dueAt)})`),
        h('span', {class: 'muted'}, ` · received ${when(entry.receivedAt)}`)),
      h('code', {class: 'case-id'}, entry.caseId)),
    h('div', {class: 'entry-actions'},
      h('a', {class: 'button', href: `#/case/${encodeURIComponent(entry.caseId)}`}, 'Look'),
      h('button', {type: 'button', class: 'primary claim', onclick: () => onClaim(entry)}, 'Claim')));
}

export async function render(main, params, page) {
  const list = h('ol', {class: 'queue', id: 'queue'});
  const live = h('span', {class: 'live', id: 'queue-live'}, 'connecting…');
  const notice = h('div', {id: 'queue-notice'});
  const claim = async (entry) => {
    try {
      const response = await claimNext(entry?.pool ?? '');
      const id = response.case.caseId;
      if (entry && id !== entry.caseId) {
        sessionStorage.setItem('telederm.claimNotice',
          `Case ${entry.caseId} was not the first due in pool ${entry.pool}; you were given ${id}, which is.`);
      }
      location.hash = `#/case/${encodeURIComponent(id)}`;
    } catch (error) {
      replace(notice, errorLine(error));
      refresh();
    }
  };
  let refreshing = null;
  let again = false;
  const refresh = async () => {
    if (refreshing) { again = true; return; }
    refreshing = (async () => {
      try {
        const response = await call('ReferralService', 'ListQueue', {pageSize: 100});
        if (page.signal.aborted) return;
        const entries = response.entries ?? [];
        rememberEntries(entries);
        replace(list, entries.length ? entries.map((e) => entryRow(e, claim))
          : h('li', {class: 'empty'}, 'No case is waiting in your pools.'));
        list.dataset.count = String(entries.length);
      } catch (error) {
        if (!page.signal.aborted) replace(notice, errorLine(error));
      }
    })();
    await refreshing;
    refreshing = null;
    if (again) { again = false; refresh(); }
  };

  replace(main, h('section', {class: 'page queue-page'},
    h('div', {class: 'page-head'},
      h('h1', {}, 'Queue'), live,
      h('button', {type: 'button', class: 'primary', id: 'claim-next', onclick: () => claim(null)},
        'Claim the most urgent case')),
    h('p', {class: 'muted'}, 'Earliest due first. A claim gives you the first-due case of that case\'s pool.'),
    notice, list));
  await refresh();
  keepStreaming('ReferralService', 'WatchQueue', {}, () => refresh(), page.signal, (state) => {
    live.textContent = state === 'live' ? '● live' : state;
    live.className = `live ${state === 'live' ? 'on' : 'off'}`;
  });
}
