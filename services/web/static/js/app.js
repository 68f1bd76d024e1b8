// The console's entry point: sign-in, and a hash router that shows the pages
// of the signed-in role (clinic or specialist). Each page gets an AbortSignal
// that aborts its live streams when the user leaves it.
import { h, replace } from './dom.js';
import { parsePayload, payload, role, signIn, signOut, takeSignInNotice } from './session.js';
import * as clinicCases from './clinic/cases.js';
import * as clinicCase from './clinic/case.js';
import * as newCase from './clinic/new_case.js';
import * as queue from './specialist/queue.js';
import * as specialistCase from './specialist/case.js';

const main = document.getElementById('main');
const who = document.getElementById('signed-in-as');
const signOutButton = document.getElementById('sign-out');

const STAFF = ['specialist', 'supervisor'];
const ROUTES = {
  clinic: {home: '#/cases', pages: {cases: clinicCases, new: newCase, mycase: clinicCase}},
  staff: {home: '#/queue', pages: {queue, case: specialistCase}},
};

let current = null;  // the AbortController of the page on screen

function routesOf(roleName) {
  if (roleName === 'clinic') return ROUTES.clinic;
  if (STAFF.includes(roleName)) return ROUTES.staff;
  return null;
}

function renderSignIn(notice) {
  const input = h('textarea', {id: 'token', rows: 5, required: true, autocomplete: 'off', spellcheck: 'false',
    placeholder: 'eyJhbGciOiJIUzI1NiIs…'});
  const problem = h('p', {class: 'error', id: 'sign-in-error', role: 'alert', hidden: !notice}, notice);
  const form = h('form', {class: 'card sign-in', id: 'sign-in-form'},
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste the token your administrator gave you (telederm admin issue-token). ',
      'It stays in this browser tab only and is forgotten when the tab closes.'),
    problem,
    h('label', {class: 'field'}, h('span', {class: 'label'}, 'Token'), input),
    h('button', {type: 'submit', class: 'primary', id: 'sign-in-button'}, 'Sign in'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const jwt = input.value.trim().replace(/^Bearer\s+/i, '');
    const claims = parsePayload(jwt);
    if (!claims) {
      problem.textContent = 'This is not a telederm token: it should be three parts separated by dots.';
      problem.hidden = false;
      return;
    }
    if (!routesOf(claims.role)) {
      problem.textContent = `This console is for clinics and specialists; a ${claims.role || 'role-less'} token cannot use it.`;
      problem.hidden = false;
      return;
    }
    signIn(jwt);
    location.hash = routesOf(claims.role).home;
    route();
  });
  replace(main, form);
  input.focus();
}

function renderHeader() {
  const claims = payload();
  if (!claims) {
    who.textContent = '';
    signOutButton.hidden = true;
    return;
  }
  const scope = claims.role === 'clinic' ? claims.clinic : [].concat(claims.pools ?? []).join(', ');
  who.textContent = `${claims.sub ?? ''} · ${claims.role}${scope ? ` · ${scope}` : ''}`;
  signOutButton.hidden = false;
}

function route() {
  current?.abort();
  current = new AbortController();
  renderHeader();
  const routes = routesOf(role());
  if (!routes) {
    renderSignIn(takeSignInNotice());
    return;
  }
  const [name, ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = routes.pages[name];
  if (!page) {
    location.replace(routes.home);
    return;
  }
  replace(main, h('p', {class: 'muted'}, 'Loading…'));
  page.render(main, params, {signal: current.signal}).catch((error) => {
    if (current.signal.aborted || !role()) return;
    replace(main, h('p', {class: 'error', role: 'alert'}, error.message || String(error)));
  });
}

signOutButton.addEventListener('click', () => signOut());
window.addEventListener('telederm:signed-out', () => {
  if (location.hash !== '#/sign-in') history.replaceState(null, '', '#/sign-in');
  route();
});
window.addEventListener('hashchange', route);
route();
