// e2e.mjs — `assay serve` in a real browser (Debian's chromium driven by
// playwright-core), checked against docs/web.md as a person would use it:
// by clicking links, submitting forms and pressing keys, not only by URL.
//
// Started by tests/web/run-web.sh, which records the runs and starts the
// servers; everything comes in through the environment:
//   ASSAY_WEB_URL        `assay serve` on the store, no token
//   ASSAY_WEB_TOKEN_URL  `assay serve` on the same store with --token
//   ASSAY_WEB_TOKEN      that token
//   ASSAY, ASSAY_DB      the binary and the store, for the live run
//   ASSAY_LIVE_SCENARIO  a slow scenario this script runs while watching it
//   CHROMIUM             the browser (default /usr/bin/chromium)
//   SCREENSHOTS          where every page visited is saved (full page PNG)
// One line per check; the first failure stops everything with exit status 1
// (E2E_KEEP_GOING=1: run every check, then exit 1 if any failed).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = required('ASSAY_WEB_URL');
const TOKEN_BASE = required('ASSAY_WEB_TOKEN_URL');
const TOKEN = required('ASSAY_WEB_TOKEN');
const ASSAY = required('ASSAY');
const DB = required('ASSAY_DB');
const LIVE_SCENARIO = required('ASSAY_LIVE_SCENARIO');
const SCREENSHOTS = process.env.SCREENSHOTS || 'build/web-screenshots';
const BENCHMARK = 'web-of-sites';
mkdirSync(SCREENSHOTS, { recursive: true });

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`e2e: ${name} is not set (run tests/web/run-web.sh)`);
    process.exit(2);
  }
  return value;
}

let browser = null;
let liveRun = null;
let passed = 0;
let failed = 0;
const keepGoing = process.env.E2E_KEEP_GOING === '1';
const pageErrors = [];
const foreignRequests = [];

class CheckFailed extends Error {}
function expect(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

async function stop(status) {
  if (liveRun && liveRun.exitCode === null) liveRun.kill('SIGTERM');
  if (browser) await browser.close().catch(() => {});
  process.exit(status);
}

async function check(name, body) {
  try {
    await body();
  } catch (error) {
    const detail = error instanceof CheckFailed ? error.message : (error.stack || String(error));
    console.log(`FAIL ${name}: ${detail}`);
    failed++;
    if (keepGoing) return;
    console.log(`${passed} passed, ${failed} failed`);
    await stop(1);
  }
  passed++;
  console.log(`ok   ${name}`);
}

let shots = 0;
async function screenshot(page, name) {
  shots++;
  const file = `${SCREENSHOTS}/${String(shots).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
}

// --- plain HTTP (the JSON API, headers, status codes) ---

async function request(path, options = {}, base = BASE) {
  const response = await fetch(base + path, { redirect: 'manual', ...options });
  const text = await response.text();
  return { response, status: response.status, headers: response.headers, text };
}

async function api(path, base = BASE, headers = {}) {
  const { status, text } = await request(path, { headers }, base);
  expect(status === 200, `GET ${path}: expected 200, got ${status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new CheckFailed(`GET ${path}: not JSON: ${text.slice(0, 200)}`);
  }
}

// every "reason" string anywhere in a JSON value
function reasons(value, out = []) {
  if (Array.isArray(value)) value.forEach((item) => reasons(item, out));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'reason' && typeof item === 'string' && item.length > 0) out.push(item);
      else reasons(item, out);
    }
  }
  return out;
}

// a run's scenario name, whether "scenario" is the name or the scenario object
function scenarioName(run) {
  if (typeof run.scenario === 'string') return run.scenario;
  if (run.scenario && typeof run.scenario === 'object') return run.scenario.name;
  return run.scenario_name;
}

// --- browser helpers ---

