// A new case from the clinic, on a phone or a desktop: the history, the
// 7-point checklist items, Fitzpatrick type, consent, and photos from the
// camera or files, each checked by the quality gate before the case is sent.
// SubmitCase carries an idempotency key, so a retry after a lost answer
// cannot create the case twice.
import { call } from '../api.js';
import { checkbox, errorLine, field, h, replace, select } from '../dom.js';
import {
  BODY_SITES, CASE_TYPES, EVOLUTION, FITZPATRICK, MODALITIES, RISK_FACTORS, SEXES, SYMPTOMS, bodySiteLabel,
  caseTypeLabel, modalityLabel, sexLabel,
} from '../labels.js';
import { addPhoto } from './photo.js';

function checkboxes(prefix, items) {
  return h('div', {class: 'checks'}, items.map(([key, label]) => checkbox({id: `${prefix}-${key}`, name: key}, label)));
}

function ticks(prefix, items) {
  return Object.fromEntries(items.map(([key]) => [key, document.getElementById(`${prefix}-${key}`).checked]));
}

export async function render(main, params, page) {
  const idempotencyKey = `web-${crypto.randomUUID()}`;
  const photos = [];
  const type = select({id: 'case-type'}, CASE_TYPES.map((t) => [t, caseTypeLabel(t)]), CASE_TYPES[0]);
  const acne = select({id: 'acne-grade'}, [['0', '—'], ['1', '1 mild'], ['2', '2'], ['3', '3'], ['4', '4 severe']], '0');
  const acneField = field('Acne severity grade', acne);
  acneField.hidden = true;
  type.addEventListener('change', () => { acneField.hidden = type.value !== 'CASE_TYPE_ACNE'; });
  const reference = h('input', {id: 'patient-reference', required: true, maxlength: 64, pattern: '[A-Za-z0-9._\\-]{1,64}',
    autocomplete: 'off', placeholder: 'your own reference, e.g. KIS-0042'});
  const age = h('input', {id: 'patient-age', type: 'number', min: 0, max: 120, required: true, inputmode: 'numeric'});
  const sex = select({id: 'patient-sex'}, SEXES.map((s) => [s, sexLabel(s)]), 'SEX_UNKNOWN');
  const fitzpatrick = select({id: 'fitzpatrick'}, FITZPATRICK, '0');
  const site = select({id: 'body-site'}, BODY_SITES.map((s) => [s, bodySiteLabel(s)]), 'BODY_SITE_BACK');
  const diameter = h('input', {id: 'diameter', type: 'number', min: 0, max: 500, step: 0.1, inputmode: 'decimal'});
  const duration = h('input', {id: 'duration-days', type: 'number', min: 0, max: 36500, inputmode: 'numeric'});
  const question = h('textarea', {id: 'clinical-question', rows: 3, maxlength: 2000,
    placeholder: 'What would you like the dermatologist to answer?'});
  const consent = h('input', {type: 'checkbox', id: 'consent', required: true});
  const modality = select({id: 'photo-modality'}, MODALITIES.map((m) => [m, modalityLabel(m)]), 'MODALITY_DERMOSCOPY');
  const camera = h('input', {type: 'file', id: 'photo-camera', accept: 'image/*', capture: 'environment', class: 'file-input'});
  const files = h('input', {type: 'file', id: 'photo-files', accept: 'image/jpeg,image/png', multiple: true, class: 'file-input'});
  const photoList = h('ul', {class: 'photos', id: 'photos'});
  const submit = h('button', {type: 'submit', class: 'primary big', id: 'submit-case'}, 'Send to the dermatologist');
  const problem = h('div', {id: 'submit-problem'});
  const waiting = h('p', {class: 'muted', id: 'photo-summary'}, 'No photo yet.');

  const update = () => {
    const busy = photos.some((p) => p.state === 'checking' || p.state === 'uploading');
    const accepted = photos.filter((p) => p.state === 'accepted').length;
    const refused = photos.filter((p) => p.state === 'refused' || p.state === 'failed').length;
    submit.disabled = busy;
    waiting.textContent = busy ? 'Wait for every photo to be checked…'
      : `${accepted} photo(s) accepted${refused ? `, ${refused} not usable (retake or remove them)` : ''}.`;
  };
  const take = (input) => () => {
    for (const file of input.files) {
      const photo = addPhoto(file, modality.value, {
        onChange: update,
        onRetake: () => camera.click(),
        onRemove: (p) => { photos.splice(photos.indexOf(p), 1); update(); },
      });
      photos.push(photo);
      photoList.append(photo.row);
    }
    input.value = '';
    update();
  };
  camera.addEventListener('change', take(camera));
  files.addEventListener('change', take(files));

  const form = h('form', {class: 'page new-case', id: 'new-case-form', novalidate: true},
    h('div', {class: 'page-head'}, h('a', {href: '#/cases', class: 'back'}, '← Your cases'), h('h1', {}, 'New case')),
    h('fieldset', {class: 'card'}, h('legend', {}, 'Patient'),
      field('Reference', reference, 'never the patient\'s name'),
      h('div', {class: 'row'}, field('Age (years)', age), field('Sex', sex), field('Fitzpatrick skin type', fitzpatrick)),
      h('p', {class: 'label'}, 'Risk factors'), checkboxes('risk', RISK_FACTORS)),
    h('fieldset', {class: 'card'}, h('legend', {}, 'Lesion'),
      h('div', {class: 'row'}, field('Case type', type), acneField, field('Body site', site)),
      h('div', {class: 'row'}, field('Largest diameter (mm)', diameter), field('Present for (days)', duration)),
      h('p', {class: 'label'}, 'Has it changed? (7-point checklist)'), checkboxes('evolution', EVOLUTION),
      h('p', {class: 'label'}, 'Symptoms'), checkboxes('symptom', SYMPTOMS),
      field('Clinical question', question)),
    h('fieldset', {class: 'card'}, h('legend', {}, 'Photos'),
      field('Type of the next photos', modality),
      h('div', {class: 'photo-buttons'},
        h('label', {class: 'button primary big file-button', for: 'photo-camera'}, 'Take a photo'), camera,
        h('label', {class: 'button big file-button', for: 'photo-files'}, 'Choose files'), files),
      photoList, waiting),
    h('fieldset', {class: 'card'}, h('legend', {}, 'Consent'),
      h('label', {class: 'check big-check'}, consent, ' The patient consented to a teleconsultation.')),
    problem, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(problem);
    if (!consent.checked) {
      replace(problem, errorLine('The patient\'s consent is needed before the case can be sent.'));
      return;
    }
    if (!reference.value.trim() || !reference.checkValidity()) {
      replace(problem, errorLine('Reference: 1 to 64 letters, digits, dots, dashes or underscores.'));
      return;
    }
    const submission = {
      type: type.value,
      acneSeverityGrade: type.value === 'CASE_TYPE_ACNE' ? Number(acne.value) : 0,
      patient: {reference: reference.value.trim(), ageYears: Number(age.value) || 0, sex: sex.value,
        fitzpatrickType: Number(fitzpatrick.value), riskFactors: ticks('risk', RISK_FACTORS)},
      lesion: {bodySite: site.value, largestDiameterMm: Number(diameter.value) || 0,
        durationDays: Number(duration.value) || 0, evolution: ticks('evolution', EVOLUTION),
        symptoms: ticks('symptom', SYMPTOMS)},
      clinicalQuestion: question.value,
      consentToTeleconsultation: true,
      images: photos.filter((p) => p.state === 'accepted').map((p) => ({...p.image, pixelSizeMm: p.pixelSizeMm()})),
    };
    submit.disabled = true;
    try {
      const response = await call('IntakeService', 'SubmitCase', {submission, idempotencyKey});
      sessionStorage.setItem('telederm.submitted', `Case ${response.caseId} was sent.`);
      location.hash = '#/cases';
    } catch (error) {
      replace(problem, errorLine(error));
      submit.disabled = false;
    }
  });
  if (!page.signal.aborted) replace(main, form);
  update();
}
