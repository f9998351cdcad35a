// The account pages in a real headless Chromium (issue 9, Tests): log in,
// create a token limited to one zone's _acme-challenge TXT records, copy it
// from the page, use it with curl (TXT 201, A 403), revoke it on the page and
// see it rejected (401); a <script> token name shows as text; a wrong
// password and a CSRF-less POST are refused; logout ends the session.
//
// Run by tests/e2e/browser_test.cc against a real pipeline, which passes:
//   ZP_BASE        http://127.0.0.1:PORT of the API
//   ZP_USER, ZP_PASSWORD   an account made with `zonepipe user create`
//   ZP_ZONE, ZP_DOMAIN     a zone of that user
//   ZP_SCREENSHOTS a directory for PNGs (the README's come from here)
//   CHROMIUM       the browser (default /usr/bin/chromium, Debian's)
// Prints one line per check and "N passed, M failed"; exits 1 on a failure.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const base = process.env.ZP_BASE;
const user = process.env.ZP_USER;
const password = process.env.ZP_PASSWORD;
const zone = process.env.ZP_ZONE;
const domain = process.env.ZP_DOMAIN;
const shots = process.env.ZP_SCREENSHOTS;
let passed = 0;
let failed = 0;

function check(what, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok   ${what}`);
  } else {
    failed++;
    console.log(`FAIL ${what} ${detail}`);
  }
}

// HTTP status of a curl request to the API with `token`.
function curl(method, path, token, body) {
  const args = ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', method,
    '-H', `Authorization: Bearer ${token}`, `${base}${path}`];
  if (body) args.push('-H', 'Content-Type: application/json', '-d', body);
  return Number(execFileSync('curl', args, { encoding: 'utf8' }));
}

async function shot(page, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

// Submits the form around `selector` with the keyboard (Enter) and waits for the page.
async function submitWithEnter(page, selector) {
  await page.focus(selector);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

async function createToken(page, name, { zones = [], types = [], names = '', permissions }) {
  await page.goto(`${base}/account/developers/`);
  await page.type('#name', name);
  for (const p of permissions) await page.click(`input[name="permissions"][value="${p}"]`);
  if (zones.length) await page.select('#zones', ...zones);
  for (const t of types) await page.click(`#type-${t}`);
  if (names) await page.type('#names', names);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/account/developers/"] button[type="submit"]'),
  ]);
  return response;
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Chromium refuses its sandbox as root (CI and these machines run as root).
  args: [...(process.getuid() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage',
    '--window-size=1200,900'],
  defaultViewport: { width: 1200, height: 900 },
});
try {
  const context = browser.defaultBrowserContext();
  await context.overridePermissions(base, ['clipboard-read', 'clipboard-write',
    'clipboard-sanitized-write']);
  const page = await browser.newPage();
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('Content Security Policy')) consoleErrors.push(m.text());
  });

  // A page without a session goes to the login page (303).
  await page.goto(`${base}/account/`);
  check('no session: /account/ redirects to the login page',
    page.url() === `${base}/account/login/`, page.url());
  await shot(page, 'account-login');

  // A wrong password is refused with the same sentence as an unknown user.
  await page.type('#user', user);
  await page.type('#password', 'not the password');
  let [resp] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check('wrong password: 401', resp.status() === 401, String(resp.status()));
  check('wrong password: the message', (await page.content()).includes('Wrong user name or password.'));

  // Log in with the keyboard alone.
  await page.$eval('#user', (el) => { el.value = ''; });
  await page.type('#user', user);
  await page.type('#password', password);
  await submitWithEnter(page, '#password');
  check('login lands on /account/', page.url() === `${base}/account/`, page.url());
  check('the zone is listed', (await page.content()).includes(domain));
  const cookies = await page.cookies();
  const session = cookies.find((c) => c.name === 'zp_session');
  check('session cookie: HttpOnly, SameSite=Strict', session && session.httpOnly &&
    session.sameSite === 'Strict', JSON.stringify(session));
  await page.waitForFunction(() => !document.body.innerText.includes('unknown'), { timeout: 10000 })
    .catch(() => {});
  await shot(page, 'account-zones');

  // A token name with <script> shows as text and runs nothing.
  const evil = '<script>window.pwned=1</script><img src=x>';
  resp = await createToken(page, evil, { permissions: ['dns:read'] });
  check('create: 201', resp.status() === 201, String(resp.status()));
  const shownName = await page.$eval('#created-h', (el) => el.textContent);
  check('a <script> name shows as text', shownName.includes(evil), shownName);
  check('a <script> name runs nothing', await page.evaluate(() => window.pwned === undefined));

  // The ACME token: one zone, TXT, _acme-challenge names.
  resp = await createToken(page, 'acme', {
    permissions: ['dns:create', 'dns:delete'], zones: [zone], types: ['TXT'],
    names: '_acme-challenge\n_acme-challenge.*',
  });
  check('create acme token: 201', resp.status() === 201, String(resp.status()));
  const warning = await page.$eval('.warning', (el) => el.textContent);
  check('the secret comes with a warning', warning.includes('will not be shown again'), warning);
  check('focus is on the new token', await page.evaluate(
    () => document.activeElement && document.activeElement.id === 'new-token'));
  await page.click('#copy-token');
  await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const shown = await page.$eval('#new-token', (el) => el.value);
  check('copy button puts the token on the clipboard', copied === shown && copied.startsWith('vps_'),
    copied);
  await shot(page, 'account-token-created');

  // Use it with curl.
  check('curl: TXT _acme-challenge -> 201', curl('POST', `/api/v1/dns-zones/${zone}/records/`, copied,
    JSON.stringify({ record_type: 'TXT', name: '_acme-challenge', value: 'browser-proof' })) === 201);
  check('curl: A -> 403', curl('POST', `/api/v1/dns-zones/${zone}/records/`, copied,
    JSON.stringify({ record_type: 'A', name: 'www', value: '192.0.2.77' })) === 403);

  // The list never shows the secret again, only its first characters.
  await page.goto(`${base}/account/developers/`);
  const list = await page.content();
  check('the list hides the secret', !list.includes(copied) && list.includes(copied.slice(0, 8)));
  await shot(page, 'account-developers');

  // A POST without the CSRF token (same origin, with the session cookie) is refused.
  const csrfless = await page.evaluate(async () => (await fetch('/account/developers/', {
    method: 'POST', body: 'name=x&permissions=dns%3Aread',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  })).status);
  check('a CSRF-less POST is refused (403)', csrfless === 403, String(csrfless));

  // Revoke on the page, after the confirmation.
  let asked = '';
  page.once('dialog', async (d) => { asked = d.message(); await d.accept(); });
  const row = await page.$$eval('tr.token', (rows) => rows.find(
    (r) => r.querySelector('.token-name').textContent === 'acme').dataset.id);
  await Promise.all([page.waitForNavigation(),
    page.click(`tr[data-id="${row}"] button.danger`)]);
  check('revoke asks first', asked.includes('Revoke the token acme'), asked);
  check('revoked token leaves the list', !(await page.content()).includes(row));
  let status = 0;
  for (let i = 0; i < 50 && status !== 401; i++) {
    status = curl('GET', '/api/v1/dns-zones/', copied);
    if (status !== 401) await new Promise((r) => setTimeout(r, 100));
  }
  check('curl with the revoked token -> 401', status === 401, String(status));

  // The zone page shows the record the token made and the history.
  await page.goto(`${base}/account/zones/${zone}/`);
  const zonePage = await page.content();
  check('zone page: the TXT record and its history', zonePage.includes('browser-proof') &&
    zonePage.includes('record_created'));
  await shot(page, 'account-zone');

  // Logout really ends the session.
  await Promise.all([page.waitForNavigation(), page.click('form[action="/account/logout/"] button')]);
  await page.goto(`${base}/account/`);
  check('after logout /account/ needs a login again', page.url() === `${base}/account/login/`);

  check('nothing was loaded from outside', outside.length === 0, outside.join(' '));
  check('no Content-Security-Policy violations', consoleErrors.length === 0,
    consoleErrors.join(' | '));
} catch (e) {
  check('the flow ran to its end', false, e.stack);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
