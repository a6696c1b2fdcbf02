// env_sdk_client.mjs — the official MCP TypeScript SDK client plays built-in
// benchmark tasks through `assay env`: over Streamable HTTP (subject
// endpoint, with the judge's separate control endpoint scoring the episode)
// and over stdio (with --control). Checks that subjects do not see the
// lifecycle tools, that sessions are isolated, and that the reference
// solution scores 1 while doing nothing scores 0.
//
// usage: node env_sdk_client.mjs ASSAY_BINARY
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [assay] = process.argv.slice(2);
if (!assay) {
  console.error('usage: node env_sdk_client.mjs ASSAY_BINARY');
  process.exit(2);
}

function newClient() {
  return new Client({ name: 'env-interop', version: '1.0.0' }, { capabilities: {} });
}

async function connectHttp(url) {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

function text(result) {
  return result.content.map((block) => block.text ?? '').join('');
}

// Starts `assay env` over HTTP and resolves {subjectUrl, controlUrl, child}.
function startEnv(task, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(assay, ['env', '--bench', 'web-of-sites', '--task', task, '--port', '0', ...extra], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const ready = output.match(/^READY (\S+)$/m);
      const control = output.match(/^CONTROL (\S+)$/m);
      const web = output.match(/^WEB (\S+)$/m);
      if (ready && control && web) resolve({ subjectUrl: ready[1], controlUrl: control[1], webUrl: web[1], child });
    });
    child.on('exit', (code) => reject(new Error(`assay env exited early with ${code}`)));
  });
}

