// mcp_sdk_client.mjs — the official MCP TypeScript SDK's client against
// assay's MCP fixture, over Streamable HTTP and over stdio (the SDK spawns
// `assay fixture mcp stdio`), then raw HTTP requests that must be refused
// the way the specification says.
//
// usage: node mcp_sdk_client.mjs ASSAY_BINARY URL PAGED_URL
//   URL        a running `assay fixture mcp http` endpoint
//   PAGED_URL  one started with --page-size 3 (pagination)
// Exit status 0 when every check passed; the first failure is printed.
import assert from 'node:assert/strict';
import net from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';

const [assay, url, pagedUrl] = process.argv.slice(2);
if (!assay || !url || !pagedUrl) {
  console.error('usage: node mcp_sdk_client.mjs ASSAY_BINARY URL PAGED_URL');
  process.exit(2);
}

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

function newClient() {
  const client = new Client(
    { name: 'sdk-interop', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    role: 'assistant',
    content: { type: 'text', text: `echo of ${request.params.messages[0].content.text}` },
    model: 'interop-model',
    stopReason: 'endTurn',
  }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { username: 'ada', email: 'ada@example.com' },
  }));
  return client;
}

const text = (result) => result.content.find((block) => block.type === 'text')?.text;

async function exercise(label, client) {
  await check(`${label}: handshake`, async () => {
    assert.equal(client.getServerVersion().name, 'assay-fixture-mcp');
    const capabilities = client.getServerCapabilities();
    assert.ok(capabilities.tools && capabilities.resources && capabilities.prompts);
    assert.ok(capabilities.logging && capabilities.completions);
  });
  await check(`${label}: list tools`, async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    for (const name of ['echo', 'add', 'test_simple_text', 'test_error_handling',
      'test_tool_with_progress', 'test_tool_with_logging', 'test_sampling']) {
      assert.ok(names.includes(name), `missing tool ${name}`);
    }
    const add = tools.find((tool) => tool.name === 'add');
    assert.equal(add.outputSchema.type, 'object');
    assert.deepEqual(tools.find((tool) => tool.name === 'echo').inputSchema.required, ['text']);
  });
  await check(`${label}: call echo`, async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'héllo "world"' } });
    assert.equal(text(result), 'héllo "world"');
    assert.notEqual(result.isError, true);
  });
  await check(`${label}: structured output`, async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 0.5 } });
    assert.deepEqual(result.structuredContent, { sum: 2.5 });
    assert.equal(JSON.parse(text(result)).sum, 2.5);
  });
  await check(`${label}: tool error is a result`, async () => {
    const result = await client.callTool({ name: 'test_error_handling', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(text(result), /intentionally/);
  });
  await check(`${label}: invalid arguments name the field`, async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 42 } });
    assert.equal(result.isError, true);
    assert.match(text(result), /arguments\.text/);
  });
  await check(`${label}: unknown tool is -32602`, async () => {
    await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }),
      (error) => error instanceof McpError && error.code === -32602);
  });
  await check(`${label}: content types`, async () => {
    const mixed = await client.callTool({ name: 'test_multiple_content_types', arguments: {} });
    assert.deepEqual(mixed.content.map((block) => block.type), ['text', 'image', 'resource']);
    const audio = await client.callTool({ name: 'test_audio_content', arguments: {} });
    assert.equal(audio.content[0].mimeType, 'audio/wav');
  });
  await check(`${label}: resources`, async () => {
    const { resources } = await client.listResources();
    assert.ok(resources.some((resource) => resource.uri === 'test://static-text'));
    const textual = await client.readResource({ uri: 'test://static-text' });
    assert.equal(textual.contents[0].text, 'This is the content of the static text resource.');
    const binary = await client.readResource({ uri: 'test://static-binary' });
    assert.equal(binary.contents[0].mimeType, 'image/png');
    assert.ok(binary.contents[0].blob.length > 10);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.equal(resourceTemplates[0].uriTemplate, 'test://template/{id}/data');
    const templated = await client.readResource({ uri: 'test://template/42/data' });
    assert.equal(JSON.parse(templated.contents[0].text).id, '42');
    await assert.rejects(client.readResource({ uri: 'test://nothing' }),
      (error) => error instanceof McpError && error.code === -32002);
    await client.subscribeResource({ uri: 'test://watched-resource' });
    await client.unsubscribeResource({ uri: 'test://watched-resource' });
  });
  await check(`${label}: prompts`, async () => {
    const { prompts } = await client.listPrompts();
    assert.ok(prompts.some((prompt) => prompt.name === 'test_prompt_with_arguments'));
    const prompt = await client.getPrompt({
      name: 'test_prompt_with_arguments', arguments: { arg1: 'one', arg2: 'two' },
    });
    assert.equal(prompt.messages[0].content.text, "Prompt with arguments: arg1='one', arg2='two'");
    await assert.rejects(client.getPrompt({ name: 'test_prompt_with_arguments', arguments: {} }),
      (error) => error instanceof McpError && error.code === -32602 && /arg1/.test(error.message));
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'pa' },
    });
    assert.deepEqual(completion.completion.values, ['paris', 'park', 'party']);
  });
  await check(`${label}: progress notifications`, async () => {
    const updates = [];
    const result = await client.callTool({ name: 'test_tool_with_progress', arguments: {} },
      undefined, { onprogress: (progress) => updates.push(progress) });
    // The SDK hands notifications to handlers on a microtask but settles the
    // response at once, dropping its progress handler; over stdio the last
    // progress line and the response arrive in one read, so the SDK may drop
    // the third update (assay sends all three: see the raw check below and
    // the unit tests). Over SSE each event arrives on its own.
    const expected = label === 'stdio' ? [0, 50, 100].slice(0, updates.length) : [0, 50, 100];
    assert.ok(updates.length >= 2, `only ${updates.length} progress updates`);
    assert.deepEqual(updates.map((update) => update.progress), expected);
    assert.equal(updates[1].total, 100);
    assert.ok(text(result).length > 0);
  });
  await check(`${label}: logging`, async () => {
    const messages = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema,
      (notification) => messages.push(notification.params));
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 50)); // notification handlers run later
    assert.deepEqual(messages.map((message) => message.data),
      ['Tool execution started', 'Tool processing data', 'Tool execution completed']);
    await client.setLoggingLevel('error');
    messages.length = 0;
    await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(messages.length, 0);
  });
  await check(`${label}: sampling and elicitation`, async () => {
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
    assert.equal(text(sampled), 'LLM response: echo of hi');
    const elicited = await client.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } });
    assert.match(text(elicited), /action=accept/);
    assert.match(text(elicited), /ada@example.com/);
  });
  await check(`${label}: cancellation stops the call`, async () => {
    const before = (await client.callTool({ name: 'cancelled_calls', arguments: {} })).structuredContent.cancelled;
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.callTool({ name: 'sleep', arguments: { milliseconds: 10000 } },
      undefined, { signal: controller.signal });
    setTimeout(() => controller.abort('changed my mind'), 300);
    await assert.rejects(pending);
    let after = before;
    for (let attempt = 0; attempt < 50 && after === before; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = (await client.callTool({ name: 'cancelled_calls', arguments: {} })).structuredContent.cancelled;
    }
    assert.equal(after, before + 1, 'the server never saw the cancellation');
    assert.ok(Date.now() - started < 5000);
  });
  await check(`${label}: ping`, async () => {
    assert.deepEqual(await client.ping(), {});
  });
}