function watch(page) {
  page.setDefaultTimeout(15000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return page;
}

async function visit(page, url, name) {
  const response = await page.goto(url);
  expect(response && response.status() === 200,
    `GET ${url}: expected 200, got ${response ? response.status() : 'no response'}`);
  if (name) await screenshot(page, name);
  return response;
}

// clicks a link and waits for the page it leads to
async function follow(page, link, urlPattern, what) {
  expect(await link.count() > 0, `no link to ${what} on ${page.url()}`);
  await link.first().click();
  await page.waitForURL(urlPattern);
  await page.waitForLoadState('load');
}

async function rowAgents(page, table = 'table#leaderboard') {
  return page.locator(`${table} tr[data-agent]`).evaluateAll(
    (rows) => rows.map((row) => row.getAttribute('data-agent')));
}

async function bodyRows(page, table) {
  return page.locator(`${table} tbody tr`).evaluateAll((rows) => rows.map((row) => row.innerText));
}

async function number(page, selector) {
  const text = (await page.locator(selector).first().innerText()).replace(/[^0-9]/g, '');
  expect(text.length > 0, `${selector} on ${page.url()} holds no number`);
  return Number(text);
}

// --- the checks ---

browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-default-apps', '--disable-sync', '--no-first-run',
    '--metrics-recording-only'],
});
const origin = new URL(BASE).origin;
const tokenOrigin = new URL(TOKEN_BASE).origin;
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
context.on('request', (sent) => {
  const url = new URL(sent.url());
  if (url.protocol.startsWith('http') && url.origin !== origin && url.origin !== tokenOrigin)
    foreignRequests.push(sent.url());
});
const page = watch(await context.newPage());

let quickstartRun;
let trialsRun;
let runList;
await check('GET /api/runs lists the quickstart and the trials runs, newest first', async () => {
  runList = await api('/api/runs');
  expect(Array.isArray(runList), `/api/runs: expected an array, got ${JSON.stringify(runList).slice(0, 200)}`);
  const quickstart = runList.find((run) => scenarioName(run) === 'quickstart');
  const trials = runList.find((run) => scenarioName(run) === 'web-trials');
  expect(quickstart && trials, `/api/runs has no quickstart or web-trials run: ${JSON.stringify(runList).slice(0, 400)}`);
  quickstartRun = quickstart.id;
  trialsRun = trials.id;
  expect(runList.indexOf(trials) < runList.indexOf(quickstart), 'the newer run (web-trials) is not listed first');
});

await check('leaderboard (/): table#leaderboard ranks oracle above random', async () => {
  await visit(page, `${BASE}/`, 'leaderboard');
  const agents = await rowAgents(page);
  expect(agents.includes('oracle') && agents.includes('random'),
    `expected rows tr[data-agent] for oracle and random, got ${JSON.stringify(agents)}`);
  expect(agents.indexOf('oracle') < agents.indexOf('random'), `oracle is not ranked above random: ${JSON.stringify(agents)}`);
});

await check('leaderboard: td.mean shows each mean with its interval as text', async () => {
  for (const agent of ['oracle', 'random']) {
    const text = await page.locator(`table#leaderboard tr[data-agent="${agent}"] td.mean`).first().innerText();
    expect(/\d/.test(text) && /\[.*\d.*\]/.test(text), `${agent}: td.mean is "${text}", expected a mean and "[low, high]"`);
  }
});

await check('leaderboard: random is not marked as tied with oracle (td.rank, API "tied")', async () => {
  const oracleRank = (await page.locator('table#leaderboard tr[data-agent="oracle"] td.rank').first().innerText()).trim();
  const randomRank = (await page.locator('table#leaderboard tr[data-agent="random"] td.rank').first().innerText()).trim();
  expect(/^1\b/.test(oracleRank) && !oracleRank.includes('='), `oracle's td.rank is "${oracleRank}", expected 1`);
  expect(/^2\b/.test(randomRank) && !randomRank.includes('='), `random's td.rank is "${randomRank}", expected 2 without "="`);
  const board = await api(`/api/leaderboard/${BENCHMARK}`);
  const random = (board.agents || []).find((row) => row.agent === 'random');
  expect(random && random.tied === false && random.rank === 2,
    `/api/leaderboard/${BENCHMARK}: random should have rank 2, tied false; got ${JSON.stringify(random)}`);
});

await check('leaderboard: the sort buttons are reachable with Tab and Enter reorders the rows', async () => {
  const before = await rowAgents(page);
  let reordered = false;
  let buttons = 0;
  for (let press = 0; press < 300 && !reordered; press++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return element && element.tagName === 'BUTTON' && element.closest('table#leaderboard thead') !== null;
    });
    if (!focused) continue;
    buttons++;
    for (let again = 0; again < 2 && !reordered; again++) {
      await page.keyboard.press('Enter');
      await page.waitForTimeout(150);
      const after = await rowAgents(page);
      reordered = after.join(',') !== before.join(',');
    }
  }
  expect(buttons > 0, 'no <button> in table#leaderboard thead could be reached with the Tab key');
  expect(reordered, `pressing Enter on each of ${buttons} sort buttons (twice) never changed the row order`);
  await screenshot(page, 'leaderboard-sorted');
});

