#!/usr/bin/python3
"""The telederm console in a real headless Chromium against the real stack.

Run by browser_test.cc (ctest -L browser), which starts Redis, the three
services and telederm-web and passes the console's URL, the tokens and the
images. One scenario per run (--scenario); every step saves a screenshot into
--screenshots. Waits are explicit and bounded (WebDriverWait on a condition).
Exit status 0 when every check held; otherwise the failed check is printed.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common import utils
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

EXPIRED_MESSAGE = 'Your session has expired or the token is not valid — sign in again.'
# Bounds on waiting for the stack (triage, the queue, the browser), never a
# claim about speed. Generous: the CI machine is shared.
WAIT_SECONDS = 90


def free_loopback_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_for_port(port, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f'{what} never listened on 127.0.0.1:{port}')


class LoopbackService(Service):
    """chromedriver, reached at 127.0.0.1 rather than "localhost"."""

    @property
    def service_url(self):
        return f'http://127.0.0.1:{self.port}'

    def is_connectable(self):
        return utils.is_connectable(self.port, host='127.0.0.1')


class Browser:
    """One person's browser (its own Chromium, its own sessionStorage).

    Chromium is started here on its own DevTools port and chromedriver
    attaches to it by address; Selenium reaches chromedriver by address too.
    Left to themselves both use the name "localhost", which a fresh machine
    without /etc/hosts does not resolve.
    """

    def __init__(self, args, name, width, height):
        self.args = args
        self.name = name
        self.profile = tempfile.mkdtemp(prefix='telederm-chromium-')
        devtools = free_loopback_port()
        self.chromium = subprocess.Popen(
            [args.chromium, '--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
             f'--window-size={width},{height}', '--ignore-certificate-errors', f'--user-data-dir={self.profile}',
             f'--remote-debugging-port={devtools}', '--remote-debugging-address=127.0.0.1', 'about:blank'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(devtools, 'Chromium')
        options = webdriver.ChromeOptions()
        options.debugger_address = f'127.0.0.1:{devtools}'
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL', 'performance': 'ALL'})
        self.driver = webdriver.Chrome(service=LoopbackService(args.chromedriver), options=options)
        self.driver.set_script_timeout(WAIT_SECONDS)

    def quit(self):
        try:
            self.driver.quit()
        finally:
            self.chromium.terminate()
            try:
                self.chromium.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.chromium.kill()
                self.chromium.wait()
            shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, fragment=''):
        """Loads the console at `fragment` (e.g. '#/queue'), afresh even when it is already there."""
        url = self.args.url.rstrip('/') + '/' + fragment
        if self.driver.current_url == url:
            self.driver.refresh()
        else:
            self.driver.get(url)

    def shot(self, step):
        Browser.counter += 1
        path = os.path.join(self.args.screenshots, f'{Browser.counter:02d}-{self.name}-{step}.png')
        width = self.driver.execute_script('return window.innerWidth')
        if width >= 600:  # a laptop's window, as the dermatologist sees it
            self.driver.save_screenshot(path)
        else:  # a phone's whole page, not only the window: its form is long
            height = self.driver.execute_script('return document.documentElement.scrollHeight')
            self.driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {
                'width': width, 'height': max(height, 400), 'deviceScaleFactor': 1, 'mobile': True})
            self.driver.save_screenshot(path)
            self.driver.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})
        print(f'  screenshot {path}', flush=True)

    def wait(self, condition, what, timeout=WAIT_SECONDS):
        try:
            # A page re-renders when live updates come: an element found a
            # moment ago may be gone; the condition is then tried again.
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition())
        except TimeoutException:
            self.shot('failed')
            for entry in self.driver.get_log('browser'):
                print(f'  browser log: {entry["level"]} {entry["message"]}')
            for line in self.unfinished_requests():
                print(f'  request without an answer: {line}')
            raise AssertionError(f'{self.name}: timed out after {timeout} s waiting until {what}')

    def unfinished_requests(self):
        """The requests (method URL) the page sent that got no complete answer, from the DevTools log."""
        sent, ended = {}, set()
        for entry in self.driver.get_log('performance'):
            message = json.loads(entry['message'])['message']
            params = message.get('params', {})
            if message['method'] == 'Network.requestWillBeSent':
                sent[params['requestId']] = f'{params["request"]["method"]} {params["request"]["url"]}'
            elif message['method'] in ('Network.loadingFinished', 'Network.loadingFailed'):
                ended.add(params['requestId'])
        return [line for request_id, line in sent.items() if request_id not in ended]

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def shown_as_text(self, css):
        """(the text shown, how many elements it holds) of the element `css` names, read in one step."""
        return self.driver.execute_script(
            'const e = document.querySelector(arguments[0]); return e ? [e.innerText, e.childElementCount] : ["", 0];',
            css)

    def click(self, css):
        """Clicks the element `css` names, found afresh if a live update re-rendered it meanwhile."""
        def clicked():
            self.find(css).click()
            return True
        self.wait(clicked, f'{css} can be clicked')

    def text(self, css):
        """The text shown by the first element `css` names ('' when there is none), read in one step."""
        return self.shown_as_text(css)[0]

    def sign_in(self, token):
        self.open('#/sign-in')
        self.wait(lambda: self.finds('#sign-in-form'), 'the sign-in form shows')
        self.find('#token').send_keys(token)
        self.find('#sign-in-button').click()
        self.wait(lambda: not self.finds('#sign-in-form'), 'the token is accepted')

    def no_alert(self):
        try:
            alert = self.driver.switch_to.alert
            raise AssertionError(f'{self.name}: a script ran and opened an alert: {alert.text!r}')
        except NoAlertPresentException:
            pass

    def served_csp(self):
        """The Content-Security-Policy header of the last page (document) loaded."""
        policy = None
        for entry in self.driver.get_log('performance'):
            message = json.loads(entry['message'])['message']
            if message['method'] == 'Network.responseReceived' and message['params']['type'] == 'Document':
                headers = {k.lower(): v for k, v in message['params']['response']['headers'].items()}
                policy = headers.get('content-security-policy', policy)
        return policy

    def shown_image_sha256(self):
        """SHA-256 of the bytes behind the first case image's blob: URL, computed in the page.

        The console's CSP (connect-src 'self') does not let even the page's own
        script fetch a blob: URL, so the page is loaded again with the CSP
        bypassed (DevTools) for this one check; served_csp() checks the policy.
        """
        self.driver.execute_cdp_cmd('Page.setBypassCSP', {'enabled': True})
        try:
            self.driver.refresh()
            self.wait(lambda: image_loaded(self) > 0, 'the image has loaded again')
            return self.driver.execute_async_script('''
                const done = arguments[arguments.length - 1];
                fetch(document.querySelector('.viewer img.full').src)
                  .then((response) => response.arrayBuffer())
                  .then((bytes) => crypto.subtle.digest('SHA-256', bytes))
                  .then((digest) => done([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')))
                  .catch((error) => done('error: ' + error));''')
        finally:
            self.driver.execute_cdp_cmd('Page.setBypassCSP', {'enabled': False})
            self.driver.refresh()  # back under the CSP for the steps that follow
            self.wait(lambda: image_loaded(self) > 0, 'the image has loaded under the CSP again')


Browser.counter = 0


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def sha256_of(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def submit_case(clinic, image, reference, suspicious, question='', step='case'):
    """Fills the new-case form with `image` through the file input, waits for
    the quality gate's verdict, submits; returns the case id."""
    clinic.open('#/new')
    clinic.wait(lambda: clinic.finds('#new-case-form'), 'the new-case form shows')
    clinic.find('#patient-reference').send_keys(reference)
    clinic.find('#patient-age').send_keys('58' if suspicious else '31')
    Select(clinic.find('#patient-sex')).select_by_value('SEX_FEMALE')
    Select(clinic.find('#fitzpatrick')).select_by_value('2')
    Select(clinic.find('#body-site')).select_by_value('BODY_SITE_BACK')
    clinic.find('#diameter').send_keys('9' if suspicious else '4')
    clinic.find('#duration-days').send_keys('120' if suspicious else '2000')
    if suspicious:  # 7-point checklist: 2 + 2 + 2 + 1 (diameter) + 1 = 8 points
        for box in ('#evolution-size', '#evolution-shape', '#evolution-colour', '#symptom-bleeding'):
            clinic.find(box).click()
    # Intake requires the question the dermatologist is to answer.
    clinic.find('#clinical-question').send_keys(question or 'Is this lesion malignant? Excise or watch?')
    Select(clinic.find('#photo-modality')).select_by_value('MODALITY_DERMOSCOPY')
    clinic.find('#photo-files').send_keys(os.path.realpath(image))
    clinic.wait(lambda: clinic.finds('.photo[data-state="accepted"], .photo[data-state="refused"], '
                                     '.photo[data-state="failed"]'), 'the quality gate has judged the photo')
    verdict = clinic.text('.photo .verdict')
    print(f'  quality gate: {verdict!r}')
    check(clinic.finds('.photo[data-state="accepted"]'), f'the photo was not accepted: {verdict}')
    check(clinic.find('.photo .upload-progress').get_attribute('value') == '100', 'the progress bar is not full')
    check(clinic.find('.photo').get_attribute('data-sha256') == sha256_of(image),
          'the SHA-256 computed in the browser is not the file\'s')
    clinic.find('#consent').click()
    clinic.shot(f'{step}-photo-verdict')
    clinic.find('#submit-case').click()
    clinic.wait(lambda: clinic.finds('#submitted-notice'), 'the case is sent')
    case_id = re.search(r'Case (\S+) was sent', clinic.text('#submitted-notice')).group(1)
    clinic.wait(lambda: clinic.finds(f'.case-row[data-case-id="{case_id}"]'), f'case {case_id} is in the list')
    clinic.shot(f'{step}-in-list')
    print(f'  submitted {reference}: case {case_id}')
    return case_id