// ---- Streamable HTTP ---------------------------------------------------------------
{
  const client = newClient();
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  await check('http: negotiated version', async () => {
    assert.equal(transport.protocolVersion, '2025-11-25');
    assert.match(transport.sessionId, /^[0-9a-f]{32}$/);
  });
  await exercise('http', client);
  await check('http: DELETE ends the session', async () => {
    const sessionId = transport.sessionId;
    await transport.terminateSession();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    assert.equal(response.status, 404);
  });
  await client.close();
}

// ---- pagination --------------------------------------------------------------------
await check('http: pagination follows nextCursor', async () => {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(pagedUrl)));
  const names = [];
  let cursor;
  let pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    assert.ok(page.tools.length <= 3);
    names.push(...page.tools.map((tool) => tool.name));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  assert.ok(pages >= 5, `only ${pages} pages`);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes('echo') && names.includes('cancelled_calls'));
  await assert.rejects(client.listTools({ cursor: 'not-a-cursor' }),
    (error) => error instanceof McpError && error.code === -32602);
  await client.close();
});

// ---- stdio -------------------------------------------------------------------------
{
  const client = newClient();
  const transport = new StdioClientTransport({
    command: assay, args: ['fixture', 'mcp', 'stdio'], stderr: 'inherit',
  });
  await client.connect(transport);
  await exercise('stdio', client);
  await client.close();
}

