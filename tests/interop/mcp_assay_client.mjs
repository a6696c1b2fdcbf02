// mcp_assay_client.mjs — assay's MCP client (`assay fixture mcp client`)
// against the reference server @modelcontextprotocol/server-everything, over
// stdio (assay spawns it) and over Streamable HTTP (started here; it answers
// with SSE streams, so this also exercises the client's SSE path).
//
// usage: node mcp_assay_client.mjs ASSAY_BINARY
// Exit status 0 when every check passed; the first failure is printed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const assay = process.argv[2];
if (!assay) {
  console.error('usage: node mcp_assay_client.mjs ASSAY_BINARY');
  process.exit(2);
}
const everything = fileURLToPath(new URL(
  './node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));

let checks = 0;
async function check(name, body) {
  try {
    await body();
    checks++;
  } catch (error) {
    console.error(`FAIL ${name}: ${error.stack ?? error}`);
    process.exit(1);
  }
}

// Runs the client; returns {status, results, notifications, stderr}.
function client(connection, operations) {
  const run = spawnSync(assay, ['fixture', 'mcp', 'client', '--timeout', '20000', ...connection, ...operations],
    { encoding: 'utf8', timeout: 60000 });
  const results = [];
  const notifications = [];
  for (const line of run.stdout.split('\n').filter((text) => text.trim() !== '')) {
    const message = JSON.parse(line);
    (message.notification ? notifications : results).push(message.notification ?? message);
  }
  return { status: run.status, results, notifications, stderr: run.stderr };
}

const text = (result) => result.content?.find((block) => block.type === 'text')?.text;

async function exercise(label, connection) {
  await check(`${label}: tools, calls, resources, prompts, ping`, async () => {
    const run = client(connection, [
      'list-tools',
      'call', 'echo', '{"message":"hello from assay"}',
      'call', 'get-sum', '{"a":2,"b":3.5}',
      'call', 'echo', '{}',
      'list-resources',
      'read', 'demo://resource/static/document/architecture.md',
      'list-templates',
      'read', 'demo://resource/dynamic/text/7',
      'list-prompts',
      'get-prompt', 'simple-prompt',
      'get-prompt', 'args-prompt', '{"city":"Paris"}',
      'ping',
    ]);
    assert.equal(run.status, 0, run.stderr);
    const [tools, echo, sum, invalid, resources, document, templates, dynamic, prompts, simple, withArgs, pong] = run.results;
    const names = tools.tools.map((tool) => tool.name);
    for (const name of ['echo', 'get-sum', 'trigger-long-running-operation', 'toggle-simulated-logging']) {
      assert.ok(names.includes(name), `missing tool ${name}`);
    }
    assert.equal(text(echo), 'Echo: hello from assay');
    assert.match(text(sum), /5\.5/);
    assert.equal(invalid.isError, true);
    assert.ok(resources.resources.length >= 1);
    assert.ok(document.contents[0].text.length > 0);
    assert.ok(templates.resourceTemplates.some((template) => template.uriTemplate.includes('{resourceId}')));
    assert.match(dynamic.contents[0].text, /7/);
    assert.ok(prompts.prompts.some((prompt) => prompt.name === 'args-prompt'));
    assert.match(simple.messages[0].content.text, /simple prompt/);
    assert.match(withArgs.messages[0].content.text, /Paris/);
    assert.deepEqual(pong, {});
  });
  await check(`${label}: progress notifications`, async () => {
    const run = client(connection, ['--progress', 'call', 'trigger-long-running-operation',
      '{"duration":0.3,"steps":3}']);
    assert.equal(run.status, 0, run.stderr);
    const progress = run.notifications.filter((note) => note.method === 'notifications/progress');
    assert.deepEqual(progress.map((note) => note.params.progress), [1, 2, 3]);
    assert.equal(progress[0].params.total, 3);
    assert.match(text(run.results[0]), /completed/i);
  });
  await check(`${label}: log notifications outside any request`, async () => {
    // server-everything sends its simulated log line unsolicited: over stdio
    // it comes on stdout, over HTTP on the session's GET stream.
    const run = client(connection, ['set-level', 'debug', 'call', 'toggle-simulated-logging', '{}',
      'wait', '300']);
    assert.equal(run.status, 0, run.stderr);
    const logs = run.notifications.filter((note) => note.method === 'notifications/message');
    assert.ok(logs.length >= 1, 'no notifications/message arrived');
    assert.ok(typeof logs[0].params.level === 'string');
  });
  await check(`${label}: a server error is a non-zero exit with one line`, async () => {
    const run = client(connection, ['get-prompt', 'args-prompt', '{}']);
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim().split('\n').filter((line) => line.startsWith('assay')).length, 1);
    assert.match(run.stderr, /-32602/);
  });
}

// ---- stdio: assay spawns the server -------------------------------------------------
const stdio = ['--stdio', '--', process.execPath, everything, 'stdio', '--'];
await exercise('stdio', stdio);

// ---- Streamable HTTP ------------------------------------------------------------------
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const server = spawn(process.execPath, [everything, 'streamableHttp'],
  { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
try {
  await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${seen}`)), 15000);
    server.stderr.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('listening on port')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.on('exit', (code) => reject(new Error(`server-everything exited with ${code}: ${seen}`)));
  });
  await exercise('http', ['--url', `http://127.0.0.1:${port}/mcp`]);
} finally {
  server.kill('SIGTERM');
}
await check('unreachable server: non-zero exit, one line', async () => {
  const run = client(['--url', 'http://127.0.0.1:1/mcp'], ['ping']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^assay fixture mcp client: cannot connect: /);
});

console.log(`mcp_assay_client: ${checks} checks passed`);
process.exit(0);