def queue_ids(specialist):
    """The queue's case ids in order, read in one step (the list re-renders on live updates)."""
    return specialist.driver.execute_script(
        'return [...document.querySelectorAll("#queue .queue-entry")].map((e) => e.dataset.caseId);')


def claim_first(specialist, case_id):
    """Claims the first queue entry, which must be `case_id`, and waits for its case page."""
    specialist.open('#/queue')
    specialist.wait(lambda: case_id in queue_ids(specialist), f'case {case_id} is in the queue')
    check(queue_ids(specialist)[0] == case_id, f'{case_id} is not first in the queue: {queue_ids(specialist)}')
    specialist.click(f'.queue-entry[data-case-id="{case_id}"] button.claim')
    specialist.wait(lambda: specialist.text('#case-status') == 'Claimed by you', f'case {case_id} is claimed')


def image_loaded(browser):
    return browser.driver.execute_script(
        'const img = document.querySelector(".viewer img.full"); return img && img.complete ? img.naturalWidth : 0;')


def scenario_consult(args):
    """Clinic submits a benign and a suspicious case; the specialist sees the
    suspicious one first, its image, claims and reports it; the clinic reads
    the report and acknowledges."""
    clinic = Browser(args, 'clinic', 412, 915)
    specialist = Browser(args, 'specialist', 1400, 1000)
    try:
        print('step: sign-in page', flush=True)
        clinic.open()
        clinic.wait(lambda: clinic.finds('#sign-in-form'), 'the sign-in form shows')
        clinic.shot('sign-in')
        clinic.sign_in(args.clinic_token)
        clinic.wait(lambda: clinic.finds('#cases'), 'the clinic\'s case list shows')
        print('step: the clinic sends a routine case, then a suspicious one', flush=True)
        benign = submit_case(clinic, args.benign_image, 'KIS-0041', suspicious=False, step='routine')
        melanoma = submit_case(clinic, args.image, 'KIS-0042', suspicious=True,
                               question='Changing mole on the back, bled last week. Excise?', step='suspicious')

        print('step: the specialist\'s queue shows the suspicious case first', flush=True)
        specialist.sign_in(args.specialist_token)
        specialist.wait(lambda: {benign, melanoma} <= set(queue_ids(specialist)), 'both cases are queued (live)')
        check(queue_ids(specialist)[0] == melanoma, f'the suspicious case is not first: {queue_ids(specialist)}')
        first = specialist.driver.execute_script('return document.querySelector("#queue .queue-entry").innerText;')
        check('Urgent' in first, f'the first entry is not marked urgent: {first}')
        specialist.wait(lambda: specialist.driver.execute_script(
            'const t = document.querySelector("#queue .queue-entry img.thumb"); return t && t.complete && t.naturalWidth;'),
            'the first entry\'s thumbnail has loaded')
        specialist.shot('queue')

        print('step: the case page shows the image the clinic uploaded', flush=True)
        claim_first(specialist, melanoma)
        specialist.wait(lambda: image_loaded(specialist) > 0, 'the full-resolution image has loaded')
        src = specialist.find('.viewer img.full').get_attribute('src')
        check(src.startswith('blob:'), f'the image is not shown from a blob URL: {src}')
        policy = specialist.served_csp() or ''
        check("script-src 'self'" in policy and "style-src 'self'" in policy, f'the page came with CSP {policy!r}')
        width = image_loaded(specialist)
        triage = specialist.text('.triage')
        check('Form' in triage and 'Image 1' in triage, f'the explanation does not name the form and the image: {triage}')
        specialist.shot('case-page')
        shown = specialist.shown_image_sha256()
        check(shown == sha256_of(args.image), f'the image shown has SHA-256 {shown}, not the uploaded file\'s')
        print(f'  image: naturalWidth {width}, SHA-256 of its bytes in the page = the uploaded file\'s')

        print('step: the specialist reports with an ICD-10 code', flush=True)
        specialist.find('#report-diagnosis').send_keys('Superficial spreading melanoma, clinically and dermoscopically.')
        specialist.find('#report-icd10').send_keys('melanoma trunk')
        specialist.wait(lambda: specialist.finds('#icd10-suggestions button[data-code="C43.5"]'),
                        'the ICD-10 look-up offers C43.5')
        specialist.click('#icd10-suggestions button[data-code="C43.5"]')
        check(specialist.find('#report-icd10').get_attribute('value') == 'C43.5', 'the code was not taken')
        Select(specialist.find('#report-management')).select_by_value('MANAGEMENT_EXCISE')
        specialist.find('#report-follow-up').send_keys('Excision with 2 mm margins within two weeks.')
        specialist.shot('report-form')
        specialist.find('#submit-report').click()
        specialist.wait(lambda: specialist.finds('#report-sent'), 'the report is sent')
        check('Reported' in specialist.text('#report-sent'), specialist.text('#report-sent'))
        specialist.shot('report-sent')

        print('step: the clinic reads the report and acknowledges', flush=True)
        clinic.open('#/cases')
        clinic.wait(lambda: clinic.finds(f'.case-row[data-case-id="{melanoma}"][data-status="CASE_STATUS_REPORTED"]'),
                    'the list shows the report has come')
        clinic.shot('report-in-list')
        clinic.click(f'.case-row[data-case-id="{melanoma}"] a')
        clinic.wait(lambda: clinic.finds('.report .icd10-code'), 'the report shows')
        check(clinic.text('.report .icd10-code') == 'C43.5', clinic.text('.report'))
        check('Excise' in clinic.text('.report .management'), clinic.text('.report'))
        clinic.shot('report')
        clinic.click('#acknowledge')
        clinic.wait(lambda: clinic.text('#case-status') == 'Closed', 'the case is closed')
        clinic.shot('acknowledged')
    finally:
        clinic.quit()
        specialist.quit()