// ---- raw HTTP: what must be refused, and how ---------------------------------------
const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
async function post(body, headers = {}) {
  const response = await fetch(url, {
    method: 'POST', headers: { ...base, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const raw = await response.text();
  let json = null;
  try { json = JSON.parse(raw); } catch { /* not JSON */ }
  return { status: response.status, headers: response.headers, raw, json };
}

let session;
await check('raw: initialize returns a session id', async () => {
  const reply = await post({
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  assert.equal(reply.status, 200);
  session = reply.headers.get('mcp-session-id');
  assert.match(session, /^[0-9a-f]{32}$/);
});
const inSession = () => ({ 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' });
await check('raw: notification gets 202 without a body', async () => {
  const reply = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, inSession());
  assert.equal(reply.status, 202);
  assert.equal(reply.raw, '');
});
await check('raw: malformed JSON is -32700 with id null', async () => {
  const reply = await post('{"jsonrpc": "2.0", "id": 1, "method": ', inSession());
  assert.equal(reply.status, 400);
  assert.equal(reply.json.error.code, -32700);
  assert.equal(reply.json.id, null);
});
await check('raw: wrong shape is -32600', async () => {
  const reply = await post({ jsonrpc: '2.0', id: 5, params: {} }, inSession());
  assert.equal(reply.status, 400);
  assert.equal(reply.json.error.code, -32600);
});
await check('raw: unknown method is -32601', async () => {
  const reply = await post({ jsonrpc: '2.0', id: 6, method: 'tools/explode' }, inSession());
  assert.equal(reply.status, 200);
  assert.equal(reply.json.error.code, -32601);
  assert.equal(reply.json.id, 6);
});
await check('raw: bad params are -32602 and name the field', async () => {
  const reply = await post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 5 } }, inSession());
  assert.equal(reply.json.error.code, -32602);
  assert.match(reply.json.error.message, /params\.name/);
  const level = await post({ jsonrpc: '2.0', id: 8, method: 'logging/setLevel', params: { level: 'chatty' } }, inSession());
  assert.equal(level.json.error.code, -32602);
  assert.match(level.json.error.message, /params\.level/);
});
await check('raw: oversized body is 413', async () => {
  // A client that sends the whole body before reading (as fetch does) must
  // still see the 413: the server reads and drops a body over the limit
  // (up to 64 MiB) before answering.
  const big = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + 'x'.repeat(5 << 20) + '"}}';
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...inSession(), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: big,
  });
  assert.equal(response.status, 413);
  assert.match(await response.text(), /limit/);
});
await check('raw: wrong content type is 415', async () => {
  const reply = await post({ jsonrpc: '2.0', id: 10, method: 'ping' }, { ...inSession(), 'content-type': 'text/plain' });
  assert.equal(reply.status, 415);
});
await check('raw: missing session is 400, unknown session is 404', async () => {
  const missing = await post({ jsonrpc: '2.0', id: 11, method: 'ping' });
  assert.equal(missing.status, 400);
  const unknown = await post({ jsonrpc: '2.0', id: 12, method: 'ping' }, { 'mcp-session-id': 'f'.repeat(32) });
  assert.equal(unknown.status, 404);
});
await check('raw: bad Origin is 403, localhost Origin is fine', async () => {
  const evil = await post({ jsonrpc: '2.0', id: 13, method: 'ping' }, { ...inSession(), origin: 'http://evil.example.com' });
  assert.equal(evil.status, 403);
  const local = await post({ jsonrpc: '2.0', id: 14, method: 'ping' }, { ...inSession(), origin: 'http://localhost:3000' });
  assert.equal(local.status, 200);
});
await check('raw: unsupported protocol version header is 400', async () => {
  const reply = await post({ jsonrpc: '2.0', id: 15, method: 'ping' }, { ...inSession(), 'mcp-protocol-version': '2030-01-01' });
  assert.equal(reply.status, 400);
});
await check('raw: progress token gives an SSE stream', async () => {
  const reply = await post({
    jsonrpc: '2.0', id: 16, method: 'tools/call',
    params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'raw' } },
  }, inSession());
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type'), /text\/event-stream/);
  const events = reply.raw.split('\n\n').filter((chunk) => chunk.includes('data: '))
    .map((chunk) => JSON.parse(chunk.slice(chunk.indexOf('data: ') + 6)));
  assert.equal(events.length, 4);
  assert.equal(events[3].id, 16);
});
await check('raw: DELETE then reuse is 404', async () => {
  const gone = await fetch(url, { method: 'DELETE', headers: inSession() });
  assert.equal(gone.status, 200);
  const reply = await post({ jsonrpc: '2.0', id: 17, method: 'ping' }, inSession());
  assert.equal(reply.status, 404);
});

console.log(`mcp_sdk_client: ${checks} checks passed`);