async function overHttp() {
  const { subjectUrl, controlUrl, child } = await startEnv('price-blue-ceramic-mug');
  try {
    const subject = await connectHttp(subjectUrl);
    const tools = (await subject.listTools()).tools.map((tool) => tool.name).sort();
    assert.deepEqual(tools, ['answer', 'click', 'open', 'read', 'submit', 'type']);
    const instruction = await subject.readResource({ uri: 'task://instruction' });
    assert.match(instruction.contents[0].text, /blue ceramic mug/);

    // play the task as a text agent would
    let page = text(await subject.callTool({ name: 'open', arguments: { url: 'http://shop.local/' } }));
    assert.match(page, /\[\d+\] textbox "Search"/);
    await subject.callTool({ name: 'type', arguments: { label: 'Search', text: 'blue mug' } });
    page = text(await subject.callTool({ name: 'submit', arguments: { label: 'Search' } }));
    const number = Number(page.match(/\[(\d+)\] link "Ceramic mug \(blue\)/)[1]);
    page = text(await subject.callTool({ name: 'click', arguments: { element: number } }));
    assert.match(page, /Price: \$12\.50/);
    const wrong = await subject.callTool({ name: 'click', arguments: { element: 999 } });
    assert.equal(wrong.isError, true);
    await subject.callTool({ name: 'answer', arguments: { text: 'It costs $12.50' } });

    // a second subject session plays its own, separate episode
    const idle = await connectHttp(subjectUrl);
    await idle.callTool({ name: 'open', arguments: { url: 'http://mail.local/' } });

    const judge = await connectHttp(controlUrl);
    const judgeTools = (await judge.listTools()).tools.map((tool) => tool.name).sort();
    assert.deepEqual(judgeTools, ['close', 'evaluate', 'reset', 'sessions']);
    const sessions = (await judge.callTool({ name: 'sessions', arguments: {} })).structuredContent.sessions;
    assert.equal(sessions.length, 2);
    const played = sessions.find((session) => session.done);
    const other = sessions.find((session) => !session.done);
    const verdict = (await judge.callTool({ name: 'evaluate', arguments: { session: played.session } })).structuredContent;
    assert.equal(verdict.score, 1);
    assert.equal(verdict.passed, true);
    const idleVerdict = (await judge.callTool({ name: 'evaluate', arguments: { session: other.session } })).structuredContent;
    assert.equal(idleVerdict.score, 0);
    await judge.callTool({ name: 'close', arguments: { session: other.session } });
    const missing = await judge.callTool({ name: 'evaluate', arguments: { session: other.session } });
    assert.equal(missing.isError, true);
    await subject.close();
    await idle.close();
    await judge.close();
  } finally {
    child.kill('SIGTERM');
  }
}

// A browser's path: HTML pages and form posts, judged like any episode.
async function asBrowser() {
  const { controlUrl, webUrl, child } = await startEnv('price-blue-ceramic-mug');
  try {
    let response = await fetch(webUrl);
    const cookie = response.headers.get('set-cookie').split(';')[0];
    let html = await response.text();
    assert.match(html, /<input name="_field(\d+)" value="">/);
    const field = html.match(/<label>Search <input name="(_field\d+)"/)[1];
    const button = html.match(/<button type="submit" name="_element" value="(\d+)">Search</)[1];
    response = await fetch(new URL('/_act', webUrl), {
      method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${field}=blue+mug&_element=${button}`,
    });
    html = await response.text();
    const link = html.match(/href="([^"]+)">Ceramic mug \(blue\)/)[1].replaceAll('&amp;', '&');
    html = await (await fetch(new URL(link, webUrl), { headers: { cookie } })).text();
    assert.match(html, /Price: \$12\.50/);
    const judge = await connectHttp(controlUrl);
    const sessions = (await judge.callTool({ name: 'sessions', arguments: {} })).structuredContent.sessions;
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].session, 'web:' + cookie.split('=')[1]);
    assert.equal(sessions[0].steps, 3); // type, click Search, open product (the first page is free)
    const verdict = (await judge.callTool({ name: 'evaluate', arguments: { session: sessions[0].session } })).structuredContent;
    assert.equal(verdict.score, 0); // no answer given yet: a browser agent answers through the judge
    await judge.close();
  } finally {
    child.kill('SIGTERM');
  }
}

// The judge's flow: episodes named by per-episode bearer tokens.
async function withTokens() {
  const { subjectUrl, controlUrl, child } = await startEnv('price-blue-ceramic-mug', ['--require-token']);
  try {
    const stranger = await connectHttp(subjectUrl);
    const refused = await stranger.callTool({ name: 'open', arguments: { url: 'http://shop.local/' } });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /bearer token/);
    await stranger.close();

    const judge = await connectHttp(controlUrl);
    await judge.callTool({ name: 'reset', arguments: { token: 'episode-7' } });
    const subject = newClient();
    const transport = new StreamableHTTPClientTransport(new URL(subjectUrl), {
      requestInit: { headers: { Authorization: 'Bearer episode-7' } },
    });
    await subject.connect(transport);
    // a session is bound to the token it was opened with
    const hijack = await fetch(subjectUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId, authorization: 'Bearer someone-else' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping' }),
    });
    assert.equal(hijack.status, 403);
    await subject.callTool({ name: 'open', arguments: { url: 'http://shop.local/product/p01' } });
    await subject.callTool({ name: 'answer', arguments: { text: '12.50' } });
    const verdict = (await judge.callTool({ name: 'evaluate', arguments: { token: 'episode-7' } })).structuredContent;
    assert.equal(verdict.score, 1);
    const wrong = newClient();
    await wrong.connect(new StreamableHTTPClientTransport(new URL(subjectUrl), {
      requestInit: { headers: { Authorization: 'Bearer guessed' } },
    }));
    const unknown = await wrong.callTool({ name: 'read', arguments: {} });
    assert.equal(unknown.isError, true);
    assert.match(text(unknown), /unknown episode token/);
    await Promise.all([subject.close(), wrong.close(), judge.close()]);
  } finally {
    child.kill('SIGTERM');
  }
}

async function overStdio() {
  const client = newClient();
  await client.connect(new StdioClientTransport({
    command: assay,
    args: ['env', '--bench', 'web-of-sites', '--task', 'send-lunch-yes', '--stdio', '--control'],
  }));
  await client.callTool({ name: 'open', arguments: { url: 'http://mail.local/compose' } });
  await client.callTool({ name: 'type', arguments: { label: 'To', text: 'sam.lee@mail.local' } });
  await client.callTool({ name: 'type', arguments: { label: 'Subject', text: 'Lunch' } });
  await client.callTool({ name: 'type', arguments: { label: 'Body', text: 'Yes, 12:30 is fine.' } });
  await client.callTool({ name: 'click', arguments: { label: 'Send' } });
  const verdict = (await client.callTool({ name: 'evaluate', arguments: { session: '' } })).structuredContent;
  assert.equal(verdict.score, 1, JSON.stringify(verdict));
  await client.callTool({ name: 'reset', arguments: { session: '', seed: 3 } });
  const after = (await client.callTool({ name: 'evaluate', arguments: { session: '' } })).structuredContent;
  assert.equal(after.score, 0);
  await client.close();
}

try {
  await overHttp();
  await asBrowser();
  await withTokens();
  await overStdio();
  console.log('env interop: the official MCP SDK played web-of-sites tasks over HTTP and stdio');
} catch (error) {
  console.error(`FAIL ${error.stack ?? error}`);
  process.exit(1);
}