def scenario_isolation(args):
    """A second clinic sees none of the first clinic's cases or images."""
    clinic = Browser(args, 'clinic', 412, 915)
    other = Browser(args, 'other-clinic', 412, 915)
    try:
        print('step: the first clinic sends a case', flush=True)
        clinic.sign_in(args.clinic_token)
        case_id = submit_case(clinic, args.image, 'KIS-0050', suspicious=True, step='first-clinic')
        print('step: the second clinic sees an empty list', flush=True)
        other.sign_in(args.other_clinic_token)
        other.wait(lambda: other.finds('#no-cases'), 'the second clinic\'s list is shown empty')
        other.shot('empty-list')
        print('step: the first clinic\'s image and case answer 404 to the second', flush=True)
        status = other.driver.execute_async_script('''
            const done = arguments[arguments.length - 1];
            const token = sessionStorage.getItem('telederm.token');
            Promise.all([
              fetch(arguments[0], {headers: {Authorization: 'Bearer ' + token}}),
              fetch(arguments[0] + '?variant=thumbnail', {headers: {Authorization: 'Bearer ' + token}}),
              fetch('/api/v1/IntakeService/GetCase', {method: 'POST', body: JSON.stringify({caseId: arguments[1]}),
                    headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'}}),
            ]).then((r) => done(r.map((x) => x.status))).catch((e) => done(String(e)));''',
            f'/api/v1/images/{case_id}/{sha256_of(args.image)}', case_id)
        check(status == [404, 404, 404], f'the second clinic got {status} for the image, thumbnail and case, not 404s')
        other.open(f'#/mycase/{case_id}')
        other.wait(lambda: other.finds('p.error'), 'the case page says the case is not found')
        other.shot('case-not-found')
        print(f'  image, thumbnail, case: {status}; page says {other.text("p.error")!r}')
    finally:
        clinic.quit()
        other.quit()