await check('clicking the oracle row\'s agent link reaches /agents/oracle, which lists its runs', async () => {
  await visit(page, `${BASE}/`);
  const link = page.locator('table#leaderboard tr[data-agent="oracle"] a[href$="/agents/oracle"]');
  await follow(page, link, /\/agents\/oracle$/, "oracle's agent page");
  await screenshot(page, 'agent-oracle');
  for (const run of [quickstartRun, trialsRun])
    expect(await page.locator(`a[href$="/runs/${run}"]`).count() > 0, `/agents/oracle has no link to run ${run}`);
});

const runUrl = () => new RegExp(`/runs/${quickstartRun}$`);
let allEpisodeRows = 0;
await check('clicking a run reaches /runs/ID with table#agents, table#episodes and the progress', async () => {
  await follow(page, page.locator(`a[href$="/runs/${quickstartRun}"]`), runUrl(), `run ${quickstartRun}`);
  await screenshot(page, 'run');
  const agents = (await bodyRows(page, 'table#agents')).join('\n');
  expect(agents.includes('oracle') && agents.includes('random'), `table#agents does not list oracle and random: ${agents.slice(0, 300)}`);
  const episodes = await bodyRows(page, 'table#episodes');
  allEpisodeRows = episodes.length;
  expect(episodes.length === 128, `table#episodes: expected 128 rows (64 tasks x 2 agents), got ${episodes.length}`);
  expect(episodes.some((row) => row.includes('oracle')) && episodes.some((row) => row.includes('random')),
    'table#episodes has no row naming oracle or none naming random');
  expect(await page.locator('table#episodes tbody tr a[href*="/episodes/"]').count() >= 128,
    'the rows of table#episodes do not link to /episodes/ID');
  const status = await page.locator('#progress').getAttribute('data-status');
  expect(status === 'complete', `#progress data-status: expected complete, got ${status}`);
  const done = await number(page, '#episodes-done');
  const planned = await number(page, '#episodes-planned');
  expect(done === 128 && planned === 128, `#episodes-done/#episodes-planned: expected 128/128, got ${done}/${planned}`);
});

await check('form#filters with outcome=failed narrows table#episodes to random\'s episodes', async () => {
  const form = page.locator('form#filters');
  expect(await form.count() === 1, 'no form#filters on the run page');
  const outcome = form.locator('[name="outcome"]');
  expect(await outcome.count() > 0, 'form#filters has no field named outcome');
  const tag = await outcome.first().evaluate((element) => element.tagName);
  if (tag === 'SELECT') await outcome.first().selectOption('failed');
  else await outcome.first().fill('failed');
  const submit = form.locator('button[type="submit"], input[type="submit"], button:not([type])');
  if (await submit.count() > 0) {
    await submit.first().click();
    await page.waitForLoadState('load');
  }
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table#episodes tbody tr')].map((row) => row.innerText);
    return rows.length > 0 && rows.every((row) => row.includes('random') && !row.includes('oracle'));
  }, null, { timeout: 10000 }).catch(async () => {
    const rows = await bodyRows(page, 'table#episodes');
    throw new CheckFailed(`after outcome=failed, expected only random's episodes, got ${rows.length} rows, ` +
      `e.g. ${JSON.stringify(rows.slice(0, 3))}`);
  });
  const rows = await bodyRows(page, 'table#episodes');
  expect(rows.length === 64 && rows.length < allEpisodeRows,
    `after outcome=failed: expected random's 64 episodes, got ${rows.length}`);
  await screenshot(page, 'run-filtered');
});

