'use strict';
// Shared by the conformance scripts: argument parsing, a strict-mode ocpp-rpc client, and the
// line protocol the C# tests read on stdout (RESULT <json>, CALL <action> <json>, READY, FAIL <why>).
const { RPCClient } = require('ocpp-rpc');

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    out[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  for (const required of ['url', 'id']) {
    if (!out[required]) fail(`missing --${required}`);
  }
  return out;
}

function fail(why) {
  console.log(`FAIL ${why}`);
  process.exit(1);
}

function report(kind, value) {
  console.log(`${kind} ${JSON.stringify(value)}`);
}

function check(condition, why) {
  if (!condition) fail(why);
}

/** A client that validates every message both ways against the official OCPP schemas. */
async function connect(protocol, options) {
  const client = new RPCClient({
    endpoint: options.url,
    identity: options.id,
    password: options.password,
    protocols: [protocol],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: 15000,
  });
  client.on('strictValidationFailure', (e) => fail(`strict validation failed (${e.outbound ? 'ours' : 'server'}, ${e.method}): ${e.error.message}`));
  client.on('badMessage', (e) => fail(`bad message from the server: ${e.error.message}: ${e.buffer}`));
  await client.connect();
  check(client.protocol === protocol, `server chose subprotocol ${client.protocol}, wanted ${protocol}`);
  return client;
}

/** Answers the server's calls (each reported as CALL) until stdin closes, then disconnects. */
function serveUntilStdinCloses(client, handlers) {
  for (const [action, handler] of Object.entries(handlers)) {
    client.handle(action, ({ params }) => {
      report(`CALL ${action}`, params);
      return handler(params);
    });
  }
  client.handle(({ method }) => fail(`unexpected call from the server: ${method}`));
  console.log('READY');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await client.close({ code: 1000, reason: 'done' });
    process.exit(0);
  });
}

const iso = (date) => date.toISOString();

module.exports = { args, fail, report, check, connect, serveUntilStdinCloses, iso };