def scenario_html_as_text(args):
    """A clinical question with HTML in it is shown as those characters."""
    question = '<script>alert(1)</script> Is this <b>benign</b>?'
    clinic = Browser(args, 'clinic', 412, 915)
    specialist = Browser(args, 'specialist', 1400, 1000)
    try:
        clinic.sign_in(args.clinic_token)
        case_id = submit_case(clinic, args.image, 'KIS-0060', suspicious=True, question=question, step='html')
        print('step: the clinic\'s case page shows the question as text', flush=True)
        clinic.open(f'#/mycase/{case_id}')
        clinic.wait(lambda: clinic.finds('.clinical-question'), 'the case page shows')
        shown, elements = clinic.shown_as_text('.clinical-question')
        check(shown == question, f'the clinic sees {shown!r}')
        check(elements == 0, 'the question became HTML elements')
        clinic.no_alert()
        clinic.shot('question-as-text')
        print('step: the specialist\'s case page shows it as text; their question with HTML too', flush=True)
        specialist.sign_in(args.specialist_token)
        claim_first(specialist, case_id)
        shown, elements = specialist.shown_as_text('.clinical-question')
        check(shown == question, f'the specialist sees {shown!r}')
        check(elements == 0, 'the question became HTML elements')
        specialist.no_alert()
        ask = '<img src=x onerror=alert(2)> Please send a photo with a ruler.'
        specialist.find('#question-text').send_keys(ask)
        specialist.shot('question-as-text')
        specialist.find('#ask-clinic').click()
        specialist.wait(lambda: specialist.finds('#thread .message.info-request'), 'the question is in the thread')
        clinic.open(f'#/mycase/{case_id}')
        clinic.wait(lambda: clinic.finds('#thread .message.info-request'), 'the clinic sees the question')
        shown, elements = clinic.shown_as_text('#thread .message.info-request .message-text')
        check(shown == ask, f'the clinic sees {shown!r}')
        check(elements == 0, 'the specialist\'s question became HTML elements')
        clinic.no_alert()
        clinic.shot('specialist-question-as-text')
        print('step: the clinic answers; the case goes back to the queue', flush=True)
        answer = 'Photo with a ruler attached next visit </p><b>11 mm</b>'
        clinic.find('#answer-text').send_keys(answer)
        clinic.click('#send-answer')
        clinic.wait(lambda: clinic.finds('#thread .message.ours'), 'the answer is in the thread')
        shown, elements = clinic.shown_as_text('#thread .message.ours .message-text')
        check(shown == answer, f'the clinic\'s answer shows as {shown!r}')
        check(elements == 0, 'the clinic\'s answer became HTML elements')
        clinic.wait(lambda: clinic.text('#case-status') == 'Queued',
                    'the case is waiting for a specialist again')
        specialist.open('#/queue')
        specialist.wait(lambda: case_id in queue_ids(specialist), f'case {case_id} is back in the queue')
        clinic.shot('answer-sent')
    finally:
        clinic.quit()
        specialist.quit()