let episodeId;
await check('clicking an oracle episode reaches /episodes/ID: ol#trajectory has its tool calls as li.step', async () => {
  await visit(page, `${BASE}/runs/${quickstartRun}`);
  const row = page.locator('table#episodes tbody tr', { hasText: 'oracle' }).filter({ hasText: 'price-' }).first();
  await follow(page, row.locator('a[href*="/episodes/"]'), /\/episodes\/\d+$/, 'an oracle episode');
  await screenshot(page, 'episode');
  episodeId = Number(new URL(page.url()).pathname.split('/').pop());
  const trace = await api(`/api/episodes/${episodeId}/trace?limit=1000`);
  const entries = trace.entries || [];
  const tools = entries.filter((entry) => entry.kind === 'tool_call').map((entry) => {
    const payload = typeof entry.payload === 'string' ? JSON.parse(entry.payload) : entry.payload;
    return payload.tool;
  });
  expect(tools.includes('open') && tools.includes('answer'),
    `episode ${episodeId}: the API trace has tool calls ${JSON.stringify(tools)}, expected open ... answer`);
  const steps = page.locator('ol#trajectory li.step');
  const count = await steps.count();
  expect(count === Math.min(trace.total, 200), `ol#trajectory: expected ${Math.min(trace.total, 200)} li.step, got ${count}`);
  const calls = await page.locator('ol#trajectory li.step[data-kind="tool_call"]').allInnerTexts();
  expect(calls.length === tools.length, `expected ${tools.length} li.step[data-kind=tool_call], got ${calls.length}`);
  tools.forEach((tool, index) => expect(calls[index].includes(tool),
    `step ${index} should show the tool call ${tool}: "${calls[index].slice(0, 200)}"`));
});

await check('the episode page shows #verdicts with a reason', async () => {
  const episode = await api(`/api/episodes/${episodeId}`);
  const wanted = reasons(episode);
  expect(wanted.length > 0, `/api/episodes/${episodeId} has no verdict reason: ${JSON.stringify(episode).slice(0, 300)}`);
  const shown = await page.locator('#verdicts').innerText();
  expect(wanted.some((reason) => shown.includes(reason)),
    `#verdicts shows "${shown.slice(0, 300)}", which has none of the reasons ${JSON.stringify(wanted)}`);
});

await check('compare oracle with random: #paired says "oracle beats random", table#per-task has 64 tasks', async () => {
  await visit(page, `${BASE}/runs/${quickstartRun}`);
  const comparePattern = new RegExp(`/runs/${quickstartRun}/compare\\?`);
  const form = page.locator(`form[action$="/compare"]`);
  const links = page.locator(`a[href*="/runs/${quickstartRun}/compare?"]`);
  if (await form.count() > 0) {
    for (const [field, agent] of [['a', 'oracle'], ['b', 'random']]) {
      const input = form.first().locator(`[name="${field}"]`);
      const tag = await input.evaluate((element) => element.tagName);
      if (tag === 'SELECT') await input.selectOption(agent);
      else await input.fill(agent);
    }
    await form.first().locator('button, input[type="submit"]').first().click();
    await page.waitForURL(comparePattern);
  } else if (await links.count() > 0) {
    const hrefs = await links.evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
    const index = hrefs.findIndex((href) => href.includes('a=oracle') && href.includes('b=random'));
    await follow(page, links.nth(Math.max(index, 0)), comparePattern, 'the comparison');
    if (index < 0) await visit(page, `${BASE}/runs/${quickstartRun}/compare?a=oracle&b=random`);
  } else {
    console.log('     (the run page has no compare link or form: going by URL)');
    await visit(page, `${BASE}/runs/${quickstartRun}/compare?a=oracle&b=random`);
  }
  await screenshot(page, 'compare');
  const paired = await page.locator('#paired').innerText();
  expect(paired.includes('oracle beats random'), `#paired says "${paired.slice(0, 300)}"`);
  const tasks = await bodyRows(page, 'table#per-task');
  expect(tasks.length === 64, `table#per-task: expected 64 rows, got ${tasks.length}`);
});

await check('analysis of the trials run: the five plots are visible SVG with a <title>', async () => {
  await visit(page, `${BASE}/`);
  await follow(page, page.locator(`a[href$="/runs/${trialsRun}"]`), new RegExp(`/runs/${trialsRun}$`), `run ${trialsRun} from /`);
  const link = page.locator(`a[href$="/runs/${trialsRun}/analysis"]`);
  if (await link.count() > 0) await follow(page, link, /\/analysis$/, 'the analysis');
  else {
    console.log('     (the run page has no link to its analysis: going by URL)');
    await visit(page, `${BASE}/runs/${trialsRun}/analysis`);
  }
  await screenshot(page, 'analysis');
  for (const id of ['wright-map', 'item-curves', 'horizon-plot', 'capability-bars', 'pass-at-k']) {
    const plot = page.locator(`svg#${id}`);
    expect(await plot.count() === 1, `no svg#${id} on ${page.url()}`);
    expect(await plot.isVisible(), `svg#${id} is not visible`);
    const box = await plot.boundingBox();
    expect(box && box.width > 50 && box.height > 50, `svg#${id} is ${box ? `${box.width}x${box.height}` : 'not laid out'}`);
    const title = await plot.locator('title').first().textContent().catch(() => null);
    expect(title && title.trim().length > 0, `svg#${id} has no <title>`);
  }
});

