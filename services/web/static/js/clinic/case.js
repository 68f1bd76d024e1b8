// One of the clinic's cases: its status, the specialist's report when it has
// come (with the acknowledgement that closes the case), the consult thread
// with the answer box, the photos and the form as sent.
import { call, keepStreaming } from '../api.js';
import { historyView, reportView, submissionView, threadView } from '../case_view.js';
import { errorLine, field, h, replace } from '../dom.js';
import { thumbnail } from '../image_viewer.js';
import { modalityLabel, statusLabel, tierClass, urgencyLabel, when } from '../labels.js';

function answerBox(record, reload) {
  const text = h('textarea', {id: 'answer-text', rows: 3, maxlength: 4000});
  const problem = h('div');
  const send = h('button', {type: 'button', class: 'primary big', id: 'send-answer'},
    record.status === 'CASE_STATUS_NEEDS_INFO' ? 'Send the answer' : 'Send');
  send.addEventListener('click', async () => {
    if (!text.value.trim()) {
      replace(problem, errorLine('Write the message first.'));
      return;
    }
    send.disabled = true;
    try {
      await call('IntakeService', 'SendMessage', {caseId: record.caseId, text: text.value.trim()});
      reload();
    } catch (error) {
      replace(problem, errorLine(error));
      send.disabled = false;
    }
  });
  return [field(record.status === 'CASE_STATUS_NEEDS_INFO' ? 'Your answer' : 'Message to the specialist', text),
    problem, send];
}

function reportBox(record, reload) {
  if (!record.report?.diagnosisText) return null;
  const problem = h('div');
  const acknowledge = h('button', {type: 'button', class: 'primary big', id: 'acknowledge'},
    'I have read the report — close the case');
  acknowledge.addEventListener('click', async () => {
    acknowledge.disabled = true;
    try {
      await call('IntakeService', 'AcknowledgeReport', {caseId: record.caseId});
      reload();
    } catch (error) {
      replace(problem, errorLine(error));
      acknowledge.disabled = false;
    }
  });
  return [reportView(record.report), problem,
    record.status === 'CASE_STATUS_REPORTED' ? acknowledge
      : h('p', {class: 'ok', id: 'acknowledged'}, 'Report acknowledged: the case is closed.')];
}

export async function render(main, [caseId], page) {
  const record = await call('IntakeService', 'GetCase', {caseId});
  const messages = (await call('IntakeService', 'ListMessages', {caseId})).messages ?? [];
  if (page.signal.aborted) return;
  // This drawing's live stream ends when the page is left or redrawn.
  const view = new AbortController();
  page.signal.addEventListener('abort', () => view.abort());
  const reload = () => {
    view.abort();
    render(main, [caseId], page).catch((error) => replace(main, errorLine(error)));
  };
  const lastTheirs = messages.filter((m) => m.authorRole !== 'ROLE_CLINIC').at(-1);
  if (lastTheirs && !lastTheirs.read) {
    call('IntakeService', 'MarkRead', {caseId, messageId: lastTheirs.messageId}).catch(() => {});
  }
  const images = record.submission?.images ?? [];
  replace(main, h('section', {class: 'page clinic-case', 'data-case-id': caseId, 'data-status': record.status},
    h('div', {class: 'page-head'},
      h('a', {href: '#/cases', class: 'back'}, '← Your cases'),
      h('h1', {}, record.submission?.patient?.reference || 'Case'),
      h('span', {class: 'status', id: 'case-status'}, statusLabel(record.status)),
      record.urgency && record.urgency !== 'URGENCY_UNSPECIFIED'
        ? h('span', {class: tierClass(record.urgency)}, urgencyLabel(record.urgency)) : null),
    h('p', {class: 'muted'}, 'Case ', h('code', {}, caseId), ` · sent ${when(record.receivedAt)}`),
    reportBox(record, reload),
    h('section', {class: `card${record.status === 'CASE_STATUS_NEEDS_INFO' ? ' attention' : ''}`},
      h('h3', {}, 'Messages with the specialist'), h('div', {id: 'thread'}, threadView(messages, 'ROLE_CLINIC')),
      record.status === 'CASE_STATUS_CLOSED' ? null : answerBox(record, reload)),
    h('section', {class: 'card'}, h('h3', {}, `Photos (${images.length})`),
      h('ul', {class: 'photo-strip'}, images.map((image, i) => h('li', {},
        thumbnail(caseId, image.sha256, `Photo ${i + 1}`), h('span', {}, modalityLabel(image.modality)))))),
    submissionView(record.submission),
    historyView(record.history)));
  // Redraw when something newer than what is shown happens to this case (a
  // report, a question); events replayed from before are already drawn.
  const shown = Math.max(0, ...(record.history ?? []).map((c) => Date.parse(c.at) || 0),
    ...messages.map((m) => Date.parse(m.sentAt) || 0));
  let after = '';
  keepStreaming('IntakeService', 'WatchEvents', () => ({afterEventId: after}), (event) => {
    after = event.eventId || after;
    if (event.caseId === caseId && (Date.parse(event.at) || 0) > shown) reload();
  }, view.signal);
}
