// The structured report (telederm.v1.Report) with ICD-10 look-up from the
// bundled table and the management plan; prefilled from the case's draft.
import { errorLine, field, h, replace, select } from '../dom.js';
import { icd10Table, searchIcd10 } from '../icd10.js';
import { MANAGEMENTS, managementLabel } from '../labels.js';

// `onSubmit(report)` and `onSave(report)` return promises; errors are shown.
export function reportForm(draft = {}, {onSubmit, onSave}) {
  const diagnosis = h('textarea', {id: 'report-diagnosis', rows: 3, maxlength: 2000, required: true});
  diagnosis.value = draft.diagnosisText ?? '';
  const code = h('input', {id: 'report-icd10', required: true, autocomplete: 'off', list: 'icd10-codes',
    placeholder: 'code or words, e.g. C43.5 or melanoma', maxlength: 16});
  code.value = draft.icd10Code ?? '';
  const codeTitle = h('span', {class: 'icd10-title', id: 'report-icd10-title'});
  const suggestions = h('ul', {class: 'suggestions', id: 'icd10-suggestions'});
  const datalist = h('datalist', {id: 'icd10-codes'});
  const management = select({id: 'report-management', required: true},
    [['MANAGEMENT_UNSPECIFIED', 'Choose…'], ...MANAGEMENTS.map((m) => [m, managementLabel(m)])],
    draft.management ?? 'MANAGEMENT_UNSPECIFIED');
  const interval = h('input', {id: 'report-interval', type: 'number', min: 0, max: 365, inputmode: 'numeric'});
  interval.value = draft.managementInterval ? String(draft.managementInterval) : '';
  const followUp = h('textarea', {id: 'report-follow-up', rows: 2, maxlength: 2000});
  followUp.value = draft.followUp ?? '';
  const notes = h('textarea', {id: 'report-notes', rows: 3, maxlength: 4000});
  notes.value = draft.freeText ?? '';
  const problem = h('div', {class: 'form-problem'});

  let codes = new Map();
  const lookUp = () => {
    const typed = code.value.trim();
    codeTitle.textContent = codes.get(typed.toUpperCase()) ?? (typed ? 'not in the table: choose a code below' : '');
    replace(suggestions, codes.has(typed.toUpperCase()) ? [] : searchIcd10(codes, typed).map(([c, title]) =>
      h('li', {}, h('button', {type: 'button', class: 'suggestion', 'data-code': c, onclick: () => {
        code.value = c;
        lookUp();
      }}, h('code', {}, c), ` ${title}`))));
  };
  icd10Table().then((table) => {
    codes = table;
    replace(datalist, [...table].map(([c, title]) => h('option', {value: c}, title)));
    lookUp();
  }).catch((error) => replace(problem, errorLine(error)));
  code.addEventListener('input', lookUp);

  const report = () => ({
    diagnosisText: diagnosis.value.trim(),
    icd10Code: code.value.trim().toUpperCase(),
    management: management.value,
    managementInterval: Number(interval.value) || 0,
    followUp: followUp.value.trim(),
    freeText: notes.value.trim(),
  });
  const run = (action, button) => async () => {
    button.disabled = true;
    replace(problem);
    try {
      await action(report());
    } catch (error) {
      replace(problem, errorLine(error));
    } finally {
      button.disabled = false;
    }
  };
  const submit = h('button', {type: 'submit', class: 'primary', id: 'submit-report'}, 'Sign and send the report');
  const save = h('button', {type: 'button', id: 'save-draft'}, 'Save draft');
  save.addEventListener('click', run(onSave, save));
  const form = h('form', {class: 'card report-form', id: 'report-form'},
    h('h3', {}, 'Report'),
    field('Diagnosis', diagnosis),
    field('ICD-10 code', code, codeTitle), suggestions, datalist,
    field('Management', management),
    field('Interval', interval, 'days for an urgent in-person referral, weeks for a follow-up photo'),
    field('Follow-up', followUp),
    field('Notes to the clinic', notes),
    problem,
    h('div', {class: 'actions'}, save, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(onSubmit, submit)();
  });
  return form;
}