await check('without JavaScript: /, /runs/ID, an episode and the analysis are complete pages', async () => {
  const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const noScript = watch(await plain.newPage());
  await visit(noScript, `${BASE}/`, 'nojs-leaderboard');
  const agents = await rowAgents(noScript);
  expect(agents.indexOf('oracle') === 0 && agents.includes('random'),
    `without JavaScript the leaderboard rows are ${JSON.stringify(agents)}`);
  await visit(noScript, `${BASE}/runs/${quickstartRun}`, 'nojs-run');
  expect((await bodyRows(noScript, 'table#agents')).length >= 2, 'without JavaScript table#agents has no rows');
  expect((await bodyRows(noScript, 'table#episodes')).length === 128, 'without JavaScript table#episodes is not complete');
  await visit(noScript, `${BASE}/runs/${quickstartRun}?outcome=failed`, 'nojs-run-filtered');
  const failed = await bodyRows(noScript, 'table#episodes');
  expect(failed.length === 64 && failed.every((row) => !row.includes('oracle')),
    `without JavaScript ?outcome=failed gives ${failed.length} rows`);
  await visit(noScript, `${BASE}/episodes/${episodeId}`, 'nojs-episode');
  expect(await noScript.locator('ol#trajectory li.step').count() > 0, 'without JavaScript ol#trajectory is empty');
  await visit(noScript, `${BASE}/runs/${trialsRun}/analysis`, 'nojs-analysis');
  expect(await noScript.locator('svg#wright-map').count() === 1, 'without JavaScript there is no svg#wright-map');
  await plain.close();
});

await check('with --token: /api/runs is 401 without it, 200 with Authorization: Bearer', async () => {
  const bare = await request('/api/runs', {}, TOKEN_BASE);
  expect(bare.status === 401, `GET /api/runs without the token: expected 401, got ${bare.status}`);
  expect(/^Bearer/i.test(bare.headers.get('www-authenticate') || ''),
    `401 without WWW-Authenticate: Bearer (got "${bare.headers.get('www-authenticate')}")`);
  const wrong = await request('/api/runs', { headers: { Authorization: 'Bearer not-the-token' } }, TOKEN_BASE);
  expect(wrong.status === 401, `GET /api/runs with a wrong token: expected 401, got ${wrong.status}`);
  const runs = await api('/api/runs', TOKEN_BASE, { Authorization: `Bearer ${TOKEN}` });
  expect(Array.isArray(runs) && runs.length >= 2, '/api/runs with the token does not list the runs');
});

await check('with --token: /?token= in the browser sets an HttpOnly cookie and links keep working', async () => {
  const guarded = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const visitor = watch(await guarded.newPage());
  const refused = await visitor.goto(`${TOKEN_BASE}/`);
  expect(refused.status() === 401, `GET / without the token: expected 401, got ${refused.status()}`);
  await visit(visitor, `${TOKEN_BASE}/?token=${TOKEN}`, 'token-leaderboard');
  const cookies = await guarded.cookies(TOKEN_BASE);
  expect(cookies.length > 0 && cookies.every((cookie) => cookie.httpOnly),
    `expected an HttpOnly cookie after ?token=, got ${JSON.stringify(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite })))}`);
  const responses = [];
  visitor.on('response', (response) => responses.push(response));
  await follow(visitor, visitor.locator('table#leaderboard tr[data-agent="oracle"] a[href*="/agents/oracle"]'),
    /\/agents\/oracle/, "oracle's agent page (with the cookie)");
  const navigation = responses.find((response) => response.request().isNavigationRequest());
  expect(navigation && navigation.status() === 200,
    `following a link with the cookie gave ${navigation ? navigation.status() : 'nothing'}`);
  await follow(visitor, visitor.locator(`a[href$="/runs/${quickstartRun}"]`), runUrl(), 'the run (with the cookie)');
  expect(await visitor.locator('table#episodes tbody tr').count() > 0, 'the run page reached with the cookie has no episodes');
  await screenshot(visitor, 'token-run');
  await guarded.close();
});

