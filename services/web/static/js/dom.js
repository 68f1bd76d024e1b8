// Element building for every page. Strings given as children become text
// nodes and attribute values are set with setAttribute, so text a user wrote
// (a clinical question, a message, a report) is always shown as text and never
// parsed as HTML. Nothing in the console uses innerHTML.

// h('button', {class: 'primary', onclick: fn}, 'Claim') -> <button>.
// Attributes: `class`, `on<event>` (a listener), `true` (present, empty),
// `false`/null/undefined (left out), anything else (its string).
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, ...children);
  return element;
}

// Appends strings (as text), numbers, nodes and arrays of them; skips null/false.
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

// Replaces all of `parent`'s children.
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, ...children);
}

// A line telling the user what went wrong, from an ApiError or any Error.
export function errorLine(error) {
  return h('p', {class: 'error', role: 'alert'}, error?.message || String(error));
}

// A <select> of [value, label] pairs with `selected` chosen.
export function select(attributes, options, selected) {
  return h('select', attributes,
    options.map(([value, label]) => h('option', {value, selected: value === selected}, label)));
}

// A labelled checkbox; the input carries `attributes` (id, name...).
export function checkbox(attributes, label) {
  return h('label', {class: 'check'}, h('input', {type: 'checkbox', ...attributes}), ' ', label);
}

// A labelled field: <label>Text <input></label> on one block.
export function field(label, control, hint) {
  return h('label', {class: 'field'}, h('span', {class: 'label'}, label), control,
    hint ? h('span', {class: 'hint'}, hint) : null);
}
