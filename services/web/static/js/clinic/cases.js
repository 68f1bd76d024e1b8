// The clinic's cases, newest first (IntakeService.ListCases), kept live by
// WatchEvents: a report or a question shows as soon as it is sent.
import { call, keepStreaming } from '../api.js';
import { errorLine, h, replace } from '../dom.js';
import { caseTypeLabel, statusLabel, tierClass, urgencyLabel, when } from '../labels.js';

const ATTENTION = {
  CASE_STATUS_REPORTED: 'Report ready — read and acknowledge',
  CASE_STATUS_NEEDS_INFO: 'The specialist asked a question — answer it',
};

function caseRow(record) {
  const attention = ATTENTION[record.status];
  return h('li', {class: `case-row${attention ? ' attention' : ''}`, 'data-case-id': record.caseId,
    'data-status': record.status},
  h('a', {class: 'case-link', href: `#/mycase/${encodeURIComponent(record.caseId)}`},
    h('span', {class: 'case-line'},
      h('strong', {class: 'patient-reference'}, record.submission?.patient?.reference || '—'),
      h('span', {class: 'status'}, statusLabel(record.status)),
      record.urgency && record.urgency !== 'URGENCY_UNSPECIFIED'
        ? h('span', {class: tierClass(record.urgency)}, urgencyLabel(record.urgency)) : null),
    h('span', {class: 'case-line muted'}, `${caseTypeLabel(record.submission?.type)} · sent ${when(record.receivedAt)}`),
    attention ? h('span', {class: 'case-line attention-text'}, attention) : null,
    h('code', {class: 'case-id'}, record.caseId)));
}

export async function render(main, params, page) {
  const list = h('ol', {class: 'cases', id: 'cases'});
  const live = h('span', {class: 'live', id: 'cases-live'}, 'connecting…');
  const notice = h('div', {id: 'cases-notice'});
  const submitted = sessionStorage.getItem('telederm.submitted');
  sessionStorage.removeItem('telederm.submitted');
  let pending = null;
  let again = false;
  const refresh = async () => {
    if (pending) { again = true; return; }
    pending = (async () => {
      try {
        const response = await call('IntakeService', 'ListCases', {pageSize: 50});
        if (page.signal.aborted) return;
        const cases = response.cases ?? [];
        replace(list, cases.length ? cases.map(caseRow) : h('li', {class: 'empty', id: 'no-cases'}, 'No cases yet.'));
        list.dataset.count = String(cases.length);
      } catch (error) {
        if (!page.signal.aborted) replace(notice, errorLine(error));
      }
    })();
    await pending;
    pending = null;
    if (again) { again = false; refresh(); }
  };
  replace(main, h('section', {class: 'page cases-page'},
    h('div', {class: 'page-head'}, h('h1', {}, 'Your cases'), live,
      h('a', {class: 'button primary big', href: '#/new', id: 'new-case'}, '+ New case')),
    submitted ? h('p', {class: 'ok', id: 'submitted-notice'}, submitted) : null,
    notice, list));
  await refresh();
  // Events from now on: the list above already shows the state until now.
  let after = '';
  keepStreaming('IntakeService', 'WatchEvents', () => ({afterEventId: after}), (event) => {
    after = event.eventId || after;
    refresh();
  }, page.signal, (state) => {
    live.textContent = state === 'live' ? '● live' : state;
    live.className = `live ${state === 'live' ? 'on' : 'off'}`;
  });
}