await check('a live run: #episodes-done rises on the open run page without a reload, then it completes', async () => {
  let output = '';
  liveRun = spawn(ASSAY, ['run', LIVE_SCENARIO, '--db', DB], { stdio: ['ignore', 'pipe', 'pipe'] });
  liveRun.stdout.on('data', (chunk) => { output += chunk; });
  liveRun.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => liveRun.on('exit', (code) => resolve(code)));
  let live = null;
  for (let attempt = 0; attempt < 200 && !live; attempt++) {
    const runs = await api('/api/runs');
    live = runs.find((run) => scenarioName(run) === 'web-live' && run.status === 'running');
    if (!live) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(live, `the live run never showed up in /api/runs as running: ${output.slice(-300)}`);
  await visit(page, `${BASE}/`);
  await follow(page, page.locator(`a[href$="/runs/${live.id}"]`), new RegExp(`/runs/${live.id}$`), `the live run ${live.id} from /`);
  await screenshot(page, 'live-run-started');
  const status = await page.locator('#progress').getAttribute('data-status');
  expect(status === 'running', `#progress data-status of the live run: expected running, got ${status}`);
  const url = page.url();
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations++; });
  await page.evaluate(() => { window.assayMarker = 'still here'; });
  const before = await number(page, '#episodes-done');
  await page.waitForFunction((start) => {
    const done = Number((document.querySelector('#episodes-done')?.textContent || '').replace(/[^0-9]/g, ''));
    return done > start;
  }, before, { timeout: 20000 }).catch(() => {
    throw new CheckFailed(`#episodes-done stayed at ${before} for 20 s while the run went on`);
  });
  const after = await number(page, '#episodes-done');
  expect(page.url() === url && navigations === 0, `the page navigated (${navigations} times, now ${page.url()})`);
  expect(await page.evaluate(() => window.assayMarker) === 'still here', 'the page was reloaded (window marker lost)');
  console.log(`     #episodes-done went from ${before} to ${after} without a reload`);
  await screenshot(page, 'live-run-progress');
  await page.waitForFunction(() => document.querySelector('#progress')?.getAttribute('data-status') !== 'running',
    null, { timeout: 120000 }).catch(() => {
    throw new CheckFailed('#progress data-status stayed "running" for 120 s');
  });
  const code = await exited;
  expect(code === 0, `the live run exited with ${code}: ${output.slice(-300)}`);
  const finalStatus = await page.locator('#progress').getAttribute('data-status');
  const done = await number(page, '#episodes-done');
  const planned = await number(page, '#episodes-planned');
  expect(finalStatus === 'complete' && done === planned,
    `after the run: data-status ${finalStatus}, ${done}/${planned} episodes on the page`);
  expect(await page.evaluate(() => window.assayMarker) === 'still here', 'the page was reloaded at the end of the run');
  await screenshot(page, 'live-run-complete');
});

await check('GET /api/runs: each run has the fields of docs/web.md', async () => {
  const quickstart = runList.find((run) => run.id === quickstartRun);
  const fields = ['id', 'scenario', 'benchmark', 'mode', 'status', 'started_at_ms', 'finished_at_ms',
    'episodes_planned'];
  const missing = fields.filter((field) => !(field in quickstart));
  expect(missing.length === 0, `/api/runs: run ${quickstartRun} lacks ${missing.join(', ')}; it has ${Object.keys(quickstart).join(', ')}`);
  expect(quickstart.benchmark === BENCHMARK && quickstart.status === 'complete',
    `/api/runs: run ${quickstartRun} is ${quickstart.benchmark}/${quickstart.status}, expected ${BENCHMARK}/complete`);
  expect(quickstart.episodes_planned === 128,
    `/api/runs: run ${quickstartRun} plans ${quickstart.episodes_planned} episodes, expected 128`);
  const run = await api(`/api/runs/${quickstartRun}`);
  expect(run.progress && run.progress.recorded === 128 && run.progress.planned === 128 && run.progress.status === 'complete',
    `/api/runs/${quickstartRun}: progress is ${JSON.stringify(run.progress)}`);
});