def scenario_expired(args):
    """An expired token sends the page back to sign-in with a clear message."""
    browser = Browser(args, 'specialist', 1400, 1000)
    try:
        browser.open('#/sign-in')
        browser.wait(lambda: browser.finds('#sign-in-form'), 'the sign-in form shows')
        browser.find('#token').send_keys(args.expired_token)
        browser.find('#sign-in-button').click()
        browser.wait(lambda: browser.finds('#sign-in-form') and browser.text('#sign-in-error') == EXPIRED_MESSAGE,
                     'the page is back at sign-in with the message')
        check(not browser.driver.execute_script('return sessionStorage.getItem("telederm.token")'),
              'the expired token is still kept')
        browser.shot('expired-token')
    finally:
        browser.quit()


def scenario_large_image(args):
    """Measures (does not assert a bound on) how long a ~4 MB image takes to
    appear on the case page."""
    clinic = Browser(args, 'clinic', 1280, 900)
    specialist = Browser(args, 'specialist', 1400, 1000)
    try:
        clinic.sign_in(args.clinic_token)
        size = os.path.getsize(args.large_image)
        start = time.monotonic()
        case_id = submit_case(clinic, args.large_image, 'KIS-0070', suspicious=True, step='large')
        upload_seconds = time.monotonic() - start
        specialist.sign_in(args.specialist_token)
        claim_first(specialist, case_id)
        specialist.wait(lambda: image_loaded(specialist) > 0, 'the large image has loaded')
        # Measured on a fresh page load (nothing cached in the page): from
        # navigation to the <img> decoded.
        specialist.driver.get('about:blank')
        start = time.monotonic()
        specialist.open(f'#/case/{case_id}')
        specialist.wait(lambda: image_loaded(specialist) > 0, 'the large image has loaded again')
        seconds = time.monotonic() - start
        specialist.shot('large-image')
        print(f'MEASURED: a {size / 1e6:.1f} MB ({size} bytes) {image_loaded(specialist)} px wide JPEG appeared on the '
              f'case page {seconds * 1000:.0f} ms after navigation (upload + checks + submit in the form: '
              f'{upload_seconds:.1f} s)', flush=True)
    finally:
        clinic.quit()
        specialist.quit()


SCENARIOS = {
    'consult': scenario_consult,
    'isolation': scenario_isolation,
    'html-as-text': scenario_html_as_text,
    'expired-token': scenario_expired,
    'large-image': scenario_large_image,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--scenario', choices=sorted(SCENARIOS), required=True)
    parser.add_argument('--url', required=True)
    parser.add_argument('--clinic-token', default='')
    parser.add_argument('--other-clinic-token', default='')
    parser.add_argument('--specialist-token', default='')
    parser.add_argument('--expired-token', default='')
    parser.add_argument('--image', default='', help='a suspicious dermoscopy image (melanoma)')
    parser.add_argument('--benign-image', default='')
    parser.add_argument('--large-image', default='')
    parser.add_argument('--screenshots', required=True)
    parser.add_argument('--chromium', default='/usr/bin/chromium')
    parser.add_argument('--chromedriver', default='/usr/bin/chromedriver')
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    print(f'scenario {args.scenario} against {args.url}', flush=True)
    try:
        SCENARIOS[args.scenario](args)
    except AssertionError as failure:
        print(f'FAILED: {failure}', flush=True)
        return 1
    print('PASSED', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
