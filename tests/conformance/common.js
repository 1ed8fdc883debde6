'use strict';
// Shared by the conformance scripts: argument parsing, a strict-mode ocpp-rpc client, and the
// line protocol the C# tests read on stdout (RESULT <json>, CALL <action> <json>, READY, FAIL <why>).
const { RPCClient, createValidator } = require('ocpp-rpc');

/**
 * ocpp-rpc 2.2.1 ships the official OCPP 2.1 schemas but looks every schema up as
 * "urn:<Action>.req" / "urn:<Action>.conf", the 1.6 and 2.0.1 naming, while the 2.1 file names them
 * "urn:<Action>Request" / "urn:<Action>Response" (upstream issue mikuso/ocpp-rpc#96 tracks 2.1).
 * So for ocpp2.1 we give it the same official schemas, unchanged but for their ids, and its own Ajv
 * validator checks every message against them as it does for the other versions.
 */
function ocpp21Validator() {
  const schemas = require('ocpp-rpc/lib/schemas/ocpp2_1.json').map((schema) => ({
    ...schema,
    $id: schema.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
  }));
  return createValidator('ocpp2.1', schemas);
}

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
    strictModeValidators: [ocpp21Validator()],
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