await check('GET /api/runs/ID/analysis has irt, horizon and pass_at_k', async () => {
  const analysis = await api(`/api/runs/${trialsRun}/analysis`);
  expect(analysis.irt && Array.isArray(analysis.irt.items) && analysis.irt.agents !== undefined,
    `/api/runs/${trialsRun}/analysis: irt is ${JSON.stringify(analysis.irt).slice(0, 200)}`);
  expect(analysis.horizon && typeof analysis.horizon === 'object', `/api/runs/${trialsRun}/analysis: no horizon`);
  const perAgent = (analysis.agents || []).some((agent) => Array.isArray(agent.pass_at_k));
  expect(analysis.pass_at_k !== null && analysis.pass_at_k !== undefined,
    `/api/runs/${trialsRun}/analysis: no top-level "pass_at_k" (docs/web.md: {"irt", "horizon", "pass_at_k"}); ` +
    `keys are ${JSON.stringify(Object.keys(analysis))}${perAgent ? ', pass_at_k only under agents[]' : ''}`);
});

await check('GET /api/runs/ID/episodes filters by outcome and agent; GET /api/runs/ID/compare has per_task', async () => {
  const failed = await api(`/api/runs/${quickstartRun}/episodes?outcome=failed`);
  expect(failed.total === 64 && failed.episodes.length === 64,
    `/api/runs/${quickstartRun}/episodes?outcome=failed: total ${failed.total}, ${failed.episodes && failed.episodes.length} episodes, expected 64`);
  const page = await api(`/api/runs/${quickstartRun}/episodes?agent=oracle&offset=10&limit=5`);
  expect(page.total === 64 && page.offset === 10 && page.episodes.length === 5,
    `/api/runs/${quickstartRun}/episodes?agent=oracle&offset=10&limit=5: total ${page.total}, offset ${page.offset}, ${page.episodes && page.episodes.length} episodes`);
  const compare = await api(`/api/runs/${quickstartRun}/compare?a=oracle&b=random`);
  expect(Array.isArray(compare.per_task) && compare.per_task.length === 64,
    `/api/runs/${quickstartRun}/compare: per_task has ${compare.per_task && compare.per_task.length} rows, expected 64`);
  const agent = await api('/api/agents/oracle');
  expect(agent.agent === 'oracle' && Array.isArray(agent.runs) && agent.runs.length >= 2,
    `/api/agents/oracle: ${JSON.stringify(agent).slice(0, 200)}`);
});

await check('caching: ETag and Cache-Control: no-cache; If-None-Match gives 304', async () => {
  for (const path of ['/', `/runs/${quickstartRun}`, `/api/runs/${quickstartRun}`]) {
    const first = await request(path);
    const etag = first.headers.get('etag');
    expect(first.status === 200 && etag, `GET ${path}: status ${first.status}, ETag ${etag}`);
    expect((first.headers.get('cache-control') || '').includes('no-cache'),
      `GET ${path}: Cache-Control is "${first.headers.get('cache-control')}"`);
    const again = await request(path, { headers: { 'If-None-Match': etag } });
    expect(again.status === 304, `GET ${path} with If-None-Match ${etag}: expected 304, got ${again.status}`);
  }
});

await check('API errors: 404 for an unknown run or episode, 405 for POST, as {"error": ...}', async () => {
  for (const path of ['/api/runs/999999', '/api/episodes/999999', `/api/leaderboard/no-such-bench`]) {
    const { status, text } = await request(path);
    expect(status === 404, `GET ${path}: expected 404, got ${status}`);
    expect(typeof JSON.parse(text).error === 'string', `GET ${path}: expected {"error": ...}, got ${text.slice(0, 200)}`);
  }
  const posted = await request('/api/runs', { method: 'POST', body: '{}' });
  expect(posted.status === 405, `POST /api/runs: expected 405, got ${posted.status}`);
});

await check('no page fetched anything from another host', async () => {
  expect(foreignRequests.length === 0, `requests to other hosts: ${foreignRequests.slice(0, 5).join(', ')}`);
});

await check('no JavaScript error on any page', async () => {
  expect(pageErrors.length === 0, pageErrors.slice(0, 5).join('; '));
});

console.log(`screenshots: ${SCREENSHOTS}`);
console.log(`${passed} passed, ${failed} failed`);
await stop(failed > 0 ? 1 : 0);
