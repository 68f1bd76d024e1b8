// Words for the contract's enum names and values (proto/telederm/v1), as a
// clinic worker or a dermatologist says them.

function words(prefix) {
  return (name) => {
    if (!name) return '—';
    const rest = String(name).startsWith(prefix) ? String(name).slice(prefix.length) : String(name);
    const text = rest.toLowerCase().replace(/_/g, ' ');
    return text.charAt(0).toUpperCase() + text.slice(1);
  };
}

export const statusLabel = words('CASE_STATUS_');
export const urgencyLabel = words('URGENCY_');
export const caseTypeLabel = words('CASE_TYPE_');
export const modalityLabel = words('MODALITY_');
export const bodySiteLabel = words('BODY_SITE_');
export const sexLabel = words('SEX_');
export const managementLabel = words('MANAGEMENT_');
export const roleLabel = words('ROLE_');

export const CASE_TYPES = ['CASE_TYPE_SUSPECTED_SKIN_TUMOUR', 'CASE_TYPE_INFLAMMATORY_RASH', 'CASE_TYPE_ACNE',
  'CASE_TYPE_OTHER'];
export const SEXES = ['SEX_UNKNOWN', 'SEX_FEMALE', 'SEX_MALE', 'SEX_OTHER'];
export const BODY_SITES = ['SCALP', 'FACE', 'EAR', 'NECK', 'CHEST', 'ABDOMEN', 'BACK', 'UPPER_ARM', 'FOREARM',
  'HAND', 'THIGH', 'LOWER_LEG', 'FOOT', 'GENITAL', 'NAIL', 'MUCOSA', 'OTHER'].map((s) => `BODY_SITE_${s}`);
export const MODALITIES = ['MODALITY_DERMOSCOPY', 'MODALITY_CLINICAL_CLOSE_UP', 'MODALITY_CLINICAL_OVERVIEW',
  'MODALITY_CONFOCAL_MICROSCOPY', 'MODALITY_ULTRASOUND'];
export const MANAGEMENTS = ['REASSURE', 'TREAT', 'BIOPSY', 'EXCISE', 'URGENT_IN_PERSON_REFERRAL',
  'FOLLOW_UP_PHOTO'].map((m) => `MANAGEMENT_${m}`);
export const FITZPATRICK = [['0', 'Not recorded'], ['1', 'I'], ['2', 'II'], ['3', 'III'], ['4', 'IV'], ['5', 'V'],
  ['6', 'VI']];

// The 7-point checklist and risk factors as the form asks them (docs/TRIAGE.md).
export const EVOLUTION = [['size', 'Changed in size'], ['shape', 'Changed in shape'], ['colour', 'Changed in colour']];
export const SYMPTOMS = [['itch', 'Itch'], ['bleeding', 'Oozing or bleeding'], ['pain', 'Pain'],
  ['ulceration', 'Ulceration'], ['newLesion', 'New lesion (appeared in adulthood or recently)'],
  ['inflammation', 'Inflammation']];
export const RISK_FACTORS = [['personalHistoryOfMelanoma', 'Personal history of melanoma'],
  ['familyHistoryOfMelanoma', 'Family history of melanoma'], ['immunosuppressed', 'Immunosuppressed'],
  ['manyNaevi', 'More than 50 naevi or atypical naevi'], ['sunburnHistory', 'Blistering sunburns']];

// "2026-12-07 14:03" in the browser's time zone, "—" when unset.
export function when(timestamp) {
  if (!timestamp) return '—';
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return String(timestamp);
  const two = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}`;
}

// "in 5 h", "3 h overdue".
export function dueIn(timestamp) {
  if (!timestamp) return '';
  const minutes = Math.round((new Date(timestamp).getTime() - Date.now()) / 60000);
  const span = (m) => (Math.abs(m) >= 48 * 60 ? `${Math.round(Math.abs(m) / 1440)} d`
    : Math.abs(m) >= 60 ? `${Math.round(Math.abs(m) / 60)} h` : `${Math.abs(m)} min`);
  return minutes >= 0 ? `in ${span(minutes)}` : `${span(minutes)} overdue`;
}

export function percent(score) {
  return `${Math.round((Number(score) || 0) * 100)} %`;
}

// CSS class of an urgency tier's badge.
export function tierClass(urgency) {
  return `tier tier-${String(urgency || 'URGENCY_UNSPECIFIED').replace('URGENCY_', '').toLowerCase()}`;
}

export function shortId(sha256) {
  return String(sha256 || '').slice(0, 10);
}
